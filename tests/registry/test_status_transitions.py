"""Status changes follow the status machine (rules.HOUSEHOLD_STATUS), need a reason, and keep their history
(REFERENCE §2)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import rules, services
from fupin.registry.choices import CancelReason, Procedure, Relation, Status
from fupin.registry.models import Household
from tests import factories

from .helpers import counts, refused

TRANSITIONS = rules.HOUSEHOLD_STATUS.as_dict()
PAIRS = [(a, b) for a in Status.values for b in Status.values]
ALLOWED = [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]]


def household_in(tree, actor, status) -> Household:
    household = factories.household(tree["village_a1"], actor=actor, identified_year=2014)
    # Set-up only: put the household straight into the starting status.
    Household.objects.filter(pk=household.pk).update(
        status=status, cancel_reason=CancelReason.MERGED if status == Status.CANCELLED else "",
        exit_year=2016 if status in rules.EXITED_STATUSES else None,
    )
    household.refresh_from_db()
    return household


def change(actor, household, to_status, **kwargs):
    kwargs.setdefault("reason", "测试原因")
    kwargs.setdefault("date", datetime.date(2019, 12, 1))
    if to_status == Status.CANCELLED:
        kwargs.setdefault("cancel_reason", CancelReason.ALL_DEAD)
    return services.household_change_status(actor=actor, household=household, to_status=to_status, **kwargs)


def test_every_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(Status.values)
    assert TRANSITIONS[Status.CANCELLED] == set()
    assert all(Status.CANCELLED in TRANSITIONS[s] for s in Status.values if s != Status.CANCELLED)


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_an_allowed_transition_is_made_and_recorded(tree, county_user, from_status, to_status):
    household = household_in(tree, county_user, from_status)
    change(actor=county_user, household=household, to_status=to_status, procedure=Procedure.ADJUSTMENT)

    fresh = Household.objects.get(pk=household.pk)
    assert fresh.status == to_status
    assert fresh.version == 2
    row = fresh.status_changes.order_by("id").last()
    assert (row.from_status, row.to_status) == (from_status, to_status)
    assert row.reason == "测试原因" and row.procedure == Procedure.ADJUSTMENT
    assert row.date == datetime.date(2019, 12, 1) and row.actor == county_user
    event = AuditEvent.objects.filter(kind=AuditKind.STATUS, entity_id=str(household.pk)).get()
    assert event.data["changes"]["status"] == {"before": from_status, "after": to_status}
    assert event.data["reason"] == "测试原因"


@pytest.mark.parametrize("from_status", Status.values)
def test_a_transition_outside_the_table_is_refused(tree, county_user, from_status):
    household = household_in(tree, county_user, from_status)
    refused_targets = [b for a, b in REFUSED if a == from_status]
    assert refused_targets  # staying put is never a transition
    for to_status in refused_targets:
        with refused("status", contains=str(Status(from_status).label)):
            change(actor=county_user, household=household, to_status=to_status)
    fresh = Household.objects.get(pk=household.pk)
    assert (fresh.status, fresh.version) == (from_status, 1)
    assert fresh.status_changes.count() == 1


def test_an_unknown_status_code_is_refused(tree, county_user):
    household = household_in(tree, county_user, Status.POOR)
    with refused("status"):
        change(actor=county_user, household=household, to_status="rich")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_status_change_needs_a_reason(tree, county_user, reason):
    household = household_in(tree, county_user, Status.POOR)
    with refused("reason", contains="原因"):
        change(actor=county_user, household=household, to_status=Status.EXITED, reason=reason)
    assert Household.objects.get(pk=household.pk).status == Status.POOR


def test_cancelling_needs_a_cancel_reason(tree, county_user):
    household = household_in(tree, county_user, Status.POOR)
    with refused("cancel_reason", contains="注销"):
        change(actor=county_user, household=household, to_status=Status.CANCELLED, cancel_reason="")


def test_cancelling_refuses_an_unknown_cancel_reason(tree, county_user):
    household = household_in(tree, county_user, Status.POOR)
    with refused("cancel_reason"):
        change(actor=county_user, household=household, to_status=Status.CANCELLED, cancel_reason="bored")


def test_cancelling_keeps_the_cancel_reason(tree, county_user):
    household = household_in(tree, county_user, Status.POOR)
    change(
        actor=county_user,
        household=household,
        to_status=Status.CANCELLED,
        cancel_reason=CancelReason.WRONGLY_REGISTERED,
    )
    assert Household.objects.get(pk=household.pk).cancel_reason == CancelReason.WRONGLY_REGISTERED


def test_a_cancelled_household_takes_no_new_members(tree, county_user):
    household = household_in(tree, county_user, Status.CANCELLED)
    before = counts()
    with pytest.raises(ValidationError) as info:
        services.member_add(
            actor=county_user, household=household, data=factories.member_data(Relation.OTHER, "1")
        )
    assert "注销" in " ".join(info.value.messages)
    assert counts() == before


def test_exiting_sets_the_exit_year_from_the_date(tree, county_user):
    household = household_in(tree, county_user, Status.POOR)
    change(actor=county_user, household=household, to_status=Status.EXITED, date=datetime.date(2018, 11, 20))
    assert Household.objects.get(pk=household.pk).exit_year == 2018


def test_exiting_takes_an_explicit_exit_year(tree, county_user):
    household = household_in(tree, county_user, Status.POOR)
    change(actor=county_user, household=household, to_status=Status.EXITED, exit_year=2017)
    assert Household.objects.get(pk=household.pk).exit_year == 2017


def test_exiting_before_identification_is_refused(tree, county_user):
    household = household_in(tree, county_user, Status.POOR)
    with refused("exit_year"):
        change(actor=county_user, household=household, to_status=Status.EXITED, exit_year=2013)
    assert Household.objects.get(pk=household.pk).exit_year is None


def test_the_whole_history_is_kept_in_order(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user, status=Status.APPLYING)
    for to_status in (Status.POOR, Status.EXITED, Status.RETURNED, Status.EXITED, Status.EXITED_STABLE):
        change(actor=county_user, household=household, to_status=to_status)
    path = list(household.status_changes.order_by("id").values_list("to_status", flat=True))
    assert path == [
        Status.APPLYING,
        Status.POOR,
        Status.EXITED,
        Status.RETURNED,
        Status.EXITED,
        Status.EXITED_STABLE,
    ]
    assert Household.objects.get(pk=household.pk).version == 6
