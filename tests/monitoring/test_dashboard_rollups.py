"""The precomputed figures (rollups) are never served stale, and a write makes stale only the rollups of
the areas it concerns: the others are served as they are, and summed into their parents'."""

import datetime

import pytest
from django.utils import timezone

from fupin.audit.services import audit_export
from fupin.monitoring import figures, rollups
from fupin.monitoring.models import FigureRollup
from fupin.registry import services
from fupin.registry.choices import Status

from .. import factories
from . import dash_world

D = datetime.date
#: Stored figures of nothing at all, in the current layout.
EMPTY = {"layout": rollups.LAYOUT, "main": [], "child_main": [], "exits": [], "income": {"bands": [], "years": []},
         "monitor": {"kinds": [], "risks": [], "children": [], "totals": []}}


@pytest.fixture
def world(tree, county_user):
    return dash_world.build(tree, county_user)


def _households(user, tree, on=None):
    return figures.dashboard(user=user, area=tree["county"], on=on)["headline"]["households"].households


def test_a_dashboard_is_stored_and_served_from_its_rollup(world, tree, county_user, django_assert_num_queries):
    _households(county_user, tree)
    assert FigureRollup.objects.filter(area_path=tree["county"].path, day="today").count() == 1
    with django_assert_num_queries(3):  # the rollup, the writes since it (none), the targets
        _households(county_user, tree)


def test_registering_a_household_makes_only_the_rollups_of_its_areas_stale(world, tree, county_user):
    assert _households(county_user, tree) == 6
    # The county computed live stores the rollups of every area below it at once.
    assert set(FigureRollup.objects.values_list("area_path", flat=True)) == {
        tree[k].path for k in ("county", "township_a", "township_b", "village_a1", "village_a2", "village_b1")}
    factories.household(tree["village_a1"], actor=county_user)
    assert rollups.stale_count() == 3  # 甲一村, 甲乡, the county; 甲二村, 乙乡 and 乙一村 stay current
    assert _households(county_user, tree) == 7


def _every_number(data):
    out = {("fig", f.key): (f.households, f.people) for f in figures.all_figures(data)}
    for row in data["children"]:
        for name in ("households", "poor", "exited", "at_risk"):
            out[(row["area"].code, name)] = (row[name].households, row[name].people)
        out[(row["area"].code, "status")] = [(f.households, f.people) for f in row["status"]]
    out["growth"] = data["income"]["growth"]
    out["incidence"] = data["incidence"]
    return out


@pytest.mark.parametrize("on", [None, D(2023, 12, 31)], ids=["today", "2023"])
def test_a_write_in_village_a1_leaves_township_b_served_as_is_and_the_county_right(world, tree, county_user, on,
                                                                                     monkeypatch):
    county, children = tree["county"], [tree["township_a"], tree["township_b"]]
    figures.dashboard(user=county_user, area=county, on=on, children=children)
    day = on.isoformat() if on else "today"
    kept = {r.area_path: (r.stamp, r.computed_at) for r in FigureRollup.objects.filter(day=day)}
    # A backdated exit and a new member in 甲一村: today's figures and 2023's change.
    shrunk = world["households"]["shrunk"]
    services.household_status_transition(actor=county_user, household=shrunk, to_status=Status.EXITED, reason="达标",
                                         date=D(2023, 10, 1), procedure="exit", exit_year=2023)
    services.member_add(actor=county_user, household=shrunk, data=factories.member_data("daughter", "2"))
    computed = []
    real = figures.compute_parts
    monkeypatch.setattr(figures, "compute_parts", lambda **kw: computed.append(kw["area"].path) or real(**kw))

    summed = figures.dashboard(user=county_user, area=county, on=on, children=children)
    assert computed == [tree["village_a1"].path]  # only the village written in is computed live
    now = {r.area_path: (r.stamp, r.computed_at) for r in FigureRollup.objects.filter(day=day)}
    for untouched in ("township_b", "village_b1", "village_a2"):  # served as they were, not recomputed
        assert now[tree[untouched].path] == kept[tree[untouched].path]
    for written in ("county", "township_a", "village_a1"):
        assert now[tree[written].path] != kept[tree[written].path]
    # The summed county equals the county computed live from the registry, figure by figure.
    FigureRollup.objects.all().delete()
    live = figures.dashboard(user=county_user, area=county, on=on, children=children)
    assert _every_number(summed) == _every_number(live)
    assert summed["headline"]["exited"].households == 4


def test_moving_a_household_to_another_township_makes_both_stale(world, tree, county_user):
    county, children = tree["county"], [tree["township_a"], tree["township_b"]]
    before = figures.dashboard(user=county_user, area=county, children=children)
    services.household_update(actor=county_user, household=world["households"]["shrunk"],
                              data={"area": tree["village_b1"]})
    after = figures.dashboard(user=county_user, area=county, children=children)
    a, b = (after["children"][i]["households"].households - before["children"][i]["households"].households
            for i in (0, 1))
    assert (a, b) == (-1, 1)
    FigureRollup.objects.all().delete()
    assert _every_number(figures.dashboard(user=county_user, area=county, children=children)) == _every_number(after)


def test_a_write_concerns_the_areas_above_and_below_it_and_writes_open_at_computing_time():
    now = timezone.now()
    writes = rollups.Writes([("530324001001", 5, now)])
    assert writes.touch("530324001", 4, None) and writes.touch("5303", 4, None)  # its township, its city
    assert not writes.touch("530324001", 5, None)  # in the township's figures already (its stamp)
    assert not writes.touch("530324002", 4, None)  # another township
    # Computed while a transaction begun before this write was open: its id may be older than the stamp.
    assert writes.touch("530324001", 9, now - datetime.timedelta(seconds=1))
    assert rollups.Writes([("", 5, now)]).touch("530324002", 4, None)  # a write about everything


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
                                data=EMPTY)
    assert _households(county_user, tree) == 6


def test_a_rollup_tampered_with_under_the_current_stamp_would_be_served(world, tree, county_user):
    """What the stamp guards and what it does not: a change outside the services (no audit row) is
    seen only after MAX_AGE; the tests above show every service write is seen at once."""
    _households(county_user, tree)
    FigureRollup.objects.update(data=EMPTY)
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


def test_villages_with_groups_are_summed_from_partial_rollups_and_shown_whole(world, tree, county_user):
    group = factories.area(tree["village_a1"].code + "001", "一组")
    factories.household(group, actor=county_user)
    county, children = tree["county"], [tree["township_a"], tree["township_b"]]
    rollups.refresh(user=county_user, areas=[county], dates=[None])  # the county live, in one pass by village
    village = FigureRollup.objects.get(area_path=tree["village_a1"].path, day="today")
    assert village.data["partial"]  # no breakdown by group: good for summing only
    assert _households(county_user, tree) == 7
    shown = figures.dashboard(user=county_user, area=tree["village_a1"], children=[group])
    assert [(r["area"], r["households"].households) for r in shown["children"]] == [(group, 1)]
    assert not FigureRollup.objects.get(pk=village.pk).data["partial"]  # computed whole and stored
    factories.household(group, actor=county_user)
    summed = figures.dashboard(user=county_user, area=county, children=children)
    assert summed["headline"]["households"].households == 8
    FigureRollup.objects.all().delete()
    assert _every_number(summed) == _every_number(figures.dashboard(user=county_user, area=county, children=children))
