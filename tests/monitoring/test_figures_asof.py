"""The county as it stood on a past date, rebuilt from the history (not today's values relabelled),
against hand-built histories."""

import datetime

import pytest

from fupin.monitoring import figures
from fupin.registry.choices import Status

from . import dash_world

D = datetime.date


@pytest.fixture
def world(tree, county_user):
    return dash_world.build(tree, county_user)


def _dash(user, tree, on):
    return figures.dashboard(user=user, area=tree["county"], on=on)


def _status_of(data, status):
    return next(f for f in data["status"] if f.key == f"status:{status}")


def test_a_household_that_exited_then_returned_counts_as_poor_exited_and_poor_again(world, tree, county_user):
    a1 = tree["village_a1"]
    on_dates = {D(2015, 12, 31): Status.POOR, D(2017, 12, 31): Status.EXITED, D(2018, 12, 31): Status.RETURNED,
                D(2021, 12, 31): Status.EXITED}
    returned = world["households"]["returned"]
    from fupin.registry.selectors import HouseholdFilters, household_list

    for on, status in on_dates.items():
        listed = household_list(user=county_user, filters=HouseholdFilters(area=a1, status="all",
                                                                           figure=f"status:{status}", on=on))
        assert returned in listed, (on, status)
    assert _status_of(_dash(county_user, tree, D(2018, 12, 31)), "returned").households == 1
    assert _status_of(_dash(county_user, tree, None), "returned").households == 0
    exits = {e["year"]: e["exits"].households for e in _dash(county_user, tree, D(2018, 12, 31))["exits"]}
    assert 2020 not in exits and exits[2016] == 1  # years after the date are not shown


def test_a_removed_member_counts_until_the_day_of_removal(world, tree, county_user):
    def people(on):
        data = figures.dashboard(user=county_user, area=tree["village_a1"], on=on)
        return next(f for f in data["status"] if f.key == "status:poor").people
    assert people(D(2019, 5, 31)) == 3
    assert people(D(2019, 6, 1)) == 2  # removed that day
    assert people(None) == 2


def test_a_cancelled_household_counts_in_the_register_until_it_was_cancelled(world, tree, county_user):
    before = _dash(county_user, tree, D(2020, 12, 31))
    after = _dash(county_user, tree, D(2021, 12, 31))
    assert before["headline"]["households"].households == 6  # late (2022) not yet, cancelled still in
    assert _status_of(before, "cancelled").households == 0
    assert after["headline"]["households"].households == 5
    assert _status_of(after, "cancelled").households == 1


def test_a_household_registered_later_does_not_exist_before(world, tree, county_user):
    early = _dash(county_user, tree, D(2019, 12, 31))
    assert sum(f.households for f in early["status"]) == 6  # 7 registered, "late" only in 2022
    assert early["headline"]["poor"].households == 3  # shrunk, poor, and returned (返贫 2018, exited again 2020)


def test_monitoring_objects_are_at_risk_from_enrolment_and_cleared_from_clearing(world, tree, county_user):
    def mon(on):
        h = _dash(county_user, tree, on)["headline"]
        return h["at_risk"].households, h["cleared"].households
    assert mon(D(2021, 12, 31)) == (0, 0)
    assert mon(D(2022, 12, 31)) == (1, 0)
    assert mon(D(2023, 12, 31)) == (2, 0)
    assert mon(D(2024, 12, 31)) == (1, 1)
    assert mon(None) == (1, 1)


def test_a_pairing_counts_while_in_force(world, tree, county_user):
    assert _dash(county_user, tree, D(2020, 12, 31))["headline"]["paired"].households == 2
    assert _dash(county_user, tree, D(2022, 12, 31))["headline"]["paired"].households == 1


def test_as_of_today_gives_the_current_figures(world, tree, county_user):
    from django.utils import timezone

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    current = figures.all_figures(_dash(county_user, tree, None))
    then = figures.all_figures(_dash(county_user, tree, yesterday))
    assert [(f.key, f.households, f.people) for f in current] == [(f.key, f.households, f.people) for f in then]


def test_incomes_and_gaps_are_those_of_the_last_year_up_to_the_date(world, tree, county_user):
    data = _dash(county_user, tree, D(2023, 12, 31))
    assert data["income"]["year"] == 2023
    assert {f.key: f.households for f in data["gaps"]}["gap:2023:housing"] == 1
    assert [g["year"] for g in data["income"]["growth"]] == [2023]


def test_a_future_or_malformed_date_is_refused(world):
    from django.utils import timezone

    with pytest.raises(figures.BadKey):
        figures.parse_on((timezone.localdate() + datetime.timedelta(days=1)).isoformat())
    with pytest.raises(figures.BadKey):
        figures.parse_on("2019-13-01")
    assert figures.parse_on(timezone.localdate().isoformat()) is None
