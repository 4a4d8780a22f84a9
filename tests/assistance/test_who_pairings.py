"""Bulk pairing by village and the reassignment of a departed cadre's households: atomic (one refused
household and nothing is written), audited, with the old pairing ending the day the new one starts."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from fupin.assistance import services as pairing
from fupin.assistance import services_people as svc
from fupin.assistance.models import Pairing
from fupin.audit.models import AuditEvent
from fupin.registry.choices import CancelReason, Status
from tests import factories

from .who_world import START, cadre, homes_fixture  # noqa: F401 (the homes fixture)

pytestmark = pytest.mark.django_db


def test_bulk_assignment_pairs_every_chosen_household_with_an_audit_row_each(tree, homes, county_user):
    helper = cadre(tree["county"], "王帮扶")
    before = AuditEvent.objects.count()
    made = svc.pairings_bulk_create(actor=county_user, cadre=helper, village=tree["village_a1"],
                                    households=[homes["poor"], homes["poor2"], homes["exited"]], start=START)
    assert {p.household.number for p in made} == {"5303241002010201", "5303241002010202", "5303241002010203"}
    assert AuditEvent.objects.count() - before == 3
    assert AuditEvent.objects.filter(actor=county_user, summary__contains="帮扶结对").count() == 3


@pytest.mark.parametrize("bad", ["other_village", "cancelled", "already"])
def test_one_bad_household_and_nothing_is_written(tree, homes, county_user, bad):
    helper = cadre(tree["county"], "王帮扶")
    if bad == "other_village":
        odd = homes["b1"]
    elif bad == "cancelled":
        odd = factories.household(tree["village_a1"], number="5303241002010299", status=Status.POOR)
        from fupin.registry import services as registry

        odd = registry.household_change_status(actor=None, household=odd, to_status=Status.CANCELLED,
                                               reason="测试注销", date=datetime.date(2024, 1, 1),
                                               cancel_reason=CancelReason.WRONGLY_REGISTERED)
    else:
        odd = homes["poor2"]
        pairing.pairing_create(actor=None, cadre=helper, household=odd, start=START)
    pairings, audits = Pairing.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        svc.pairings_bulk_create(actor=county_user, cadre=helper, village=tree["village_a1"],
                                 households=[homes["poor"], homes["exited"], odd], start=START)
    assert odd.number in str(info.value)
    assert (Pairing.objects.count(), AuditEvent.objects.count()) == (pairings, audits)


def test_bulk_assignment_outside_the_actors_subtree_is_refused(tree, homes, township_b_user):
    helper = cadre(tree["county"], "王帮扶")
    with pytest.raises(ValidationError) as info:
        svc.pairings_bulk_create(actor=township_b_user, cadre=helper, village=tree["village_a1"],
                                 households=[homes["poor"]], start=START)
    assert "area" in info.value.message_dict
    assert not Pairing.objects.exists()


def test_reassignment_ends_the_old_pairings_the_day_the_new_ones_start(tree, homes, county_user):
    county = tree["county"]
    leaving, taking = cadre(county, "石离岗"), cadre(county, "田接手")
    olds = [pairing.pairing_create(actor=None, cadre=leaving, household=homes[k], start=START) for k in ("poor", "poor2")]
    on = datetime.date(2024, 6, 1)
    svc.cadre_leave(actor=county_user, cadre=leaving, left_on=on)
    new = svc.pairings_reassign(actor=county_user, pairings=olds, to_cadre=taking, on=on)
    for old in olds:
        old.refresh_from_db()
        assert old.end == on
    assert [(p.cadre.name, p.start, p.end) for p in new] == [("田接手", on, None)] * 2
    # The household's history: both pairings, one after the other.
    history = Pairing.objects.filter(household=homes["poor"]).order_by("start")
    assert [(p.cadre.name, p.start, p.end) for p in history] == [("石离岗", START, on), ("田接手", on, None)]


def test_a_failed_reassignment_changes_nothing(tree, homes, county_user):
    county = tree["county"]
    leaving, taking = cadre(county, "石离岗"), cadre(county, "田接手")
    olds = [pairing.pairing_create(actor=None, cadre=leaving, household=homes[k], start=START) for k in ("poor", "poor2")]
    pairing.pairing_create(actor=None, cadre=taking, household=homes["poor2"], start=START)  # already helps poor2
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        svc.pairings_reassign(actor=county_user, pairings=olds, to_cadre=taking, on=datetime.date(2024, 6, 1))
    assert "5303241002010202" in str(info.value)
    assert all(Pairing.objects.get(pk=p.pk).end is None for p in olds)
    assert Pairing.objects.filter(cadre=taking).count() == 1 and AuditEvent.objects.count() == audits


def test_a_departed_cadre_cannot_be_given_new_households(tree, homes):
    gone = cadre(tree["county"], "石离岗")
    gone = svc.cadre_leave(actor=None, cadre=gone, left_on=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        pairing.pairing_create(actor=None, cadre=gone, household=homes["poor"], start=datetime.date(2024, 6, 1))
