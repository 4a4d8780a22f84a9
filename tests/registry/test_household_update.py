"""Updating a household: field-level audit, a version bump, and optimistic locking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import services
from fupin.registry.choices import Cause, Relation
from fupin.registry.models import Household, Member
from tests import factories

from .helpers import counts


@pytest.fixture
def household(tree, county_user):
    return factories.household(tree["village_a1"], actor=county_user, address="甲一村 3 号")


def updates(household):
    return AuditEvent.objects.filter(
        kind=AuditKind.UPDATE, entity="registry.household", entity_id=str(household.pk)
    )


def test_an_update_records_each_changed_field_before_and_after(county_user, household):
    services.household_update(
        actor=county_user,
        household=household,
        data={"address": "甲一村 5 号", "house_area": Decimal("80.5"), "other_causes": [Cause.SKILLS]},
    )
    event = updates(household).get()
    changes = event.data["changes"]
    assert changes["address"] == {"before": "甲一村 3 号", "after": "甲一村 5 号"}
    assert changes["house_area"] == {"before": "0.00", "after": "80.50"}
    assert changes["other_causes"] == {"before": [], "after": [Cause.SKILLS]}
    assert "phone" not in changes
    assert event.actor == county_user
    assert event.area_path == household.area_path


def test_an_update_bumps_the_version(county_user, household):
    updated = services.household_update(actor=county_user, household=household, data={"phone": "13800000000"})
    assert updated.version == 2
    assert Household.objects.get(pk=household.pk).version == 2
    services.household_update(
        actor=county_user, household=household, data={"phone": "13900000000"}, expected_version=2
    )
    assert Household.objects.get(pk=household.pk).version == 3


def test_an_update_that_changes_nothing_writes_no_audit_row(county_user, household):
    services.household_update(actor=county_user, household=household, data={"address": "甲一村 3 号"})
    assert not updates(household).exists()


def test_retyping_a_stored_amount_in_another_form_is_no_change(county_user, household):
    services.household_update(actor=county_user, household=household, data={"house_area": Decimal("80.5")})
    services.household_update(actor=county_user, household=household, data={"house_area": "80.50"})
    services.household_update(actor=county_user, household=household, data={"house_area": "80.5"})
    assert updates(household).count() == 1


def test_a_stale_version_is_refused_and_changes_nothing(county_user, household):
    services.household_update(actor=county_user, household=household, data={"phone": "13811112222"}, expected_version=1)
    before = counts()
    with pytest.raises(services.StaleVersion):
        services.household_update(
            actor=county_user, household=household, data={"phone": "13822223333"}, expected_version=1
        )
    fresh = Household.objects.get(pk=household.pk)
    assert fresh.phone == "13811112222"
    assert fresh.version == 2
    assert counts() == before


def test_moving_a_household_to_another_village_moves_its_scope_prefix(tree, county_user, household):
    services.household_update(actor=county_user, household=household, data={"area": tree["village_b1"]})
    household.refresh_from_db()
    assert household.area_path == tree["village_b1"].path
    assert updates(household).get().data["changes"]["area_id"]["after"] == tree["village_b1"].pk


def test_a_member_update_records_fields_and_respects_its_version(county_user, household):
    spouse = household.members.get(relation=Relation.SPOUSE)
    services.member_update(
        actor=county_user, member=spouse, data={"phone": "13700000000"}, expected_version=1
    )
    event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="registry.member", entity_id=str(spouse.pk))
    assert event.data["changes"]["phone"] == {"before": "", "after": "13700000000"}
    with pytest.raises(services.StaleVersion):
        services.member_update(actor=county_user, member=spouse, data={"phone": "13933334444"}, expected_version=1)
    assert Member.objects.get(pk=spouse.pk).phone == "13700000000"


def test_an_update_checks_the_changed_fields_and_the_constraints_that_read_them(county_user, household):
    """full_clean checks what changed (and every field of a constraint that reads it), not the
    unchanged rest: a changed field that breaks a rule is still a ValidationError naming it, never an
    IntegrityError from the database."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.household_update(actor=county_user, household=household, data={"house_area": Decimal("-1")})
    assert "house_area" in caught.value.message_dict
    household.refresh_from_db()
    household.identified_year, household.exit_year = 2016, None
    household.save()
    # Only exit_year changes; the constraint exit_year ≥ identified_year reads both, so it is checked.
    with pytest.raises(ValidationError):
        services.household_update(actor=county_user, household=household, data={"exit_year": 2015})
    household.refresh_from_db()
    assert household.exit_year is None


def test_an_update_of_two_fields_does_not_check_the_others_again(county_user, household,
                                                                  django_assert_max_num_queries):
    """An API PATCH of address and house area sent 41 validation queries (12 check constraints, three
    queries each, the unchanged area and number): now the house area's one constraint."""
    with django_assert_max_num_queries(12):
        services.household_update(actor=county_user, household=household,
                                  data={"address": "甲一村 5 号", "house_area": Decimal("88.5")})
    household.refresh_from_db()
    assert (household.address, household.house_area) == ("甲一村 5 号", Decimal("88.5"))
