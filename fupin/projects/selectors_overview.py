"""Reads of the 项目资金 overview (issue 16, demo16): projects and funds of an area by stage, category,
channel and level, child area and plan year — every figure through the scoped selectors
(``projects_for``, ``allocations_for``, ``payments_for``, ``batches_for``), so a township counts its
subtree's projects and a 行业部门 the projects its department leads.

Money is summed exactly (Decimal, yuan); the charts get 万元 rounded for display only, the tables the
exact sums. Two ways of counting a year (``basis``):

* ``project`` (按项目年度, the default): the projects' plan years (计划年度) — the money of a year is the
  money of that year's projects, so that a year's bar and the list it links to (``/projects/?year=``)
  show the same projects;
* ``funds`` (按资金年度): the year the money moved — an allocation by its date's year (分配日期), a payment
  by its payment date's year (支付日期), a household subsidy by the day its batch was paid (发放日期).
  Projects are still counted by plan year (a project has no year of money of its own).

Both cost the same number of queries (the year is a filter or a grouping in each query, never a query
per year).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Sum
from django.db.models.functions import ExtractYear

from fupin.accounts import policy

from .rules import PATH, Category, Channel, Level, Stage
from .selectors import allocations_for, batches_for, payments_for, projects_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User
    from fupin.areas.models import Area

ZERO = Decimal("0.00")
FIRST_YEAR = 2015
#: Stages in the order of the lifecycle, 已终止 last.
STAGE_ORDER: tuple[str, ...] = (*PATH, Stage.CANCELLED)
#: How a year counts money: by the projects' plan year (default) or by the year the money moved.
BASIS_PROJECT, BASIS_FUNDS = "project", "funds"
BASES = (BASIS_PROJECT, BASIS_FUNDS)
#: The date of each kind of money in the ``funds`` basis.
ALLOCATION_DAY, PAYMENT_DAY, BATCH_DAY = "allocated_on", "paid_on", "paid_on"


def sees_ledger(user: User | AnonymousUser | None) -> bool:
    """Whether the user has a project ledger to look at: area-scoped roles and 行业部门 accounts; the
    household-scoped ones (帮扶责任人, 评估人员, 银行) see projects only on their households' pages."""
    if policy.role_of(user) is None:
        return False
    return policy.acts_for(user, "department") or not policy.scoped_by_households(user)


def _money(value: Decimal | None) -> Decimal:
    return value if value is not None else ZERO


