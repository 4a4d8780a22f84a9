"""Dashboards: the overview (headline figures, trends, each area's incidence) and the area tree with
its counts. The figures come from fupin.monitoring.selectors; the monitoring capability (防返贫监测)
will grow here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.areas.models import Area, Level
from fupin.areas.selectors import designations_for
from fupin.registry import selectors as registry_selectors
from fupin.registry.choices import Cause, Status
from fupin.web.views import no_scope, parse_int

from . import selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User


#: 脱贫进度 at a year's end: people in households then 已脱贫 among people in households then registered.
EXITED = (Status.EXITED, Status.EXITED_STABLE)
REGISTERED = tuple(st for st in Status if st != Status.CANCELLED)


def _progress(exited: int | None, people: int | None) -> float | None:
    return round(exited / people * 100, 1) if people else None


def _area_rows(user: User | AnonymousUser, root: Area, children: list[Area], year: int | None,
               by_child: dict[str, dict[int, dict[str, int]]], show_incidence: bool) -> list[dict[str, Any]]:
    """One row per child area: today's counts, or with a year its poor people and 脱贫进度 at that
    year's end (from the status history, like the trend)."""
    summary = selectors.area_summary(user=user, areas=children) if children else {}
    designations = designations_for([c.pk for c in children])
    then: dict[str, dict[str, dict[int, dict[str, int]]]] = {}
    if year and children:
        length = len(children[0].path)
        then = {key: selectors.poor_people_by_year(user=user, root=root, prefix_length=length, statuses=st)
                for key, st in (("exited", EXITED), ("registered", REGISTERED))}
    rows = []
    for child in children:
        s = dict(summary.get(child.pk, {}))
        progress = _progress(s.get("exited_people", 0), s.get("people", 0))
        if year:
            s["poor_people"] = by_child.get(child.path, {}).get(year, {}).get("people", 0)
            exited, s["people_then"] = (then[k].get(child.path, {}).get(year, {}).get("people", 0)
                                        for k in ("exited", "registered"))
            progress = _progress(exited, s["people_then"])
        rural = child.rural_population if show_incidence else None
        rows.append({"area": child, **s, "progress": progress,
                     "incidence": (s.get("poor_people", 0) / rural * 100) if rural else None,
                     "designations": sorted({d.get_kind_display() for d in designations.get(child.pk, [])})})
    return rows


