"""Who helps (issue 15 item 1, who15): the pages of helping units, cadres (with their pairings over time,
leaving and the reassignment of their households), work teams (postings, days in the village per month),
the links of leaders and departments, pairings by village (bulk assignment) and per household (history),
and the assistance thresholds. Reads go through selectors_people (outside scope → 404); every write is a
service of services_people / services; the templates are assistance/units*, cadres*, teams*, links*,
pairings*, rules*."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.accounts import policy
from fupin.areas.models import Level
from fupin.areas.selectors import area_get, area_root
from fupin.web.forms import apply_errors
from fupin.web.views import no_scope

from . import checks, rules
from . import forms_people as f
from . import selectors_people as sel
from . import services as pairing_services
from . import services_people as svc
from .models import AssistanceRule, CadreRank, Pairing, PresenceMonth, RuleKey, TeamPosting, UnitKind

if TYPE_CHECKING:
    from fupin.areas.models import Area

PAGE = 50
GET_POST = require_http_methods(["GET", "POST"])


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE).get_page(request.GET.get("page"))


def _require_manage(request: HttpRequest) -> None:
    policy.require(request.user, "manage_assistance", _("您的角色只能查看帮扶力量，不能修改"))


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _today() -> datetime.date:
    return timezone.localdate()


def _act(request: HttpRequest, form: Any, action: Callable[[dict], Any], done: Callable[[Any], str]) -> None:
    """A one-button form (leave, end, post, reassign): run its service with the cleaned data and say how it
    went — the service's message on success, the form's or the service's errors otherwise."""
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return
    messages.success(request, done(result))


def _form_page(request: HttpRequest, form: Any, title: str, back: str, *, note: str = "") -> HttpResponse:
    return render(request, "assistance/cadres_form.html", {"form": form, "title": title, "back": back, "note": note})


# --- units -------------------------------------------------------------------------------------------


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if policy.scope_path(user) is None:
        return no_scope(request)
    form = f.FilterForm(request.GET or None)
    qs = sel.units_for(user).order_by("kind", "name")
    kind = request.GET.get("kind", "")
    if kind in UnitKind.values:
        qs = qs.filter(kind=kind)
    if form.is_valid() and form.cleaned_data["q"]:
        qs = qs.filter(name__contains=form.cleaned_data["q"])
    today = _today()
    qs = qs.prefetch_related(Prefetch("links", queryset=sel.links_for(user).filter(
        Q(end__isnull=True) | Q(end__gt=today), start__lte=today), to_attr="open_links"))
    qs = qs.annotate(n_cadres=Count("cadres", filter=Q(cadres__left_on__isnull=True), distinct=True))
    return render(request, "assistance/units.html", {
        "page": _page(request, qs), "form": form, "kind": kind, "kinds": UnitKind.choices, "query": _query(request),
        "can_manage": policy.can(user, "manage_assistance")})


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = sel.unit_get(request.user, pk)
    cadres = sel.cadres_for(request.user).filter(unit=unit).order_by("left_on", "rank", "name")
    links = sel.links_for(request.user).filter(unit=unit).order_by("end", "-start")
    return render(request, "assistance/units_detail.html", {
        "unit": unit, "cadres": cadres, "links": links, "today": _today(),
        "can_edit": sel.may_manage(request.user, unit.area)})


