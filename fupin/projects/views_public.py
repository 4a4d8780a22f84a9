"""The public board of funds and projects (/public/funds/, issue 16 item 5): no login, the disclosures
hanging today (not withdrawn, ``starts_on`` ≤ today ≤ ``ends_on``) per county, township and village, each
exactly as frozen when published (personal numbers already masked), its page and its A4 PDF. Nothing else of
the system is read. Linked from the identification board (/public/). Same page shell as that board
(identification/public_base.html), cacheable for a minute like it."""

from __future__ import annotations

import datetime
import hashlib

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import services_disclosures as svc
from .models import Disclosure

MAX_AGE = 60
PDF_CACHE_SECONDS = 300


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def running(today: datetime.date) -> QuerySet[Disclosure]:
    return (Disclosure.objects.filter(withdrawn=False, starts_on__lte=today, ends_on__gte=today)
            .select_related("area").order_by("area_path", "-starts_on", "id"))


def _sections(items: list[Disclosure], today: datetime.date) -> list[dict]:
    """County (and above) first, then per township: its own notices and its villages'."""
    from fupin.areas.models import Area

    townships = {d.area_path[:9] for d in items if len(d.area_path) >= 9}
    names = dict(Area.objects.filter(path__in=townships).values_list("path", "name"))
    out: dict[str, dict] = {}
    for d in items:
        key = d.area_path[:9] if len(d.area_path) >= 9 else ""
        section = out.setdefault(key, {"title": names.get(key, "") if key else _("县级公告"), "items": []})
        d.days_left = (d.ends_on - today).days + 1
        section["items"].append(d)
    return [out[k] for k in sorted(out)]


@require_safe
def board(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = list(running(today))
    return _public(render(request, "projects/public/board.html", {"sections": _sections(items, today), "today": today,
                                                                  "count": len(items)}))


def _one(pk: int) -> Disclosure:
    d = running(timezone.localdate()).filter(pk=pk).first()
    if d is None:
        raise Http404
    d.days_left = (d.ends_on - timezone.localdate()).days + 1
    return d


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = _one(pk)
    return _public(render(request, "projects/public/detail.html", {"d": d, "c": svc.for_display(d.content),
                                                                   "today": timezone.localdate()}))


@require_safe
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    d = _one(pk)
    key = "fupin:public-funds-pdf:" + hashlib.sha256(repr((d.pk, d.content, d.starts_on, d.ends_on)).encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = svc.disclosure_pdf(d)
        cache.set(key, data, PDF_CACHE_SECONDS)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{d.title}.pdf")
    return _public(response)
