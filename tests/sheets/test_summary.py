"""Summary tables by area: one row per child area, totals that are the sum of the rows and agree with
the overview's selectors, scoped like every read, a fixed number of queries."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin.accounts.models import Role
from fupin.assistance import services as assistance
from fupin.audit.models import AuditEvent, AuditKind
from fupin.monitoring.selectors import area_summary, county_overview
from fupin.registry import services
from fupin.registry.choices import Attribute, Cause, Relation, Status
from fupin.registry.models import YearlyRecord
from fupin.sheets.export import choice_labels
from fupin.sheets.summary import export_summary, summary_tables
from tests import factories

STATUS = choice_labels(Status)
CAUSE = choice_labels(Cause)
ATTRIBUTE = choice_labels(Attribute)


def three():
    return [factories.member_data(Relation.HEAD, "1"), factories.member_data(Relation.SPOUSE, "2"),
            factories.member_data(Relation.SON, "1", birth=datetime.date(2005, 6, 1))]


@pytest.fixture
def registry(tree, county_user):
    make = factories.household
    group = factories.area("530324100201001", "第一组")
    made = {
        "a1_poor": make(tree["village_a1"], actor=county_user, members=three(), main_cause=Cause.ILLNESS),
        "a1_group": make(group, actor=county_user, status=Status.EXITED, exit_year=2018,
                         main_cause=Cause.SKILLS, attribute=Attribute.DIBAO),
        "a2_exited": make(tree["village_a2"], actor=county_user, status=Status.EXITED, exit_year=2017,
                          main_cause=Cause.ILLNESS, attribute=Attribute.TEKUN),
        "a2_returned": make(tree["village_a2"], actor=county_user, status=Status.RETURNED, members=three(),
                            main_cause=Cause.DISASTER),
        "b1_poor": make(tree["village_b1"], actor=county_user, main_cause=Cause.LAND),
        "b1_cancelled": make(tree["village_b1"], actor=county_user, main_cause=Cause.LAND),
    }
    services.household_change_status(actor=county_user, household=made["b1_cancelled"],
                                      to_status=Status.CANCELLED, reason="错评", cancel_reason="wrongly_registered")
    for key, wage in (("a1_poor", "3000"), ("a1_group", "9000.50"), ("b1_poor", "2000")):
        services.yearly_record_save(actor=county_user, household=made[key], year=2019,
                                    data={"wage_income": Decimal(wage)})
    services.yearly_record_save(actor=county_user, household=made["a2_exited"], year=2018,
                                data={"wage_income": Decimal("5000")})
    return made


def by_key(tables):
    return {t.key: t for t in tables}


def test_one_row_per_child_area_and_totals_are_the_sums(registry, county_user, tree):
    tables = summary_tables(county_user, tree["county"], 2019)
    assert [t.key for t in tables] == ["households", "status", "cause", "attribute", "income"]
    for t in tables:
        assert [r.name for r in t.rows] == ["甲乡", "乙乡"]
        for i, _header in enumerate(t.headers):
            if i in t.derived:
                continue
            assert t.total[i] == sum(r.values[i] for r in t.rows), (t.key, t.headers[i])


def test_totals_match_the_overview_selectors(registry, county_user, tree):
    tables = by_key(summary_tables(county_user, tree["county"], None))
    overview = county_overview(user=county_user, root=tree["county"])
    basic = tables["households"]
    assert basic.total[0] == overview["totals"]["households"] == 5  # the cancelled one does not count
    assert basic.total[1] == overview["totals"]["people"] == 12
    assert basic.total[2] == overview["totals"]["poor_households"]
    assert basic.total[3] == overview["totals"]["poor_people"]
    status = tables["status"]
    for code, label in STATUS.items():
        want = overview["by_status"].get(code, {"households": 0, "people": 0})
        assert status.total[status.headers.index(f"{label}户数")] == want["households"], label
        assert status.total[status.headers.index(f"{label}人数")] == (want["people"] or 0), label
    cause = tables["cause"]
    for row in overview["by_cause"]:
        label = CAUSE[row["main_cause"]]
        assert cause.total[cause.headers.index(f"{label}户数")] == row["households"]
        assert cause.total[cause.headers.index(f"{label}人数")] == row["people"]
    attribute = tables["attribute"]
    assert sum(attribute.total[0::2]) == overview["totals"]["households"]
    assert attribute.total[attribute.headers.index(f"{ATTRIBUTE['tekun']}户数")] == 1


def test_rows_match_area_summary(registry, county_user, tree):
    basic = by_key(summary_tables(county_user, tree["county"], None))["households"]
    figures = area_summary(user=county_user, areas=[tree["township_a"], tree["township_b"]])
    for row, township in zip(basic.rows, (tree["township_a"], tree["township_b"]), strict=True):
        f = figures[township.pk]
        assert (row.values[0], row.values[1], row.values[3]) == (f["households"], f["people"], f["poor_people"])
        assert row.values[5] == f["exited_people"]


def test_households_registered_at_the_roots_level_get_their_own_row(registry, county_user, tree):
    basic = by_key(summary_tables(county_user, tree["village_a1"], None))["households"]
    assert [r.name for r in basic.rows] == ["第一组", "直接登记在甲一村的户"]
    assert [r.values[0] for r in basic.rows] == [1, 1]
    assert basic.total[0] == 2


def test_an_area_without_children_is_one_row(registry, county_user, tree):
    basic = by_key(summary_tables(county_user, tree["village_a2"], None))["households"]
    assert [r.values[0] for r in basic.rows] == [2]
    assert basic.total[:2] == [2, 5]


def test_a_township_user_sees_only_their_subtree(registry, township_a_user, tree):
    with pytest.raises(Http404):
        summary_tables(township_a_user, tree["county"], None)
    with pytest.raises(Http404):
        summary_tables(township_a_user, tree["township_b"], None)
    basic = by_key(summary_tables(township_a_user, tree["township_a"], None))["households"]
    assert [r.name for r in basic.rows] == ["甲一村", "甲二村"]
    assert basic.total[0] == 4


def test_a_cadre_counts_only_the_paired_households(registry, county_user, tree):
    cadre = factories.user("cadre_li", Role.CADRE, tree["village_a1"], display_name="李文军")
    assistance.pairing_create(actor=county_user, cadre=cadre, household=registry["a1_poor"],
                              start=datetime.date(2016, 3, 1))
    basic = by_key(summary_tables(cadre, tree["village_a1"], None))["households"]
    assert basic.total[:2] == [1, 3]


def test_the_income_table_of_a_year(registry, county_user, tree):
    income = by_key(summary_tables(county_user, tree["county"], 2019))["income"]
    assert income.title == "2019年度收入"
    a, b = income.rows
    assert (a.values[0], a.values[1], a.values[2]) == (2, 5, Decimal("12000.50"))  # 3 + 2 people
    assert a.values[3] == Decimal("2400.10")
    assert (b.values[0], b.values[1], b.values[2]) == (1, 2, Decimal("2000"))
    assert income.total[3] == (Decimal("14000.50") / 7).quantize(Decimal("0.01"))  # computed, not summed


def travel(year: int, month: int = 3):
    return time_machine.travel(datetime.datetime(year, month, 1, 4, 0, tzinfo=datetime.UTC), tick=False)


def test_the_default_year_is_the_last_complete_year(registry, county_user, tree):
    with travel(2020):
        income = by_key(summary_tables(county_user, tree["county"], None))["income"]
    assert income.title == "2019年度收入" and income.total[0] == 3
    income_2018 = by_key(summary_tables(county_user, tree["township_a"], 2018))["income"]
    assert income_2018.total[0] == 1


def test_the_income_table_is_there_for_a_year_without_records(tree, county_user):
    """The five tables whatever the records hold: a year without records shows zeros, not no table."""
    factories.household(tree["village_a1"], actor=county_user)
    with travel(2027):
        income = by_key(summary_tables(county_user, tree["county"], None))["income"]
    assert income.title == "2026年度收入" and income.total[:5] == [0, 0, 0, 0, 0]


def test_one_stray_later_year_neither_empties_the_figures_nor_adds_a_sheet(registry, county_user, tree):
    """Issue 12.2: one household's record of 2031 (written before the rules refused it) changes nothing."""
    with travel(2020):
        before = summary_tables(county_user, tree["county"], None)
    YearlyRecord.objects.create(household=registry["b1_poor"], year=2031, member_count=1, wage_income=Decimal("1"))
    with travel(2020):
        after = summary_tables(county_user, tree["county"], None)
    assert [t.title for t in after] == [t.title for t in before] == [
        "户数与人口", "按户状态", "按主要致贫原因", "按贫困户属性", "2019年度收入"]
    assert by_key(after)["income"].total == by_key(before)["income"].total
    assert by_key(after)["income"].total[0] == 3
    buffer = io.BytesIO()
    export_summary(after, buffer)
    assert CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).sheet_names == [
        "户数与人口", "按户状态", "按主要致贫原因", "按贫困户属性", "2019年度收入"]


