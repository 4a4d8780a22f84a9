"""Query counts of the API's lists are pinned (ARCHITECTURE habit 11): no query per row."""

from __future__ import annotations

import pytest

from tests import factories

from .conftest import api

pytestmark = pytest.mark.django_db


def test_household_list_is_two_queries_whatever_the_page_size(registry, county_user, django_assert_num_queries):
    for _ in range(5):
        factories.household(registry["a1"].area, actor=county_user)
    client = api(county_user)
    # count + one page with the area joined in
    with django_assert_num_queries(2):
        assert len(client.get("/api/households/?page_size=50").json()["results"]) == 8


def test_member_list_is_a_fixed_number_of_queries(registry, county_user, django_assert_num_queries):
    client = api(county_user)
    # the household (scope) + count + page
    with django_assert_num_queries(3):
        assert client.get(f"/api/households/{registry['a1'].pk}/members/").status_code == 200
