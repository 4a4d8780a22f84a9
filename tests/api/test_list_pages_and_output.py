"""The household list's pages (fetched through a sorted id subquery, fupin.api.pagination) are the
pages of the plain ordered queryset, for every ordering; reused output serializers give what a fresh
serializer gives."""

from __future__ import annotations

import random

import pytest
from django.utils import translation

from fupin.api import pagination
from fupin.api import serializers as s
from fupin.api.pagination import SortedSubsetPaginator
from fupin.registry import serializers as reg_s
from fupin.registry.choices import Status
from fupin.registry.selectors import SORTS, household_scope
from tests import factories

from .conftest import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(tree, county_user):
    """Households whose numbers do not follow their villages, with repeated names and sizes (ties)."""
    rng = random.Random(7)
    villages = [tree["village_a1"], tree["village_a2"], tree["village_b1"]]
    out = []
    for n in range(23):
        village = villages[n % 3]
        number = f"{rng.choice('6574')}{n:03d}{rng.randint(0, 9)}"
        head = factories.member_data(name=rng.choice(["张三", "李四", "王五"]))
        out.append(factories.household(village, actor=county_user, number=number, members=[head],
                                       identified_year=rng.choice([2014, 2015, 2016])))
    return out


def _all_pages(client, query: str, size: int = 4) -> list[int]:
    ids, page = [], 1
    while True:
        r = client.get(f"/api/households/?page_size={size}&page={page}{query}")
        assert r.status_code == 200, r.content
        body = r.json()
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            return ids
        page += 1


@pytest.mark.parametrize("ordering", [None, *SORTS])
@pytest.mark.parametrize("walk", [False, True])
def test_every_page_is_the_plain_querysets_page(many, county_user, township_a_user, ordering, walk, monkeypatch):
    if walk:  # above the limit the page is sliced from the queryset directly
        monkeypatch.setattr(SortedSubsetPaginator, "SORT_LIMIT", 0)
    for user in (county_user, township_a_user):
        qs = household_scope(user)
        expected = list((qs.order_by(SORTS[ordering], "id") if ordering else qs.order_by("number"))
                        .values_list("pk", flat=True))
        query = f"&ordering={ordering}" if ordering else ""
        assert _all_pages(api(user), query) == expected
        assert _all_pages(api(user), query + "&area=" + factories.VILLAGE_A1, size=3) == list(
            (qs.filter(area_path__startswith=factories.VILLAGE_A1).order_by(SORTS[ordering], "id") if ordering
             else qs.filter(area_path__startswith=factories.VILLAGE_A1).order_by("number"))
            .values_list("pk", flat=True))


@pytest.mark.parametrize("collation", [None, "en_US.UTF-8"])
def test_pages_follow_the_columns_order_for_numbers_that_are_not_only_digits(tree, county_user, collation,
                                                                             monkeypatch):
    """Household numbers are free text. The page ids are sorted by a key no index can serve
    (``text_sort_key``: ``COLLATE "C"`` on a C.UTF-8 PostgreSQL, else ``number || ''``); the pages must
    still be the pages of ``ORDER BY number``, whatever the database's collation does with case,
    punctuation and width. The second run takes the ``|| ''`` key whatever the database is."""
    if collation:
        monkeypatch.setattr(pagination, "_database_collation", lambda alias: collation)
    numbers = ["a-10", "A-10", "A10", "a_9", "B-1", "b1", "10", "9", "1-0", "Z", "z", "号01", "Ａ1", "-5", " 7", "ä1"]
    for n, number in enumerate(numbers):
        village = [tree["village_a1"], tree["village_b1"]][n % 2]
        factories.household(village, actor=county_user, number=number,
                            members=[factories.member_data()])
    expected = list(household_scope(county_user).order_by("number").values_list("pk", flat=True))
    for size in (1, 3, 5):
        assert _all_pages(api(county_user), "", size=size) == expected


def test_the_last_page_and_pages_past_it(many, county_user):
    client = api(county_user)
    body = client.get("/api/households/?page_size=10&page=3").json()
    assert body["count"] == 23 and len(body["results"]) == 3 and body["next"] is None
    assert client.get("/api/households/?page_size=10&page=4").status_code == 404


def test_a_filter_with_no_value_is_still_refused_when_it_is_the_only_parameter(many, county_user):
    r = api(county_user).get("/api/households/?status=")
    assert r.status_code == 400 and "status" in r.json()["error"]["fields"]


def test_reused_output_serializers_give_what_fresh_ones_give(registry, county_user, leader):
    household = registry["a1"]
    request = type("Request", (), {"user": county_user})()
    assert s.represent(reg_s.HouseholdOut, household, request=request) == \
        reg_s.HouseholdOut(household, context={"request": request}).data
    # Without a request the policy has nobody to show personal numbers to: they are left out.
    assert "phone" not in reg_s.HouseholdOut(household).data
    rows = list(household_scope(county_user).select_related("area"))
    assert s.represent_many(reg_s.HouseholdListOut, rows) == reg_s.HouseholdListOut(rows, many=True).data
    members = list(household.members.all())
    for user in (county_user, leader):
        request = type("Request", (), {"user": user})()
        fresh = reg_s.MemberOut(members, many=True, context={"request": request}).data
        assert s.represent_many(reg_s.MemberOut, members, request=request) == fresh
    # The leader's copy and the county officer's are different instances: health is left out for one.
    leader_request = type("Request", (), {"user": leader})()
    county_request = type("Request", (), {"user": county_user})()
    assert "health" not in s.represent(reg_s.MemberOut, members[0], request=leader_request)
    assert "health" in s.represent(reg_s.MemberOut, members[0], request=county_request)


def test_choice_labels_follow_the_active_language(registry, county_user):
    household = registry["a1"]
    with translation.override("zh-hans"):
        assert s.represent(reg_s.HouseholdOut, household)["status"] == {"code": "poor", "label": "贫困户(未脱贫)"}
    with translation.override("en"):
        label = s.represent(reg_s.HouseholdOut, household)["status"]["label"]
        assert label == str(Status.POOR.label) and label != "贫困户(未脱贫)"