def test_the_summary_download_takes_the_chosen_year(registry, county_user, tree):
    client = Client()
    client.force_login(county_user)
    with travel(2020):
        r = client.get(reverse("sheets:summary"), {"area": tree["county"].code})
        assert r.status_code == 200 and "2019" in r["Content-Disposition"]
        r = client.get(reverse("sheets:summary"), {"area": tree["township_a"].code, "year": "2018"})
        assert r.status_code == 200
        sheets = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content))).sheet_names
        assert sheets[-1] == "2018年度收入"
        event = AuditEvent.objects.filter(kind=AuditKind.EXPORT).latest("id")
        assert event.data["year"] == 2018
        r = client.get(reverse("sheets:summary"), {"year": "2031"}, follow=True)
        assert "年度应在 2013 到 2020 之间，收到的是“2031”" in r.content.decode()
        page = client.get(reverse("sheets:index")).content.decode()
    assert 'name="year"' in page and '<option value="2019" selected>2019 年（3 户有记录）</option>' in page
    assert '<option value="2020">2020 年（无记录）</option>' in page


def test_a_fixed_number_of_queries_whatever_the_areas(registry, county_user, tree):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            summary_tables(county_user, tree["county"], 2019)
        return len(ctx.captured_queries)

    before = count()
    for n in range(3):
        township = factories.area(f"5303241{n + 2:02d}000", f"新乡{n}")
        village = factories.area(f"5303241{n + 2:02d}201", f"新村{n}")
        assert township.level == "township"
        factories.household(village, actor=county_user)
    assert count() == before <= 8


def test_export_summary_writes_one_sheet_per_table_with_a_total_row(registry, county_user, tree):
    tables = summary_tables(county_user, tree["county"], 2019)
    buffer = io.BytesIO()
    export_summary(tables, buffer)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue()))
    assert wb.sheet_names == [t.title for t in tables]
    for t in tables:
        rows = wb.get_sheet_by_name(t.title).to_python()
        assert rows[0] == ["区划代码", "区划名称", *t.headers]
        assert rows[1][:2] == [factories.TOWNSHIP_A, "甲乡"] and isinstance(rows[1][0], str)
        total = rows[len(t.rows) + 1]
        assert total[1] == "合计"
        assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in total[2:]] == [
            Decimal(v).quantize(Decimal("0.01")) for v in t.total]
