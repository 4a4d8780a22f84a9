"""Searching the household list (issue 12 #14): the last 4 or 6 digits of an ID number, any member's
name (saying which member matched), inside the user's scope and as masked as the role sees ID numbers.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.lib import idnumber
from fupin.registry.choices import Relation
from fupin.registry.models import Member
from tests import factories

from .conftest import login
from .html import listed_numbers

pytestmark = pytest.mark.django_db


def results(client, q: str) -> tuple[list[str], str]:
    response = client.get(reverse("household_list"), {"q": q}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert response.status_code == 200
    return listed_numbers(response.content), response.content.decode()


def spouse(household) -> Member:
    return household.members.get(relation=Relation.SPOUSE)


def test_the_last_six_or_four_digits_of_a_members_id_number_find_the_household(county_client, registry):
    ha = registry["a1"]
    member = spouse(ha)
    for tail in (member.id_number[-6:], member.id_number[-4:]):
        listed, html = results(county_client, tail)
        assert listed == [ha.number], tail
        # The member it was found by, with the ID number masked as everywhere on the page.
        assert f"匹配：{member.name}（配偶）" in html
        assert policy.mask_id(member.id_number) in html and member.id_number not in html


def test_an_id_number_ending_in_x_is_found_by_a_lower_case_x(county_client, tree, county_user):
    number = next(n for n in (idnumber.make("530324", datetime.date(1970, 3, 9), seq, "1") for seq in range(1, 999))
                  if n.endswith("X"))
    head = factories.member_data(Relation.HEAD, "1", name="尾数叉") | {"id_number": number, "birth_date": None}
    household = factories.household(tree["village_a1"], actor=county_user, number="5303241002010077", members=[head])
    assert results(county_client, number[-6:].lower())[0] == [household.number]
    assert results(county_client, number[-4:-1] + "ｘ")[0] == [household.number]  # a full-width ｘ


def test_a_suffix_is_not_taken_for_the_beginning_of_a_household_number(county_client, registry):
    # "5303" begins every household number of the county: as an ID-number tail it finds none of them.
    assert results(county_client, "5303")[0] == []
    # Seven digits and more are the beginning of a household number, as before.
    assert results(county_client, "5303241002")[0] == [registry["a1"].number, registry["a2"].number]


def test_any_members_name_finds_the_household_and_says_who(county_client, registry):
    listed, html = results(county_client, "钱甲")
    assert listed == [registry["a1"].number]
    assert "匹配：钱甲花（配偶）" in html
    # Found by the head: nothing more to say.
    listed, html = results(county_client, "赵甲山")
    assert listed == [registry["a1"].number] and "匹配：" not in html


def test_a_removed_member_is_found_by_the_whole_id_number_only(county_client, county_user, registry):
    from fupin.registry import services

    member = spouse(registry["a1"])
    services.member_remove(actor=county_user, member=member, reason="death", date=datetime.date(2020, 1, 1))
    assert results(county_client, member.id_number[-6:])[0] == []
    listed, html = results(county_client, member.id_number)
    assert listed == [registry["a1"].number] and "匹配：钱甲花（配偶，已减员）" in html


def test_the_search_stays_in_the_users_scope(b_client, registry):
    member = spouse(registry["a1"])
    for q in (member.id_number[-6:], member.id_number[-4:], member.name):
        listed, html = results(b_client, q)
        assert listed == [] and member.name not in html.replace(q, "")
    assert results(b_client, spouse(registry["b1"]).id_number[-6:])[0] == [registry["b1"].number]


def test_a_role_that_may_not_see_id_numbers_may_not_search_by_them(monkeypatch, leader, registry):
    client = login(leader)
    member = spouse(registry["a1"])
    assert results(client, member.id_number[-6:])[0] == [registry["a1"].number]
    monkeypatch.setitem(policy.FIELD_POLICY, Role.LEADER, {**policy.FIELD_POLICY[Role.LEADER],
                                                           "id_number": policy.Access.HIDDEN})
    for q in (member.id_number[-6:], member.id_number[-4:], member.id_number):
        assert results(client, q)[0] == [], q
    assert results(client, member.name)[0] == [registry["a1"].number]


def test_the_api_searches_the_same_way(county_user, registry):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(county_user)
    member = spouse(registry["a1"])
    for q in (member.id_number[-6:], member.name):
        rows = api.get("/api/households/", {"q": q}).json()["results"]
        assert [r["number"] for r in rows] == [registry["a1"].number], q
