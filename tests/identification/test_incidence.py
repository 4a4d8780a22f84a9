"""贫困发生率 per village, township and county (REFERENCE §4): not-exited people over the rural population,
the thresholds as data (western provinces 3%), and what blocks each village, naming the figure."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.areas.models import Area
from fupin.identification import villages
from fupin.identification.models_villages import ExitLevel, ExitThreshold, Region, WesternProvince
from fupin.registry.choices import Procedure, Status
from fupin.registry.services import household_status_transition
from tests import factories

from .villages_helpers import indicators, populate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, tzinfo=datetime.UTC), tick=False):
        yield


def rows_by_name(root, year=2026, user=None):
    townships = villages.figures(root=root, year=year, user=user, live=True if user is None else None)
    return {t.area.name: t for t in townships}, {v.area.name: v for t in townships for v in t.villages}


def test_the_rate_counts_poor_and_returned_people_not_exited_or_cancelled(tree):
    populate(tree["village_a1"], 200, poor=2, exited=3, returned=1)   # 3 households × 2 people not exited
    populate(tree["village_a2"], 400, poor=1)
    populate(tree["village_b1"], 100)
    townships, rows = rows_by_name(tree["county"])
    assert (rows["甲一村"].households, rows["甲一村"].people, rows["甲一村"].rate) == (3, 6, Decimal("3.00"))
    assert rows["甲二村"].rate == Decimal("0.50")
    assert rows["乙一村"].rate == Decimal("0.00")
    # A township adds its villages up over its own rural population (here: the sum of its villages').
    assert (townships["甲乡"].people, townships["甲乡"].rural, townships["甲乡"].rate) == (8, 600, Decimal("1.33"))
    county = villages.county_figures(county=tree["county"], townships=list(townships.values()), year=2026)
    assert (county.people, county.rural, county.rate) == (8, 700, Decimal("1.14"))


def test_one_grouped_query_for_the_households_however_many_villages(tree):
    for key in ("village_a1", "village_a2", "village_b1"):
        populate(tree[key], 100, poor=1)
    with CaptureQueriesContext(connection) as three:
        villages.figures(root=tree["county"], year=2026, live=True)
    for n in range(3, 9):
        populate(factories.area(f"53032410020{n}", f"新村{n}"), 100, poor=1)
    with CaptureQueriesContext(connection) as nine:
        _townships, rows = rows_by_name(tree["county"])
    assert len(rows) == 9
    assert len(nine.captured_queries) == len(three.captured_queries)
    household_queries = [q for q in nine.captured_queries if "registry_household" in q["sql"]]
    assert len(household_queries) == 1 and "GROUP BY" in household_queries[0]["sql"]


def test_a_western_province_takes_three_percent_and_the_others_two(tree):
    assert villages.region_of(tree["village_a1"]) == Region.WESTERN  # 云南省 53
    assert villages.threshold_for(ExitLevel.VILLAGE, tree["village_a1"], 2026).incidence == Decimal("3")
    zhejiang = factories.area("330000000000", "浙江省")
    assert villages.region_of(zhejiang) == Region.GENERAL
    assert villages.threshold_for(ExitLevel.VILLAGE, zhejiang, 2026).incidence == Decimal("2")
    county = villages.threshold_for(ExitLevel.COUNTY, tree["county"], 2026)
    assert (county.incidence, county.wrong_exit, county.missed_poor, county.approval) == (
        Decimal("3"), Decimal("2"), Decimal("2"), Decimal("90"))
    # The region is data: take 云南 off the western list and its villages need 2%.
    WesternProvince.objects.filter(code="53").delete()
    assert villages.threshold_for(ExitLevel.VILLAGE, tree["village_a1"], 2026).incidence == Decimal("2")


def test_each_blocker_names_its_figure(tree):
    village = populate(tree["village_a1"], 100, poor=2)        # 4 people / 100 = 4%
    indicators(village, road=False, collective_income=Decimal("5000"))
    _t, rows = rows_by_name(tree["county"])
    assert rows["甲一村"].blockers == ["贫困发生率 4% ≥ 3%", "未通硬化路", "村集体经济收入 5,000 元 < 20,000 元"]
    assert rows["甲一村"].status == "blocked"
    populate(tree["village_a2"], None, poor=1)
    assert rows_by_name(tree["county"])[1]["甲二村"].blockers == [
        "未登记农村户籍人口，无法计算贫困发生率", "尚未填报 2026 年村级退出指标"]


def test_a_village_under_the_threshold_with_every_indicator_met_may_apply(tree):
    village = populate(tree["village_a1"], 700, poor=10)       # 20 / 700 = 2.86% < 3%
    indicators(village)
    _t, rows = rows_by_name(tree["county"])
    assert rows["甲一村"].rate == Decimal("2.86") and rows["甲一村"].blockers == []
    assert rows["甲一村"].status == "eligible"
    assert villages.village_exit_blockers(village, 2026) == []


def test_the_thresholds_are_data_the_latest_year_from_applies(tree):
    village = populate(tree["village_a1"], 100, poor=1)        # 2%
    indicators(village)
    assert villages.village_exit_blockers(village, 2026) == []
    ExitThreshold.objects.create(level=ExitLevel.VILLAGE, region=Region.WESTERN, year_from=2026,
                                 incidence=Decimal("1.5"), collective_income=Decimal("50000"))
    assert villages.village_exit_blockers(village, 2026) == ["贫困发生率 2% ≥ 1.5%",
                                                             "村集体经济收入 35,000 元 < 50,000 元"]
    indicators(village, year=2025)
    assert villages.village_exit_blockers(village, 2025) == []   # 2025 still under the 2014 rule


def test_an_earlier_year_uses_the_people_at_its_end(tree, county_user):
    village = populate(tree["village_a1"], 100, poor=1)
    household = village.households.get()
    household_status_transition(actor=None, household=household, to_status=Status.EXITED, reason="脱贫",
                                procedure=Procedure.EXIT, date=datetime.date(2026, 3, 1), exit_year=2026)
    Area.objects.filter(pk=tree["county"].pk).update(rural_population=100)
    _t, past = rows_by_name(tree["county"], year=2025, user=county_user)
    _t, now = rows_by_name(tree["county"], year=2026, user=county_user)
    assert (past["甲一村"].people, past["甲一村"].rate) == (2, Decimal("2.00"))
    assert (now["甲一村"].people, now["甲一村"].rate) == (0, Decimal("0.00"))
