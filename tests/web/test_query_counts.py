"""Query counts pinned (ARCHITECTURE habit 11): pages cost the same with 5 households or 25,
with 2 members or 8. A change that adds a query per row fails here, with the queries listed.

Every page pays 3 queries before the view runs (session, user, the user's area for the header)
and 1 for the "demo data loaded?" banner (cached; the cache is cleared before each request here).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from fupin.areas.models import Area, Level
from fupin.audit.services import audit_login
from fupin.registry import services
from fupin.registry.choices import Relation
from tests import factories

from .conftest import many_households

# session, user, user.area, townships, years, count, banner, the page of rows (area joined),
# the 注销 households the default 在册户 filter leaves out (one count, fupin.registry.counts)
LIST_QUERIES = 9
# session, user, user.area, household, members, yearly records, status history (prefetched),
# area chain, area full name, banner
# (+1: the 修改记录 tab reads the household's audit events in one query — members' and yearly
# records' ids are taken from the rows already loaded, and events carry the actor's name as text)
# (+1: the open 数据质量疑点 with their members, one query whatever their number)
# (+1: the household's 识别与退出 cases, for their list and the forms that open one)
# (+2: the 退出核查 panel: the exit rule set in force at the household's area, the poverty lines; its members
# and records are the rows already loaded)
# (+1: the 防返贫监测 panel: the household's monitoring episodes with their measures counted, one query)
# (+1: the 帮扶走访 section's latest visits — issue 15; for a household with visits, their photos and the
# visit interval too)
# (+3: the 项目资金 tab — issue 16, money16: the household checked in scope, its projects, its subsidy lines with
# their batches; asset income shares one more only when it has projects or subsidies)
DETAIL_QUERIES = 20
# session, user, user.area, count, the page of events (the actor joined), banner,
# and one query per kind of object on the page for its name (here users, households, members)
AUDIT_QUERIES = 9
# session, user, user.area, totals, by status, by cause, exits, returns, children, children's
# summary, designations, ancestors, banner
# (+1 since the year-end trend of not-exited people is read from the status history)
OVERVIEW_QUERIES = 15  # + the level below at each year's end (the area chart's first-year comparison)
# session, user, user.area, root summary, children, children's summary, designations, banner
TREE_QUERIES = 8
# session, user, user.area, the area, children (with parent), summary, designations, banner
CHILDREN_QUERIES = 8


@pytest.fixture
def get(county_client, django_assert_num_queries):
    def get(url, queries, **params):
        cache.clear()
        with django_assert_num_queries(queries):
            response = county_client.get(url, params)
        assert response.status_code == 200
        return response
    return get


def test_the_household_list_costs_the_same_for_5_or_25_households(get, county_user, tree):
    many_households(tree["village_a1"], county_user, 5)
    assert "共 5 户" in get(reverse("household_list"), LIST_QUERIES).content.decode()
    many_households(tree["village_b1"], county_user, 20, prefix="8")
    assert "共 25 户" in get(reverse("household_list"), LIST_QUERIES).content.decode()
    # A township chosen adds two: its villages for the second drop-down, and the area to filter by; a
    # name searched adds one: the members it matched on this page, named under each result.
    get(reverse("household_list"), LIST_QUERIES + 3, township="530324101000", q="成员", sort="-people", page=1)


def test_the_results_partial_costs_the_same_as_the_page(get, county_client, county_user, tree,
                                                        django_assert_num_queries):
    many_households(tree["village_a1"], county_user, 25)
    cache.clear()
    with django_assert_num_queries(LIST_QUERIES):
        county_client.get(reverse("household_list"), {"page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")


def add_members(household, actor, n: int) -> None:
    for _ in range(n):
        services.member_add(actor=actor, household=household, data=factories.member_data(Relation.OTHER, "2"))


def test_the_household_page_costs_the_same_for_2_or_8_members_and_1_or_6_years(get, county_user, tree):
    household = factories.household(tree["village_a1"], actor=county_user)
    services.yearly_record_save(actor=county_user, household=household, year=2015, data={})
    url = reverse("household_detail", args=[household.pk])
    get(url, DETAIL_QUERIES)
    add_members(household, county_user, 6)
    for year in range(2016, 2021):
        services.yearly_record_save(actor=county_user, household=household, year=year,
                                    data={"wage_income": Decimal(year)})
    services.member_remove(actor=county_user, member=household.members.filter(relation=Relation.OTHER).first(),
                           reason="death", date=datetime.date(2020, 1, 1))
    services.household_change_status(actor=county_user, household=household, to_status="exited", reason="达标")
    text = get(url, DETAIL_QUERIES).content.decode()
    assert text.count(">修改</a>") == 7 + 6  # 7 members still in the household, 6 years


def test_the_overview_costs_the_same_for_5_or_25_households(get, county_user, tree):
    many_households(tree["village_a1"], county_user, 5)
    get(reverse("overview"), OVERVIEW_QUERIES)
    many_households(tree["village_b1"], county_user, 20, prefix="8")
    response = get(reverse("overview"), OVERVIEW_QUERIES)
    assert response.context["totals"]["households"] == 25


def test_the_area_tree_costs_the_same_for_5_or_25_households(get, county_user, tree):
    many_households(tree["village_a1"], county_user, 5)
    get(reverse("area_tree"), TREE_QUERIES)
    many_households(tree["village_b1"], county_user, 20, prefix="8")
    assert get(reverse("area_tree"), TREE_QUERIES).context["root_summary"]["households"] == 25


def test_opening_a_township_costs_the_same_for_2_or_8_villages(get, county_user, tree):
    url = reverse("area_children", args=["530324100000"])
    many_households(tree["village_a1"], county_user, 5)
    get(url, CHILDREN_QUERIES)
    for i in range(3, 9):
        code = f"530324100{200 + i}"
        Area.objects.create(code=code, name=f"新村{i}", level=Level.VILLAGE, parent=tree["township_a"],
                            path=Area.path_for(code, Level.VILLAGE))
    many_households(tree["village_a2"], county_user, 20, prefix="8")
    text = get(url, CHILDREN_QUERIES).content.decode()
    assert "新村8" in text


def test_the_audit_page_costs_the_same_for_5_or_25_events(get, county_user, tree):
    many_households(tree["village_a1"], county_user, 2)  # 2 households + 4 members: 6 events
    first = get(reverse("audit_list"), AUDIT_QUERIES).context["page"].paginator.count
    assert first >= 6
    many_households(tree["village_b1"], county_user, 6, prefix="8")
    # A sign-in on top: the page again shows the three kinds of object it names (a query per kind).
    audit_login(user=county_user)
    response = get(reverse("audit_list"), AUDIT_QUERIES)
    assert response.context["page"].paginator.count == first + 19
