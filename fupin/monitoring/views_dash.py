"""The dashboards per level (issue 14 items 4 and 6): county → township → village → household, as of
today or any past date; every number a link to the households behind it (the household list with the
figure's key, fupin.monitoring.figures). The targets page, and the statistical tables' download page.
Leaders (领导) see these read-only, as every role that sees the area."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.accounts import policy
from fupin.areas.models import Area, Level
from fupin.audit.services import audit_export
from fupin.registry import selectors as registry_selectors
from fupin.registry.choices import Status
from fupin.web.views import no_scope, parse_int

from . import figures
from .figures import Fig

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

#: Households listed on a village's or group's dashboard (the rest through the list link).
HOUSEHOLDS_SHOWN = 30


def list_url(key: str, area: Area, on: datetime.date | None) -> str:
    """The household list of a figure: its key, its area, its date; every status (the figure's own
    filter says which, as of its date)."""
    params = {"area": area.code, "fig": key, "status": "all"}
    if on is not None:
        params["on"] = on.isoformat()
    return reverse("household_list") + "?" + urlencode(params)


def _area_and_date(request: HttpRequest) -> tuple[Area | None, datetime.date | None, str]:
    """The area (?area=CODE, 404 outside the scope; the user's root by default) and the date (?on=
    YYYY-MM-DD, or ?year=Y for its year end); an error message for a date that is not one."""
    root = registry_selectors.browse_root(user=request.user)
    if root is None:
        return None, None, ""
    code = request.GET.get("area")
    area = registry_selectors.browse_area_get(user=request.user, code=code) if code else root
    error = ""
    on = None
    year = parse_int(request.GET.get("year"))
    text = request.GET.get("on") or (f"{year}-12-31" if year else "")
    try:
        on = figures.parse_on(text)
    except figures.BadKey:
        error = _("日期“%s”无效：请输入今天或以前的日期，格式为 年-月-日") % text
    return area, on, error


def _linked(data: dict[str, Any], area: Area, on: datetime.date | None) -> None:
    """Give every figure its list URL (children's figures: the child's area)."""
    for fig in figures.all_figures(data):
        fig.url = list_url(fig.key, area, on)
    for row in data["children"]:
        for name in ("households", "poor", "exited", "at_risk"):
            row[name].url = list_url(row[name].key, row["area"], on)


def _point(fig: Fig, value: Any = None) -> dict[str, Any]:
    return {"name": fig.label, "value": fig.households if value is None else value, "url": fig.url}


def charts(data: dict[str, Any], on: datetime.date | None) -> dict[str, Any]:
    """The charts' data: every point carries the URL of its households (a click opens the list)."""
    exits = data["exits"]
    kinds = data["monitoring"]["kinds"]
    risks = data["monitoring"]["risks"]
    children = data["children"]
    return {
        "status": [_point(f) for f in data["status"] if f.households],
        "causes": [_point(f) for f in data["causes"] if f.households][::-1],
        "attributes": [_point(f) for f in data["attributes"] if f.households],
        "coverage": [_point(f) for f in data["coverage"]],
        "exits": {"years": [e["year"] for e in exits],
                  "households": [_point(e["exits"]) for e in exits],
                  "people": [_point(e["exits"], e["exits"].people) for e in exits],
                  "returns": [_point(e["returns"]) for e in exits],
                  "target_households": [float(e["target_households"]) if e["target_households"] is not None
                                        else None for e in exits],
                  "target_people": [float(e["target_people"]) if e["target_people"] is not None else None
                                    for e in exits]},
        "kinds": {"names": [k["label"] for k in kinds],
                  "at_risk": [_point(k["at_risk"]) for k in kinds], "cleared": [_point(k["cleared"]) for k in kinds]},
        "risks": {"names": [r["label"] for r in risks][::-1],
                  "at_risk": [_point(r["at_risk"]) for r in risks][::-1],
                  "cleared": [_point(r["cleared"]) for r in risks][::-1]},
        "income": {"year": data["income"]["year"], "bands": [_point(f) for f in data["income"]["bands"]],
                   "growth_years": [g["year"] for g in data["income"]["growth"]],
                   "per_capita": [g["per_capita"] for g in data["income"]["growth"]]},
        "gaps": [_point(f) for f in data["gaps"]],
        "children": {"names": [c["area"].name for c in children],
                     "poor": [_point(c["poor"], c["poor"].people) for c in children],
                     "exited": [_point(c["exited"], c["exited"].people) for c in children],
                     "at_risk": [_point(c["at_risk"]) for c in children],
                     "incidence": [c["incidence"] for c in children],
                     "dashboards": [_dash_url(c["area"], on) for c in children]},
        "labels": {"households": _("户"), "people": _("人"), "yuan": _("元"), "exits": _("脱贫户"),
                   "exit_people": _("脱贫人口"), "returns": _("返贫户"), "target": _("目标户数"),
                   "target_people": _("目标人数"), "at_risk": _("风险未消除"), "cleared": _("风险已消除"),
                   "poor": _("未脱贫人口"), "exited": _("已脱贫人口"), "per_capita": _("人均纯收入"),
                   "incidence": _("贫困发生率（%）")},
    }


def _dash_url(area: Area, on: datetime.date | None) -> str:
    params = {"area": area.code}
    if on is not None:
        params["on"] = on.isoformat()
    return reverse("dash:dashboard") + "?" + urlencode(params)


