"""一户一策 for the demo county (issue 15 item 3, plan15): a plan for this year for every household with an
ongoing pairing, its measures taken from the catalogue (the seeded 菜单) by the household's causes, so the
plan page, 五个清楚, the cadre's page and the gaps show a county in the middle of its year:

* most causes answered by one measure, the responsible cadre the household's own, the unit the cadre's;
* about 45 % of the measures done (a done date in the past and a result), 15 % under way;
* about 10 % of the open measures past their planned date (逾期);
* about 6 % of the households with one cause left unanswered (the gaps' 致贫原因无对应措施), and about 4 %
  with one measure that answers none of their causes (措施不对应致贫原因).

Bulk and deterministic: a hash of the household's id decides each choice (no random state), plans and
measures written with bulk_create inside the loader's transaction (the loader writes one audit row for
the whole demo, as the other demo parts do). Households that already have this year's plan are left alone.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

from django.utils import timezone

from fupin.areas.models import Area
from fupin.assistance.models import (
    CatalogueMeasure,
    MeasureCategory,
    MeasureStatus,
    Pairing,
    Plan,
    PlanMeasure,
)
from fupin.registry.models import Household

#: A typical amount per category (yuan, exact): 雨露计划's 1,500 a student-year is seed 000's.
FUNDS = {
    MeasureCategory.INDUSTRY: Decimal("3000.00"), MeasureCategory.EMPLOYMENT: Decimal("800.00"),
    MeasureCategory.EDUCATION: Decimal("1500.00"), MeasureCategory.HEALTH: Decimal("360.00"),
    MeasureCategory.HOUSING: Decimal("22000.00"), MeasureCategory.RELOCATION: Decimal("60000.00"),
    MeasureCategory.FINANCE: Decimal("50000.00"), MeasureCategory.ECOLOGY: Decimal("10000.00"),
    MeasureCategory.SAFETY_NET: Decimal("4680.00"), MeasureCategory.RELIEF: Decimal("2000.00"),
    MeasureCategory.INFRASTRUCTURE: Decimal("1200.00"), MeasureCategory.OTHER: Decimal("0.00"),
}
RESULTS = {
    MeasureCategory.INDUSTRY: "已发放种苗、畜禽，户年增收约 3,000 元",
    MeasureCategory.EMPLOYMENT: "已参加培训并稳定务工",
    MeasureCategory.EDUCATION: "补助已发放到户，学生在校就读",
    MeasureCategory.HEALTH: "参保费用已资助，住院费用一站式结算",
    MeasureCategory.HOUSING: "改造完成并通过验收",
    MeasureCategory.FINANCE: "贷款已发放，按期付息",
    MeasureCategory.SAFETY_NET: "已纳入保障，按月发放",
}


def _roll(household_id: int, salt: str) -> int:
    """0–99, the same every run for the same household and question."""
    digest = hashlib.blake2b(f"{household_id}:{salt}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % 100


def build_plans(*, county: Area, today: datetime.date | None = None) -> int:
    """This year's plan for every paired household of ``county``; returns how many plans were written."""
    today = today or timezone.localdate()
    year = today.year
    catalogue = list(CatalogueMeasure.objects.filter(area__isnull=True, active=True).order_by("category", "name", "id"))
    if not catalogue:
        return 0
    by_cause: dict[str, list[CatalogueMeasure]] = {}
    for m in catalogue:
        for cause in m.causes or []:
            by_cause.setdefault(cause, []).append(m)
    # One cadre per household (the first ongoing pairing), read in one query.
    cadres: dict[int, object] = {}
    for p in (Pairing.objects.ongoing(today).filter(household__area_path__startswith=county.path)
              .select_related("cadre__unit").order_by("household_id", "start", "id")):
        cadres.setdefault(p.household_id, p.cadre)
    have = set(Plan.objects.filter(year=year, household_id__in=list(cadres)).values_list("household_id", flat=True))
    households = list(Household.objects.filter(pk__in=[pk for pk in cadres if pk not in have])
                      .only("id", "main_cause", "other_causes").order_by("id"))
    plans = Plan.objects.bulk_create([Plan(household=h, year=year, note="演示数据：按致贫原因逐项落实帮扶措施")
                                      for h in households])
    measures = []
    for plan, h in zip(plans, households, strict=True):
        measures += _measures(plan, h, cadres[h.pk], by_cause, catalogue, today)
    PlanMeasure.objects.bulk_create(measures, batch_size=2000)
    return len(plans)


def _measures(plan: Plan, h: Household, cadre: object, by_cause: dict[str, list[CatalogueMeasure]],
              catalogue: list[CatalogueMeasure], today: datetime.date) -> list[PlanMeasure]:
    causes = [h.main_cause, *[c for c in h.other_causes or [] if c != h.main_cause]]
    skip = causes[-1] if len(causes) > 1 and _roll(h.pk, "unanswered") < 6 else None
    if len(causes) == 1 and _roll(h.pk, "unanswered") < 3:
        skip = causes[0]
    out = []
    taken: set[int] = set()
    for i, cause in enumerate(causes):
        options = [m for m in by_cause.get(cause, []) if m.pk not in taken]  # one measure answers one cause here
        if cause == skip or not options:
            continue
        chosen = options[_roll(h.pk, f"pick{i}") % len(options)]
        taken.add(chosen.pk)
        out.append(_measure(plan, h, cadre, chosen, cause, i, today))
    if _roll(h.pk, "stray") < 4:  # a measure answering none of the household's causes
        stray = next((m for m in catalogue if not set(m.causes or []) & set(causes)), None)
        if stray is not None:
            out.append(_measure(plan, h, cadre, stray, "", len(causes), today))
    return out


def _measure(plan: Plan, h: Household, cadre: object, chosen: CatalogueMeasure, cause: str, i: int,
             today: datetime.date) -> PlanMeasure:
    roll = _roll(h.pk, f"status{i}")
    start = datetime.date(today.year, 1, 1)
    span = max((today - start).days, 1)
    if roll < 45:  # done, some weeks ago
        status, done_on = MeasureStatus.DONE, start + datetime.timedelta(days=_roll(h.pk, f"done{i}") * span // 100)
        planned_on = done_on + datetime.timedelta(days=_roll(h.pk, f"slack{i}") % 30)
    elif roll < 60:
        status, done_on, planned_on = MeasureStatus.ONGOING, None, datetime.date(today.year, 12, 31)
    elif roll < 70:  # overdue: planned for a day already past, not done
        status, done_on = MeasureStatus.PLANNED, None
        planned_on = today - datetime.timedelta(days=1 + _roll(h.pk, f"late{i}") % 60)
    else:
        status, done_on, planned_on = MeasureStatus.PLANNED, None, datetime.date(today.year, 12, 31)
    return PlanMeasure(plan=plan, catalogue=chosen, category=chosen.category, name=chosen.name, cause=cause,
                       unit=getattr(cadre, "unit", None), cadre=cadre, planned_on=planned_on,
                       funds=FUNDS.get(chosen.category, Decimal("0.00")), status=status, done_on=done_on,
                       result=RESULTS.get(chosen.category, "已落实") if status == MeasureStatus.DONE else "")
