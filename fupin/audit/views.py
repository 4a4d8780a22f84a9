"""The audit trail's page (审计日志): read-only, scoped to the reader's subtree."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fupin.accounts import policy

from . import display as audit_display
from . import selectors as audit_selectors
from .forms import AuditFilterForm


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """审计日志: read-only, GET only; there is no way to change or delete an event from the UI."""
    if not policy.can_read_audit(request.user):
        raise PermissionDenied(_("您的角色不能查看审计日志"))
    form = AuditFilterForm(request.GET or None)
    filters = audit_selectors.AuditFilters()
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        filters = audit_selectors.AuditFilters(
            actor=cd["actor"].strip(), kind=cd["kind"], entity=cd["entity"], entity_id=cd["entity_id"].strip(),
            date_from=cd["date_from"], date_to=cd["date_to"], q=cd["q"].strip())
    qs = audit_selectors.audit_list(user=request.user, filters=filters)
    page = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    events = audit_display.decorate(page.object_list, request.user)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "audit/audit_list.html", {"form": form, "page": page, "events": events,
                                                   "query": params.urlencode()})
