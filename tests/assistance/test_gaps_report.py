"""帮扶缺口 (plan15): each gap on hand-built cases, thresholds as data by area, the counts per child area,
scope, and every count equal to the household list it links to (?gap=KEY)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.assistance import gaps
from fupin.assistance import services_plans as plans
from fupin.assistance.models import (
    AssistanceRule,
    MeasureStatus,
    PresenceMonth,
    RuleKey,
    TeamPosting,
    WorkTeam,
)
from fupin.registry.choices import Cause, Status
from fupin.registry.models import Household
from tests import factories

from .plan_world import cadre, catalogue, household, pair, today, visit

pytestmark = pytest.mark.django_db


def ids(key: str) -> set[int]:
    return set(Household.objects.filter(gaps.household_q(key)).values_list("pk", flat=True))


@pytest.fixture
def world(tree):
    """Households of 甲一村 (township A) and 乙一村 (township B), each with one kind of gap."""
    a1, a2, b1 = tree["village_a1"], tree["village_a2"], tree["village_b1"]
    w = {"tree": tree, "cadre": cadre(tree["county"], "赵干部")}
    w["lonely"] = household(a1)  # no cadre
    w["stable"] = household(a1, status=Status.EXITED_STABLE)  # out and stable: no gap
    w["never"] = household(a1)  # paired, never visited
    w["recent"] = household(a1, main_cause=Cause.SCHOOLING, other_causes=[Cause.ILLNESS])
    w["b"] = household(b1)  # township B, no cadre
    w["a2"] = household(a2)
    for key in ("never", "recent", "a2"):
        pair(w["cadre"], w[key])
    visit(w["recent"], w["cadre"], today() - datetime.timedelta(days=10))
    visit(w["never"], w["cadre"], today() - datetime.timedelta(days=200))  # too long ago: still a gap
    visit(w["a2"], w["cadre"], today() - datetime.timedelta(days=30))
    return w


def test_no_cadre_leaves_out_households_that_need_none(world):
    assert ids("no_cadre") == {world["lonely"].pk, world["b"].pk}


def test_not_visited_within_the_interval_and_a_township_may_set_its_own(world):
    assert ids("not_visited") == {world["lonely"].pk, world["never"].pk, world["b"].pk}
    AssistanceRule.objects.create(key=RuleKey.VISIT_INTERVAL_DAYS, area=world["tree"]["township_a"], value=365)
    assert ids("not_visited") == {world["lonely"].pk, world["b"].pk}
    AssistanceRule.objects.create(key=RuleKey.VISIT_INTERVAL_DAYS, area=world["tree"]["village_a2"], value=20)
    assert world["a2"].pk in ids("not_visited")  # the most specific area wins


def test_a_cadre_over_the_limit_flags_their_households(world):
    assert ids("overload") == set()
    AssistanceRule.objects.create(key=RuleKey.CADRE_MAX_HOUSEHOLDS, value=2)
    assert ids("overload") == {world["never"].pk, world["recent"].pk, world["a2"].pk}
    assert [c.load for c in gaps.overloaded_cadres()] == [3]


def test_causes_without_a_measure_and_measures_without_a_cause(world, county_user):
    h = world["recent"]  # 因学 (main) and 因病
    plan = plans.plan_create(actor=county_user, household=h, year=today().year)
    plans.measure_add(actor=county_user, plan=plan, version=1, catalogue=catalogue("雨露计划"), cause=Cause.SCHOOLING)
    assert h.pk in ids("cause_unanswered")  # 因病 has none
    m = plans.measure_add(actor=county_user, plan=plan, version=2, catalogue=catalogue("大病救治"), cause=Cause.ILLNESS)
    assert h.pk not in ids("cause_unanswered")
    assert h.pk not in ids("measure_no_cause")
    plans.measure_add(actor=county_user, plan=plan, version=3, catalogue=catalogue("扶贫小额信贷"), cause=Cause.FUNDS)
    assert h.pk in ids("measure_no_cause")  # 缺资金 is not one of its causes
    plans.measure_set_status(actor=county_user, measure=m, version=4, status=MeasureStatus.CANCELLED)
    assert h.pk in ids("cause_unanswered")  # a cancelled measure answers nothing
    # No plan at all: every cause unanswered.
    assert world["never"].pk in ids("cause_unanswered")


def test_overdue_measures(world, county_user):
    h = world["never"]
    plan = plans.plan_create(actor=county_user, household=h, year=today().year)
    m = plans.measure_add(actor=county_user, plan=plan, version=1, catalogue=catalogue("大病救治"), cause=Cause.ILLNESS,
                          planned_on=today() - datetime.timedelta(days=1), funds=Decimal("0"))
    assert ids("overdue") == {h.pk}
    plans.measure_set_status(actor=county_user, measure=m, version=2, status=MeasureStatus.DONE, done_on=today())
    assert ids("overdue") == set()


def test_teams_below_the_presence_rule_last_month(world):
    first, _last = gaps.last_month()
    tree = world["tree"]
    low = WorkTeam.objects.create(village=tree["village_a2"], start=datetime.date(2020, 1, 1))
    ok = WorkTeam.objects.create(village=tree["village_b1"], start=datetime.date(2020, 1, 1))
    for team, days in ((low, 15), (ok, 25)):
        posting = TeamPosting.objects.create(team=team, cadre=cadre(tree["county"], f"队员{days}"),
                                             start=datetime.date(2020, 1, 1))
        PresenceMonth.objects.create(posting=posting, month=first, days=days)
    part_time = TeamPosting.objects.create(team=ok, cadre=cadre(tree["county"], "兼职"), full_time=False,
                                           start=datetime.date(2020, 1, 1))
    assert part_time.pk  # a part-time member's days are not checked
    assert list(gaps.teams_below()) == [low]
    assert ids("team_presence") == {world["a2"].pk}
    missing = TeamPosting.objects.create(team=ok, cadre=cadre(tree["county"], "未报天数"), start=datetime.date(2020, 1, 1))
    assert missing.pk and set(gaps.teams_below()) == {low, ok}  # no days recorded counts as 0


def test_counts_per_child_area_equal_the_lists_and_respect_the_scope(world, county_user, township_a_user):
    AssistanceRule.objects.create(key=RuleKey.CADRE_MAX_HOUSEHOLDS, value=2)
    tree = world["tree"]
    client = Client()
    for user, area, children in ((county_user, tree["county"], [tree["township_a"], tree["township_b"]]),
                                 (township_a_user, tree["township_a"], [tree["village_a1"], tree["village_a2"]])):
        client.force_login(user)
        report = {r.gap.key: r for r in gaps.report(user=user, area=area)}
        for key, row in report.items():
            for child in children:
                response = client.get(reverse("household_list"), {"gap": key, "area": child.code, "status": "all"})
                assert response.status_code == 200
                assert response.context["page"].paginator.count == row.by_child.get(child.path, 0), (key, child.name)
            listed = client.get(reverse("household_list"), {"gap": key, "area": area.code, "status": "all"})
            assert listed.context["page"].paginator.count == row.total, key
    township = {r.gap.key: r for r in gaps.report(user=township_a_user, area=tree["township_a"])}
    assert township["no_cadre"].total == 1  # 乙乡's household is not the township's
    county = {r.gap.key: r for r in gaps.report(user=county_user, area=tree["county"])}
    assert county["no_cadre"].by_child == {tree["township_a"].path: 1, tree["township_b"].path: 1}
    assert county["overload"].units == 1


def test_the_page_and_the_export(world, county_user, tree):
    client = Client()
    client.force_login(county_user)
    page = client.get(reverse("gaps_page"), {"area": tree["township_a"].code})
    assert page.status_code == 200
    text = page.content.decode()
    assert "无帮扶责任人" in text and "甲一村" in text
    assert "gap=no_cadre" in text
    xlsx = client.get(reverse("gaps_download"), {"area": tree["county"].code})
    assert xlsx.status_code == 200
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.sheetnames == ["缺口汇总", "户清单", "干部超限", "驻村天数不足"]
    numbers = [row[0].value for row in book["户清单"].iter_rows(min_row=5)]
    assert world["lonely"].number in numbers and world["stable"].number not in numbers
    from fupin.audit.models import AuditEvent, AuditKind

    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, actor=county_user).exists()
    outsider = factories.user("far", Role.TOWNSHIP, tree["township_b"])
    client.force_login(outsider)
    assert client.get(reverse("gaps_page"), {"area": tree["township_a"].code}).status_code == 404
    assert client.get(reverse("gaps_download"), {"area": tree["township_a"].code}).status_code == 404
