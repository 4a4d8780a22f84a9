"""The embedded runner: a job in a thread of the web process, progress visible while it runs, and the
audit rows it writes naming the address of the request that submitted it."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from fupin.audit.models import AuditEvent, AuditKind
from fupin.jobs import runner as jobs
from fupin.registry.models import Household
from fupin.sheets.models import Job, JobKind, JobState
from tests.sheets.builders import STANDARD_HEADERS, xlsx_bytes
from tests.sheets.test_import import family
from tests.sheets.test_views import upload


@pytest.fixture(autouse=True)
def _threads(settings, tmp_path):
    settings.FUPIN_JOBS = "thread"
    settings.DATA_DIR = tmp_path


def _wait(job: Job, deadline: float) -> Job:
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.1)
    return job


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_a_thread_and_reports_progress(tree, county_user):
    rows = [STANDARD_HEADERS]
    for i in range(40):
        rows += family(f"53032410020100{i:02d}", n=i * 2 + 100)
    check = Job.objects.create(kind=JobKind.CHECK, user=county_user, filename="t.xlsx")
    check.folder.mkdir(parents=True)
    check.upload_path.write_bytes(xlsx_bytes(rows))
    jobs.submit(check)
    deadline = time.monotonic() + 60
    _wait(check, deadline)
    assert check.state == JobState.DONE, check.message
    assert check.result["counts"]["create"] == 40
    assert jobs.progress_of(check)["percent"] == 100

    job = Job.objects.create(kind=JobKind.IMPORT, user=county_user, filename="t.xlsx", source=check)
    jobs.submit(job)
    _wait(job, deadline)
    assert job.state == JobState.DONE, job.message
    assert Household.objects.count() == 40


@pytest.mark.django_db(transaction=True)
def test_the_import_rows_written_by_the_thread_carry_the_address_of_the_confirming_request(tree, county_user):
    uploader = Client(REMOTE_ADDR="10.1.1.1")
    uploader.force_login(county_user)
    upload(uploader, [STANDARD_HEADERS, *family("5303241002010001", n=0)])
    deadline = time.monotonic() + 60
    check = _wait(Job.objects.get(kind=JobKind.CHECK), deadline)
    assert check.state == JobState.DONE, check.message

    confirmer = Client(REMOTE_ADDR="10.2.2.2")  # the same officer, confirming from another desk
    confirmer.force_login(county_user)
    confirmer.post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "valid"})
    job = _wait(Job.objects.get(kind=JobKind.IMPORT), deadline)
    assert job.state == JobState.DONE, job.message

    rows = AuditEvent.objects.filter(kind__in=[AuditKind.CREATE, AuditKind.IMPORT])
    assert {r.kind for r in rows} == {AuditKind.CREATE, AuditKind.IMPORT}
    assert {r.ip for r in rows} == {"10.2.2.2"}
