"""Reads of the assistance records."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from fupin.accounts import policy
from fupin.registry.choices import Cause

from .models import CatalogueMeasure, MeasureStatus, Pairing, Plan, PlanMeasure

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.registry.models import Household


def paired_household_ids(user: User) -> QuerySet:
    """The ids of the households the cadre linked to ``user`` helps today (the 帮扶责任人's scope, for the access policy)."""
    return Pairing.objects.ongoing().filter(cadre__user=user).values("household_id")


def household_pairings(*, household: Household) -> QuerySet[Pairing]:
    """Every pairing of ``household`` (ongoing and ended), oldest first, with its cadre. The caller
    has read the household through a scoped selector."""
    return Pairing.objects.filter(household=household).select_related("cadre__unit").order_by("start", "id")


# --- issue 15 (plan15) ---


def plan_measure_get(*, user: User, pk: int) -> PlanMeasure:
    """One measure of a plan whose household ``user`` may see, or 404."""
    measure = (PlanMeasure.objects.select_related("plan__household__area", "unit", "cadre")
               .filter(policy.household_q(user, "plan__household"), pk=pk).first())
    if measure is None:
        raise Http404
    return measure


def household_plan(*, household: Household, year: int) -> Plan | None:
    """The household's plan of ``year`` with its measures (the caller read the household through a scoped
    selector)."""
    return (Plan.objects.filter(household=household, year=year)
            .prefetch_related(Prefetch("measures", queryset=PlanMeasure.objects.select_related("unit", "cadre", "catalogue")
                                       .order_by("planned_on", "id"))).first())


def plan_years(*, household: Household) -> list[int]:
    return list(Plan.objects.filter(household=household).order_by("-year").values_list("year", flat=True))


def catalogue_list(*, user: User, include_inactive: bool = False) -> QuerySet[CatalogueMeasure]:
    """The catalogue measures ``user`` reads: those offered everywhere, those of the areas above theirs
    and of their subtree (the same reach as the standards: policy.standards_q)."""
    qs = CatalogueMeasure.objects.filter(policy.standards_q(user, "area")).select_related("area")
    return qs if include_inactive else qs.filter(active=True)


def catalogue_get(*, user: User, pk: int) -> CatalogueMeasure:
    measure = catalogue_list(user=user, include_inactive=True).filter(pk=pk).first()
    if measure is None:
        raise Http404
    return measure


def plan_summary(*, household: Household, year: int) -> dict[str, Any]:
    """The plan of ``year`` as its page and 五个清楚's 帮扶措施 show it: the measures (each marked overdue,
    and stray when it answers none of the household's causes), the causes (each marked answered or not),
    funds, done and overdue counts, and the years that have a plan."""
    from .gaps import is_overdue
    from .suggest import household_causes

    plan = household_plan(household=household, year=year)
    measures = list(plan.measures.all()) if plan is not None else []
    today = timezone.localdate()
    own = household_causes(household)
    for m in measures:
        m.overdue = is_overdue(m, today)
        m.stray = not m.cause or m.cause not in own
        m.cause_label = Cause(m.cause).label if m.cause in Cause.values else m.cause
    live = [m for m in measures if m.status != MeasureStatus.CANCELLED]
    answered = {m.cause for m in live if m.cause}
    causes = [{"code": c, "label": Cause(c).label if c in Cause.values else c, "main": i == 0,
               "answered": c in answered} for i, c in enumerate(own)]
    return {
        "h": household, "year": year, "plan": plan, "measures": measures, "causes": causes,
        "funds": sum((m.funds for m in live), start=Decimal(0)),
        "done": sum(1 for m in live if m.status == MeasureStatus.DONE), "live": len(live),
        "overdue": sum(1 for m in measures if m.overdue),
        "years": sorted({*plan_years(household=household), today.year}, reverse=True),
    }
