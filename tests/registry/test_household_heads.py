"""Every household has exactly one 户主 (REFERENCE §6.3), and head_name follows whoever it is."""

from __future__ import annotations

import pytest

from fupin.audit.models import AuditEvent
from fupin.registry import services
from fupin.registry.choices import Relation, RemovalReason
from fupin.registry.models import Household
from tests import factories

from .helpers import refused


@pytest.fixture
def household(tree, county_user):
    return factories.household(
        tree["village_a1"],
        actor=county_user,
        members=[
            factories.member_data(Relation.HEAD, "1", name="张大"),
            factories.member_data(Relation.SPOUSE, "2", name="李二"),
            factories.member_data(Relation.SON, "1", name="张三"),
        ],
    )


def test_it_refuses_a_new_household_without_a_head(tree, county_user):
    with refused("relation", contains="户主"):
        factories.household(
            tree["village_a1"], actor=county_user, members=[factories.member_data(Relation.SPOUSE, "2")]
        )


def test_it_refuses_a_new_household_with_two_heads(tree, county_user):
    with refused("relation", contains="户主"):
        factories.household(
            tree["village_a1"],
            actor=county_user,
            members=[factories.member_data(Relation.HEAD, "1"), factories.member_data(Relation.HEAD, "2")],
        )


def test_it_refuses_a_new_household_without_members(tree, county_user):
    with refused("members"):
        services.household_create(
            actor=county_user,
            area=tree["village_a1"],
            number="H1",
            members=[],
            main_cause="illness",
            identified_year=2014,
        )


def test_it_refuses_adding_a_second_head(county_user, household):
    with refused("relation", contains="户主"):
        services.member_add(
            actor=county_user, household=household, data=factories.member_data(Relation.HEAD, "1")
        )


def test_it_refuses_turning_the_head_into_a_spouse_without_a_new_head(county_user, household):
    head = household.members.get(relation=Relation.HEAD)
    with refused("relation", contains="户主"):
        services.member_update(actor=county_user, member=head, data={"relation": Relation.SPOUSE})
    head.refresh_from_db()
    assert head.relation == Relation.HEAD and head.version == 1


def test_it_refuses_making_a_second_member_head_by_update(county_user, household):
    son = household.members.get(relation=Relation.SON)
    with refused("relation", contains="户主"):
        services.member_update(actor=county_user, member=son, data={"relation": Relation.HEAD})
    son.refresh_from_db()
    assert son.relation == Relation.SON


def test_it_refuses_removing_the_head_while_others_remain(county_user, household):
    head = household.members.get(relation=Relation.HEAD)
    with refused("relation", contains="新户主"):
        services.member_remove(actor=county_user, member=head, reason=RemovalReason.DEATH)


def test_set_head_moves_the_head_and_renames_the_household(county_user, household):
    head = household.members.get(relation=Relation.HEAD)
    son = household.members.get(relation=Relation.SON)
    before = AuditEvent.objects.count()

    services.household_set_head(
        actor=county_user, household=household, member=son, old_head_relation=Relation.FATHER
    )

    head.refresh_from_db()
    son.refresh_from_db()
    household.refresh_from_db()
    assert son.relation == Relation.HEAD
    assert head.relation == Relation.FATHER
    assert household.head_name == "张三"
    assert household.member_count == 3
    assert household.members.filter(active=True, relation=Relation.HEAD).count() == 1
    assert AuditEvent.objects.count() == before + 2


def test_after_the_head_dies_the_spouse_becomes_head(county_user, household):
    head = household.members.get(relation=Relation.HEAD)
    spouse = household.members.get(relation=Relation.SPOUSE)
    services.household_set_head(
        actor=county_user, household=household, member=spouse, old_head_relation=Relation.SPOUSE
    )
    services.member_remove(actor=county_user, member=head, reason=RemovalReason.DEATH)
    household.refresh_from_db()
    assert household.head_name == "李二"
    assert household.member_count == 2


@pytest.mark.parametrize("relation", ["", "cousin", Relation.HEAD])
def test_set_head_refuses_an_old_head_relation_that_is_unknown_or_head_again(
    county_user, household, relation
):
    son = household.members.get(relation=Relation.SON)
    with refused("relation"):
        services.household_set_head(
            actor=county_user, household=household, member=son, old_head_relation=relation
        )
    son.refresh_from_db()
    assert son.relation == Relation.SON
    assert Household.objects.get(pk=household.pk).head_name == "张大"


def test_set_head_refuses_a_member_of_another_household(tree, county_user, household):
    other = factories.household(tree["village_a2"], actor=county_user)
    stranger = other.members.get(relation=Relation.SPOUSE)
    with refused("member"):
        services.household_set_head(
            actor=county_user, household=household, member=stranger, old_head_relation=Relation.SPOUSE
        )


def test_set_head_refuses_a_removed_member(county_user, household):
    son = household.members.get(relation=Relation.SON)
    services.member_remove(actor=county_user, member=son, reason=RemovalReason.MOVED_OUT)
    with refused("member"):
        services.household_set_head(
            actor=county_user, household=household, member=son, old_head_relation=Relation.SPOUSE
        )


def test_set_head_keeps_an_old_head_relation_that_contradicts_his_sex_for_the_quality_checks(county_user, household):
    """REFERENCE §6.10: 之母 for a man is a 疑点 to verify (fupin.quality), as on every other write."""
    son = household.members.get(relation=Relation.SON)
    old = household.members.get(relation=Relation.HEAD)
    services.household_set_head(actor=county_user, household=household, member=son,
                                old_head_relation=Relation.MOTHER)
    old.refresh_from_db()
    assert old.relation == Relation.MOTHER
    assert Household.objects.get(pk=household.pk).head_name == son.name