@login_required
@GET_POST
def unit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manage(request)
    unit = sel.unit_get(request.user, pk) if pk else None
    initial = {} if unit is None else {k: getattr(unit, k) for k in svc.UNIT_FIELDS}
    if unit is None:
        initial = {"area": area_root(user=request.user), "active": True}
    form = f.UnitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = svc.unit_save(actor=request.user, unit=unit, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存帮扶单位“%(n)s”") % {"n": unit.name})
            return redirect("assistance:unit", unit.pk)
    title = _("新增帮扶单位") if unit is None else _("修改帮扶单位：%(n)s") % {"n": unit.name}
    back = reverse("assistance:units") if unit is None else reverse("assistance:unit", args=[unit.pk])
    return _form_page(request, form, title, back)


# --- cadres ------------------------------------------------------------------------------------------


@login_required
@require_GET
def cadre_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if policy.scope_path(user) is None:
        return no_scope(request)
    form = f.FilterForm(request.GET or None)
    qs = sel.cadres_for(user)
    rank, state = request.GET.get("rank", ""), request.GET.get("state", "")
    if rank in CadreRank.values:
        qs = qs.filter(rank=rank)
    today = _today()
    if state == "left":
        qs = qs.filter(left_on__lte=today)
    elif state == "active":
        qs = qs.filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
    if request.GET.get("unit", "").isdigit():
        qs = qs.filter(unit_id=int(request.GET["unit"]))
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"]
        qs = qs.filter(Q(name__contains=q) | Q(unit__name__contains=q) | Q(post__contains=q))
    limit = rules.threshold(RuleKey.CADRE_MAX_HOUSEHOLDS, area_root(user=user))
    if state == "over":
        qs = qs.filter(n_households__gt=limit)
    qs = qs.order_by("unit__name", "name", "id")
    return render(request, "assistance/cadres.html", {
        "page": _page(request, qs), "form": form, "rank": rank, "state": state, "ranks": CadreRank.choices,
        "limit": limit, "query": _query(request), "today": today,
        "can_manage": policy.can(user, "manage_assistance")})


@login_required
@require_GET
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    cadre = sel.cadre_get(user, pk)
    today = _today()
    pairings = sel.pairings_for(user).filter(cadre=cadre).order_by("end", "-start", "household__number")
    ongoing = [p for p in pairings if p.end is None or p.end > today]
    ended = [p for p in pairings if not (p.end is None or p.end > today)]
    left = cadre.left_on is not None and cadre.left_on <= today
    can_edit = sel.may_manage(user, cadre.area)
    reassign = None
    if left and ongoing and policy.can(user, "manage_assistance"):
        reassign = f.ReassignForm(user=user, pairings=ongoing)
        reassign.fields["to_cadre"].queryset = reassign.fields["to_cadre"].queryset.exclude(pk=cadre.pk)
    return render(request, "assistance/cadres_detail.html", {
        "cadre": cadre, "ongoing": ongoing, "ended": ended, "left": left, "today": today,
        "phone": policy.shown(user, "phone", cadre.phone),
        "postings": cadre.postings.filter(policy.area_q(user, "team__village__path"))
        .select_related("team__village").order_by("-start"),
        "links": sel.links_for(user).filter(cadre=cadre).order_by("end", "-start"),
        "limit": rules.threshold(RuleKey.CADRE_MAX_HOUSEHOLDS, cadre.area),
        "can_edit": can_edit, "leave_form": f.LeaveForm(initial={"left_on": cadre.left_on or today}),
        "reassign": reassign})


@login_required
@GET_POST
def cadre_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manage(request)
    cadre = sel.cadre_get(request.user, pk) if pk else None
    initial = {"area": area_root(user=request.user)} if cadre is None else \
        {k: getattr(cadre, k) for k in svc.CADRE_FIELDS}
    if cadre is None and request.GET.get("unit", "").isdigit():
        initial["unit"] = int(request.GET["unit"])
    form = f.CadreForm(request.POST or None, user=request.user, initial=initial)
    if cadre is not None and cadre.user_id:  # the linked account stays choosable even if outside the list
        form.fields["user"].queryset = form.fields["user"].queryset | type(cadre.user).objects.filter(pk=cadre.user_id)
    if request.method == "POST" and form.is_valid():
        try:
            cadre = svc.cadre_save(actor=request.user, cadre=cadre, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存帮扶干部“%(n)s”") % {"n": cadre.name})
            return redirect("assistance:cadre", cadre.pk)
    title = _("新增帮扶干部") if cadre is None else _("修改帮扶干部：%(n)s") % {"n": cadre.name}
    back = reverse("assistance:cadres") if cadre is None else reverse("assistance:cadre", args=[cadre.pk])
    return _form_page(request, form, title, back)


@login_required
@require_POST
def cadre_leave(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    cadre = sel.cadre_get(request.user, pk)
    _act(request, f.LeaveForm(request.POST),
         lambda d: svc.cadre_leave(actor=request.user, cadre=cadre, left_on=d["left_on"]),
         lambda _r: _("已更新在岗状态"))
    return redirect("assistance:cadre", cadre.pk)


@login_required
@require_POST
def cadre_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    user = request.user
    cadre = sel.cadre_get(user, pk)
    today = _today()
    ongoing = list(sel.pairings_for(user).filter(cadre=cadre).filter(Q(end__isnull=True) | Q(end__gt=today)))
    _act(request, f.ReassignForm(request.POST, user=user, pairings=ongoing),
         lambda d: svc.pairings_reassign(actor=user, pairings=[p for p in ongoing if str(p.pk) in d["pairings"]],
                                         to_cadre=d["to_cadre"], on=d["on"]),
         lambda made: _("已将 %(n)s 户转交 %(c)s") % {"n": len(made), "c": made[0].cadre.name})
    return redirect("assistance:cadre", cadre.pk)


# --- work teams ---------------------------------------------------------------------------------------


def _months(n: int = 12) -> list[datetime.date]:
    """The first days of the last ``n`` months, oldest first (this month last)."""
    month = _today().replace(day=1)
    out = []
    for _i in range(n):
        out.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return out[::-1]


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if policy.scope_path(user) is None:
        return no_scope(request)
    root = area_root(user=user)
    minimum = rules.threshold(RuleKey.TEAM_MIN_DAYS, root)
    state = request.GET.get("state", "open")
    qs = sel.teams_for(user).order_by("village__path", "-start")
    if state == "open":
        qs = qs.filter(end__isnull=True)
    months = _months(3)
    qs = qs.prefetch_related(Prefetch("postings", queryset=TeamPosting.objects.filter(end__isnull=True)
                                      .select_related("cadre").order_by("role", "start"), to_attr="open_postings"))
    page = _page(request, qs)
    low = (PresenceMonth.objects.filter(posting__team__in=list(page.object_list), month__in=months,
                                        posting__full_time=True, days__lt=minimum)
           .values_list("posting__team_id", flat=True))
    low_teams = set(low)
    return render(request, "assistance/teams.html", {
        "page": page, "state": state, "minimum": minimum, "low_teams": low_teams, "months": months,
        "query": _query(request), "can_manage": policy.can(user, "manage_assistance")})


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    team = sel.team_get(user, pk)
    postings = list(sel.postings_of(team))
    months = _months(12)
    minimum = rules.threshold(RuleKey.TEAM_MIN_DAYS, team.village)
    days = {(r.posting_id, r.month): r.days for r in PresenceMonth.objects.filter(posting__team=team, month__in=months)}
    grid = [{"posting": p, "cells": [{"month": m, "days": days.get((p.pk, m)),
                                       "low": p.full_time and days.get((p.pk, m)) is not None
                                       and days[(p.pk, m)] < minimum,
                                       "posted": p.start <= svc._month_end(m) and (p.end is None or p.end >= m)}
                                      for m in months]} for p in postings]
    can_edit = sel.may_manage(user, team.village) and team.end is None
    return render(request, "assistance/teams_detail.html", {
        "team": team, "grid": grid, "months": months, "minimum": minimum, "today": _today(),
        "can_edit": can_edit, "posting_form": f.PostingForm(user=user, initial={"start": _today()}) if can_edit else None,
        "end_form": f.EndForm(initial={"end": _today()})})


@login_required
@GET_POST
def team_new(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = f.TeamForm(request.POST or None, user=request.user, initial={"start": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            team = svc.team_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已组建 %(v)s 驻村工作队，请派驻第一书记和队员") % {"v": team.village.name})
            return redirect("assistance:team", team.pk)
    return _form_page(request, form, _("组建驻村工作队"), reverse("assistance:teams"))


@login_required
@require_POST
def team_end(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    team = sel.team_get(request.user, pk)
    _act(request, f.EndForm(request.POST), lambda d: svc.team_end(actor=request.user, team=team, end=d["end"]),
         lambda _r: _("工作队已撤离"))
    return redirect("assistance:team", team.pk)


@login_required
@require_POST
def team_posting(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    team = sel.team_get(request.user, pk)
    _act(request, f.PostingForm(request.POST, user=request.user),
         lambda d: svc.posting_create(actor=request.user, team=team, **d),
         lambda posting: _("已派驻 %(c)s") % {"c": posting.cadre.name})
    return redirect("assistance:team", team.pk)


@login_required
@require_POST
def posting_end(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    posting = sel.posting_get(request.user, pk)
    _act(request, f.EndForm(request.POST), lambda d: svc.posting_end(actor=request.user, posting=posting, end=d["end"]),
         lambda _r: _("已召回 %(c)s") % {"c": posting.cadre.name})
    return redirect("assistance:team", posting.team_id)


def _month_param(value: str | None) -> datetime.date:
    """The month asked for (YYYY-MM); by default the last whole month (its days are entered after it ends)."""
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return (_today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@login_required
@GET_POST
def presence(request: HttpRequest, pk: int) -> HttpResponse:
    """The days in the village of one month for every posting of the team in post that month."""
    _require_manage(request)
    team = sel.team_get(request.user, pk)
    month = _month_param(request.GET.get("month"))
    month_end = svc._month_end(month)
    postings = [p for p in sel.postings_of(team) if p.start <= month_end and (p.end is None or p.end >= month)]
    current = dict(PresenceMonth.objects.filter(posting__team=team, month=month).values_list("posting_id", "days"))
    form = f.PresenceForm(request.POST or None, postings=postings, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            svc.presence_save(actor=request.user, team=team, month=month, days=form.days())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存 %(m)s 在村天数") % {"m": f"{month:%Y-%m}"})
            return redirect("assistance:team", team.pk)
    minimum = rules.threshold(RuleKey.TEAM_MIN_DAYS, team.village)
    return render(request, "assistance/teams_presence.html", {
        "team": team, "form": form, "month": month, "months": _months(12), "minimum": minimum})


# --- links --------------------------------------------------------------------------------------------


@login_required
@require_GET
def link_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    root = area_root(user=user)
    if root is None:
        return no_scope(request)
    today = _today()
    holder = request.GET.get("holder", "")
    qs = sel.links_for(user).order_by("area__path", "start")
    if request.GET.get("state", "open") == "open":
        qs = qs.filter(Q(end__isnull=True) | Q(end__gt=today))
    if holder == "leader":
        qs = qs.filter(cadre__isnull=False)
    elif holder == "unit":
        qs = qs.filter(unit__isnull=False)
    problems = {
        "leaders_without_township": checks.leaders_without_township(root),
        "leaders_with_few_villages": checks.leaders_with_few_villages(root),
        "departments_with_few_villages": checks.departments_with_few_villages(root),
    }
    return render(request, "assistance/links.html", {
        "page": _page(request, qs), "holder": holder, "state": request.GET.get("state", "open"), "root": root,
        "problems": problems, "query": _query(request), "today": today,
        "leader_min": rules.threshold(RuleKey.LEADER_MIN_VILLAGES, root),
        "department_min": rules.threshold(RuleKey.DEPARTMENT_MIN_VILLAGES, root),
        "can_manage": policy.can(user, "manage_assistance"), "end_form": f.EndForm(initial={"end": today})})


@login_required
@GET_POST
def link_new(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    initial: dict[str, Any] = {"start": _today()}
    for key in ("cadre", "unit"):
        if request.GET.get(key, "").isdigit():
            initial[key] = int(request.GET[key])
    form = f.LinkForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.link_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新增挂钩联系"))
            return redirect("assistance:links")
    return _form_page(request, form, _("新增挂钩联系"), reverse("assistance:links"),
                      note=_("县级领导挂钩一个乡镇、联系贫困村；县直部门至少联系一个行政村（挂包帮）。"))


@login_required
@require_POST
def link_end(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    link = sel.link_get(request.user, pk)
    _act(request, f.EndForm(request.POST), lambda d: svc.link_end(actor=request.user, link=link, end=d["end"]),
         lambda _r: _("已解除挂钩"))
    return redirect(request.POST.get("next") or reverse("assistance:links"))


# --- pairings -----------------------------------------------------------------------------------------


def _village_households(user: Any, village: Area) -> list:
    """The households of ``village`` the user sees that must have a cadre, with their pairings in force."""
    today = _today()
    ongoing = Pairing.objects.ongoing(today).select_related("cadre").order_by("start")
    return list(checks.must_have_cadre(village).filter(pk__in=policy.visible_households(user).values("pk"))
                .prefetch_related(Prefetch("pairings", queryset=ongoing, to_attr="current"))
                .order_by("number"))


@login_required
@GET_POST
def pairing_village(request: HttpRequest) -> HttpResponse:
    """结对帮扶: the overview of the user's area (households without a cadre, departed cadres' households,
    cadres over the limit) and, for a chosen village, its households with their cadres and the bulk form."""
    user = request.user
    root = area_root(user=user)
    if root is None:
        return no_scope(request)
    code = request.GET.get("village") or request.POST.get("village") or ""
    village = area_get(user=user, code=code) if code else None
    if village is not None and village.level != Level.VILLAGE:
        village = None
    today = _today()
    households, form = [], None
    if village is not None:
        households = _village_households(user, village)
        if request.method == "POST":
            _require_manage(request)
        if sel.may_manage(user, village):
            form = f.BulkPairForm(request.POST or None, user=user, households=households)
    if request.method == "POST" and form is not None and form.is_valid():
        chosen = [h for h in households if str(h.pk) in form.cleaned_data["households"]]
        try:
            made = svc.pairings_bulk_create(actor=user, cadre=form.cleaned_data["cadre"], village=village,
                                            households=chosen, start=form.cleaned_data["start"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已为 %(n)s 户确定帮扶责任人 %(c)s") % {"n": len(made), "c": form.cleaned_data["cadre"]})
            return redirect(reverse("assistance:pairings") + f"?village={village.code}")
    elif request.method == "POST" and form is None:
        raise PermissionDenied
    scope = village or root
    without = checks.households_without_cadre(scope, today).filter(pk__in=policy.visible_households(user).values("pk"))
    departed = checks.pairings_of_departed_cadres(scope, today).filter(policy.household_q(user))
    villages = policy.visible_areas(user).filter(level=Level.VILLAGE).order_by("path")
    return render(request, "assistance/pairings.html", {
        "root": root, "village": village, "villages": villages, "households": households, "form": form,
        "without": without[:200], "n_without": without.count(), "departed": departed[:200],
        "n_departed": departed.count(), "over": checks.cadres_over_capacity(scope, today)[:50],
        "limit": rules.threshold(RuleKey.CADRE_MAX_HOUSEHOLDS, scope), "today": today})


@login_required
@GET_POST
def household_pairings(request: HttpRequest, pk: int) -> HttpResponse:
    """One household's pairings over time, with a form to add a cadre and a button to end a pairing."""
    user = request.user
    household = sel.household_get(user, pk)
    can_edit = sel.may_manage(user, household.area)
    form = f.PairForm(request.POST or None, user=user) if can_edit else None
    if request.method == "POST":
        _require_manage(request)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                pairing_services.pairing_create(actor=user, household=household, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已结对 %(c)s") % {"c": form.cleaned_data["cadre"]})
                return redirect("assistance:household_pairings", household.pk)
    pairings = sel.pairings_for(user).filter(household=household).order_by("-start", "-id")
    return render(request, "assistance/pairings_household.html", {
        "h": household, "pairings": pairings, "form": form, "can_edit": can_edit, "today": _today(),
        "end_form": f.EndForm(initial={"end": _today()})})


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    pairing = sel.pairing_get(request.user, pk)
    _act(request, f.EndForm(request.POST),
         lambda d: pairing_services.pairing_end(actor=request.user, pairing=pairing, end=d["end"]),
         lambda _r: _("已解除结对"))
    return redirect("assistance:household_pairings", pairing.household_id)


# --- rules --------------------------------------------------------------------------------------------

#: The check each threshold drives, to show its current offenders next to it.
RULE_CHECKS = {
    RuleKey.CADRE_MAX_HOUSEHOLDS: checks.cadres_over_capacity,
    RuleKey.TEAM_MIN_DAYS: checks.presence_below_minimum,
    RuleKey.LEADER_MIN_VILLAGES: checks.leaders_with_few_villages,
    RuleKey.DEPARTMENT_MIN_VILLAGES: checks.departments_with_few_villages,
}


def _rule_area(user: Any) -> Area | None:
    """The area whose thresholds the user edits: their own (a 系统管理员 without an area: the default)."""
    return getattr(user, "area", None)


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    root = area_root(user=user)
    if root is None:
        return no_scope(request)
    area = _rule_area(user)
    rows = []
    for key in RuleKey:
        own = AssistanceRule.objects.filter(key=key, area=area).select_related("updated_by").first()
        check = RULE_CHECKS.get(key)
        rows.append({"key": key, "value": rules.threshold(key, root), "default": rules.DEFAULTS[key], "own": own,
                     "offending": check(root).count() if check else None})
    return render(request, "assistance/rules.html", {
        "rows": rows, "area": area, "root": root, "can_edit": policy.can(user, "assistance_rules")})


@login_required
@GET_POST
def rule_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = request.user
    policy.require(user, "assistance_rules", _("只有县级管理员可以修改帮扶规则"))
    if key not in RuleKey.values:
        raise Http404
    area = _rule_area(user)
    own = AssistanceRule.objects.filter(key=key, area=area).first()
    current = rules.threshold(key, area)
    form = f.RuleForm(request.POST or None, initial={"value": current, "note": own.note if own else ""})
    if request.method == "POST" and form.is_valid():
        try:
            svc.rule_set(actor=user, key=key, area=area, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已修改帮扶规则"))
            return redirect("assistance:rules")
    where = area.name if area is not None else _("全国默认")
    return _form_page(request, form, f"{RuleKey(key).label}（{where}）", reverse("assistance:rules"),
                      note=_("当前值 %(v)s；系统默认 %(d)s。修改后本区划及下级立即按新值检查，修改记入审计日志。")
                      % {"v": current, "d": rules.DEFAULTS[key]})
