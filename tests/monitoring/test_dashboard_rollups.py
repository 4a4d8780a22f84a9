"""The precomputed figures (rollups) are never served stale: any write moves the stamp."""

import datetime

import pytest

from fupin.audit.services import audit_export
from fupin.monitoring import figures, rollups
from fupin.monitoring.models import FigureRollup
from fupin.registry import services
from fupin.registry.choices import Status

from .. import factories
from . import dash_world

D = datetime.date


@pytest.fixture
def world(tree, county_user):
    return dash_world.build(tree, county_user)


def _households(user, tree, on=None):
    return figures.dashboard(user=user, area=tree["county"], on=on)["headline"]["households"].households


def test_a_dashboard_is_stored_and_served_from_its_rollup(world, tree, county_user, django_assert_num_queries):
    _households(county_user, tree)
    assert FigureRollup.objects.filter(area_path=tree["county"].path, day="today").count() == 1
    with django_assert_num_queries(3):  # the stamp, the rollup, the targets
        _households(county_user, tree)


def test_registering_a_household_makes_the_rollup_stale_and_the_figures_follow(world, tree, county_user):
    assert _households(county_user, tree) == 6
    factories.household(tree["village_a1"], actor=county_user)
    assert rollups.stale_count() == 1
    assert _households(county_user, tree) == 7


def test_a_status_change_or_member_removal_dated_in_the_past_changes_the_past_too(world, tree, county_user):
    on = D(2023, 12, 31)
    poor = world["households"]["poor"]
    before = figures.dashboard(user=county_user, area=tree["county"], on=on)["headline"]
    services.household_status_transition(actor=county_user, household=poor, to_status=Status.EXITED, reason="达标",
                                         date=D(2023, 10, 1), procedure="exit", exit_year=2023)
    after = figures.dashboard(user=county_user, area=tree["county"], on=on)["headline"]
    assert after["exited"].households == before["exited"].households + 1
    member = poor.members.filter(relation="spouse").first()
    services.member_remove(actor=county_user, member=member, reason="death", date=D(2023, 11, 1))
    again = figures.dashboard(user=county_user, area=tree["county"], on=on)["headline"]
    assert again["exited"].people == after["exited"].people - 1


def test_reads_that_are_audited_do_not_invalidate(world, tree, county_user):
    _households(county_user, tree)
    stamp = rollups.stamp()
    audit_export(actor=county_user, summary="下载", area_path=tree["county"].path)
    assert rollups.stamp() == stamp and rollups.stale_count() == 0


def test_an_old_rollup_is_recomputed_even_with_a_current_stamp(world, tree, county_user):
    from django.utils import timezone

    _households(county_user, tree)
    FigureRollup.objects.update(computed_at=timezone.now() - rollups.MAX_AGE - datetime.timedelta(minutes=1),
                                data={"main": [], "exits": [], "monitor": {"kinds": [], "risks": [], "children": [],
                                                                           "totals": []}, "income": {"growth": [], "year": None, "bands": []}})
    assert _households(county_user, tree) == 6


def test_a_rollup_tampered_with_under_the_current_stamp_would_be_served(world, tree, county_user):
    """What the stamp guards and what it does not: a change outside the services (no audit row) is
    seen only after MAX_AGE; the tests above show every service write is seen at once."""
    _households(county_user, tree)
    FigureRollup.objects.update(data={"main": [], "exits": [], "monitor": {"kinds": [], "risks": [], "children": [],
                                                                           "totals": []}, "income": {"growth": [], "year": None, "bands": []}})
    assert _households(county_user, tree) == 0


def test_household_scoped_users_are_never_served_from_a_rollup(world, tree, county_user):
    cadre = world["cadre"]
    data = figures.dashboard(user=cadre, area=tree["county"])
    assert data["headline"]["households"].households == 1  # the one pairing in force
    assert not FigureRollup.objects.exists()


def test_the_refresh_command_precomputes_counties_and_townships(world, tree, county_user):
    from django.core.management import call_command

    call_command("dashboard", "refresh", "--year-ends", "2")
    days = set(FigureRollup.objects.filter(area_path=tree["county"].path).values_list("day", flat=True))
    assert "today" in days and len(days) == 3
    assert FigureRollup.objects.filter(area_path=tree["township_a"].path).exists()
