"""A household is refused, field by field and in Chinese, when its facts are impossible."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fupin.registry import services
from fupin.registry.choices import Cause, Procedure, Status
from tests import factories

from .helpers import refused

NON_NEGATIVE = [
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


def create(tree, actor, **fields):
    return factories.household(tree["village_a1"], actor=actor, **fields)


@pytest.fixture
def household(tree, county_user):
    return create(tree, county_user)


@pytest.mark.parametrize("field", NON_NEGATIVE)
def test_it_refuses_a_negative_amount_at_registration(tree, county_user, field):
    with refused(field, contains="负"):
        create(tree, county_user, **{field: Decimal("-0.01")})


def test_it_refuses_a_negative_amount_on_update(county_user, household):
    # One household for all fields: each refusal must leave it exactly as it was for the next.
    for field in NON_NEGATIVE:
        with refused(field, contains="负"):
            services.household_update(actor=county_user, household=household, data={field: Decimal("-5")})
        household.refresh_from_db()
        assert getattr(household, field) == 0, field
        assert household.version == 1, field


def test_a_house_area_of_zero_means_no_house_and_is_accepted(tree, county_user):
    assert create(tree, county_user, house_area=Decimal("0")).house_area == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("main_cause", "laziness"),
        ("attribute", "rich"),
        ("standard", "village"),
        ("road_type", "rail"),
        ("fuel", "nuclear"),
        ("house_structure", "tent"),
        ("danger_grade", "E"),
    ],
)
def test_it_refuses_an_unknown_code(tree, county_user, field, value):
    with refused(field):
        create(tree, county_user, **{field: value})


def test_it_refuses_an_other_cause_equal_to_the_main_cause(tree, county_user):
    with refused("other_causes", contains="重复"):
        create(tree, county_user, main_cause=Cause.ILLNESS, other_causes=[Cause.SCHOOLING, Cause.ILLNESS])


def test_it_refuses_an_unknown_other_cause(tree, county_user):
    with refused("other_causes", contains="未知"):
        create(tree, county_user, other_causes=["laziness"])


def test_it_refuses_a_repeated_other_cause(tree, county_user):
    with refused("other_causes", contains="重复"):
        create(tree, county_user, other_causes=[Cause.WATER, Cause.WATER])


def test_it_refuses_a_main_cause_change_that_collides_with_an_other_cause(county_user, tree):
    household = create(tree, county_user, main_cause=Cause.ILLNESS, other_causes=[Cause.SKILLS])
    with refused("other_causes"):
        services.household_update(actor=county_user, household=household, data={"main_cause": Cause.SKILLS})


def test_it_refuses_an_exit_year_before_the_identification_year(tree, county_user):
    with refused("exit_year"):
        create(tree, county_user, identified_year=2016, exit_year=2015, status=Status.EXITED)


def test_it_refuses_a_planned_exit_before_identification(tree, county_user):
    with refused("exit_year_planned"):
        create(tree, county_user, identified_year=2016, exit_year_planned=2014)


def test_it_refuses_more_irrigated_land_than_cultivated_land(tree, county_user):
    with refused("irrigated_land"):
        create(tree, county_user, cultivated_land=Decimal("2"), irrigated_land=Decimal("3"))


def test_it_refuses_relocation_details_without_the_relocation_flag(tree, county_user):
    with refused("relocated"):
        create(tree, county_user, relocation_year=2018)


def test_it_refuses_a_household_registered_above_village_level(tree, county_user):
    with refused("area", contains="行政村"):
        factories.household(tree["township_a"], actor=county_user)


def test_it_refuses_a_duplicate_household_number(tree, county_user, household):
    with refused("number"):
        create(tree, county_user, number=household.number)


@pytest.mark.parametrize("status", [s for s in Status.values if s not in (Status.APPLYING, Status.POOR)] + ["bogus"])
def test_it_refuses_registering_with_a_status_a_household_cannot_start_in(tree, county_user, status):
    """A registration (建档立卡登记) starts 申请中 or 贫困户(未脱贫) only (rules.INITIAL_STATUSES)."""
    with refused("status", contains="申请中、贫困户(未脱贫)"):
        create(tree, county_user, status=status, procedure=Procedure.REGISTRATION)


def test_a_household_brought_in_by_an_import_cannot_start_cancelled(tree, county_user):
    with refused("status", contains="注销"):
        create(tree, county_user, status=Status.CANCELLED, cancel_reason="merged", procedure=Procedure.IMPORT)


def test_it_refuses_fields_that_are_not_typed_in(tree, county_user, household):
    for field in ["version", "head_name", "member_count", "area_path", "synthetic", "nonsense"]:
        with refused(field):
            create(tree, county_user, **{field: 1})
        with refused(field):
            services.household_update(actor=county_user, household=household, data={field: 1})


def test_status_cannot_be_changed_through_a_plain_update(county_user, household):
    for field in ["status", "cancel_reason"]:
        with refused(field):
            services.household_update(actor=county_user, household=household, data={field: "cancelled"})
    household.refresh_from_db()
    assert household.status == Status.POOR
