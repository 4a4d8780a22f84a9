"""Printed documents as PDF downloads. Each reads through the scoped selectors (outside the user's
scope: 404, as the page), renders through fupin.documents.render and is audited as an export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from fupin.audit.services import audit_export
from fupin.registry import selectors as registry_selectors

from . import records
from .render import UnprintableText, render_pdf


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    # Personal data: never kept by a shared browser cache or a proxy.
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
def household_record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """打印户档案: the household's record on A4, masked as the user's page is."""
    household = registry_selectors.household_get(user=request.user, pk=pk)
    data = records.household_record(user=request.user, household=household)
    try:
        pdf = render_pdf(records.TEMPLATE, data, labels=records.LABELS)
    except UnprintableText as exc:
        for message in exc.messages:
            messages.error(request, _("无法打印户档案：") + message)
        return redirect("household_detail", pk=household.pk)
    audit_export(actor=request.user, obj=household, area_path=household.area_path,
                 summary=_("打印户档案：%(n)s %(name)s") % {"n": household.number, "name": household.head_name},
                 data={"document": records.TEMPLATE})
    return pdf_response(pdf, f"户档案-{household.number}.pdf")
