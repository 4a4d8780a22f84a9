"""Adding, changing and removing members keeps head_name and member_count right, and keeps history."""

from __future__ import annotations

import datetime

import pytest

from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import services
from fupin.registry.choices import Relation, RemovalReason
from fupin.registry.models import Household, Member
from tests import factories

from .helpers import refused


@pytest.fixture
def household(tree, county_user):
    return factories.household(
        tree["village_a1"],
        actor=county_user,
        members=[
            factories.member_data(Relation.HEAD, "1", name="刘一"),
            factories.member_data(Relation.SPOUSE, "2", name="陈二"),
        ],
    )


def summary(household) -> tuple[str, int]:
    fresh = Household.objects.get(pk=household.pk)
    return fresh.head_name, fresh.member_count


def test_adding_a_member_counts_them(county_user, household):
    member = services.member_add(
        actor=county_user,
        household=household,
        data=factories.member_data(Relation.DAUGHTER, "2", name="刘三"),
    )
    assert summary(household) == ("刘一", 3)
    event = AuditEvent.objects.get(kind=AuditKind.CREATE, entity="registry.member", entity_id=str(member.pk))
    assert event.data["after"]["name"] == "刘三"
    assert event.area_path == household.area_path


def test_renaming_the_head_renames_the_household(county_user, household):
    head = household.members.get(relation=Relation.HEAD)
    services.member_update(actor=county_user, member=head, data={"name": "刘大"})
    assert summary(household) == ("刘大", 2)
    head.refresh_from_db()
    assert head.version == 2


def test_removing_a_member_uncounts_them_and_keeps_the_row(county_user, household):
    spouse = household.members.get(relation=Relation.SPOUSE)
    services.member_remove(
        actor=county_user, member=spouse, reason=RemovalReason.DEATH, date=datetime.date(2020, 5, 1)
    )
    assert summary(household) == ("刘一", 1)
    row = Member.objects.get(pk=spouse.pk)
    assert (row.active, row.removal_reason, row.removed_on) == (
        False,
        RemovalReason.DEATH,
        datetime.date(2020, 5, 1),
    )
    assert row.name == "陈二" and row.id_number == spouse.id_number
    event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="registry.member", entity_id=str(spouse.pk))
    assert event.data["changes"]["active"] == {"before": True, "after": False}
    assert event.data["changes"]["removal_reason"]["after"] == RemovalReason.DEATH


def test_the_last_member_can_be_removed_and_the_household_is_then_empty(county_user, tree):
    household = factories.household(
        tree["village_a1"],
        actor=county_user,
        members=[factories.member_data(Relation.HEAD, "1", name="孤老")],
    )
    services.member_remove(actor=county_user, member=household.members.get(), reason=RemovalReason.DEATH)
    assert summary(household) == ("", 0)


@pytest.mark.parametrize("reason", ["", "holiday"])
def test_removal_needs_a_known_reason(county_user, household, reason):
    spouse = household.members.get(relation=Relation.SPOUSE)
    with refused("removal_reason"):
        services.member_remove(actor=county_user, member=spouse, reason=reason)
    assert Member.objects.get(pk=spouse.pk).active


def test_a_member_cannot_be_removed_twice(county_user, household):
    spouse = household.members.get(relation=Relation.SPOUSE)
    services.member_remove(actor=county_user, member=spouse, reason=RemovalReason.MISSING)
    with pytest.raises(Exception, match="减员"):
        services.member_remove(actor=county_user, member=spouse, reason=RemovalReason.MISSING)


def test_a_removed_member_cannot_be_edited(county_user, household):
    spouse = household.members.get(relation=Relation.SPOUSE)
    services.member_remove(actor=county_user, member=spouse, reason=RemovalReason.PRISON)
    with pytest.raises(Exception, match="减员"):
        services.member_update(actor=county_user, member=spouse, data={"name": "改名"})
    assert Member.objects.get(pk=spouse.pk).name == "陈二"


def test_the_removed_members_history_stays_with_the_household(county_user, household):
    spouse = household.members.get(relation=Relation.SPOUSE)
    services.member_remove(actor=county_user, member=spouse, reason=RemovalReason.MOVED_OUT)
    assert list(household.members.values_list("name", "active")) == [("刘一", True), ("陈二", False)]


def test_member_fields_that_are_not_typed_in_are_refused(county_user, household):
    spouse = household.members.get(relation=Relation.SPOUSE)
    for field in ("active", "removal_reason", "version", "household", "id_kind"):
        with refused(field):
            services.member_update(actor=county_user, member=spouse, data={field: "x"})
        with refused(field):
            services.member_add(
                actor=county_user,
                household=household,
                data={**factories.member_data(Relation.OTHER, "1"), field: "x"},
            )
