"""The pairing rules of seed 000 (fupin.assistance.checks) on hand-built cases: each check returns exactly
the offending rows of the area's subtree, with the thresholds read as data."""

from __future__ import annotations

import datetime

import pytest

from fupin.assistance import checks
from fupin.assistance import services as pairing
from fupin.assistance import services_people as svc
from fupin.assistance.models import AssistanceRule, CadreRank, PostRole, RuleKey
from fupin.monitoring.models import MonitoringObject

from .who_world import START, cadre, homes_fixture, poor_village, unit  # noqa: F401 (the homes fixture)

pytestmark = pytest.mark.django_db
ON = datetime.date(2024, 6, 1)


def numbers(qs) -> set[str]:
    return {h.number for h in qs}


def test_households_without_cadre_are_the_registered_and_at_risk_ones_with_no_cadre_in_post(tree, homes):
    county = tree["county"]
    helper = cadre(county, "王帮扶")
    pairing.pairing_create(actor=None, cadre=helper, household=homes["poor"], start=START)
    # 脱贫不再享受政策 needs no cadre … unless it is a monitoring object whose risk is not eliminated.
    assert numbers(checks.households_without_cadre(county, ON)) == {"5303241002010202", "5303241002010203",
                                                                    "5303241012010201"}
    MonitoringObject.objects.create(household=homes["stable"], area_path=homes["stable"].area_path, kind="unstable",
                                    risk_types=["illness"], channel="visit", found_on=START, state="at_risk")
    assert "5303241002010204" in numbers(checks.households_without_cadre(county, ON))
    # Scoped by area: 乙乡's subtree holds only its own household.
    assert numbers(checks.households_without_cadre(tree["township_b"], ON)) == {"5303241012010201"}


def test_a_departed_cadres_households_have_no_cadre_until_reassigned(tree, homes):
    county = tree["county"]
    helper = cadre(county, "王帮扶")
    p = pairing.pairing_create(actor=None, cadre=helper, household=homes["poor"], start=START)
    svc.cadre_leave(actor=None, cadre=helper, left_on=datetime.date(2024, 5, 1))
    assert "5303241002010201" in numbers(checks.households_without_cadre(county, ON))
    assert list(checks.pairings_of_departed_cadres(county, ON)) == [p]
    # The day before leaving, the cadre still helps.
    assert "5303241002010201" not in numbers(checks.households_without_cadre(county, datetime.date(2024, 4, 30)))
    assert list(checks.pairings_of_departed_cadres(county, datetime.date(2024, 4, 30))) == []


def test_an_ended_pairing_leaves_the_household_without_cadre(tree, homes):
    helper = cadre(tree["county"], "王帮扶")
    p = pairing.pairing_create(actor=None, cadre=helper, household=homes["poor"], start=START)
    pairing.pairing_end(actor=None, pairing=p, end=datetime.date(2023, 1, 1))
    assert "5303241002010201" in numbers(checks.households_without_cadre(tree["county"], ON))


def test_cadres_over_capacity_use_the_areas_threshold(tree, homes):
    county = tree["county"]
    busy, calm = cadre(county, "李多户"), cadre(county, "张少户")
    for key in ("poor", "poor2", "exited"):
        pairing.pairing_create(actor=None, cadre=busy, household=homes[key], start=START)
    pairing.pairing_create(actor=None, cadre=calm, household=homes["b1"], start=START)
    assert list(checks.cadres_over_capacity(county, ON)) == []  # default 10
    AssistanceRule.objects.create(key=RuleKey.CADRE_MAX_HOUSEHOLDS, area=county, value=2)
    over = list(checks.cadres_over_capacity(county, ON))
    assert [(c.name, c.n_households) for c in over] == [("李多户", 3)]
    # Only cadres helping a household of the subtree: 乙乡 has only 张少户's.
    assert list(checks.cadres_over_capacity(tree["township_b"], ON)) == []


