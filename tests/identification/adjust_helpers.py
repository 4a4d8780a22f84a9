"""Households of each kind the yearly adjustment proposes, built through the real services."""

from __future__ import annotations

import datetime

from fupin.identification.models import NoticeKind
from fupin.registry import services
from fupin.registry.choices import RemovalReason, Status
from fupin.registry.models import Member
from tests import factories

from .helpers import applicant, publish, walk_to_township

SECURE = {"food_clothing_secure": True, "education_secure": True, "medical_secure": True, "housing_secure": True,
          "water_secure": True}


def record(actor, household, year: int, wage: str) -> None:
    services.yearly_record_save(actor=actor, household=household, year=year,
                                data={"wage_income": wage, "member_count": household.member_count, **SECURE})


def exit_ready(actor, village, year: int = 2019):
    """贫困户 whose facts meet the exit criteria of ``year`` (income well above the line, a safe house)."""
    household = factories.household(village, actor=actor, status=Status.POOR, house_area=60)
    record(actor, household, year, "20000")
    return household


def still_poor(actor, village, year: int = 2019):
    household = factories.household(village, actor=actor, status=Status.POOR, house_area=60)
    record(actor, household, year, "2000")
    return household


def fallen_back(actor, village, year: int = 2019):
    """已脱贫 household whose income of ``year`` is below the line."""
    household = factories.household(village, actor=actor, status=Status.EXITED, exit_year=2016, house_area=60)
    record(actor, household, year, "1000")
    return household


def all_dead(actor, village):
    household = factories.household(village, actor=actor, status=Status.POOR)
    Member.objects.filter(household=household).update(active=False, removal_reason=RemovalReason.DEATH,
                                                      removed_on=datetime.date(2019, 5, 1))
    return household


def entrant(users, village, t):
    """An applicant whose case is at 逐级核 with the second notice over (the clock ``t`` moved past it)."""
    household = applicant(village)
    case, _first = walk_to_township(users, household, t)
    publish(users["township"], NoticeKind.SECOND, village, [case], datetime.date(2026, 3, 10))
    t.shift(datetime.timedelta(days=8))
    return household, case
