"""A writer only touches households inside their own area (ARCHITECTURE habit 4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from fupin.accounts.models import Role
from fupin.registry import services
from fupin.registry.choices import Relation, RemovalReason, Status
from tests import factories

from .helpers import counts, refused


@pytest.fixture
def in_b(tree, county_user):
    return factories.household(tree["village_b1"], actor=county_user)


def test_a_township_officer_registers_in_their_own_township(tree, township_a_user):
    household = factories.household(tree["village_a2"], actor=township_a_user)
    assert household.area == tree["village_a2"]


def test_a_township_officer_cannot_register_in_another_township(tree, township_a_user):
    with refused("area", contains="乙一村"):
        factories.household(tree["village_b1"], actor=township_a_user)


def test_a_township_officer_cannot_update_in_another_township(township_a_user, in_b):
    with refused("area"):
        services.household_update(actor=township_a_user, household=in_b, data={"phone": "1"})
    in_b.refresh_from_db()
    assert in_b.phone == "" and in_b.version == 1


def test_a_township_officer_cannot_move_a_household_out_of_their_township(tree, township_a_user):
    household = factories.household(tree["village_a1"], actor=township_a_user)
    with refused("area"):
        services.household_update(
            actor=township_a_user, household=household, data={"area": tree["village_b1"]}
        )
    household.refresh_from_db()
    assert household.area == tree["village_a1"]


def test_a_township_officer_cannot_touch_members_status_or_income_in_another_township(township_a_user, in_b):
    spouse = in_b.members.get(relation=Relation.SPOUSE)
    head = in_b.members.get(relation=Relation.HEAD)
    calls = [
        lambda: services.member_add(
            actor=township_a_user, household=in_b, data=factories.member_data(Relation.OTHER, "1")
        ),
        lambda: services.member_update(actor=township_a_user, member=spouse, data={"name": "x"}),
        lambda: services.member_remove(actor=township_a_user, member=spouse, reason=RemovalReason.DEATH),
        lambda: services.household_set_head(
            actor=township_a_user, household=in_b, member=spouse, old_head_relation=Relation.SPOUSE
        ),
        lambda: services.household_change_status(
            actor=township_a_user, household=in_b, to_status=Status.EXITED, reason="x"
        ),
        lambda: services.yearly_record_save(actor=township_a_user, household=in_b, year=2016, data={}),
    ]
    for call in calls:
        with refused("area"):
            call()
    head.refresh_from_db()
    assert head.relation == Relation.HEAD


def test_a_village_cadre_cannot_register_in_the_neighbouring_village(tree, village_user):
    factories.household(tree["village_a1"], actor=village_user)
    with refused("area"):
        factories.household(tree["village_a2"], actor=village_user)


def test_a_county_officer_writes_anywhere_in_the_county(tree, county_user):
    factories.household(tree["village_a1"], actor=county_user)
    factories.household(tree["village_b1"], actor=county_user)


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.CADRE, Role.ASSESSOR])
def test_a_read_only_role_cannot_write_even_inside_its_area(tree, role):
    reader = factories.user(f"reader_{role}", role, tree["county"])
    before = counts()
    with pytest.raises(PermissionDenied):
        factories.household(tree["village_a1"], actor=reader)
    assert counts() == before


def test_a_user_without_an_area_cannot_write(tree):
    nobody = factories.user("nobody", Role.COUNTY, None)
    with refused("area"):
        factories.household(tree["village_a1"], actor=nobody)
