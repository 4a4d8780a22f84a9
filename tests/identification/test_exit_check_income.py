"""一超: the per-capita net income must exceed the year's line — one yuan above exits, equal or one yuan
below does not, and the failed criterion is named (REFERENCE §4)."""

from __future__ import annotations

import pytest

from fupin.identification.exitcheck import exit_check
from tests.standards.helpers import YEAR, household, national_line

from .exit_helpers import FOOD, INCOME, bulk_row

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("income", "exitable"), [("5906", True), ("5904", False), ("5902", False)])
def test_one_yuan_above_equal_and_below_the_line(tree, income, exitable):
    national_line(amount="2952")
    h = household(tree["village_a1"], income=income, people=2)  # 2953, 2952, 2951 per head
    check = exit_check(h, YEAR)
    assert check.exitable is exitable
    assert check.conclusion == ("可退出" if exitable else "不可退出")
    assert check.failed == ([] if exitable else [INCOME])
    assert check.line == 2952 and check.line_area == "全国" and check.line_kind == "国家扶贫标准"
    assert check.income == int(income) // 2
    first = check.groups[0]
    assert first.label == "一超" and first.holds is exitable
    assert first.criteria[0].reason.startswith(f"人均纯收入 {int(income) // 2:,} 元（应 > 当年标准 2,952 元）")
    row = bulk_row(h, YEAR)
    assert (row.exitable, row.failed, row.line, row.income) == (exitable, tuple(check.failed), 2952, check.income)


def test_no_record_for_the_year_does_not_exit(tree):
    """Without the year's record neither the income nor 不愁吃穿 is known: both fail, saying so."""
    national_line()
    h = household(tree["village_a1"], income=None)
    check = exit_check(h, YEAR)
    assert check.exitable is False and check.failed == [INCOME, FOOD] and check.income is None
    assert all("未填报" in c.reason for c in check.criteria if not c.holds)
    assert bulk_row(h, YEAR).failed == (INCOME, FOOD)
