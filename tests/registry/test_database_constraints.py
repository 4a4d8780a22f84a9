"""The database itself refuses what the services refuse, for writers that bypass the services."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from fupin.registry.choices import Relation
from fupin.registry.models import Household, Member, PovertyLine, YearlyRecord
from tests import factories

HOUSEHOLD_MONEY = [
    "cultivated_land",
    "irrigated_land",
    "forest_land",
    "returned_farmland",
    "orchard_land",
    "pasture_land",
    "water_surface",
    "road_distance_km",
    "house_area",
    "relocation_self_paid",
    "relocation_debt",
]
YEARLY_MONEY = ["wage_income", "business_income", "property_income", "transfer_income", "business_expense"]


@contextmanager
def database_refuses():
    # The savepoint keeps PostgreSQL's transaction usable after the error.
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


@pytest.fixture
def household(tree, county_user):
    return factories.household(tree["village_a1"], actor=county_user)


def clone(member: Member, **changes) -> Member:
    fields = {
        f.attname: getattr(member, f.attname) for f in Member._meta.concrete_fields if f.attname != "id"
    }
    fields.update(changes)
    return Member(**fields)


def test_a_negative_household_amount_is_refused_by_the_database(household):
    for field in HOUSEHOLD_MONEY:
        with database_refuses():
            Household.objects.filter(pk=household.pk).update(**{field: Decimal("-1")})
    assert Household.objects.filter(pk=household.pk, house_area=0).exists()


def test_an_exit_year_before_identification_is_refused_by_the_database(household):
    with database_refuses():
        Household.objects.filter(pk=household.pk).update(exit_year=2000, identified_year=2014)


@pytest.mark.parametrize("field", ["dibao_amount", "tekun_amount"])
def test_a_negative_allowance_is_refused_by_the_database(household, field):
    with database_refuses():
        Member.objects.filter(household=household).update(**{field: Decimal("-0.01")})


def test_more_than_12_months_of_work_is_refused_by_the_database(household):
    with database_refuses():
        Member.objects.filter(household=household).update(work_months=13)


def test_a_removed_member_without_a_reason_is_refused_by_the_database(household):
    with database_refuses():
        Member.objects.filter(household=household, relation=Relation.SPOUSE).update(active=False)


def test_a_second_active_household_for_one_person_is_refused_by_the_database(tree, county_user, household):
    other = factories.household(tree["village_b1"], actor=county_user)
    spouse = household.members.get(relation=Relation.SPOUSE)
    with database_refuses():
        Member.objects.bulk_create([clone(spouse, household_id=other.pk, relation=Relation.OTHER)])
    with database_refuses():
        Member.objects.filter(pk=other.members.get(relation=Relation.SPOUSE).pk).update(
            id_number=spouse.id_number
        )


def test_an_inactive_duplicate_is_allowed_by_the_database(tree, county_user, household):
    other = factories.household(tree["village_b1"], actor=county_user)
    spouse = household.members.get(relation=Relation.SPOUSE)
    Member.objects.bulk_create(
        [clone(spouse, household_id=other.pk, relation=Relation.OTHER, active=False, removal_reason="error")]
    )
    assert Member.objects.filter(id_number=spouse.id_number).count() == 2


def test_a_second_active_head_is_refused_by_the_database(household):
    head = household.members.get(relation=Relation.HEAD)
    with database_refuses():
        Member.objects.bulk_create([clone(head, id_number=factories.person_id())])
    with database_refuses():
        Member.objects.filter(household=household, relation=Relation.SPOUSE).update(relation=Relation.HEAD)


def test_a_negative_yearly_amount_is_refused_by_the_database(household):
    for field in YEARLY_MONEY:
        with database_refuses():
            YearlyRecord.objects.bulk_create(
                [YearlyRecord(household=household, year=2016, member_count=1, **{field: Decimal("-1")})]
            )
    rec = YearlyRecord.objects.create(household=household, year=2016, member_count=1)
    for field in YEARLY_MONEY:
        with database_refuses():
            YearlyRecord.objects.filter(pk=rec.pk).update(**{field: Decimal("-1")})


def test_a_second_record_for_the_same_year_is_refused_by_the_database(household):
    YearlyRecord.objects.create(household=household, year=2016, member_count=2)
    with database_refuses():
        YearlyRecord.objects.bulk_create([YearlyRecord(household=household, year=2016, member_count=2)])


def test_a_yearly_record_needs_at_least_one_person_in_the_database(household):
    with database_refuses():
        YearlyRecord.objects.bulk_create([YearlyRecord(household=household, year=2016, member_count=0)])


def test_a_poverty_line_must_be_positive_in_the_database(db):
    with database_refuses():
        PovertyLine.objects.create(year=2099, amount=Decimal("0"))


def test_only_one_national_line_per_year_and_kind_in_the_database(db):
    PovertyLine.objects.filter(year=2016).delete()  # a data migration may have seeded it
    PovertyLine.objects.create(year=2016, amount=Decimal("3146"))
    with database_refuses():
        PovertyLine.objects.create(year=2016, amount=Decimal("3200"))


def test_the_database_refuses_the_same_person_active_twice_under_two_documents(tree, county_user):
    """An ID card in one household and the same person's 残疾人证 number in another: one citizen_id."""
    import pytest
    from django.db import IntegrityError, transaction

    from fupin.registry.models import Member

    h1 = factories.household(tree["village_a1"], actor=county_user)
    h2 = factories.household(tree["village_b1"], actor=county_user)
    person = h1.members.first()
    clone = Member(household=h2, name=person.name, id_number=person.id_number + "41", citizen_id=person.citizen_id,
                   sex=person.sex, birth_date=person.birth_date, relation="other")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.bulk_create([clone])
