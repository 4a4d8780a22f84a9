"""The embedded runner: a job in a thread of the web process, progress visible while it runs."""

from __future__ import annotations

import time

import pytest

from fupin.registry.models import Household
from fupin.sheets import jobs
from fupin.sheets.models import Job, JobKind, JobState
from tests.sheets.builders import STANDARD_HEADERS, xlsx_bytes
from tests.sheets.test_import import family


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_a_thread_and_reports_progress(tree, county_user, settings, tmp_path):
    settings.FUPIN_JOBS = "thread"
    settings.DATA_DIR = tmp_path
    rows = [STANDARD_HEADERS]
    for i in range(40):
        rows += family(f"53032410020100{i:02d}", n=i * 2 + 100)
    check = Job.objects.create(kind=JobKind.CHECK, user=county_user, filename="t.xlsx")
    check.folder.mkdir(parents=True)
    check.upload_path.write_bytes(xlsx_bytes(rows))
    jobs.submit(check)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        check.refresh_from_db()
        if check.finished:
            break
        time.sleep(0.1)
    assert check.state == JobState.DONE, check.message
    assert check.result["counts"]["create"] == 40
    assert jobs.progress_of(check)["percent"] == 100

    job = Job.objects.create(kind=JobKind.IMPORT, user=county_user, filename="t.xlsx", source=check)
    jobs.submit(job)
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.1)
    assert job.state == JobState.DONE, job.message
    assert Household.objects.count() == 40
