"""The pure rules of 扶贫小额信贷: the scheme's checks and grades, the schedule to the fen, the subsidy and
what is overdue (fupin.credit.rules)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from fupin.credit import rules

D = Decimal
INDICATORS = [{"key": "integrity", "label": "诚信度", "max": 30}, {"key": "labour", "label": "劳动力与技能", "max": 25},
              {"key": "income", "label": "收入水平", "max": 25}, {"key": "assets", "label": "家庭资产", "max": 20}]
GRADES = [{"grade": "AAA", "min": 90, "line": "50000"}, {"grade": "AA", "min": 80, "line": "30000"},
          {"grade": "A", "min": 60, "line": "20000"}, {"grade": "B", "min": 0, "line": "0"}]


def scores(total_integrity: int) -> dict[str, int]:
    return {"integrity": total_integrity, "labour": 25, "income": 25, "assets": 20}


@pytest.mark.parametrize(("integrity", "total", "grade", "line"), [
    (30, 100, "AAA", D("50000.00")), (20, 90, "AAA", D("50000.00")), (19, 89, "AA", D("30000.00")),
    (10, 80, "AA", D("30000.00")), (0, 70, "A", D("20000.00"))])
def test_the_total_reaches_the_highest_grade_whose_threshold_it_meets(integrity, total, grade, line):
    got_total, got = rules.rate(INDICATORS, GRADES, scores(integrity))
    assert (got_total, got.grade, got.line) == (total, grade, line)


def test_a_low_total_gets_grade_b_and_no_credit():
    total, grade = rules.rate(INDICATORS, GRADES, {"integrity": 10, "labour": 10, "income": 10, "assets": 5})
    assert (total, grade.grade, grade.line) == (35, "B", D("0.00"))


def test_the_scheme_must_add_up_to_100_and_cover_every_total():
    assert rules.scheme_errors(INDICATORS, GRADES) == []
    errors = rules.scheme_errors(INDICATORS[:3], GRADES[:3])
    assert "各项指标分值合计应为 100 分，现为 80 分" in errors
    assert "最低一个等级的起点分应为 0，使每个总分都有等级" in errors
    too_much = [*GRADES[:3], {"grade": "B", "min": 0, "line": "60000"}]
    assert any("授信额度应在 0–50,000.00 元之间" in e for e in rules.scheme_errors(INDICATORS, too_much))


def test_a_score_above_its_points_is_refused_by_name():
    errors = rules.score_errors(INDICATORS, {"integrity": 31, "labour": "x", "income": 5})
    assert errors == {"integrity": "“诚信度”的得分须为 0–30 的整数", "labour": "“劳动力与技能”的得分须为 0–25 的整数",
                      "assets": "“家庭资产”的得分须为 0–20 的整数"}


def test_the_limits_are_refused_in_chinese():
    errors = rules.loan_limit_errors(principal=D("51000"), term_months=48, available=D("50000"))
    assert errors == {"principal": "贷款金额 51,000.00 元超过扶贫小额信贷上限 50,000.00 元",
                      "term_months": "贷款期限 48 个月超过扶贫小额信贷上限 36 个月（3 年）"}
    assert rules.loan_limit_errors(principal=D("50000"), term_months=36, available=D("50000")) == {}
    assert rules.loan_limit_errors(principal=D("30000.01"), term_months=12, available=D("30000")) == {
        "principal": "贷款金额 30,000.01 元超过该户可用授信额度 30,000.00 元"}


def test_a_bullet_schedule_pays_interest_each_quarter_by_the_day_and_principal_at_maturity():
    periods = rules.schedule(principal=D("10000"), annual_rate=D("3.10"), start=datetime.date(2024, 3, 1), term_months=12)
    assert [(p.due, p.days, p.principal, p.interest) for p in periods] == [
        (datetime.date(2024, 6, 1), 92, D("0.00"), D("79.22")),   # 10000 × 3.10% × 92 / 360 = 79.222…
        (datetime.date(2024, 9, 1), 92, D("0.00"), D("79.22")),
        (datetime.date(2024, 12, 1), 91, D("0.00"), D("78.36")),  # 78.361…
        (datetime.date(2025, 3, 1), 90, D("10000.00"), D("77.50")),
    ]


def test_equal_principal_parts_add_up_to_the_loan_exactly():
    periods = rules.schedule(principal=D("20000"), annual_rate=D("3.45"), start=datetime.date(2023, 1, 31),
                             term_months=36, method=rules.Method.EQUAL_PRINCIPAL)
    assert len(periods) == 12
    assert sum(p.principal for p in periods) == D("20000.00")
    assert periods[0].principal == D("1666.67") and periods[-1].principal == D("1666.63")
    assert periods[0].due == datetime.date(2023, 4, 30)  # the month's last day when shorter
    assert periods[-1].due == datetime.date(2026, 1, 31)
    # interest on what is still owed: the second period's on 20000 − 1666.67
    assert periods[1].interest == rules.interest(D("18333.33"), D("3.45"), periods[1].days)


def test_a_term_not_in_whole_quarters_ends_with_a_short_period():
    periods = rules.schedule(principal=D("5000"), annual_rate=D("3"), start=datetime.date(2025, 1, 10), term_months=7)
    assert [p.due for p in periods] == [datetime.date(2025, 4, 10), datetime.date(2025, 7, 10), datetime.date(2025, 8, 10)]


def test_the_subsidy_is_the_share_of_the_interest_to_the_fen():
    assert rules.subsidy(D("79.22"), D("1")) == D("79.22")
    assert rules.subsidy(D("79.22"), D("0.7")) == D("55.45")  # 55.454
    assert rules.subsidy(D("78.36"), D("0.7")) == D("54.85")  # 54.852


def test_overdue_counts_from_the_oldest_unpaid_period_and_sums_what_was_due():
    dues = [rules.Due(1, datetime.date(2024, 6, 1), D("0"), D("79.22")),
            rules.Due(2, datetime.date(2024, 9, 1), D("0"), D("79.22")),
            rules.Due(3, datetime.date(2024, 12, 1), D("10000"), D("78.36"))]
    on_time = rules.standing(dues, D("0"), D("79.22"), datetime.date(2024, 9, 1))
    assert not on_time.overdue and on_time.periods[0].settled  # due today is not yet overdue
    late = rules.standing(dues, D("0"), D("79.22"), datetime.date(2024, 12, 15))
    assert (late.overdue_days, late.overdue_since) == (105, datetime.date(2024, 9, 1))
    assert (late.overdue_principal, late.overdue_interest) == (D("10000.00"), D("157.58"))
    assert [p.overdue_days for p in late.periods] == [0, 105, 14]
    partial = rules.standing(dues, D("0"), D("100.00"), datetime.date(2024, 10, 1))
    assert partial.periods[1].interest_paid == D("20.78") and not partial.periods[1].settled
