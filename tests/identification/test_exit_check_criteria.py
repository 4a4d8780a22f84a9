"""Each guarantee failing alone is named alone: 两不愁, 义务教育 (a school-age child out of school), 基本医疗
(one member without basic medical or serious-illness insurance), 住房安全 (C, D, no house), 饮水 (unsafe,
difficult) — judged from the facts of the household and every member, in one household and in bulk."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from fupin.identification.exitcheck import exit_check
from fupin.registry.choices import Relation, SchoolStatus
from tests.standards.helpers import YEAR, adult, child, household, national_line

from . import exit_helpers as names
from .exit_helpers import bulk_row

pytestmark = pytest.mark.django_db

#: A household well above the line with every guarantee met, then one fact changed.
CASES = {
    "food": ({"food": False}, names.FOOD, "两不愁"),
    "child_out_of_school": ({"members": [adult(), child(school=SchoolStatus.NONE)]}, names.SCHOOL, "义务教育"),
    "no_medical": ({"members": [adult(), adult(Relation.SPOUSE, "2", medical_insurance=False)]}, names.MEDICAL, "基本医疗"),
    "no_serious": ({"members": [adult(), adult(Relation.SPOUSE, "2", serious_illness_insurance=False)]}, names.SERIOUS, "基本医疗"),
    "grade_c": ({"danger_grade": "C"}, names.DANGER, "住房安全"),
    "grade_d": ({"danger_grade": "D"}, names.DANGER, "住房安全"),
    "no_house": ({"house_area": Decimal("0")}, names.HOUSE, "住房安全"),
    "unsafe_water": ({"water_safe": False}, names.WATER_SAFE, "饮水安全"),
    "water_difficulty": ({"water_difficulty": True}, names.WATER_EASY, "饮水安全"),
}


def _household(tree, **changes):
    changes.setdefault("members", [adult(), adult(Relation.SPOUSE, "2")])
    return household(tree["village_a1"], income="20000", people=len(changes["members"]), **changes)


def test_the_baseline_household_exits(tree):
    national_line()
    h = _household(tree)
    check = exit_check(h, YEAR)
    assert check.exitable is True and check.failed == []
    assert [g.label for g in check.groups] == ["一超", "两不愁", "义务教育", "基本医疗", "住房安全", "饮水安全"]
    assert bulk_row(h, YEAR).exitable is True


@pytest.mark.parametrize("case", list(CASES))
def test_one_criterion_failing_alone_is_named(tree, case):
    national_line()
    changes, name, group = CASES[case]
    h = _household(tree, **changes)
    check = exit_check(h, YEAR)
    assert check.exitable is False and check.conclusion == "不可退出"
    assert check.failed == [name]
    failing = [g for g in check.groups if not g.holds]
    assert [g.label for g in failing] == [group]
    assert [c.label for c in failing[0].criteria if not c.holds] == [name]
    row = bulk_row(h, YEAR)
    assert row.exitable is False and row.failed == (name,)


def test_a_child_just_past_school_age_does_not_count(tree):
    """16 on 31 August of the year: past compulsory-school age, so out of school fails nothing."""
    national_line()
    born = datetime.date(YEAR - 16, 8, 31)
    h = _household(tree, members=[adult(), child(school=SchoolStatus.NONE, born=born)])
    assert exit_check(h, YEAR).exitable is True
    assert bulk_row(h, YEAR).exitable is True
