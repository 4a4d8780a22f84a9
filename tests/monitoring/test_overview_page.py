"""The overview page (issue 12, item 8): what its table and charts receive.

Before: 脱贫进度 showed today's share whatever year was chosen; by default, with every household
exited, the chart of the level below had only zero bars (empty); a village's chart of its 村民小组 had
no values at all (groups have no rural population, so no incidence)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.registry import services
from fupin.registry.choices import Status
from tests import factories

pytestmark = pytest.mark.django_db


def exit_household(household, actor, year: int) -> None:
    services.household_status_transition(actor=actor, household=household, to_status=Status.EXITED,
                                         reason="达标", date=datetime.date(year, 11, 1), procedure="exit")


@pytest.fixture
def county(tree, county_user):
    """Township A: one household (2 people) identified 2014, exited 2016. Township B: identified 2014,
    exited 2015. Every rural population registered, so incidence is computed."""
    for key, population in (("county", 1000), ("township_a", 400), ("township_b", 600)):
        tree[key].rural_population = population
        tree[key].save()
    a = factories.household(tree["village_a1"], actor=county_user, date=datetime.date(2014, 5, 1))
    b = factories.household(tree["village_b1"], actor=county_user, date=datetime.date(2014, 5, 1))
    exit_household(a, county_user, 2016)
    exit_household(b, county_user, 2015)
    return tree


@pytest.fixture
def county_client(client, county_user):
    client.force_login(county_user)
    return client


def chart(response) -> dict:
    text = response.content.decode()
    start = text.index('<script id="overview-data" type="application/json">') + len(
        '<script id="overview-data" type="application/json">')
    return json.loads(text[start:text.index("</script>", start)])


def rows_by_name(response) -> dict:
    return {r["area"].name: r for r in response.context["rows"]}


def test_progress_follows_the_chosen_year(county, county_client):
    today = rows_by_name(county_client.get(reverse("overview")))
    assert today["甲乡"]["progress"] == 100.0 and today["乙乡"]["progress"] == 100.0
    response = county_client.get(reverse("overview"), {"year": 2015})
    at_2015 = rows_by_name(response)
    assert at_2015["甲乡"]["progress"] == 0.0  # still poor at the end of 2015
    assert at_2015["乙乡"]["progress"] == 100.0  # exited during 2015
    assert at_2015["甲乡"]["poor_people"] == 2 and at_2015["乙乡"]["poor_people"] == 0
    text = response.content.decode()
    assert 'data-progress="0.0"' in text and 'data-progress="100.0"' in text
    assert "2015 年末脱贫进度" in text
    assert rows_by_name(county_client.get(reverse("overview"), {"year": 2014}))["乙乡"]["progress"] == 0.0


def test_the_default_chart_compares_with_the_first_year_instead_of_showing_only_zeros(county, county_client):
    areas = chart(county_client.get(reverse("overview")))["areas"]
    assert areas["kind"] == "incidence" and areas["names"] == ["甲乡", "乙乡"]
    assert areas["current"] == [0.0, 0.0]  # everyone has exited
    assert areas["baseline"] == [0.5, round(2 / 600 * 100, 2)]  # 2014 年末: 2 people each
    assert areas["current_label"] == "当前" and areas["baseline_label"] == "2014 年末"
    # A year chosen: that year's end beside the first year's.
    areas = chart(county_client.get(reverse("overview"), {"year": 2015}))["areas"]
    assert areas["current"] == [0.5, 0.0] and areas["current_label"] == "2015 年末"
    # The first year itself: nothing to compare with.
    areas = chart(county_client.get(reverse("overview"), {"year": 2014}))["areas"]
    assert areas["baseline"] == [] and areas["current"] == [0.5, round(2 / 600 * 100, 2)]


def test_a_village_chart_shows_its_groups_people_not_an_empty_incidence_chart(county, county_client, county_user):
    village = county["village_a1"]
    village.rural_population = 300
    village.save()
    first = factories.area("530324100201001", "第一村民小组")
    second = factories.area("530324100201002", "第二村民小组")
    poor = factories.household(first, actor=county_user, date=datetime.date(2014, 5, 1))
    factories.household(second, actor=county_user, date=datetime.date(2014, 5, 1))
    exit_household(poor, county_user, 2015)
    services.household_change_status(actor=county_user, household=poor, to_status=Status.RETURNED,
                                     reason="因病返贫", date=datetime.date(2018, 3, 1), procedure="adjustment")
    response = county_client.get(reverse("overview"), {"area": village.code})
    areas = chart(response)["areas"]
    assert areas["kind"] == "people"
    assert areas["names"] == ["第一村民小组", "第二村民小组"]
    assert areas["current"] == [2, 2]  # returned, and never exited
    assert areas["baseline"] == [2, 2]  # registered people
    text = response.content.decode()
    assert 'id="areas-chart"' in text and "各村民小组人口与未脱贫人口（人）" in text
    areas = chart(county_client.get(reverse("overview"), {"area": village.code, "year": 2016}))["areas"]
    assert areas["current"] == [0, 2] and areas["current_label"] == "2016 年末未脱贫人口"


def test_roles_without_incidence_get_no_area_chart(county, client):
    factories.user("leader_1", Role.LEADER, county["county"])
    factories.user("cadre_1", Role.CADRE, county["village_a1"])
    client.login(username="cadre_1", password="test-pass-123456")
    response = client.get(reverse("overview"))
    assert chart(response)["areas"] == {"kind": None}
    assert 'id="areas-chart"' not in response.content.decode()
