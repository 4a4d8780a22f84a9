"""The seeded national exit criteria (REFERENCE §4): a household meeting them all may exit; each failing
alone is named."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from fupin.registry.choices import Health, SchoolStatus
from fupin.standards import services
from fupin.standards.models import RuleKind, RuleSet

from .helpers import YEAR, adult, child, household, national_line

pytestmark = pytest.mark.django_db

seed = importlib.import_module("fupin.standards.migrations.0002_standards_exit_criteria")


@pytest.fixture
def exit_rules(db):
    seed.add_rules(apps, None)  # idempotent; a transactional test elsewhere may have emptied the table
    national_line()
    return services.ruleset_for(RuleKind.EXIT, YEAR, None)


def test_seeded_for_every_year_with_a_national_line(exit_rules):
    assert sorted(RuleSet.objects.filter(kind=RuleKind.EXIT, area=None, version=1).values_list("year", flat=True)) \
        == list(range(2014, 2021))
    assert exit_rules.match == "all" and len(exit_rules.conditions) == 9
    seed.add_rules(apps, None)
    assert RuleSet.objects.filter(kind=RuleKind.EXIT).count() == 7


def test_a_household_meeting_every_criterion_may_exit(tree, exit_rules):
    h = household(tree["village_a1"], members=[adult(), child()], income="6000")
    result = services.evaluate_household(exit_rules, h, YEAR)
    assert result.holds, [o.reason for o in result.failed]


@pytest.mark.parametrize(("label", "change"), [
    ("一超：人均纯收入超过当年扶贫标准", {"income": "5904"}),
    ("不愁吃、不愁穿", {"food": False}),
    ("义务教育有保障", {"members": "dropout"}),
    ("基本医疗保险全员参保", {"members": "no_medical"}),
    ("大病保险全员参保", {"members": "no_serious"}),
    ("住房安全：不住C级、D级危房", {"danger_grade": "D"}),
    ("住房安全：有住房", {"house_area": Decimal(0)}),
    ("饮水安全", {"water_safe": False}),
    ("饮水不困难", {"water_difficulty": True}),
])
def test_each_criterion_failing_alone_is_named(tree, exit_rules, label, change):
    members = {"dropout": [adult(), child(school=SchoolStatus.NONE)],
               "no_medical": [adult(), child(medical_insurance=False)],
               "no_serious": [adult(health=Health.SERIOUS, serious_illness_insurance=False),
                              child()]}.get(change.pop("members", None))
    change.setdefault("income", "6000")
    h = household(tree["village_a1"], members=members or [adult(), child()], **change)
    result = services.evaluate_household(exit_rules, h, YEAR)
    assert [o.label for o in result.failed] == [label]
    assert not result.holds
