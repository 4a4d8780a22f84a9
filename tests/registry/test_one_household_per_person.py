"""A person is an active member of at most one household (REFERENCE §1, §6.11)."""

from __future__ import annotations

import datetime

import pytest

from fupin.registry import services
from fupin.registry.choices import Relation, RemovalReason
from fupin.registry.models import Member
from tests import factories

from .helpers import refused


@pytest.fixture
def first(tree, county_user):
    return factories.household(tree["village_a1"], actor=county_user, number="530324100201001")


@pytest.fixture
def second(tree, county_user):
    return factories.household(tree["village_b1"], actor=county_user, number="530324101201001")


def copy_of(member: Member, **changes) -> dict:
    data = {
        "name": member.name,
        "id_number": member.id_number,
        "sex": member.sex,
        "birth_date": member.birth_date,
        "relation": Relation.OTHER,
    }
    data.update(changes)
    return data


def test_it_refuses_a_person_already_active_in_another_household(county_user, first, second):
    spouse = first.members.get(relation=Relation.SPOUSE)
    with refused("id_number", contains=first.number):
        services.member_add(actor=county_user, household=second, data=copy_of(spouse))


def test_the_refusal_masks_the_id_number(county_user, first, second):
    spouse = first.members.get(relation=Relation.SPOUSE)
    with refused("id_number") as info:
        services.member_add(actor=county_user, household=second, data=copy_of(spouse))
    message = info.value.message_dict["id_number"][0]
    assert spouse.id_number not in message
    assert spouse.id_number[:6] + "********" + spouse.id_number[-4:] in message


def test_it_refuses_the_person_when_a_new_household_is_registered(tree, county_user, first):
    spouse = first.members.get(relation=Relation.SPOUSE)
    with refused("id_number", contains=first.number):
        factories.household(
            tree["village_b1"],
            actor=county_user,
            members=[factories.member_data(Relation.HEAD, "1"), copy_of(spouse)],
        )


def test_it_refuses_the_person_given_with_the_old_15_digit_number(tree, county_user, second):
    # A 15-digit number carries a two-digit year read as 19xx: the person must be born in the 1900s
    # (the factory's birth dates reach 2001, and which one a test gets depends on the order tests run).
    first = factories.household(tree["village_a1"], actor=county_user, number="530324100201002", members=[
        factories.member_data(Relation.HEAD, "1"),
        factories.member_data(Relation.SPOUSE, "2", birth=datetime.date(1970, 3, 4))])
    spouse = first.members.get(relation=Relation.SPOUSE)
    old = spouse.id_number[:6] + spouse.id_number[8:17]
    with refused("id_number", contains=first.number):
        services.member_add(actor=county_user, household=second, data=copy_of(spouse, id_number=old))


def test_it_refuses_the_person_given_with_a_disability_certificate_number(county_user, first, second):
    spouse = first.members.get(relation=Relation.SPOUSE)
    with refused("id_number", contains=first.number):
        services.member_add(
            actor=county_user, household=second, data=copy_of(spouse, id_number=spouse.id_number + "41")
        )


def test_it_refuses_the_person_registered_by_certificate_then_given_by_id(county_user, first, second):
    data = factories.member_data(Relation.OTHER, "1")
    citizen = data["id_number"]
    services.member_add(actor=county_user, household=first, data={**data, "id_number": citizen + "3201"})
    with refused("id_number", contains=first.number):
        services.member_add(actor=county_user, household=second, data={**data, "id_number": citizen})


def test_it_refuses_changing_a_members_id_to_someone_active_elsewhere(county_user, first, second):
    theirs = first.members.get(relation=Relation.SPOUSE)
    ours = second.members.get(relation=Relation.SPOUSE)
    with refused("id_number", contains=first.number):
        services.member_update(
            actor=county_user,
            member=ours,
            data={"id_number": theirs.id_number, "birth_date": theirs.birth_date},
        )
    ours.refresh_from_db()
    assert ours.id_number != theirs.id_number


def test_it_refuses_the_same_person_twice_in_one_new_household(tree, county_user):
    head = factories.member_data(Relation.HEAD, "1")
    twin = {**head, "relation": Relation.OTHER, "id_number": head["id_number"].lower() + " "}
    with refused("id_number"):
        factories.household(tree["village_a1"], actor=county_user, members=[head, twin])


def test_a_member_keeps_their_own_id_number_on_update(county_user, first):
    spouse = first.members.get(relation=Relation.SPOUSE)
    services.member_update(actor=county_user, member=spouse, data={"name": "新名字"})
    spouse.refresh_from_db()
    assert spouse.name == "新名字"


def test_a_removed_member_keeps_their_history_and_frees_the_id(county_user, first, second):
    spouse = first.members.get(relation=Relation.SPOUSE)
    services.member_remove(actor=county_user, member=spouse, reason=RemovalReason.MOVED_OUT)
    moved = services.member_add(actor=county_user, household=second, data=copy_of(spouse))

    old = Member.objects.get(pk=spouse.pk)
    assert not old.active
    assert old.removal_reason == RemovalReason.MOVED_OUT
    assert old.removed_on is not None
    assert old.household_id == first.pk
    assert moved.household_id == second.pk and moved.active
    assert Member.objects.filter(id_number=spouse.id_number).count() == 2
