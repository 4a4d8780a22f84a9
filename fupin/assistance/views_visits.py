"""走访 pages (issue 15 items 2 and 5): the cadre's own page (我的帮扶), the visit form that works without
signal (a service worker keeps the page and its assets; fupin/static/assistance/offline.js queues the
visits in IndexedDB and sends them to /api/visits/ when back online), the visits of a household and of
a cadre, and a visit's photo (only through this scoped, audited view — never a media URL).

Every read goes through fupin.assistance.selectors_visits (the policy's scope; outside it → 404)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fupin.accounts import policy
from fupin.accounts.security import DEFAULT_PERMISSIONS_POLICY
from fupin.audit.services import audit_export
from fupin.registry import selectors as registry_selectors
from fupin.web import todo
from fupin.web.todo import Todo
from fupin.web.views import parse_int

from . import selectors_visits as selectors
from .services_visits import PHOTO_MAX_PX, PHOTOS_PER_VISIT, own_cadre, visit_cadres

if TYPE_CHECKING:
    from fupin.accounts.models import User

#: What the service worker keeps for the offline form: the page shell and every asset it loads.
OFFLINE_ASSETS = ("fupin/app.css", "fupin/app.js", "fupin/layout.js", "fupin/favicon.svg", "vendor/htmx/htmx.min.js",
                  "assistance/offline.js", "assistance/visits.css", "assistance/privacy.js")


def _require_log_visit(request: HttpRequest) -> None:
    if not policy.can(request.user, "log_visit"):
        raise PermissionDenied(_("您的角色不能登记走访"))


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """fupin/static/assistance/sw.js, served from /assistance/ so that its scope covers the cadre's
    pages (a script under /static/ could only control /static/). The list of what it keeps is filled
    in here (the static URLs as this installation serves them), and its version is their digest, so a
    changed asset makes the phone fetch everything again."""
    path = finders.find("assistance/sw.js")
    if not path:
        raise Http404
    assets = [reverse("visits:new"), *(static(a) for a in OFFLINE_ASSETS)]
    digest = hashlib.sha256()
    for name in ("assistance/sw.js", *OFFLINE_ASSETS):
        found = finders.find(name)
        digest.update(Path(found).read_bytes() if found else name.encode())
    source = Path(path).read_text(encoding="utf-8")
    source = source.replace("/*ASSETS*/[]", json.dumps(assets)).replace("/*VERSION*/\"dev\"",
                                                                     json.dumps(digest.hexdigest()[:12]))
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("visits:my").rsplit("my/", 1)[0]
    patch_cache_control(response, no_cache=True)
    return response


def visits_due_todos(user: User) -> list[Todo]:
    """The 待办 of a user linked to a cadre: the paired households whose visit is due."""
    if selectors.own_cadre(user) is None:
        return []
    due = selectors.my_page(user).due
    return [Todo(_("结对户到期应走访"), len(due), reverse("visits:my") + "#due",
                 _("从未走访或距上次走访已超过走访间隔的结对户"))]


@login_required
def my_page(request: HttpRequest) -> HttpResponse:
    """我的帮扶: my households (status, last visit, days since), visits due, measures due — and, as the
    home page of the 帮扶责任人 (fupin.web.views.register_landing), the 待办 of the other domains."""
    page = selectors.my_page(request.user)
    todos = [t for t in todo.todos_for(request.user) if t.url != reverse("visits:my") + "#due"]
    return render(request, "assistance/my.html", {
        "page": page, "today": timezone.localdate(), "can_log": policy.can(request.user, "log_visit"),
        "ahead": selectors.MEASURES_AHEAD_DAYS, "todos": todos})


@login_required
def my_households_json(request: HttpRequest) -> JsonResponse:
    """The households the offline form offers: the user's paired households, masked as the policy says
    for the role, kept by the phone for when there is no signal. ``?household=ID`` (the form opened from
    a household's page) adds that household, with the cadres the visit may be logged for (404 outside
    the user's scope)."""
    _require_log_visit(request)
    extra = None
    pk = parse_int(request.GET.get("household"))
    if request.GET.get("household") is not None:
        extra = registry_selectors.household_get(user=request.user, pk=pk or 0)
    rows = selectors.offline_households(request.user, extra=extra)
    if extra is not None:
        row = next(r for r in rows if r["id"] == extra.pk)
        row["cadres"] = [{"id": c.pk, "name": c.name} for c in visit_cadres(actor=request.user, household=extra)]
    response = JsonResponse({"user": request.user.pk, "households": rows, "generated": timezone.now().isoformat()},
                            json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """登记走访: the form that works offline. The page carries no household data — the service worker
    keeps one copy of it for every household, whatever ``?household=`` says — the list comes from
    my_households_json and is kept in IndexedDB by offline.js."""
    _require_log_visit(request)
    mine = own_cadre(request.user)
    response = render(request, "assistance/visit_form.html", {
        "today": timezone.localdate(), "max_photos": PHOTOS_PER_VISIT, "max_px": PHOTO_MAX_PX,
        "config": {"user": request.user.pk, "households": reverse("visits:my_households"),
                   "api": reverse("api-visits"), "sw": reverse("visits:sw"),
                   "scope": reverse("visits:my").rsplit("my/", 1)[0], "max_photos": PHOTOS_PER_VISIT,
                   "own_cadre": {"id": mine.pk, "name": mine.name} if mine else None}})
    # The form may ask the phone for its position (optional); everything else stays switched off.
    response["Permissions-Policy"] = DEFAULT_PERMISSIONS_POLICY.replace("geolocation=()", "geolocation=(self)")
    return response


@login_required
def household_visits(request: HttpRequest, pk: int) -> HttpResponse:
    household = registry_selectors.household_get(user=request.user, pk=pk)
    return render(request, "assistance/visit_list.html", {
        "household": household, "visits": selectors.household_visits(household=household),
        "can_log": policy.can(request.user, "log_visit")})


@login_required
def cadre_visits(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = selectors.cadre_get(request.user, pk)
    return render(request, "assistance/visit_list.html", {
        "cadre": cadre, "visits": selectors.cadre_visits(user=request.user, cadre=cadre),
        "can_log": policy.can(request.user, "log_visit")})


@login_required
def visit_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A visit's photo, only to whoever sees the household (never a public media URL); audited."""
    photo = selectors.photo_get(request.user, pk, photo_pk)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    household = photo.visit.household
    audit_export(actor=request.user, obj=photo, area_path=household.area_path,
                 summary=_("查看走访照片“%(p)s”：%(n)s") % {"p": photo.name, "n": household.number})
    response = FileResponse(handle, content_type=photo.content_type, filename=photo.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
