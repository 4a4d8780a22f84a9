"""Two cadres change the same household's status at the same moment: exactly one succeeds, the other is
told the status was changed by someone else; one history row, one audit row.

Real concurrent transactions from two threads, on both databases (SQLite's test database is a file,
so the second writer waits on the busy timeout; test_transition.py covers the same claim with two stale
copies)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from fupin import workflow
from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import services
from fupin.registry.choices import CancelReason, Status
from fupin.registry.models import Household, StatusChange
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def test_two_status_changes_at_once_one_succeeds_one_is_refused(tree, county_user, township_a_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def change(user, to_status: str) -> None:
        try:
            copy = Household.objects.get(pk=household.pk)  # each reads 贫困户(未脱贫) before either writes
            barrier.wait(timeout=10)
            services.household_change_status(actor=user, household=copy, to_status=to_status, reason="同时操作",
                                             cancel_reason=CancelReason.MERGED)
            results[to_status] = "ok"
        except workflow.Conflict as exc:
            results[to_status] = exc.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change, args=(county_user, Status.EXITED)),
               threading.Thread(target=change, args=(township_a_user, Status.CANCELLED))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(results) == 2 and list(results.values()).count("ok") == 1, results
    winner = next(s for s, r in results.items() if r == "ok")
    loser = next(s for s, r in results.items() if r != "ok")
    assert results[loser].startswith("该户状态已被他人变更（现为“") and str(Status(winner).label) in results[loser]
    fresh = Household.objects.get(pk=household.pk)
    assert (fresh.status, fresh.version) == (winner, 2)
    assert list(StatusChange.objects.filter(household=household).values_list("to_status", flat=True)
                .order_by("id")) == [Status.POOR, winner]
    assert AuditEvent.objects.filter(kind=AuditKind.STATUS, entity_id=str(household.pk)).count() == 1
