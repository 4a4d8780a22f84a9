"""The client address in the audit trail belongs to the request that wrote the row, also when the
threaded server serves two requests at once (it was a process-wide global: the second request's
address landed in the first one's rows)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from fupin.audit.context import audit_context, current_ip
from fupin.audit.middleware import AuditRequestMiddleware
from fupin.audit.models import AuditEvent
from fupin.audit.services import audit_export


@pytest.mark.django_db(transaction=True)
def test_two_requests_served_at_once_each_write_their_own_address(county_user):
    both_inside = threading.Barrier(2, timeout=10)
    first_written = threading.Event()
    errors = []

    def view(request):
        both_inside.wait()  # both requests have entered the middleware before either writes
        name = request.GET["n"]
        if name == "b":  # one writer at a time (SQLite), while both requests are being served
            first_written.wait(10)
        audit_export(actor=county_user, entity="test", entity_id=name, summary=name)
        if name == "a":
            first_written.set()
        return HttpResponse()

    middleware = AuditRequestMiddleware(view)

    def serve(name: str, ip: str) -> None:
        try:
            middleware(RequestFactory().get("/", {"n": name}, REMOTE_ADDR=ip))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=serve, args=("a", "10.0.0.1")),
               threading.Thread(target=serve, args=("b", "10.0.0.2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert dict(AuditEvent.objects.filter(entity="test").values_list("entity_id", "ip")) == {
        "a": "10.0.0.1", "b": "10.0.0.2"}


def test_the_context_is_restored_after_the_block_also_when_it_raises():
    with audit_context(ip="10.0.0.1"):
        with pytest.raises(RuntimeError), audit_context(ip="10.0.0.2"):
            assert current_ip() == "10.0.0.2"
            raise RuntimeError
        assert current_ip() == "10.0.0.1"
    assert current_ip() is None


def test_a_new_thread_does_not_inherit_the_request_address():
    seen = []
    with audit_context(ip="10.0.0.1"):
        t = threading.Thread(target=lambda: seen.append(current_ip()))
        t.start()
        t.join()
    assert seen == [None]  # background work carries the address itself (fupin.jobs.runner)
