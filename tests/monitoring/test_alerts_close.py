"""Closing a warning (issue 14 item 2): enrolled through object_found (linked both ways), not at risk with a
reason, duplicate; the village and the levels above in scope; two closes at once never both win."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from fupin.audit.models import AuditEvent, AuditKind
from fupin.monitoring import alerts
from fupin.monitoring.models import Alert, AlertStatus, Channel, ListKind, MonitoringObject, ObjectState
from tests.monitoring.alerts_data import TODAY, csv_of, head_of
from tests.threads import in_two_threads

pytest_plugins = ["tests.monitoring.alerts_fixtures"]


@pytest.fixture
def alert(world):
    m = head_of(world["hh"]["a1"])
    alerts.push(actor=world["users"]["county"], kind=ListKind.DIBAO, area=world["tree"]["county"], filename="l.csv",
                data=csv_of(["change", "change_date"], [[m.id_number, m.name, "", "", "", "", "停保", "2024-05-01"]]),
                raised_on=TODAY)
    return Alert.objects.get()


@pytest.mark.django_db
def test_enrolled_makes_a_monitoring_object_through_the_warning_channel(world, alert):
    closed = alerts.alert_close(actor=world["users"]["village_a1"], alert=alert, outcome="enrolled", on=TODAY)
    obj = MonitoringObject.objects.get()
    assert closed.status == AlertStatus.ENROLLED and closed.object == obj and obj.alert == closed
    assert obj.channel == Channel.WARNING and obj.state == ObjectState.PENDING and obj.risk_types == ["income_drop"]
    assert AuditEvent.objects.filter(kind=AuditKind.STATUS, entity="monitoring.alert").count() == 1


@pytest.mark.django_db
def test_not_at_risk_needs_a_reason(world, alert):
    with pytest.raises(ValidationError) as exc:
        alerts.alert_close(actor=world["users"]["village_a1"], alert=alert, outcome="not_at_risk", note="  ")
    assert "note" in exc.value.message_dict
    closed = alerts.alert_close(actor=world["users"]["village_a1"], alert=alert, outcome="not_at_risk",
                                note="已转为特困供养，收入稳定", on=TODAY)
    assert closed.status == AlertStatus.NOT_AT_RISK and closed.closed_note.startswith("已转为")


@pytest.mark.django_db
def test_duplicate_closes_without_an_object(world, alert):
    closed = alerts.alert_close(actor=world["users"]["township_a"], alert=alert, outcome="duplicate", on=TODAY)
    assert closed.status == AlertStatus.DUPLICATE and closed.object is None and not MonitoringObject.objects.exists()


@pytest.mark.django_db
def test_a_closed_alert_cannot_be_closed_again_and_a_stale_version_is_refused(world, alert):
    with pytest.raises(ValidationError):
        alerts.alert_close(actor=world["users"]["county"], alert=alert, outcome="duplicate", expected_version=99)
    alerts.alert_close(actor=world["users"]["county"], alert=alert, outcome="duplicate", on=TODAY)
    with pytest.raises(ValidationError) as exc:
        alerts.alert_close(actor=world["users"]["county"], alert=alert, outcome="not_at_risk", note="x")
    assert "已由他人办结" in exc.value.messages[0]


@pytest.mark.django_db
def test_only_the_village_and_above_in_scope_close(world, alert):
    with pytest.raises(ValidationError):
        alerts.alert_close(actor=world["users"]["village_a2"], alert=alert, outcome="duplicate")
    with pytest.raises(ValidationError):
        alerts.alert_close(actor=world["users"]["township_b"], alert=alert, outcome="duplicate")
    with pytest.raises(PermissionDenied):
        alerts.alert_close(actor=world["users"]["leader"], alert=alert, outcome="duplicate")
    assert Alert.objects.get().status == AlertStatus.OPEN


@pytest.mark.django_db
def test_a_closed_alert_lets_the_household_be_warned_again(world, alert):
    alerts.alert_close(actor=world["users"]["county"], alert=alert, outcome="duplicate", on=TODAY)
    m = head_of(world["hh"]["a1"])
    again = alerts.push(actor=world["users"]["county"], kind=ListKind.DIBAO, area=world["tree"]["county"],
                        filename="l.csv", raised_on=TODAY,
                        data=csv_of(["change", "change_date"], [[m.id_number, m.name, "", "", "", "", "停保", "2024-06-01"]]))
    assert again.raised == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_closes_never_both_win(world, alert):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises whole transactions)")
    village, township = world["users"]["village_a1"], world["users"]["township_a"]
    actors = iter([village, township])

    def close():
        return alerts.alert_close(actor=next(actors), alert=Alert.objects.get(pk=alert.pk), outcome="enrolled", on=TODAY)

    outcomes = in_two_threads(close)
    wins = [o for o in outcomes if isinstance(o, Alert)]
    losses = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(wins) == 1 and len(losses) == 1, outcomes
    assert MonitoringObject.objects.count() == 1