def test_county_leaders_link_a_township_and_enough_poor_villages(tree):
    county = tree["county"]
    poor_village(tree["village_a1"])
    poor_village(tree["village_a2"])
    leader = cadre(county, "赵县长", rank=CadreRank.COUNTY_LEADER)
    cadre(county, "钱科员")  # not a leader: never listed
    assert list(checks.leaders_without_township(county, ON)) == [leader]
    svc.link_create(actor=None, cadre=leader, area=tree["township_a"], start=START)
    assert list(checks.leaders_without_township(county, ON)) == []
    # Two poor villages are required (LEADER_MIN_VILLAGES); a non-poor village does not count.
    svc.link_create(actor=None, cadre=leader, area=tree["village_a1"], start=START)
    svc.link_create(actor=None, cadre=leader, area=tree["village_b1"], start=START)
    assert [(c.name, c.n_villages) for c in checks.leaders_with_few_villages(county, ON)] == [("赵县长", 1)]
    link = svc.link_create(actor=None, cadre=leader, area=tree["village_a2"], start=START)
    assert list(checks.leaders_with_few_villages(county, ON)) == []
    svc.link_end(actor=None, link=link, end=datetime.date(2024, 1, 1))  # ended links do not count
    assert list(checks.leaders_with_few_villages(county, ON)) == [leader]
    AssistanceRule.objects.create(key=RuleKey.LEADER_MIN_VILLAGES, area=county, value=1)
    assert list(checks.leaders_with_few_villages(county, ON)) == []
    # A leader who has left is no longer checked.
    svc.cadre_leave(actor=None, cadre=leader, left_on=datetime.date(2024, 2, 1))
    AssistanceRule.objects.filter(key=RuleKey.LEADER_MIN_VILLAGES).update(value=5)
    assert list(checks.leaders_with_few_villages(county, ON)) == []


def test_each_department_links_at_least_one_village(tree):
    county = tree["county"]
    farm, water = unit(county, "县农业农村局"), unit(county, "县水务局")
    unit(county, "某企业", kind="enterprise")  # not a department: never listed
    svc.link_create(actor=None, unit=farm, area=tree["village_b1"], start=START)
    assert [u.name for u in checks.departments_with_few_villages(county, ON)] == ["县水务局"]
    svc.link_create(actor=None, unit=water, area=tree["township_a"], start=START)  # a township is no village
    assert [u.name for u in checks.departments_with_few_villages(county, ON)] == ["县水务局"]


def test_poor_villages_have_a_team_with_a_secretary_and_full_timers_their_days(tree):
    county = tree["county"]
    poor_village(tree["village_a1"])
    assert [a.name for a in checks.poor_villages_without_team(county, ON)] == ["甲一村"]
    team = svc.team_create(actor=None, village=tree["village_a1"], unit=None, start=START)
    member = svc.posting_create(actor=None, team=team, cadre=cadre(county, "孙队员"), role=PostRole.MEMBER,
                                full_time=True, start=START)
    assert [a.name for a in checks.poor_villages_without_team(county, ON)] == ["甲一村"]  # no 第一书记 yet
    secretary = svc.posting_create(actor=None, team=team, cadre=cadre(county, "周书记"), role=PostRole.SECRETARY,
                                   full_time=True, start=START)
    assert list(checks.poor_villages_without_team(county, ON)) == []
    part = svc.posting_create(actor=None, team=team, cadre=cadre(county, "吴兼职"), role=PostRole.MEMBER,
                              full_time=False, start=START)
    month = datetime.date(2024, 5, 1)
    svc.presence_save(actor=None, team=team, month=month, days={member.pk: 19, secretary.pk: 20, part.pk: 3})
    low = checks.presence_below_minimum(county, month)
    assert [(r.posting.cadre.name, r.days) for r in low] == [("孙队员", 19)]  # part-timers are not held to it
    AssistanceRule.objects.create(key=RuleKey.TEAM_MIN_DAYS, area=county, value=18)
    assert list(checks.presence_below_minimum(county, month)) == []
