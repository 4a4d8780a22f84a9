"""Confirming an import check: only its owner may, and two confirms sent at once import once."""

from __future__ import annotations

import threading

import pytest
from django.test import RequestFactory
from django.urls import reverse

from fupin.audit.models import AuditEvent, AuditKind
from fupin.jobs import runner
from fupin.registry.models import Household
from fupin.sheets import views
from fupin.sheets.models import Job, JobKind, JobState
from tests.sheets.builders import STANDARD_HEADERS
from tests.sheets.test_import import family
from tests.sheets.test_views import login, upload
from tests.threads import in_two_threads


@pytest.fixture(autouse=True)
def _jobs_inline(settings, tmp_path):
    settings.FUPIN_JOBS = "sync"
    settings.DATA_DIR = tmp_path
    settings.CACHES = {**settings.CACHES, "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                   "LOCATION": "confirm-tests"}}


def _checked(user) -> Job:
    upload(login(user), [STANDARD_HEADERS, *family("5303241002010001", n=0)])
    check = Job.objects.get(kind=JobKind.CHECK, user=user)
    assert check.state == JobState.DONE
    return check


@pytest.mark.django_db
def test_another_users_job_cannot_be_confirmed_opened_or_cancelled(tree, county_user, township_a_user):
    check = _checked(county_user)
    other = login(township_a_user)  # may import into 甲乡, but this is not their job
    assert other.post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "valid"}).status_code == 404
    for name in ("job", "job_progress", "job_errors", "job_download"):
        assert other.get(reverse(f"sheets:{name}", args=[check.pk])).status_code == 404, name
    assert other.post(reverse("sheets:job_cancel", args=[check.pk])).status_code == 404
    assert not Job.objects.filter(kind=JobKind.IMPORT).exists() and Household.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_confirms_sent_at_once_import_once(tree, county_user, monkeypatch):
    check = _checked(county_user)
    # Both requests pass every check before either writes; then they write one after the other (the
    # in-memory SQLite test database has no row locks: a second writer is refused, not made to wait,
    # so the writes are serialized here as PostgreSQL's locks would).
    both_checked = threading.Barrier(2, timeout=10)
    one_writer = threading.Lock()
    read_the_check = views._own_job  # the view's only read; everything after it writes

    def read_then_wait_for_the_other(request, pk):
        check = read_the_check(request, pk)
        both_checked.wait()
        one_writer.acquire()  # released when this request has returned
        return check

    submitted = []
    monkeypatch.setattr(views, "_own_job", read_then_wait_for_the_other)
    monkeypatch.setattr(runner, "submit", lambda job: submitted.append(str(job.pk)))

    def confirm():
        request = RequestFactory().post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "valid"})
        request.user = county_user
        try:
            return views.job_confirm(request, pk=check.pk)
        finally:
            if one_writer.locked():
                one_writer.release()

    responses = in_two_threads(confirm, timeout=60)
    assert not [r for r in responses if isinstance(r, Exception)], responses
    for job_id in submitted:  # what the runner does with what was submitted
        runner.run_job(job_id)

    job = Job.objects.get(kind=JobKind.IMPORT)
    assert submitted == [str(job.pk)]
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {reverse("sheets:job", args=[job.pk])}
    job.refresh_from_db()
    assert job.state == JobState.DONE and Household.objects.count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.IMPORT, entity="sheets.file").count() == 1
