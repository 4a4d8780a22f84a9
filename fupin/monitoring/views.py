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
    summary = selectors.area_summary(user=request.user, areas=children) if children else {}
    designations = designations_for([c.pk for c in children])
    # Year-end figures from the status history: the trend for the area, and, when a year is
    # chosen, the breakdown by the level below as it stood at the end of that year.
    trend = selectors.poor_people_by_year(user=request.user, root=root).get(root.path, {})
    years = sorted(trend)
    year = parse_int(request.GET.get("year"))
    year = year if year in trend else None
    by_child = selectors.poor_people_by_year(user=request.user, root=root, prefix_length=len(children[0].path)) \
        if (year and children) else {}
    # 贫困发生率 divides by the area's whole rural population: for a 帮扶责任人 or 评估人员, who see only
    # some of the area's households, it would understate the rate, so it is not computed at all.
    show_incidence = policy.sees_incidence(request.user)

    def rural_population(area: Area) -> int | None:
        return area.rural_population if show_incidence else None

    rows = []
    for child in children:
        s = dict(summary.get(child.pk, {}))
        if year:
            s["poor_people"] = by_child.get(child.path, {}).get(year, {}).get("people", 0)
        child_rural = rural_population(child)
        incidence = (s.get("poor_people", 0) / child_rural * 100) if child_rural else None
        rows.append({"area": child, **s, "incidence": incidence,
                     "designations": sorted({d.get_kind_display() for d in designations.get(child.pk, [])})})
    totals = data["totals"]
    rural = rural_population(root)
    chart = {
        "exits": {"years": [e["year"] for e in data["exits"]], "people": [e["people"] for e in data["exits"]],
                  "households": [e["households"] for e in data["exits"]],
                  "returns": [e["returns"] for e in data["exits"]]},
        "trend": {"years": years, "people": [trend[y]["people"] for y in years],
                  "incidence": [round(trend[y]["people"] / rural * 100, 2) if rural else None for y in years]
                  if show_incidence else []},
        "incidence": {"names": [r["area"].name for r in rows] if show_incidence else [],
                      "values": [round(r["incidence"], 2) if r["incidence"] is not None else None for r in rows]
                      if show_incidence else []},
        "causes": [{"name": str(Cause(c["main_cause"]).label), "value": c["households"]}
                   for c in data["by_cause"]],
        "status": [{"name": str(Status(s).label), "value": v["households"]}
                   for s, v in data["by_status"].items()],
        "labels": {"exited_people": _("脱贫人口"), "returns": _("返贫户"), "people": _("人"),
                   "households": _("户"), "threshold": _("退出标准 2%"), "poor_people": _("年末未脱贫人口"),
                   "incidence": _("贫困发生率")},
    }
    first = years[0] if years else None
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
