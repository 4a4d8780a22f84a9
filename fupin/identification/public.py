"""The public notice board (/public/, issue 13 item 3): no login; the notices hanging today, per township
and village, each exactly as its paper (name, household size, masked ID number, group, reason), its own
page and its PDF while it runs. It reads only ``selectors.running_notices`` (the printed values of the
entries still listed) and the names of the areas the notices hang in: nothing else of the system, no
menu, no link into it but 登录, no figure of anything else. The pages are the same for everyone (no
session, no form), so a browser or a proxy may keep them a minute."""

from __future__ import annotations

import datetime
import hashlib

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fupin.areas.models import Area
from fupin.documents import notices as documents
from fupin.documents.render import UnprintableText

from . import selectors
from .models import Notice
from .views_notices import days_left, document_title, notice_document, pdf_filename

#: Seconds a browser or proxy may keep a public page or PDF (the board changes when a notice starts,
#: ends, is withdrawn or an entry is struck: a minute late at most).
MAX_AGE = 60
#: Seconds the server keeps a rendered public PDF (keyed by what is printed, so a change shows at once).
PDF_CACHE_SECONDS = 300


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _places(notices: list[Notice]) -> dict[str, Area]:
    """Every area the notices hang in and above them, by path, in one query."""
    from fupin.registry import rules as registry_rules

    paths = {p for n in notices for p in [*registry_rules.path_prefixes(n.area.path), n.area.path]}
    return {a.path: a for a in Area.objects.filter(path__in=paths).only("path", "name", "level")}


def _decorate(notice: Notice, places: dict[str, Area], today: datetime.date) -> Notice:
    from fupin.registry import rules as registry_rules

    chain = [places[p] for p in [*registry_rules.path_prefixes(notice.area.path), notice.area.path] if p in places]
    names = {a.level: a.name for a in chain}
    notice.place = "".join(names.get(level, "") for level in ("county", "township", "village"))
    notice.township = names.get("township", "")
    notice.village = names.get("village", "")
    notice.title = document_title(notice)
    notice.days_left = days_left(notice, today)
    kind = documents.KINDS[notice.kind]
    notice.lead = kind.lead % {"year": notice.year, "place": notice.place}
    notice.villages_kind = kind.villages
    notice.word = kind.word
    notice.reason_header = kind.reason_header
    notice.issuer = documents.issuer_of(notice.kind, documents.Area(county=names.get("county", ""), township=notice.township,
                                                           village=notice.village))
    notice.people = sum(e.members or 0 for e in notice.listed)
    # As on the paper: a village's notice names the group only; a township's or county's the village too.
    notice.one_village = bool(notice.village)
    return notice


def _running(today: datetime.date) -> list[Notice]:
    notices = list(selectors.running_notices(today))
    places = _places(notices)
    return [_decorate(n, places, today) for n in notices]


def _sections(notices: list[Notice]) -> list[dict]:
    """County-wide announcements first, then per township: its own notices, then each village's."""
    county = [n for n in notices if not n.township]
    townships: dict[str, dict] = {}
    for notice in notices:
        if not notice.township:
            continue
        section = townships.setdefault(notice.township, {"title": notice.township, "groups": {}})
        section["groups"].setdefault(notice.village, []).append(notice)
    out = []
    if county:
        out.append({"title": _("县级公告"), "groups": [{"title": "", "notices": county}]})
    for section in townships.values():
        out.append({"title": section["title"], "groups": [{"title": village, "notices": items}
                                                          for village, items in section["groups"].items()]})
    return out


@require_safe
def public_board(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    notices = _running(today)
    return _public(render(request, "identification/public_board.html", {
        "sections": _sections(notices), "today": today}))


def _one(pk: int) -> Notice:
    today = timezone.localdate()
    notices = list(selectors.running_notices(today).filter(pk=pk))
    if not notices:
        raise Http404
    return _decorate(notices[0], _places(notices), today)


@require_safe
def public_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _one(pk)
    return _public(render(request, "identification/public_notice.html", {"notice": notice, "today": timezone.localdate()}))


@require_safe
def public_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The sheet as it hangs today; rendered once per change of what it prints, not once per visitor."""
    notice = _one(pk)
    printed = repr((notice.kind, notice.area.path, notice.starts_on, notice.ends_on, notice.hotline, notice.address,
                    [(e.position, e.name, e.members, e.id_masked, e.village, e.group, e.reason) for e in notice.listed]))
    key = "fupin:public-notice-pdf:" + hashlib.sha256(printed.encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        try:
            pdf = notice_document(notice, notice.listed)
        except (UnprintableText, ValidationError):
            return _public(render(request, "identification/public_notice.html", {
                "notice": notice, "today": timezone.localdate(), "no_pdf": True}, status=503))
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, pdf_filename(notice))
    return _public(response)
