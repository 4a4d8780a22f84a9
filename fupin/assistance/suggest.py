"""菜单式 suggestions for a household's plan (一户一策, issue 15 item 3): which catalogue measures fit the
household, and why. Read-only; the plan page offers each with a one-tap 加入计划.

Two kinds of rule, in order:

1. **Causes** — every active catalogue measure keyed to one of the household's causes (main first, then
   the others) answers it. The catalogue (data, fupin.assistance.models.CatalogueMeasure) says which
   measure answers which cause.
2. **Members and conditions** — facts of the household point to a category even where no cause was
   recorded for it (``TRIGGERS``): children of compulsory-school age or students → 教育扶持; ill or
   disabled members → 健康扶贫 (disabled also 兜底); members without medical insurance → 参保资助 (健康);
   able workers → 就业扶持; no able worker → 兜底; a C/D-grade house → 危房改造; unsafe or difficult
   drinking water → 基础设施. The facts are read through the standards' whitelist
   (fupin.standards.fields: compulsory-school age, able labour, insurance …), never worked out again here.

A suggestion carries the household cause it answers ("" when it answers none of them: a measure added
so is reported by the gaps as a measure with no cause, which is what it is until the cause is recorded).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from fupin.registry.choices import Cause, DangerGrade, Health, SchoolStatus
from fupin.registry.rules import compulsory_school_births
from fupin.standards.engine import facts_for
from fupin.standards.fields import FIELDS, Facts

from .models import CatalogueMeasure, MeasureCategory, MeasureStatus, Plan

if TYPE_CHECKING:
    from fupin.registry.models import Household

#: School statuses of 中职/高职 students (雨露计划's students).
VOCATIONAL = (SchoolStatus.VOCATIONAL, SchoolStatus.HIGHER_VOCATIONAL)
ILL = (Health.CHRONIC, Health.SERIOUS)
UNSAFE_HOUSE = (DangerGrade.C, DangerGrade.D)


@dataclass
class Suggestion:
    measure: CatalogueMeasure
    cause: str = ""
    reasons: list[str] = field(default_factory=list)
    #: Already in the year's plan (not cancelled): shown, not offered again.
    planned: bool = False

    @property
    def cause_label(self) -> str:
        return str(Cause(self.cause).label) if self.cause in Cause.values else ""


def household_causes(household: Household) -> list[str]:
    """The household's causes, main first, each once."""
    out = [household.main_cause] if household.main_cause else []
    return out + [c for c in household.other_causes or [] if c not in out]


def _in_school_age(facts: Facts) -> int:
    after, until = compulsory_school_births(facts.year)
    return sum(1 for m in facts.members if after < m.birth_date <= until)


def _students(facts: Facts) -> int:
    return FIELDS["student_count"].value(facts)


def _education(facts: Facts) -> str | None:
    reasons = []
    if FIELDS["any_school_age_child_out_of_school"].value(facts):
        reasons.append(_("有义务教育阶段适龄儿童失学辍学"))
    if n := _in_school_age(facts):
        reasons.append(_("义务教育阶段适龄子女 %(n)d 人") % {"n": n})
    if n := sum(1 for m in facts.members if m.school_status in VOCATIONAL):
        reasons.append(_("中职、高职在校生 %(n)d 人") % {"n": n})
    elif n := _students(facts):
        reasons.append(_("在校生 %(n)d 人") % {"n": n})
    return "；".join(reasons) or None


def _health(facts: Facts) -> str | None:
    reasons = []
    if n := sum(1 for m in facts.members if m.health in ILL):
        reasons.append(_("患病成员 %(n)d 人") % {"n": n})
    if n := sum(1 for m in facts.members if m.health == Health.DISABLED):
        reasons.append(_("残疾成员 %(n)d 人") % {"n": n})
    if FIELDS["any_member_without_medical_insurance"].value(facts):
        reasons.append(_("有成员未参加基本医疗保险"))
    return "；".join(reasons) or None


def _employment(facts: Facts) -> str | None:
    n = FIELDS["labour_count"].value(facts)
    return _("有劳动能力成员 %(n)d 人") % {"n": n} if n else None


def _safety_net(facts: Facts) -> str | None:
    if not facts.members:
        return None
    if FIELDS["labour_count"].value(facts) == 0:
        return _("家中无劳动力")
    if FIELDS["any_member_disabled"].value(facts):
        return _("有残疾成员")
    return None


def _housing(facts: Facts) -> str | None:
    grade = facts.household.danger_grade
    return _("住房为 %(g)s 危房") % {"g": DangerGrade(grade).label} if grade in UNSAFE_HOUSE else None


def _water(facts: Facts) -> str | None:
    h = facts.household
    if not h.water_safe or h.water_difficulty:
        return _("饮水不安全或取水困难")
    return None


#: Members and conditions → a category of the catalogue (and, for 基础设施, the cause whose measures fit).
TRIGGERS: list[tuple[str, str, Callable[[Facts], str | None]]] = [
    (MeasureCategory.EDUCATION, "", _education),
    (MeasureCategory.HEALTH, "", _health),
    (MeasureCategory.EMPLOYMENT, "", _employment),
    (MeasureCategory.SAFETY_NET, "", _safety_net),
    (MeasureCategory.HOUSING, "", _housing),
    (MeasureCategory.INFRASTRUCTURE, Cause.WATER, _water),
]


def catalogue_for(household: Household) -> list[CatalogueMeasure]:
    """The active catalogue measures offered in the household's area: those for everywhere and those of
    an area on its path."""
    path = household.area_path
    above = [path[:n] for n in range(1, len(path) + 1)]
    return list(CatalogueMeasure.objects.filter(Q(area__isnull=True) | Q(area__path__in=above), active=True)
                .order_by("category", "name", "id"))


def suggestions(household: Household, year: int, *, plan: Plan | None = None,
                today: datetime.date | None = None) -> list[Suggestion]:
    """The catalogue measures suggested for ``household``'s plan of ``year``, the ones answering its main
    cause first; each once, with every reason that points to it."""
    catalogue = catalogue_for(household)
    causes = household_causes(household)
    out: dict[int, Suggestion] = {}

    def add(items: Iterable[CatalogueMeasure], cause: str, reason: str) -> None:
        for m in items:
            s = out.setdefault(m.pk, Suggestion(measure=m, cause=cause))
            if not s.cause and cause:
                s.cause = cause
            if reason not in s.reasons:
                s.reasons.append(reason)

    for cause in causes:
        label = Cause(cause).label if cause in Cause.values else cause
        add([m for m in catalogue if cause in (m.causes or [])], cause,
            _("致贫原因：%(c)s") % {"c": label})
    facts = facts_for(household, year)
    for category, cause_hint, rule in TRIGGERS:
        reason = rule(facts)
        if reason is None:
            continue
        fitting = [m for m in catalogue if m.category == category
                   and (not cause_hint or cause_hint in (m.causes or []))]
        for m in fitting:
            answered = next((c for c in causes if c in (m.causes or [])), "")
            add([m], answered, reason)
    planned = set()
    if plan is not None:
        planned = set(plan.measures.exclude(status=MeasureStatus.CANCELLED)
                      .exclude(catalogue__isnull=True).values_list("catalogue_id", flat=True))
    rank = {c: i for i, c in enumerate(causes)}
    result = sorted(out.values(), key=lambda s: (rank.get(s.cause, len(rank)), s.measure.category, s.measure.name))
    for s in result:
        s.planned = s.measure.pk in planned
    return result

