"""风险消除 (REFERENCE §7): only when every condition holds — income stably above the line ≥ half a year,
rigid expenses resolved, 三保障 and water secure, monitored ≥ half a year with ≥ 1 measure, labour force —
each failing alone named in the refusal; the county's approval judges again and clears household and object."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fupin.identification import services as cases
from fupin.identification.models import NoticeKind, Step
from fupin.monitoring import rules, services
from fupin.monitoring.models import ObjectState
from fupin.registry.choices import Labour, Status

from .mproc_helpers import CHECKLIST, VOTES, clock, enrol, exited, found, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(village_user, township_a_user, county_user):
    return {"village": village_user, "township": township_a_user, "county": county_user}


def enrolled(users, tree, *, labour=Labour.NORMAL, measure=True):
    household = exited(tree["village_a1"], labour=labour)
    with clock("2025-03-03") as t:
        obj = found(users["village"], household)
        enrol(users, obj, t, tree)
        if measure:
            services.measure_add(actor=users["village"], obj=obj, sector="health", category="医疗救助",
                                 date=datetime.date.today(), amount=Decimal("3000"))
    obj.refresh_from_db()
    return obj


def open_clear(users, obj, **overrides):
    values = {"income_12m": Decimal("9000"), "income_above_since": datetime.date(2025, 6, 1),
              "rigid_resolved": True}
    values.update(overrides)
    return services.clear_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户核实风险消除",
                               **values)


def to_township(users, obj, t):
    """入户核实 → 数据比对 → 村级民主评议, the notice run out (``t`` moved on), → 乡镇审核."""
    case = open_clear(users, obj)
    case = cases.case_step(actor=users["village"], case=case, to=Step.CLEAR_CHECK, opinion="比对")
    case = cases.case_step(actor=users["village"], case=case, to=Step.CLEAR_APPRAISAL, opinion="评议", votes=VOTES)
    publish(users["village"], NoticeKind.MONITOR_CLEAR_NOTICE, case.area, [case], datetime.date.today())
    t.shift(datetime.timedelta(days=5))
    return cases.case_step(actor=users["township"], case=case, to=Step.CLEAR_TOWNSHIP, opinion="审核")


def test_a_full_risk_elimination_clears_the_household_and_the_object(users, tree):
    obj = enrolled(users, tree)
    with clock("2026-03-02") as t:
        case = to_township(users, obj, t)
        case = cases.case_step(actor=users["county"], case=case, to=Step.CLEAR_COUNTY, opinion="审定消除")
        publish(users["county"], NoticeKind.MONITOR_CLEAR_ANNOUNCEMENT, tree["county"], [case], datetime.date.today())
        t.shift(datetime.timedelta(days=5))
        case = cases.case_step(actor=users["county"], case=case, to=Step.CLEAR_RECORDED, opinion="录入")
    obj.refresh_from_db()
    obj.household.refresh_from_db()
    assert obj.state == ObjectState.CLEARED and obj.cleared_on == datetime.date(2026, 3, 7)
    assert obj.household.status == Status.MONITOR_CLEARED


def test_income_at_the_line_is_refused_naming_the_income(users, tree):
    obj = enrolled(users, tree)
    with clock("2026-03-02"), pytest.raises(ValidationError, match="未超过监测标准") as exc:
        open_clear(users, obj, income_12m=Decimal("6000"))
    assert "刚性支出" not in str(exc.value)


def test_income_above_the_line_for_less_than_half_a_year_is_refused(users, tree):
    obj = enrolled(users, tree)
    with clock("2026-03-02"), pytest.raises(ValidationError, match="不足半年"):
        open_clear(users, obj, income_above_since=datetime.date(2025, 12, 1))


def test_unresolved_rigid_expenses_are_refused(users, tree):
    obj = enrolled(users, tree)
    with clock("2026-03-02"), pytest.raises(ValidationError, match="刚性支出问题已解决") as exc:
        open_clear(users, obj, rigid_resolved=False)
    assert "收入稳定" not in str(exc.value)


def test_a_dangerous_house_is_refused_as_housing_insecure(users, tree):
    obj = enrolled(users, tree)
    type(obj.household).objects.filter(pk=obj.household_id).update(danger_grade="D")
    with clock("2026-03-02"), pytest.raises(ValidationError, match="三保障.*危房"):
        open_clear(users, obj)


def test_less_than_half_a_year_monitored_is_refused(users, tree):
    obj = enrolled(users, tree)
    with clock("2025-06-02"), pytest.raises(ValidationError, match="监测满半年.*不足半年"):
        open_clear(users, obj, income_above_since=datetime.date(2024, 6, 1))


def test_no_measure_is_refused(users, tree):
    obj = enrolled(users, tree, measure=False)
    with clock("2026-03-02"), pytest.raises(ValidationError, match="尚未落实任何帮扶措施"):
        open_clear(users, obj)


def test_a_household_without_labour_force_stays_monitored(users, tree):
    obj = enrolled(users, tree, labour=Labour.NONE)
    with clock("2026-03-02"), pytest.raises(ValidationError, match="均无劳动能力"):
        open_clear(users, obj)
    obj.refresh_from_db()
    assert obj.state == ObjectState.AT_RISK and obj.clear_case is None


def test_the_county_judges_again_and_refuses_when_a_condition_now_fails(users, tree):
    obj = enrolled(users, tree)
    with clock("2026-03-02") as t:
        case = to_township(users, obj, t)
        type(obj.household).objects.filter(pk=obj.household_id).update(danger_grade="C")
        with pytest.raises(ValidationError, match="危房"):
            cases.case_step(actor=users["county"], case=case, to=Step.CLEAR_COUNTY, opinion="审定")
    obj.refresh_from_db()
    case.refresh_from_db()
    assert obj.state == ObjectState.AT_RISK and case.step == Step.CLEAR_TOWNSHIP


def test_the_check_lists_every_condition_with_its_reason(users, tree):
    obj = enrolled(users, tree)
    obj.clear_income_12m, obj.income_above_since, obj.rigid_resolved = Decimal("9000"), datetime.date(2025, 6, 1), True
    check = rules.clear_check(obj, datetime.date(2026, 3, 2))
    assert [c.key for c in check.conditions] == ["income", "rigid", "secure", "monitored", "labour"]
    assert check.holds and all(c.reason for c in check.conditions)
