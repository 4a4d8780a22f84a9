"""标准 pages (issue 13 item 2): rule sets by kind and year with their versions, the structured condition
editor with a preview before saving, the poverty lines, and a household's 四看 score. Every read is
scoped by the policy (selectors); every write needs ``manage_standards`` in the area (the services ask
policy.check_standards_write as well)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.accounts import policy
from fupin.registry import selectors as registry_selectors
from fupin.registry import services as registry_services
from fupin.registry.models import Household
from fupin.registry.rules import resolve_poverty_line
from fupin.web.forms import apply_errors

from . import engine, scoring, selectors, services
from .forms import (
    GROUP_CHOICES,
    LineForm,
    Row,
    RuleSetForm,
    conditions_of_rows,
    field_choices,
    new_token,
    row_from_condition,
    row_from_data,
    rows_from_post,
    stored,
)
from .models import RuleKind, RuleSet


def _year(value: Any) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


@login_required
@require_GET
def ruleset_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = request.GET.get("kind", "")
    kind = kind if kind in RuleKind.values else ""
    years = selectors.years(user=user)
    year = _year(request.GET.get("year")) or (years[0] if years else None)
    rows = selectors.latest_rulesets(user=user, kind=kind, year=year)
    for r in rows:
        r.editable = policy.may_manage_standards(user, r.area)
    return render(request, "standards/ruleset_list.html", {
        "rows": rows, "kind": kind, "year": year, "years": years, "kinds": RuleKind.choices,
        "can_manage": policy.can(user, "manage_standards")})


def _where_in_force(ruleset: RuleSet, user: Any) -> dict[str, Any]:
    latest = services.ruleset_for(ruleset.kind, ruleset.year, ruleset.area)
    return {"latest": latest is not None and latest.pk == ruleset.pk,
            "except": selectors.in_force_below(ruleset, user)}


@login_required
@require_GET
def ruleset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ruleset = selectors.ruleset_get(user=user, pk=pk)
    versions = list(selectors.versions_of(ruleset))
    own = selectors.manageable_areas(user=user)
    own_area = own[0] if own else None
    return render(request, "standards/ruleset_detail.html", {
        "r": ruleset, "versions": versions, "force": _where_in_force(ruleset, user),
        "rows": [row_from_condition(c) for c in ruleset.conditions],
        "editable": policy.may_manage_standards(user, ruleset.area) and ruleset.pk == versions[0].pk,
        # A county admin reading the national (or a higher) rules may set their own from them.
        "derive_to": own_area if own and own_area is not None and ruleset.area != own_area and (
            ruleset.area is None or own_area.path.startswith(ruleset.area.path)) else None,
    })


def _editor_context(request: HttpRequest, *, ruleset: RuleSet | None, form: RuleSetForm, rows: list[Row],
                    kind: str, errors: list[str] | None = None) -> dict[str, Any]:
    return {"r": ruleset, "form": form, "rows": rows, "errors": errors or [], "kind": kind,
            "scoring": kind == RuleKind.SCORING, "fields": field_choices(), "groups": GROUP_CHOICES,
            "preview_areas": _preview_areas(request.user, ruleset)}


def _preview_areas(user: Any, ruleset: RuleSet | None) -> list:
    """Where a preview may count households: the user's own root and the areas under it that the
    rule set covers (villages are many: county and townships only)."""
    root = registry_selectors.browse_root(user=user)
    if root is None:
        return []
    areas = [a for a in registry_selectors.browse_areas(user=user).filter(level__in=["county", "township"])
             .order_by("path")]
    if ruleset is not None and ruleset.area is not None:
        areas = [a for a in areas if a.path.startswith(ruleset.area.path)] or [ruleset.area]
    return areas or [root]


def _save(request: HttpRequest, ruleset: RuleSet | None, form: RuleSetForm, rows: list[Row],
          kind: str) -> tuple[RuleSet | None, list[str]]:
    scoring_kind = kind == RuleKind.SCORING
    conditions = conditions_of_rows(rows, scoring_kind)
    errors = engine.conditions_errors(conditions, scoring=scoring_kind)
    for index, error in engine.errors_by_condition(conditions, scoring_kind).items():
        rows[index].error = error
    if not form.is_valid() or errors:
        return None, errors
    cd = form.cleaned_data
    try:
        if ruleset is None:
            saved = services.ruleset_create(actor=request.user, kind=cd["kind"], year=cd["year"],
                                            area=form.area_object(), name=cd["name"], conditions=stored(conditions),
                                            match=cd["match"], note=cd["note"])
        else:
            saved = services.ruleset_revise(actor=request.user, ruleset=ruleset, conditions=stored(conditions),
                                            match=cd["match"], note=cd["note"], name=cd["name"])
    except ValidationError as exc:
        apply_errors(form, exc)
        return None, []
    return saved, []


@login_required
@require_http_methods(["GET", "POST"])
def ruleset_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, "manage_standards", _("您的角色只能查看标准，不能修改"))
    areas = selectors.manageable_areas(user=user)
    source = None
    if request.GET.get("from"):
        source = selectors.ruleset_get(user=user, pk=int(request.GET["from"]) if request.GET["from"].isdigit() else 0)
    if request.method == "POST":
        form = RuleSetForm(request.POST, areas=areas)
        kind = request.POST.get("kind", "")
        rows = rows_from_post(request.POST)
        saved, errors = _save(request, None, form, rows, kind)
        if saved is not None:
            messages.success(request, _("已保存“%(n)s”第 %(v)d 版") % {"n": saved.name, "v": saved.version})
            return redirect("standards:detail", saved.pk)
        status = 400
    else:
        kind = source.kind if source else (request.GET.get("kind") if request.GET.get("kind") in RuleKind.values
                                           else RuleKind.EXCLUSION)
        initial = {"kind": kind, "year": source.year if source else _year(request.GET.get("year")) or 2020,
                   "area": str(areas[0].pk) if areas and areas[0] is not None else "",
                   "name": source.name if source else "", "match": source.match if source else "any",
                   "note": source.note if source else ""}
        form = RuleSetForm(initial=initial, areas=areas)
        rows = [row_from_condition(c) for c in source.conditions] if source else [Row(token=new_token())]
        errors, status = [], 200
    return render(request, "standards/ruleset_form.html",
                  _editor_context(request, ruleset=None, form=form, rows=rows, kind=kind, errors=errors), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def ruleset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ruleset = selectors.ruleset_get(user=user, pk=pk)
    policy.require(user, "manage_standards", _("您的角色只能查看标准，不能修改"))
    policy.check_standards_write(user, ruleset.area)
    if request.method == "POST":
        form = RuleSetForm(request.POST, creating=False)
        rows = rows_from_post(request.POST)
        saved, errors = _save(request, ruleset, form, rows, ruleset.kind)
        if saved is not None:
            if saved.pk != ruleset.pk:
                messages.success(request, _("第 %(o)d 版已被判定引用，修改已另存为第 %(v)d 版；原判定仍按第 %(o)d 版") % {
                    "o": ruleset.version, "v": saved.version})
            else:
                messages.success(request, _("已保存“%(n)s”第 %(v)d 版") % {"n": saved.name, "v": saved.version})
            return redirect("standards:detail", saved.pk)
        status = 400
    else:
        form = RuleSetForm(initial={"name": ruleset.name, "match": ruleset.match, "note": ruleset.note}, creating=False)
        rows = [row_from_condition(c) for c in ruleset.conditions]
        errors, status = [], 200
    return render(request, "standards/ruleset_form.html",
                  _editor_context(request, ruleset=ruleset, form=form, rows=rows, kind=ruleset.kind, errors=errors),
                  status=status)


@login_required
@require_GET
def condition_row(request: HttpRequest) -> HttpResponse:
    """One row of the editor: a new blank one, or the posted one again after its field or operator
    changed (the operators and the value input follow the field's type)."""
    policy.require(request.user, "manage_standards", _("您的角色只能查看标准，不能修改"))
    token = request.GET.get("token", "")
    row = row_from_data(request.GET, token, follow=True) if token.isalnum() and len(token) <= 16 else Row(token=new_token())
    return render(request, "standards/_condition_row.html", {
        "row": row, "fields": field_choices(), "groups": GROUP_CHOICES,
        "scoring": request.GET.get("kind") == RuleKind.SCORING})


@login_required
@require_POST
def ruleset_preview(request: HttpRequest) -> HttpResponse:
    """How many households of the chosen area the edited rules would change, before saving (htmx)."""
    user = request.user
    policy.require(user, "manage_standards", _("您的角色只能查看标准，不能修改"))
    pk = request.POST.get("ruleset", "")
    ruleset = selectors.ruleset_get(user=user, pk=int(pk)) if pk.isdigit() else None
    kind = ruleset.kind if ruleset else request.POST.get("kind", "")
    year = ruleset.year if ruleset else _year(request.POST.get("year"))
    if kind not in RuleKind.values or year is None:
        return render(request, "standards/_preview.html", {"errors": [_("请先选择类别和年度")]})
    scoring_kind = kind == RuleKind.SCORING
    conditions = conditions_of_rows(rows_from_post(request.POST), scoring_kind)
    errors = engine.conditions_errors(conditions, scoring=scoring_kind)
    if errors:
        return render(request, "standards/_preview.html", {"errors": errors})
    area_code = request.POST.get("preview_area", "")
    area = registry_selectors.browse_area_get(user=user, code=area_code) if area_code else \
        registry_selectors.browse_root(user=user)
    households = policy.visible_households(user)
    if area is not None:
        households = households.filter(area_path__startswith=area.path)
    match = request.POST.get("match") or (ruleset.match if ruleset else "any")
    new = ruleset is None
    if new:  # a new rule set is compared with the one in force at its area now, if any
        areas = {str(a.pk): a for a in selectors.manageable_areas(user=user) if a is not None}
        ruleset = services.ruleset_for(kind, year, areas.get(request.POST.get("area", "")))
    started = time.perf_counter()
    if ruleset is not None:
        households = services.preview_households(ruleset, households)
    if ruleset is None:  # nothing in force: everything the new rules hold for is new
        if scoring_kind:
            result: Any = scoring.preview(RuleSet(kind=kind, year=year, match=match, conditions=conditions),
                                          conditions, households, year)
        else:
            after = engine.holding(households, engine.parse_conditions(conditions), match, year).count()
            result = engine.Preview(total=households.count(), before=0, after=after, gained=after, lost=0)
    elif scoring_kind:
        result = scoring.preview(ruleset, conditions, households, year)
    else:
        result = services.preview_revision(ruleset, conditions, households, year, match=match)
    elapsed = time.perf_counter() - started
    return render(request, "standards/_preview.html", {
        "p": result, "scoring": scoring_kind, "area": area, "elapsed_ms": round(elapsed * 1000), "new": new,
        "current": ruleset})


# --- poverty lines ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def line_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    areas = selectors.manageable_areas(user=user)[:1]  # their own area (全国 for a global admin)
    form = LineForm(request.POST or None, areas=areas, initial={"year": 2020, "kind": "provincial"})
    if request.method == "POST":
        policy.require(user, "manage_standards", _("您的角色只能查看标准，不能修改"))
        if form.is_valid():
            cd = form.cleaned_data
            policy.check_standards_write(user, form.area_object())  # the service leaves the scope to its callers
            try:
                line = registry_services.poverty_line_set(actor=user, year=cd["year"], area=form.area_object(),
                                                          kind=cd["kind"], amount=cd["amount"], note=cd["note"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存 %(y)d 年扶贫标准：%(a)s 元") % {"y": line.year, "a": line.amount})
                return redirect("standards:lines")
    year = _year(request.GET.get("year"))
    lines = list(selectors.lines(user=user, year=year))
    return render(request, "standards/line_list.html", {
        "lines": lines, "form": form if areas else None, "year": year,
        "years": sorted({line.year for line in selectors.lines(user=user)}, reverse=True),
        "applies": _lines_where(user, year or (lines[0].year if lines else None))},
        status=400 if request.method == "POST" else 200)


def _lines_where(user: Any, year: int | None) -> list[dict[str, Any]]:
    """Which line applies at the user's area and each area directly under it, in ``year``."""
    root = registry_selectors.browse_root(user=user)
    if root is None or year is None:
        return []
    all_lines = list(selectors.lines(user=user, year=year))
    out = []
    for area in [root, *registry_selectors.browse_area_children(user=user, area=root)]:
        line = resolve_poverty_line(all_lines, year=year, area_path=area.path,
                                    path_of=lambda line: line.area.path if line.area else "")
        out.append({"area": area, "line": line, "year": year})
    return out


# --- scoring -----------------------------------------------------------------------------------------


@login_required
@require_GET
def score_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = registry_selectors.household_get(user=request.user, pk=pk)
    records = sorted(household.yearly_records.values_list("year", flat=True), reverse=True)
    year = _year(request.GET.get("year")) or (records[0] if records else 2020)
    result = scoring.score_breakdown(household, year, among=Household.objects.filter(status=household.status))
    return render(request, "standards/score.html", {"h": household, "year": year, "result": result,
                                                   "years": sorted(set(records) | {year}, reverse=True)})


