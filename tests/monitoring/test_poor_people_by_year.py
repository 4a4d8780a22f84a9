"""Year-end counts of not-exited poor people, rebuilt from the status history."""

import datetime

from fupin.accounts.models import Role
from fupin.monitoring import selectors
from fupin.registry import services
from fupin.registry.choices import Status

from .. import factories


def _household(tree, actor, when):
    return factories.household(tree["village_a1"], actor=actor, date=when)


def test_households_count_from_identification_until_exit_and_again_after_returning(tree, county_user):
    h = _household(tree, county_user, datetime.date(2014, 5, 1))
    services.household_status_transition(actor=county_user, household=h, to_status=Status.EXITED, reason="达标",
                                         date=datetime.date(2016, 11, 1), procedure="exit")
    services.household_change_status(actor=county_user, household=h, to_status=Status.RETURNED, reason="因病返贫",
                                     date=datetime.date(2018, 3, 1), procedure="adjustment")
    other = _household(tree, county_user, datetime.date(2015, 6, 1))
    assert other.member_count == 2

    by_year = selectors.poor_people_by_year(user=county_user, root=tree["county"])[tree["county"].path]
    assert by_year[2014] == {"households": 1, "people": 2}
    assert by_year[2015] == {"households": 2, "people": 4}
    assert by_year[2016] == {"households": 1, "people": 2}
    assert by_year[2017] == {"households": 1, "people": 2}
    assert by_year[2018] == {"households": 2, "people": 4}


def test_people_are_counted_as_the_household_was_when_its_status_changed(tree, county_user):
    h = _household(tree, county_user, datetime.date(2014, 5, 1))
    services.member_add(actor=county_user, household=h, data=factories.member_data("son", "1", name="新生儿"))
    services.household_status_transition(actor=county_user, household=h, to_status=Status.EXITED, reason="达标",
                                         date=datetime.date(2015, 11, 1), procedure="exit")
    by_year = selectors.poor_people_by_year(user=county_user, root=tree["county"])[tree["county"].path]
    assert by_year[2014] == {"households": 1, "people": 2}  # two people when identified
    assert by_year[2015] == {"households": 0, "people": 0}  # exited during 2015, whatever its size then


def test_grouping_by_township_keeps_each_township_apart_and_scope_applies(tree, county_user):
    _household(tree, county_user, datetime.date(2014, 5, 1))
    factories.household(tree["village_b1"], actor=county_user, date=datetime.date(2014, 5, 1))
    grouped = selectors.poor_people_by_year(user=county_user, root=tree["county"], prefix_length=9)
    assert grouped[tree["township_a"].path][2014]["households"] == 1
    assert grouped[tree["township_b"].path][2014]["households"] == 1
    outsider = factories.user("b_only", Role.TOWNSHIP, tree["township_b"])
    seen = selectors.poor_people_by_year(user=outsider, root=tree["county"], prefix_length=9)
    assert tree["township_a"].path not in seen
