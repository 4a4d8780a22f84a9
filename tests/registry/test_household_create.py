"""Registering a household writes the household, its members, a status history row and the audit trail."""

from __future__ import annotations

import datetime

from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry.choices import Procedure, Relation, Status
from fupin.registry.models import Member, StatusChange
from tests import factories


def test_registration_writes_a_status_row_and_an_audit_row_per_record(tree, county_user):
    household = factories.household(
        tree["village_a1"],
        actor=county_user,
        date=None,  # the service's default: today
        members=[
            factories.member_data(Relation.HEAD, "1", name="王五"),
            factories.member_data(Relation.SPOUSE, "2", name="赵六"),
            factories.member_data(Relation.DAUGHTER, "2", name="王七"),
        ],
    )

    change = StatusChange.objects.get(household=household)
    assert (change.from_status, change.to_status) == ("", Status.POOR)
    assert change.procedure == Procedure.REGISTRATION
    assert change.actor == county_user and change.actor_name == "county_officer"
    assert change.reason and change.date == datetime.date.today()

    events = AuditEvent.objects.filter(kind=AuditKind.CREATE)
    assert events.filter(entity="registry.household", entity_id=str(household.pk)).count() == 1
    member_ids = {str(pk) for pk in Member.objects.filter(household=household).values_list("pk", flat=True)}
    assert set(events.filter(entity="registry.member").values_list("entity_id", flat=True)) == member_ids
    assert {e.area_path for e in events} == {tree["village_a1"].path}
    assert {e.actor_id for e in events} == {county_user.pk}
    created = events.get(entity="registry.household")
    assert created.data["after"]["number"] == household.number


def test_registration_fills_the_summary_fields(tree, county_user):
    household = factories.household(
        tree["village_a1"],
        actor=county_user,
        members=[
            factories.member_data(Relation.HEAD, "1", name="王五"),
            factories.member_data(Relation.SON, "1", name="王八"),
        ],
    )
    household.refresh_from_db()
    assert household.head_name == "王五"
    assert household.member_count == 2
    assert household.area_path == tree["village_a1"].path
    assert household.version == 1


def test_registration_keeps_the_given_status_reason_date_and_procedure(tree, county_user):
    household = factories.household(
        tree["village_a1"],
        actor=county_user,
        status=Status.MONITOR_RISK,
        reason="边缘户纳入监测",
        date=datetime.date(2021, 3, 1),
        procedure=Procedure.MONITORING,
    )
    change = household.status_changes.get()
    assert change.to_status == Status.MONITOR_RISK
    assert change.reason == "边缘户纳入监测"
    assert change.date == datetime.date(2021, 3, 1)
    assert change.procedure == Procedure.MONITORING


def test_a_system_registration_is_recorded_as_system(tree):
    household = factories.household(tree["village_a1"], actor=None)
    assert household.status_changes.get().actor_name == "system"
    assert AuditEvent.objects.filter(entity="registry.household").get().actor_name == "system"
