"""项目资金概览 (issue 16, demo16): ``/projects/overview/?area=&year=&basis=`` — projects of an area by stage
and category, their money by channel and level, by child area and per year, each figure a link to the
project list (``/projects/?area=&year=&stage=`` …, life16's list) or down to the child area's overview.
``basis`` is how money counts a year: ``project`` (按项目年度, the default: the projects' plan year) or
``funds`` (按资金年度: an allocation's date, a payment's date; selectors_overview); projects always count by
plan year. With ``funds`` the money's links stay on the overview (the list has no year of money): a
channel opens the list without the year, a year's money point the overview of that year.

Scoped like every read of the ledger (fupin.projects.selectors_overview): an area outside the user's
subtree is a 404; the household-scoped roles (帮扶责任人, 评估人员, 银行), who have no project ledger, are
refused (403) — a 行业部门 account sees the projects its department leads.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.areas.selectors import area_children, area_get, area_root
from fupin.web.views import no_scope, parse_int

from .rules import Level
from .selectors_overview import BASES, BASIS_FUNDS, BASIS_PROJECT, FIRST_YEAR, sees_ledger
from .selectors_overview import overview as overview_data

#: The project list's path when life16's ``projects:list`` is not there (the same query parameters).
LIST_PATH = "/projects/"


def list_url(**params: Any) -> str:
    """The project list with the given filters (empty ones left out)."""
    try:
        base = reverse("projects:list")
    except NoReverseMatch:
        base = LIST_PATH
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{base}?{query}" if query else base


def wan(value: Decimal) -> float:
    """Yuan → 万元 for a chart's bar (display only; the tables show the exact yuan)."""
    return round(float(value) / 10000, 2)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not sees_ledger(user):
        raise PermissionDenied(_("您的角色没有项目资金台账，请在户的页面查看到户的项目和资金。"))
    root = area_root(user=user)
    if root is None:
        return no_scope(request)
    code = request.GET.get("area")
    if code:
        root = area_get(user=user, code=code)
    this_year = timezone.localdate().year
    year = parse_int(request.GET.get("year"))
    if year is not None and not FIRST_YEAR - 5 <= year <= this_year + 5:
        year = None
    basis = request.GET.get("basis")
    basis = basis if basis in BASES else BASIS_PROJECT
    funds = basis == BASIS_FUNDS
    children = list(area_children(user=user, area=root))
    data = overview_data(user=user, root=root, children=children, year=year, last_year=this_year, basis=basis)
    area, y = root.code, year

    def here(**params: Any) -> str:
        """This page with other parameters (the basis kept when it is not the default)."""
        query = {**params, "basis": basis if funds else None}
        return f"?{urlencode({k: v for k, v in query.items() if v})}"

    for s in data["stages"]:
        s["url"] = list_url(area=area, year=y, stage=s["key"])
    for c in data["categories"]:
        c["url"] = list_url(area=area, year=y, category=c["key"])
    for ch in data["channels"]:
        # the list's year is the plan year: with the money's year the channel opens every year's projects
        ch["url"] = list_url(area=area, year=None if funds else y, channel=ch["key"])
    for r in data["areas"]:
        r["url"] = list_url(area=r["area"].code, year=y)
        r["overview"] = None if r.get("own") else here(area=r["area"].code, year=y)
        r["label"] = _("%(a)s本级") % {"a": r["area"].name} if r.get("own") else r["area"].name
    for r in data["years"]:
        r["url"] = list_url(area=area, year=r["year"])
        r["here"] = here(area=area, year=r["year"])
        r["money_url"] = r["here"] if funds else r["url"]
    levels = list(Level)
    chart = {
        "stages": [{"name": s["label"], "value": s["n"], "url": s["url"]} for s in data["stages"]],
        "categories": [{"name": c["label"], "value": c["n"], "budget": wan(c["budget"]), "url": c["url"]}
                       for c in data["categories"]],
        "channels": {"names": [ch["label"] for ch in data["channels"]],
                     "levels": [{"name": str(lv.label), "values": [{"value": wan(ch["levels"][lv.value]), "url": ch["url"]}
                                                                   for ch in data["channels"]]} for lv in levels]},
        "areas": {"names": [r["label"] for r in data["areas"]],
                  "allocated": [{"value": wan(r["allocated"]), "url": r["url"]} for r in data["areas"]],
                  "paid": [{"value": wan(r["paid"]), "url": r["url"]} for r in data["areas"]]},
        "years": {"names": [str(r["year"]) for r in data["years"]], "selected": str(year) if year else "",
                  "projects": [{"value": r["n"], "url": r["url"]} for r in data["years"]],
                  "allocated": [{"value": wan(r["allocated"]), "url": r["money_url"]} for r in data["years"]],
                  "paid": [{"value": wan(r["paid"]), "url": r["money_url"]} for r in data["years"]]},
        "labels": {"projects": _("项目数（个）"), "allocated": _("到位资金（万元）"), "paid": _("已支付（万元）"),
                   "wan": _("万元"), "count": _("个"), "budget": _("总投资（万元）")},
    }
    return render(request, "projects/overview/index.html", {
        "root": root,
        "ancestors": [a for a in root.ancestors() if _visible(user, a)],
        "year": year,
        "years": list(range(this_year, FIRST_YEAR - 1, -1)),
        "data": data,
        "chart": chart,
        "child_level": children[0].get_level_display() if children else "",
        "list_all": list_url(area=root.code, year=year),
        "basis": basis, "funds": funds,
        "bases": [(BASIS_PROJECT, _("按项目年度")), (BASIS_FUNDS, _("按资金年度"))],
        "crumb_query": here(year=y).lstrip("?"),
    })


def _visible(user: Any, area: Any) -> bool:
    """An ancestor shown in the crumbs: one inside the user's subtree (a link to it would otherwise 404)."""
    scope = policy.scope_path(user)
    return scope is not None and area.path.startswith(scope)
