"""One household: each condition's outcome with a Chinese reason; the most specific poverty line."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from fupin.registry.choices import Health, SchoolStatus
from fupin.registry.models import PovertyLine
from fupin.standards import engine
from fupin.standards.fields import Facts

from .helpers import YEAR, adult, child, household, national_line

pytestmark = pytest.mark.django_db


def judge(conditions, h, match="all", year=YEAR):
    return engine.evaluate(engine.parse_conditions(conditions), match, engine.facts_for(h, year))


INCOME_OVER_LINE = [{"field": "per_capita_income", "op": "ge", "value": "@poverty_line"}]


def test_income_reason_names_both_figures(tree):
    national_line()
    h = household(tree["village_a1"], income="7572.50", people=2)
    result = judge(INCOME_OVER_LINE, h)
    assert result.holds
    assert result.outcomes[0].reason == "人均纯收入 3,786.25 元（应 ≥ 当年标准 2,952 元）：符合"


@pytest.mark.parametrize(("income", "holds"), [("5906", True), ("5904", True), ("5902", False)])
def test_one_yuan_above_and_below_the_line(tree, income, holds):
    national_line()
    h = household(tree["village_a1"], income=income, people=2)  # 2953, 2952, 2951 per head
    assert judge([{"field": "per_capita_income", "op": "gt", "value": "@poverty_line"}], h).holds is (
        income == "5906")
    assert judge(INCOME_OVER_LINE, h).holds is holds


def test_the_most_specific_line_wins(tree):
    national_line()
    PovertyLine.objects.create(year=YEAR, area=tree["township_a"], kind="provincial", amount=Decimal("3100"))
    PovertyLine.objects.create(year=YEAR, area=tree["village_a2"], kind="city", amount=Decimal("3335"))
    a1 = household(tree["village_a1"], income="6400", people=2)
    a2 = household(tree["village_a2"], income="6400", people=2)
    b1 = household(tree["village_b1"], income="6400", people=2)
    assert judge(INCOME_OVER_LINE, a1).outcomes[0].reason == "人均纯收入 3,200 元（应 ≥ 当年标准 3,100 元）：符合"
    assert judge(INCOME_OVER_LINE, a2).outcomes[0].reason == "人均纯收入 3,200 元（应 ≥ 当年标准 3,335 元）：不符合"
    assert judge(INCOME_OVER_LINE, b1).outcomes[0].reason == "人均纯收入 3,200 元（应 ≥ 当年标准 2,952 元）：符合"


def test_no_record_or_no_line_does_not_hold(tree):
    PovertyLine.objects.filter(year=2030).delete()
    h = household(tree["village_a1"], income=None)
    outcome = judge(INCOME_OVER_LINE, h).outcomes[0]
    assert not outcome.holds
    assert outcome.reason.startswith("人均纯收入 未填报（应 ≥ ")
    facts = engine.facts_for(h, YEAR)
    nothing = Facts(household=h, members=facts.members, record=facts.record, year=YEAR, poverty_line=None)
    assert engine.evaluate(engine.parse_conditions(INCOME_OVER_LINE), "all", nothing).outcomes[0].reason == (
        "人均纯收入 未填报（应 ≥ 当年无扶贫标准）：不符合")
    assert judge([{"field": "per_capita_income", "op": "is_null"}], h).holds


def test_member_aggregates_and_choices(tree):
    national_line()
    members = [adult(health=Health.SERIOUS, serious_illness_insurance=False),
               child(school=SchoolStatus.NONE)]
    h = household(tree["village_a1"], members=members, income="9000", danger_grade="C")
    result = judge([
        {"field": "any_member_without_serious_illness_insurance", "op": "is_false", "label": "大病保险全员参保"},
        {"field": "any_school_age_child_out_of_school", "op": "is_false", "label": "义务教育有保障"},
        {"field": "any_member_without_medical_insurance", "op": "is_false"},
        {"field": "danger_grade", "op": "not_in", "value": ["C", "D"], "label": "住房安全"},
    ], h)
    assert not result.holds
    assert [o.label for o in result.failed] == ["大病保险全员参保", "义务教育有保障", "住房安全"]
    reasons = [o.reason for o in result.outcomes]
    assert reasons[0] == "有成员未参加大病保险：是（应为“否”）：不符合"
    assert reasons[2] == "有成员未参加基本医疗保险：否（应为“否”）：符合"
    assert reasons[3] == "危房等级 C级（局部危险）（应 不属于 C级（局部危险）、D级（整栋危险））：不符合"


def test_a_child_outside_school_age_does_not_count(tree):
    national_line()
    young = child(school=SchoolStatus.NONE, born=datetime.date(YEAR - 5, 1, 1))
    old = child(school=SchoolStatus.NONE, born=datetime.date(YEAR - 17, 1, 1))
    h = household(tree["village_a1"], members=[adult(), young, old], income="9000")
    assert judge([{"field": "any_school_age_child_out_of_school", "op": "is_false"}], h).holds


def test_any_match_holds_on_one_hit(tree):
    national_line()
    h = household(tree["village_a1"], income="9000", relocated=False)
    conditions = [{"field": "relocated", "op": "is_true"}, {"field": "member_count", "op": "eq", "value": 2}]
    assert judge(conditions, h, match="any").holds
    assert not judge(conditions, h, match="all").holds
