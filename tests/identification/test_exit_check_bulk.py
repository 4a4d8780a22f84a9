"""In bulk: the rows of exit_check_rows are the single-household answers, for a mixed set, in a fixed
number of queries however many households; the counts are the rows added up; only households not yet
exited are checked unless the whole register is asked for; a year without criteria or line is 不可判定."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.identification import exitcheck
from fupin.registry.choices import Relation, SchoolStatus, Status
from fupin.registry.models import Household, PovertyLine
from fupin.standards.services import ruleset_create
from tests.standards.helpers import YEAR, adult, child, household, national_line

pytestmark = pytest.mark.django_db


def _mixed(tree) -> list[Household]:
    """Households of every kind: exiting, failing one or several criteria, no record, other statuses."""
    national_line()
    v = tree["village_a1"]
    return [
        household(v, income="9000", people=2),
        household(v, income="5904", people=2),  # on the line
        household(v, income="9000", people=2, water_safe=False, danger_grade="D"),
        household(v, members=[adult(), child(school=SchoolStatus.NONE)], income="3000", people=2),
        household(tree["village_a2"], income=None),
        household(tree["village_b1"], income="12000", people=2, food=False,
                  members=[adult(), adult(Relation.SPOUSE, "2", medical_insurance=False,
                                          serious_illness_insurance=False)]),
        household(tree["village_b1"], income="8000", people=2, status=Status.RETURNED),
        household(v, income="9000", people=2, status=Status.EXITED),
        household(v, income="100", people=2, status=Status.EXITED_STABLE),
    ]


def test_rows_equal_the_single_household_answers(tree):
    households = _mixed(tree)
    rows = list(exitcheck.exit_check_rows(Household.objects.all(), YEAR, scope=exitcheck.REGISTER))
    assert len(rows) == len(households)
    by_id = {r.household_id: r for r in rows}
    for h in households:
        check, row = exitcheck.exit_check(h, YEAR), by_id[h.pk]
        assert (row.exitable, row.conclusion, list(row.failed)) == (check.exitable, check.conclusion, check.failed)
        assert (row.income, row.line, row.ruleset_id) == (check.income, check.line, check.ruleset.pk)
        assert (row.number, row.head_name, row.member_count) == (h.number, h.head_name, h.member_count)
        assert row.village == h.area.name and row.township in ("甲乡", "乙乡")
    assert Counter(r.exitable for r in rows) == {True: 3, False: 6}
    assert [r.number for r in rows] == sorted(r.number for r in rows)


def test_only_households_not_yet_exited_by_default(tree):
    households = _mixed(tree)
    numbers = {r.number for r in exitcheck.exit_check_rows(Household.objects.all(), YEAR)}
    assert numbers == {h.number for h in households if h.status in (Status.POOR, Status.RETURNED)}
    assert len(numbers) == 7
    inside = {r.number for r in exitcheck.exit_check_rows(Household.objects.all(), YEAR, area=tree["township_b"])}
    assert inside == {h.number for h in households[5:7]}


def test_counts_add_up_the_rows_and_filter_them(tree):
    _mixed(tree)
    everything = Household.objects.all()
    rows = list(exitcheck.exit_check_rows(everything, YEAR, scope=exitcheck.REGISTER))
    judged = exitcheck.judge(everything, YEAR, scope=exitcheck.REGISTER)
    counts = exitcheck.exit_check_counts(judged)
    assert (counts.total, counts.exitable, counts.not_exitable, counts.undecided) == (9, 3, 6, {})
    tally = Counter(f for r in rows for f in r.failed)
    assert dict(counts.failed) == {label: tally[label] for label, _n in counts.failed}
    assert [label for label, _n in counts.failed][0] == "一超：人均纯收入超过当年扶贫标准"
    for label, n in counts.failed:
        assert judged.queryset.filter(exitcheck.failed_q(judged, label)).count() == n
    assert judged.queryset.filter(exitcheck.conclusion_q(judged, "yes")).count() == 3
    assert judged.queryset.filter(exitcheck.conclusion_q(judged, "no")).count() == 6
    assert judged.queryset.filter(exitcheck.conclusion_q(judged, "undecided")).count() == 0


def _queries(fn) -> tuple[list[str], object]:
    """The statements ``fn`` runs, savepoints (the test's transaction turns a transaction into one) and
    PostgreSQL's SET LOCAL jit left out."""
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return [q["sql"] for q in captured.captured_queries
            if "SAVEPOINT" not in q["sql"] and not q["sql"].startswith("SET ")], result


def test_a_fixed_number_of_queries(tree):
    _mixed(tree)

    def rows():
        return list(exitcheck.exit_check_rows(Household.objects.all(), YEAR, scope=exitcheck.REGISTER))

    def counts():
        return exitcheck.exit_check_counts(exitcheck.judge(Household.objects.all(), YEAR))

    few_sql, few = _queries(rows)
    few_counts_sql, _c = _queries(counts)
    for _i in range(6):
        household(tree["village_a2"], income="9000", people=2, water_difficulty=True)
    more_sql, more = _queries(rows)
    more_counts_sql, _c = _queries(counts)
    assert len(more) == len(few) + 6
    # rule sets ×2, lines, area names, the households — however many households
    assert len(few_sql) == len(more_sql) <= 5
    assert len(few_counts_sql) == len(more_counts_sql) <= 4


def test_a_year_without_criteria_or_line_is_undecided(tree):
    h = household(tree["village_a1"], income="9000", people=2, year=2013, identified_year=2010)
    # 2013: a national line, no exit criteria
    assert exitcheck.exit_check(h, 2013).conclusion == "不可判定：当年无退出标准"
    row = next(exitcheck.exit_check_rows(Household.objects.all(), 2013))
    assert (row.conclusion, row.failed, row.ruleset_name) == ("不可判定：当年无退出标准", (), "")
    # 2010: criteria made for the year, no line
    PovertyLine.objects.filter(year=2010).delete()
    ruleset_create(actor=None, kind="exit_criteria", year=2010, area=None, name="试行标准",
                   conditions=[{"field": "per_capita_income", "op": "gt", "value": "@poverty_line"}])
    check = exitcheck.exit_check(h, 2010)
    assert check.conclusion == "不可判定：当年无扶贫标准" and check.line is None
    assert check.criteria[0].reason.endswith("当年无扶贫标准）：不符合")
    row = next(exitcheck.exit_check_rows(Household.objects.all(), 2010))
    assert row.conclusion == "不可判定：当年无扶贫标准" and row.exitable is None
    counts = exitcheck.exit_check_counts(exitcheck.judge(Household.objects.all(), 2010))
    assert (counts.total, counts.exitable, counts.not_exitable, counts.undecided) == (1, 0, 0, {"当年无扶贫标准": 1})
    counts = exitcheck.exit_check_counts(exitcheck.judge(Household.objects.all(), 2013))
    assert counts.undecided == {"当年无退出标准": 1} and counts.failed == []


def test_a_line_for_some_areas_only(tree):
    """A year with no national line but a township's own: households elsewhere are 不可判定."""
    ruleset_create(actor=None, kind="exit_criteria", year=2010, area=None, name="试行标准",
                   conditions=[{"field": "per_capita_income", "op": "gt", "value": "@poverty_line"}])
    PovertyLine.objects.filter(year=2010).delete()
    PovertyLine.objects.create(year=2010, area=tree["township_a"], kind="provincial", amount=Decimal("2000"))
    a = household(tree["village_a1"], income="9000", people=2, year=2010, identified_year=2010)
    b = household(tree["village_b1"], income="9000", people=2, year=2010, identified_year=2010)
    rows = {r.number: r for r in exitcheck.exit_check_rows(Household.objects.all(), 2010)}
    assert rows[a.number].exitable is True and rows[b.number].conclusion == "不可判定：当年无扶贫标准"
    counts = exitcheck.exit_check_counts(exitcheck.judge(Household.objects.all(), 2010))
    assert (counts.exitable, counts.undecided) == (1, {"当年无扶贫标准": 1})
