"""The job runner: kinds registered by domains, the conditional claim, submit on commit, cancel,
failures, and the request context a job carries."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction
from django.utils.translation import get_language

from fupin.audit.context import current_ip
from fupin.jobs import kinds, runner
from fupin.jobs.models import Job, JobState
from tests.threads import in_two_threads


def _job(kind, user, **params) -> Job:
    return runner.job_create(kind=kind.name, user=user, params=params)


@pytest.mark.django_db
def test_only_one_of_two_claims_of_a_queued_job_succeeds(kind, county_user):
    job = _job(kind, county_user)
    assert runner.claim(job.pk) is True
    assert runner.claim(job.pk) is False
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and job.started_at is not None


@pytest.mark.django_db
def test_a_job_submitted_again_while_it_runs_is_not_run_twice(kind, county_user, settings):
    settings.FUPIN_JOBS = "sync"
    job = _job(kind, county_user)
    kind.work = lambda j: runner.run_job(str(j.pk))  # a second worker picks it up meanwhile
    runner.submit(job)
    job.refresh_from_db()
    assert kind.runs == [job.pk] and job.state == JobState.DONE


@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_the_same_job_at_once_run_it_once(kind, county_user):
    job = _job(kind, county_user)
    both_loaded = threading.Barrier(2, timeout=10)
    original = runner.claim

    def claim_together(job_id):
        both_loaded.wait()  # both have found the job queued; now both try to take it
        return original(job_id)

    runner.claim = claim_together
    try:
        outcomes = in_two_threads(lambda: runner.run_job(str(job.pk)))
    finally:
        runner.claim = original
    assert outcomes == [None, None]
    job.refresh_from_db()
    assert kind.runs == [job.pk] and job.state == JobState.DONE


@pytest.mark.django_db
def test_a_job_is_handed_to_the_runner_only_when_the_transaction_commits(
        kind, county_user, settings, django_capture_on_commit_callbacks):
    settings.FUPIN_JOBS = "thread"
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        job = _job(kind, county_user)
        runner.submit(job)
        assert not kind.runs
    assert len(callbacks) == 1  # the dispatch, waiting for the commit
    runner.run_job(str(job.pk))  # what the thread does once it is dispatched
    assert kind.runs == [job.pk]


@pytest.mark.django_db
def test_cancelling_a_queued_job_ends_it_at_once_and_it_never_runs(kind, county_user):
    job = _job(kind, county_user)
    assert runner.request_cancel(job) is True
    runner.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.finished_at is not None and not kind.runs
    assert runner.progress_of(job)["percent"] == 100


@pytest.mark.django_db
def test_cancelling_a_running_job_stops_it_at_its_next_progress_report(kind, county_user):
    job = _job(kind, county_user)

    def work(j):
        report = runner.reporter(j, "处理")
        report(1, 3)
        assert runner.request_cancel(j) is False  # running: flagged, not ended
        report(2, 3)
        raise AssertionError("not reached")

    kind.work = work
    runner.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED


@pytest.mark.django_db
def test_a_refused_job_fails_with_its_message_and_a_crash_with_the_job_number(kind, county_user):
    refused, crashed = _job(kind, county_user), _job(kind, county_user)

    def work(j):
        if j.pk == refused.pk:
            raise runner.JobRefused("第 3 行：文件无法读取")
        raise KeyError("bug")

    kind.work = work
    runner.run_job(str(refused.pk))
    runner.run_job(str(crashed.pk))
    refused.refresh_from_db()
    crashed.refresh_from_db()
    assert refused.state == JobState.FAILED and refused.message == "第 3 行：文件无法读取"
    assert crashed.state == JobState.FAILED and str(crashed.pk) in crashed.message


@pytest.mark.django_db
def test_a_job_acts_in_the_language_and_from_the_address_of_the_request_that_submitted_it(kind, county_user):
    seen = {}
    kind.work = lambda j: seen.update(ip=current_ip(), language=get_language())
    job = _job(kind, county_user, ip="10.9.8.7", language="en")
    runner.run_job(str(job.pk))
    assert seen == {"ip": "10.9.8.7", "language": "en"}
    assert current_ip() is None  # and the context is the caller's again afterwards


@pytest.mark.django_db
def test_a_job_of_a_kind_no_app_registered_fails_with_a_message(county_user):
    job = Job.objects.create(kind="gone.kind", user=county_user)
    runner.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "gone.kind" in job.message
    with pytest.raises(ValueError):
        runner.job_create(kind="gone.kind", user=county_user)


def test_a_kind_name_cannot_be_registered_twice_with_another_handler(kind):
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(kind.name, label="别的", handler=print)
    assert kinds.label(kind.name) == "探针"


def test_the_sheets_app_registers_its_kinds():
    assert {k: kinds.label(k) for k in ("check", "import", "export")} == {
        "check": "导入检查", "import": "导入", "export": "导出"}


@pytest.mark.django_db
def test_a_job_left_running_by_a_stopped_worker_is_failed_when_the_next_job_is_submitted(county_user):
    """Issue 11: a job whose worker died showed 进行中 for ever. LIMIT_WINDOW after it was created it is
    marked failed, saying nothing was written; a recent running job is left alone."""
    import datetime as _dt

    from django.utils import timezone as _tz

    from fupin.jobs import runner
    from fupin.jobs.models import Job, JobState

    old = Job.objects.create(kind="export", user=county_user, state=JobState.RUNNING)
    Job.objects.filter(pk=old.pk).update(created_at=_tz.now() - runner.LIMIT_WINDOW - _dt.timedelta(minutes=1))
    recent = Job.objects.create(kind="export", user=county_user, state=JobState.RUNNING)
    assert runner.fail_abandoned() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.state == JobState.FAILED and "没有写入任何数据" in old.message and old.finished_at is not None
    assert recent.state == JobState.RUNNING


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_cannot_both_pass_the_per_user_job_limit(kind, county_user, settings):
    """Counting the user's unfinished jobs and creating the new one is one transaction holding the
    user's row: with one place left, of two requests at once exactly one creates a job. (Before, both
    counted one unfinished job and both created theirs.) The count is slowed so that an unlocked
    second request would count before the first commits."""
    import time

    settings.FUPIN_MAX_JOBS_PER_USER = 2
    _job(kind, county_user)
    start = threading.Barrier(2, timeout=10)
    original = runner.unfinished_jobs

    def slow_count(user):
        running = original(user)
        time.sleep(0.5)
        return running

    def request():
        start.wait()
        return runner.job_create(kind=kind.name, user=county_user, limited=True)

    runner.unfinished_jobs = slow_count
    try:
        outcomes = in_two_threads(request)
    finally:
        runner.unfinished_jobs = original
    refused = [o for o in outcomes if isinstance(o, runner.JobLimitReached)]
    created = [o for o in outcomes if isinstance(o, Job)]
    assert len(created) == 1 and len(refused) == 1, outcomes
    assert (refused[0].running, refused[0].limit) == (2, 2)
    assert Job.objects.filter(user=county_user).count() == 2
