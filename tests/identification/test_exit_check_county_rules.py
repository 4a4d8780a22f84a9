"""A county's own exit criteria override the national ones for the county's households only; a village's
own override the county's; each row names the rule set and version that judged it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fupin.identification.exitcheck import exit_check, exit_check_rows
from fupin.registry.models import Household, PovertyLine
from fupin.standards.services import ruleset_create
from tests import factories
from tests.standards.helpers import YEAR, household, national_line

pytestmark = pytest.mark.django_db

NATIONAL = "国家脱贫退出标准（一超两不愁三保障）"
#: The county also wants income at least 1.2 × the line … expressed as a fixed amount above it.
COUNTY_RULES = [
    {"field": "per_capita_income", "op": "gt", "value": "4000", "label": "县定：人均纯收入超过 4000 元"},
    {"field": "water_safe", "op": "is_true", "label": "饮水安全"},
]


def test_county_rules_apply_to_the_county_only(tree):
    national_line()
    other_county = factories.area("530325000000", "富源县")
    factories.area("530325100000", "丙乡")
    far_village = factories.area("530325100201", "丙一村")
    county_rules = ruleset_create(actor=None, kind="exit_criteria", year=YEAR, area=tree["county"],
                                  name="罗平县脱贫退出标准", conditions=COUNTY_RULES)
    inside = household(tree["village_a1"], income="7000", people=2)  # 3,500 a head: above 2,952, below 4,000
    outside = household(far_village, income="7000", people=2)
    assert other_county.path != tree["county"].path

    check_in, check_out = exit_check(inside, YEAR), exit_check(outside, YEAR)
    assert check_in.ruleset == county_rules and check_in.failed == ["县定：人均纯收入超过 4000 元"]
    assert check_in.ruleset_text == "罗平县脱贫退出标准（罗平县，2016 年第 1 版）"
    assert check_out.ruleset.name == NATIONAL and check_out.exitable is True

    rows = {r.number: r for r in exit_check_rows(Household.objects.all(), YEAR)}
    assert rows[inside.number].ruleset_name == "罗平县脱贫退出标准" and rows[inside.number].ruleset_version == 1
    assert rows[inside.number].failed == ("县定：人均纯收入超过 4000 元",)
    assert rows[outside.number].ruleset_name == NATIONAL and rows[outside.number].exitable is True


def test_a_village_rule_overrides_the_county_and_a_new_version_is_used(tree):
    national_line()
    ruleset_create(actor=None, kind="exit_criteria", year=YEAR, area=tree["county"], name="县标准",
                   conditions=COUNTY_RULES)
    v1 = ruleset_create(actor=None, kind="exit_criteria", year=YEAR, area=tree["village_a2"], name="村标准",
                        conditions=[{"field": "water_safe", "op": "is_true", "label": "饮水安全"}])
    v2 = ruleset_create(actor=None, kind="exit_criteria", year=YEAR, area=tree["village_a2"], name="村标准",
                        conditions=[{"field": "house_area", "op": "ge", "value": "30", "label": "住房 30 平方米以上"}])
    a2 = household(tree["village_a2"], income="7000", people=2, house_area=Decimal("20"))
    a1 = household(tree["village_a1"], income="7000", people=2)
    assert v2.version == 2 and v1.version == 1
    check = exit_check(a2, YEAR)
    assert check.ruleset == v2 and check.failed == ["住房 30 平方米以上"]
    rows = {r.number: r for r in exit_check_rows(Household.objects.all(), YEAR)}
    assert (rows[a2.number].ruleset_id, rows[a2.number].ruleset_version) == (v2.pk, 2)
    assert rows[a2.number].failed == ("住房 30 平方米以上",)
    assert rows[a1.number].ruleset_name == "县标准"


def test_a_local_line_is_named(tree):
    national_line()
    PovertyLine.objects.create(year=YEAR, area=tree["township_a"], kind="provincial", amount=Decimal("3500"))
    h = household(tree["village_a1"], income="7002", people=2)  # 3,501 a head
    check = exit_check(h, YEAR)
    assert (check.line, check.line_area, check.line_kind, check.exitable) == (3500, "甲乡", "省定标准", True)
    h2 = household(tree["village_a1"], income="7000", people=2)
    assert exit_check(h2, YEAR).failed == ["一超：人均纯收入超过当年扶贫标准"]
    rows = {r.number: r for r in exit_check_rows(Household.objects.all(), YEAR)}
    assert rows[h.number].line == 3500 and rows[h2.number].exitable is False
