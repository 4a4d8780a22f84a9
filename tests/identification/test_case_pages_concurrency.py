"""Two people approve the same step of one case at the same moment (two browsers posting the case page's
form, each read before either writes): exactly one wins, the other is told the case has moved on; one
event, one audit row. Real concurrent transactions from two threads (run it on PostgreSQL:
DATABASE_URL=postgres://…; on SQLite the second writer waits on the busy timeout)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.identification import services
from fupin.identification.models import Case, CaseEvent, Step
from tests import factories
from tests.web.html import nonfield_errors

from .helpers import VOTES, applicant, open_case

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(work, *users) -> None:
    """``work(user)`` for each user, each in its own thread (its own database connection)."""
    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)


def test_two_approvals_of_one_step_at_once_exactly_one_wins(tree, village_user):
    colleague = factories.user("village_a1_b", Role.VILLAGE, tree["village_a1"])
    case = open_case(village_user, applicant(tree["village_a1"]))
    case = services.case_step(actor=village_user, case=case, to=Step.GROUP, opinion="小组议通过")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve(user) -> None:
        try:
            copy = Case.objects.get(pk=case.pk)  # each reads 小组议 before either writes
            barrier.wait(timeout=10)
            services.case_step(actor=user, case=copy, to=Step.VILLAGE, opinion=f"{user.username} 评定通过",
                               votes=VOTES, expected_version=copy.version)
            outcomes[user.username] = "ok"
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            outcomes[user.username] = getattr(exc, "messages", [repr(exc)])[0]
        finally:
            connections.close_all()

    at_once(approve, village_user, colleague)

    assert list(outcomes.values()).count("ok") == 1, outcomes
    loser = next(r for r in outcomes.values() if r != "ok")
    assert loser in ("该案件已被他人推进到“村评定”，请刷新后重试", "该记录刚被他人修改过，请刷新后重试"), loser
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.step == Step.VILLAGE and fresh.version == case.version + 1
    assert CaseEvent.objects.filter(case=case, to_step=Step.VILLAGE).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.STATUS, entity="identification.case",
                                     entity_id=str(case.pk), summary__contains="村评定").count() == 1


def test_two_pages_posting_the_same_step_one_is_told_to_refresh(tree, village_user):
    """The same race through the page: the second post carries the version its page was built with."""
    colleague = factories.user("village_a1_b", Role.VILLAGE, tree["village_a1"])
    case = open_case(village_user, applicant(tree["village_a1"]))
    barrier = threading.Barrier(2)
    responses: dict[str, object] = {}

    def post(user) -> None:
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            responses[user.username] = client.post(reverse("case_step", args=[case.pk]), {
                "target": Step.GROUP, "s-group-version": case.version, "s-group-date": case.events.get().date,
                "s-group-opinion": f"{user.username} 小组议通过"})
        finally:
            connections.close_all()

    at_once(post, village_user, colleague)

    codes = sorted(r.status_code for r in responses.values())
    assert codes == [200, 302], codes
    refused = next(r for r in responses.values() if r.status_code == 200)
    assert any("刷新后重试" in e for e in nonfield_errors(refused.content))
    assert CaseEvent.objects.filter(case=case, to_step=Step.GROUP).count() == 1
