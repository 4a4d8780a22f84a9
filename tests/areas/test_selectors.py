"""Subtree scoping: each persona sees its own area and everything below, nothing else (habit 4)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.areas import selectors
from fupin.registry.models import Household
from tests import factories


def codes(user) -> set[str]:
    return set(selectors.area_list(user=user).values_list("code", flat=True))


def test_a_county_officer_sees_the_county_and_everything_below(tree, county_user):
    assert codes(county_user) == {factories.COUNTY, factories.TOWNSHIP_A, factories.TOWNSHIP_B,
                                  factories.VILLAGE_A1, factories.VILLAGE_A2, factories.VILLAGE_B1}


def test_a_township_officer_sees_only_that_township(township_a_user, township_b_user):
    assert codes(township_a_user) == {factories.TOWNSHIP_A, factories.VILLAGE_A1, factories.VILLAGE_A2}
    assert codes(township_b_user) == {factories.TOWNSHIP_B, factories.VILLAGE_B1}


def test_a_village_cadre_sees_only_the_village(village_user):
    assert codes(village_user) == {factories.VILLAGE_A1}


def test_a_superuser_or_system_admin_without_an_area_sees_everything(tree):
    everything = {a.code for a in tree.values()}
    superuser = factories.user("root", Role.ADMIN, None, is_superuser=True, is_staff=True)
    admin = factories.user("sysadmin", Role.ADMIN, None)
    assert codes(superuser) == everything
    assert codes(admin) == everything


def test_a_user_without_an_area_sees_nothing_unless_a_system_admin(tree):
    assert codes(factories.user("lost", Role.TOWNSHIP, None)) == set()
    assert codes(factories.user("leader", Role.LEADER, None)) == set()


def test_an_anonymous_visitor_sees_nothing(tree):
    assert codes(AnonymousUser()) == set()
    assert policy.scope_path(AnonymousUser()) is None


def test_area_get_returns_an_area_inside_the_scope(tree, township_a_user):
    assert selectors.area_get(user=township_a_user, code=factories.VILLAGE_A2) == tree["village_a2"]


@pytest.mark.parametrize(
    "code",
    [factories.VILLAGE_B1, factories.TOWNSHIP_B, factories.COUNTY, "530000000000", "530324999999"],
)
def test_area_get_is_a_404_outside_the_scope_or_for_unknown_codes(tree, township_a_user, code):
    with pytest.raises(Http404):
        selectors.area_get(user=township_a_user, code=code)


def test_the_same_filter_scopes_households_by_their_copied_path(tree, county_user, township_a_user,
                                                                township_b_user, village_user):
    in_a1 = factories.household(tree["village_a1"])
    in_a2 = factories.household(tree["village_a2"])
    in_b1 = factories.household(tree["village_b1"])

    def visible(user):
        return set(Household.objects.filter(policy.area_q(user, "area_path")))

    assert visible(county_user) == {in_a1, in_a2, in_b1}
    assert visible(township_a_user) == {in_a1, in_a2}
    assert visible(township_b_user) == {in_b1}
    assert visible(village_user) == {in_a1}


def test_a_prefix_that_merely_looks_alike_is_not_inside(tree, township_a_user):
    # 530324100 (甲乡) must not see 530324101 (乙乡): the fixed widths make a prefix match exact.
    assert not tree["township_b"].is_within(tree["township_a"])
    assert tree["village_a1"].is_within(tree["township_a"])
    assert factories.TOWNSHIP_B not in codes(township_a_user)


def test_root_and_children_stay_inside_the_scope(tree, township_a_user, county_user):
    assert selectors.area_root(user=township_a_user) == tree["township_a"]
    assert list(selectors.area_children(user=township_a_user, area=tree["township_a"])) == [
        tree["village_a1"], tree["village_a2"]]
    assert list(selectors.area_children(user=township_a_user, area=tree["county"])) == [tree["township_a"]]
    assert set(selectors.area_children(user=county_user, area=tree["county"])) == {tree["township_a"],
                                                                                  tree["township_b"]}