def _area_chart(rows: list[dict[str, Any]], by_child: dict[str, dict[int, dict[str, int]]],
                first: int | None, year: int | None, show_incidence: bool) -> dict[str, Any]:
    """The chart of the level below. 贫困发生率 at the chosen time, beside the first year's end (so that a
    county where everyone has exited shows where it started, not an empty chart). An area whose
    children have no rural population registered (a village's 村民小组) gets people instead:
    registered and not yet exited. Nothing for roles that do not see incidence."""
    if not show_incidence or not rows:
        return {"kind": None}
    names = [r["area"].name for r in rows]
    # Room for each area's bars (two when there is a comparison), so that no label is squeezed out.
    height = max(300, 70 + len(rows) * (34 if first is not None else 22))
    if any(r["area"].rural_population for r in rows):
        def rate(r: dict[str, Any], people: int) -> float | None:
            rural = r["area"].rural_population
            return round(people / rural * 100, 2) if rural else None
        baseline = []
        if first is not None and first != year:
            baseline = [rate(r, by_child.get(r["area"].path, {}).get(first, {}).get("people", 0)) for r in rows]
        return {"kind": "incidence", "names": names, "height": height,
                "current": [round(r["incidence"], 2) if r["incidence"] is not None else None for r in rows],
                "baseline": baseline,
                "current_label": _("%(y)s 年末") % {"y": year} if year else _("当前"),
                "baseline_label": _("%(y)s 年末") % {"y": first} if baseline else ""}
    return {"kind": "people", "names": names, "height": height, "current": [r.get("poor_people", 0) for r in rows],
            "baseline": [r.get("people_then", r.get("people", 0)) for r in rows],
            "current_label": _("%(y)s 年末未脱贫人口") % {"y": year} if year else _("未脱贫人口"),
            "baseline_label": _("%(y)s 年末建档立卡人口") % {"y": year} if year else _("建档立卡人口")}


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    root = registry_selectors.browse_root(user=request.user)
    if root is None:
        return no_scope(request)
    code = request.GET.get("area")
    if code:
        root = registry_selectors.browse_area_get(user=request.user, code=code)
    data = selectors.county_overview(user=request.user, root=root)
    children = list(registry_selectors.browse_area_children(user=request.user, area=root))
    # Year-end figures from the status history: the trend for the area, and the breakdown by the
    # level below as it stood at the end of each year (the chosen one, and the first for comparison).
    trend = selectors.poor_people_by_year(user=request.user, root=root).get(root.path, {})
    years = sorted(trend)
    first = years[0] if years else None
    year = parse_int(request.GET.get("year"))
    year = year if year in trend else None
    by_child = selectors.poor_people_by_year(user=request.user, root=root, prefix_length=len(children[0].path)) \
        if (trend and children) else {}
    # 贫困发生率 divides by the area's whole rural population: for a 帮扶责任人 or 评估人员, who see only
    # some of the area's households, it would understate the rate, so it is not computed at all.
    show_incidence = policy.sees_incidence(request.user)
    rural = root.rural_population if show_incidence else None
    rows = _area_rows(request.user, root, children, year, by_child, show_incidence)
    totals = data["totals"]
    chart = {
        "exits": {"years": [e["year"] for e in data["exits"]], "people": [e["people"] for e in data["exits"]],
                  "households": [e["households"] for e in data["exits"]],
                  "returns": [e["returns"] for e in data["exits"]]},
        "trend": {"years": years, "people": [trend[y]["people"] for y in years],
                  "incidence": [round(trend[y]["people"] / rural * 100, 2) if rural else None for y in years]
                  if show_incidence else []},
        "areas": _area_chart(rows, by_child, first, year, show_incidence),
        "causes": [{"name": str(Cause(c["main_cause"]).label), "value": c["households"]}
                   for c in data["by_cause"]],
        "status": [{"name": str(Status(s).label), "value": v["households"]}
                   for s, v in data["by_status"].items()],
        "labels": {"exited_people": _("脱贫人口"), "returns": _("返贫户"), "people": _("人"),
                   "households": _("户"), "threshold": _("退出标准 2%"), "poor_people": _("年末未脱贫人口"),
                   "incidence": _("贫困发生率")},
    }
    return render(request, "monitoring/overview.html", {
        "root": root,
        "ancestors": root.ancestors(),
        "totals": totals,
        "incidence": (totals["poor_people"] / rural * 100) if rural else None,
        "first_year": first,
        "first_incidence": (trend[first]["people"] / rural * 100) if (first and rural) else None,
        "rows": rows,
        "show_incidence": show_incidence,
        "trend": [{"year": y, **trend[y]} for y in years],
        "exits": data["exits"],
        "chart": chart,
        "years": years,
        "year": year,
        "child_level": children[0].get_level_display() if children else "",
    })


def _tree_rows(user: User | AnonymousUser, area: Area) -> list[dict[str, Any]]:
    # The parent: a village row links to the list as ?township=<parent>&village=<code>.
    children = list(registry_selectors.browse_area_children(user=user, area=area).select_related("parent"))
    summary = selectors.area_summary(user=user, areas=children) if children else {}
    designations = designations_for([c.pk for c in children])
    return [{"area": c, **summary.get(c.pk, {}), "has_children": c.level != Level.GROUP,
             "designations": sorted({d.get_kind_display() for d in designations.get(c.pk, [])})}
            for c in children]


@login_required
def area_tree(request: HttpRequest) -> HttpResponse:
    root = registry_selectors.browse_root(user=request.user)
    if root is None:
        return no_scope(request)
    summary = selectors.area_summary(user=request.user, areas=[root])
    return render(request, "monitoring/area_tree.html", {
        "root": root, "root_summary": summary.get(root.pk, {}), "rows": _tree_rows(request.user, root),
        "depth": 1,
    })


@login_required
def area_children_partial(request: HttpRequest, code: str) -> HttpResponse:
    area = registry_selectors.browse_area_get(user=request.user, code=code)
    depth = int(request.GET.get("depth", "1")) if request.GET.get("depth", "1").isdigit() else 1
    return render(request, "monitoring/_area_rows.html", {"rows": _tree_rows(request.user, area),
                                                   "depth": min(depth, 6), "parent": area})
