"""Fixtures of the 明白卡 tests: a household with a plan and its measures, a helping unit and a cadre with
a phone, a second household with no plan and no cadre, an outsider's household. Test modules import
the fixture functions (``card_household_fixture`` …) and ask for them by name (``card_household``).
Plans and measures are written directly (their services belong to the plans part of issue 15)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.assistance import services as assistance
from fupin.assistance.models import Cadre, HelpingUnit, MeasureCategory, MeasureStatus, Plan, PlanMeasure
from fupin.registry import services
from fupin.registry.choices import Cause, Health, Labour, Relation, SchoolStatus, Status
from tests import factories

START = datetime.date(2016, 3, 1)
HEAD = "施春芬"
CADRE_NAME = "赵明远"
CADRE_PHONE = "13987654321"
UNIT = "罗平县农业农村局"


def add_plan(household, *, year: int | None = None, measures: int = 3) -> Plan:
    year = year or timezone.localdate().year
    plan = Plan.objects.create(household=household, year=year, note="发展生猪养殖，稳定务工收入")
    unit = HelpingUnit.objects.get_or_create(name=UNIT, area=household.area.parent.parent.parent
                                             if household.area.level == "group" else household.area.parent.parent)[0]
    kinds = [(MeasureCategory.choices[0][0], "生猪养殖补助 3 头", Cause.FUNDS),
             (MeasureCategory.choices[1][0], "转移就业：推荐到县工业园区务工", Cause.SKILLS),
             (MeasureCategory.choices[2][0], "雨露计划职业教育补助", Cause.SCHOOLING)]
    for i in range(measures):
        category, name, cause = kinds[i % len(kinds)]
        PlanMeasure.objects.create(plan=plan, category=category, name=f"{name}（{i + 1}）", cause=cause, unit=unit,
                                   planned_on=datetime.date(year, 6, 30), funds=Decimal("1500.00"),
                                   status=MeasureStatus.ONGOING if i else MeasureStatus.DONE,
                                   done_on=datetime.date(year, 3, 1) if not i else None)
    return plan


@pytest.fixture(name="card_cadre")
def card_cadre_fixture(tree, county_user):
    unit = HelpingUnit.objects.create(name=UNIT, area=tree["county"], phone="0874-8210000")
    account = factories.user("cadre_zhao", Role.CADRE, tree["village_a1"], display_name=CADRE_NAME)
    return Cadre.objects.create(name=CADRE_NAME, unit=unit, post="副局长", phone=CADRE_PHONE, area=tree["county"],
                                user=account)


@pytest.fixture(name="card_household")
def card_household_fixture(tree, county_user, card_cadre):
    h = factories.household(
        tree["village_a1"], actor=county_user, number="5303241002010101", status=Status.POOR,
        main_cause=Cause.FUNDS, other_causes=[Cause.SKILLS],
        members=[factories.member_data(Relation.HEAD, "2", name=HEAD, health=Health.CHRONIC, labour=Labour.NORMAL),
                 factories.member_data(Relation.SPOUSE, "1", name="张波刚", labour=Labour.SKILLED),
                 factories.member_data(Relation.SON, "1", birth=datetime.date(2012, 5, 1), name="张小明",
                                       school_status=SchoolStatus.JUNIOR)])
    year = timezone.localdate().year
    for y in (year - 1, year):
        services.yearly_record_save(actor=county_user, household=h, year=y,
                                    data={"wage_income": "9000", "member_count": 3})
    assistance.pairing_create(actor=county_user, cadre=card_cadre, household=h, start=START)
    add_plan(h)
    return h


@pytest.fixture(name="bare_household")
def bare_household_fixture(tree, county_user):
    """No plan, no cadre, no income recorded."""
    return factories.household(tree["village_a1"], actor=county_user, number="5303241002010102",
                               status=Status.MONITOR_RISK,
                               members=[factories.member_data(Relation.HEAD, "1", name="李有田")])


@pytest.fixture(name="outside_household")
def outside_household_fixture(tree, county_user):
    return factories.household(tree["village_b1"], actor=county_user, number="5303241012010001", status=Status.POOR,
                               members=[factories.member_data(Relation.HEAD, "1", name="王外人")])