def _households(user: User | AnonymousUser, area: Area, on: datetime.date | None) -> list[Any]:
    """A village's or group's households (the first HOUSEHOLDS_SHOWN), with their status and people
    as of ``on``: the last step of the drill-down, each row a link to the household's page."""
    qs = figures.households_then(registry_selectors.household_scope(user).filter(area_path__subtree=area.path), on)
    # Sorted here, not by the database: ORDER BY number LIMIT 30 makes PostgreSQL walk the whole
    # register in number order (it expects a village to hold ~1 % of it); a village's rows are few.
    rows = sorted(qs.order_by().values("pk", "number", "head_name", "st", "ppl", "main_cause"),
                  key=lambda r: r["number"])[:HOUSEHOLDS_SHOWN]
    for r in rows:
        r["status_label"] = Status(r["st"]).label if r["st"] in Status.values else r["st"]
    return rows


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    area, on, error = _area_and_date(request)
    if area is None:
        return no_scope(request)
    if error:
        messages.error(request, error)
    user = request.user
    children = list(registry_selectors.browse_area_children(user=user, area=area))
    data = figures.dashboard(user=user, area=area, on=on, children=children)
    _linked(data, area, on)
    root = registry_selectors.browse_root(user=user)
    ancestors = [a for a in area.ancestors(include_self=False) if root is not None and a.path.startswith(root.path)]
    leaf = area.level in (Level.VILLAGE, Level.GROUP)
    return render(request, "monitoring/dash.html", {
        "area": area, "ancestors": ancestors, "on": on, "today": timezone.localdate(), "d": data,
        "year_ends": figures.year_ends(), "chart": charts(data, on),
        "child_level": children[0].get_level_display() if children else "",
        "households": _households(user, area, on) if leaf else None,
        "all_households_url": list_url("reg", area, on),
        "show_incidence": policy.sees_incidence(user),
        "can_edit_targets": policy.can(user, "edit_targets"),
        "gaps_year": data["income"]["year"],
        "children_height": 60 + 26 * len(children),
    })


# --- targets ---------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def targets_page(request: HttpRequest) -> HttpResponse:
    """目标任务 of an area: one row per year, one column per kind; county administrators edit them."""
    from .models import TargetKind
    from .services import target_set

    if request.method == "POST":  # refused before any lookup: a 403 says nothing about the area
        policy.require(request.user, "edit_targets", _("您的角色不能修改目标任务"))
    area, _on, _error = _area_and_date(request)
    if area is None:
        return no_scope(request)
    can_edit = policy.can(request.user, "edit_targets")
    this_year = timezone.localdate().year
    years = list(range(2014, this_year + 2))
    errors: dict[tuple[int, str], str] = {}
    if request.method == "POST":
        year = parse_int(request.POST.get("year"))
        if year not in years:
            messages.error(request, _("年度无效"))
        else:
            values = {k.value: request.POST.get(k.value, "").strip() for k in TargetKind}
            try:
                changed = target_set(actor=request.user, area=area, year=year, values=values)
            except ValidationError as exc:
                for msg in exc.messages:
                    messages.error(request, msg)
            else:
                messages.success(request, _("已保存 %(y)s 年目标任务（%(n)d 项变更）") % {"y": year, "n": changed})
                return redirect(reverse("dash:targets") + "?" + urlencode({"area": area.code}))
    goals = figures.targets(area)
    rows = [{"year": y, "values": [(k, goals.get(y, {}).get(k.value)) for k in TargetKind]} for y in reversed(years)]
    return render(request, "monitoring/targets.html", {
        "area": area, "rows": rows, "kinds": list(TargetKind), "can_edit": can_edit, "errors": errors,
    })


# --- the statistical tables ---------------------------------------------------------------------------------

@login_required
@require_GET
def tables_page(request: HttpRequest) -> HttpResponse:
    area, _on, _error = _area_and_date(request)
    if area is None:
        return no_scope(request)
    from .tables import as_of

    this_year = timezone.localdate().year
    year = parse_int(request.GET.get("year"))
    year = year if year and 2014 <= year <= this_year else this_year
    # A preview of the first table (households by area and status), every number linking to its list.
    children = list(registry_selectors.browse_area_children(user=request.user, area=area))
    on = as_of(year)
    data = figures.dashboard(user=request.user, area=area, on=on, children=children)
    statuses = [f.key for f in data["status"] if f.households]
    preview = []
    for name, place, status, register in [(c["area"].name, c["area"], c["status"], c["households"])
                                          for c in data["children"]] + \
            [(_("合计"), area, data["status"], data["headline"]["households"])]:
        cells = []
        for f in [*[f for f in status if f.key in statuses], register]:
            f.url = list_url(f.key, place, on)
            cells.append(f)
        preview.append({"name": name, "cells": cells})
    return render(request, "monitoring/tables.html", {
        "area": area, "years": list(range(this_year, 2013, -1)), "year": year, "on": on,
        "areas": [area, *children], "preview": preview,
        "columns": [f.label for f in data["status"] if f.key in statuses] + [_("在册户")],
    })


@login_required
@require_GET
def tables_download(request: HttpRequest) -> HttpResponse:
    from .tables import workbook

    area, _on, _error = _area_and_date(request)
    if area is None:
        return no_scope(request)
    this_year = timezone.localdate().year
    year = parse_int(request.GET.get("year")) or this_year
    if not 2014 <= year <= this_year:
        messages.error(request, _("年度无效：应在 2014 至 %s 之间") % this_year)
        return redirect(reverse("dash:tables") + "?" + urlencode({"area": area.code}))
    import io

    content = workbook(user=request.user, area=area, year=year)
    audit_export(actor=request.user, obj=area, area_path=area.path,
                 summary=_("下载统计报表：%(a)s %(y)s 年") % {"a": area.name, "y": year},
                 data={"area": area.code, "year": year, "tables": "monitoring"})
    name = _("统计报表-%(a)s-%(y)s年.xlsx") % {"a": area.name, "y": year}
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name)