def overview(*, user: User | AnonymousUser, root: Area, children: list[Area], year: int | None,
             last_year: int, basis: str = BASIS_PROJECT) -> dict[str, Any]:
    """The figures of the page for ``root`` (and its ``children``), one ``year`` or all; ``basis`` says how
    money counts a year (module docstring): ``project`` its projects' plan year, ``funds`` its own date."""
    funds = basis == BASIS_FUNDS
    path = root.path
    projects = projects_for(user).filter(area_path__startswith=path)
    all_allocations = allocations = allocations_for(user).filter(project__area_path__startswith=path)
    all_payments = payments = payments_for(user).filter(project__area_path__startswith=path)
    batches = batches_for(user).filter(project__area_path__startswith=path)
    years_projects = projects
    if year is not None:
        projects = projects.filter(year=year)
        if funds:
            allocations = allocations.filter(**{f"{ALLOCATION_DAY}__year": year})
            payments = payments.filter(**{f"{PAYMENT_DAY}__year": year})
            batches = batches.filter(**{f"{BATCH_DAY}__year": year})
        else:
            allocations = allocations.filter(project__year=year)
            payments = payments.filter(project__year=year)
            batches = batches.filter(project__year=year)

    by_stage = {r["stage"]: r for r in projects.values("stage").annotate(n=Count("pk"), budget=Sum("budget")).order_by()}
    by_category = {r["category"]: r for r in
                   projects.values("category").annotate(n=Count("pk"), budget=Sum("budget")).order_by()}
    money = {(r["document__channel"], r["document__level"]): _money(r["s"]) for r in
             allocations.values("document__channel", "document__level").annotate(s=Sum("amount")).order_by()}
    allocated = sum(money.values(), ZERO)
    paid = _money(payments.aggregate(s=Sum("amount"))["s"])
    from .models import SubsidyLine
    from .rules import BatchStatus

    subsidy = SubsidyLine.objects.filter(batch__in=batches.filter(status=BatchStatus.PAID))
    subsidy_households = subsidy.values("household_id").distinct().count()
    subsidy_total = _money(subsidy.aggregate(s=Sum("amount"))["s"])

    # By child area: sums per project site, put in the child whose path is a prefix of it (本级: the root's own).
    child_rows = {c.path: {"area": c, "n": 0, "budget": ZERO, "allocated": ZERO, "paid": ZERO} for c in children}
    own = {"area": root, "own": True, "n": 0, "budget": ZERO, "allocated": ZERO, "paid": ZERO}
    width = len(children[0].path) if children else None

    def bucket(site: str) -> dict[str, Any]:
        return child_rows.get(site[:width], own) if width else own

    for r in projects.values("area_path").annotate(n=Count("pk"), budget=Sum("budget")).order_by():
        row = bucket(r["area_path"])
        row["n"] += r["n"]
        row["budget"] += _money(r["budget"])
    for r in allocations.values("project__area_path").annotate(s=Sum("amount")).order_by():
        bucket(r["project__area_path"])["allocated"] += _money(r["s"])
    for r in payments.values("project__area_path").annotate(s=Sum("amount")).order_by():
        bucket(r["project__area_path"])["paid"] += _money(r["s"])
    areas = list(child_rows.values()) + ([own] if own["n"] else [])

    # Per year, every year from 2015 (the year filter does not narrow this one: it marks the year): projects by
    # plan year; money by plan year too, or (basis funds) by the year of its own date.
    per_year: dict[int, dict[str, Any]] = defaultdict(lambda: {"n": 0, "allocated": ZERO, "paid": ZERO})
    for r in years_projects.values("year").annotate(n=Count("pk")).order_by():
        per_year[r["year"]]["n"] = r["n"]
    plan_year = F("project__year")
    for r in (all_allocations.values(y=ExtractYear(ALLOCATION_DAY) if funds else plan_year)
              .annotate(s=Sum("amount")).order_by()):
        per_year[r["y"]]["allocated"] = _money(r["s"])
    for r in (all_payments.values(y=ExtractYear(PAYMENT_DAY) if funds else plan_year)
              .annotate(s=Sum("amount")).order_by()):
        per_year[r["y"]]["paid"] = _money(r["s"])
    first = min([FIRST_YEAR, *per_year])
    years = [{"year": y, **per_year[y]} for y in range(first, max([last_year, *per_year]) + 1)]

    return {
        "basis": BASIS_FUNDS if funds else BASIS_PROJECT,
        "totals": {"projects": sum(r["n"] for r in by_stage.values()),
                   "budget": sum((_money(r["budget"]) for r in by_stage.values()), ZERO),
                   "allocated": allocated, "paid": paid,
                   "paid_pct": (paid / allocated * 100) if allocated else None,
                   "subsidy_households": subsidy_households, "subsidy_total": subsidy_total},
        "stages": [{"key": s, "label": str(Stage(s).label), "n": by_stage.get(s, {}).get("n", 0),
                    "budget": _money(by_stage.get(s, {}).get("budget"))} for s in STAGE_ORDER],
        "categories": [{"key": c, "label": str(Category(c).label), "n": by_category[c]["n"],
                        "budget": _money(by_category[c]["budget"])} for c in Category.values if c in by_category],
        "channels": [{"key": ch, "label": str(Channel(ch).label),
                      "levels": {lv: money.get((ch, lv), ZERO) for lv in Level.values},
                      "total": sum((money.get((ch, lv), ZERO) for lv in Level.values), ZERO)}
                     for ch in Channel.values if any((ch, lv) in money for lv in Level.values)],
        "levels": [{"key": lv, "label": str(Level(lv).label),
                    "total": sum((v for (_ch, level), v in money.items() if level == lv), ZERO)} for lv in Level.values],
        "areas": areas,
        "years": years,
    }
