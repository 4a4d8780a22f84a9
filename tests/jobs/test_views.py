"""fupin.jobs.views: the progress partial and the cancel every job page uses (sheets, adjustment, warnings
upload, archive)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from fupin.jobs import runner, views
from fupin.jobs.models import JobState

pytestmark = pytest.mark.django_db


def request_of(user):
    request = RequestFactory().post("/")
    request.user, request.session = user, {}
    request._messages = FallbackStorage(request)
    return request


def test_the_partial_shows_the_bar_while_the_job_runs_and_reloads_the_page_after(kind, county_user):
    job = runner.job_create(kind=kind.name, user=county_user)
    runner.set_progress(job.id, 3, 4, "核查")
    response = views.progress_partial(request_of(county_user), job, "sheets/_progress.html", {"job": job})
    assert response.status_code == 200 and "HX-Refresh" not in response
    assert "75%" in response.content.decode() and "核查" in response.content.decode()
    assert views.progress_partial(request_of(county_user), job, "sheets/_progress.html", {"job": job},
                                  running=False)["HX-Refresh"] == "true"
    runner.request_cancel(job)
    job.refresh_from_db()
    assert views.progress_partial(request_of(county_user), job, "sheets/_progress.html", {})["HX-Refresh"] == "true"


def test_cancelling_a_queued_job_stops_it_and_marks_its_record(kind, county_user):
    job = runner.job_create(kind=kind.name, user=county_user)
    marked = []
    request = request_of(county_user)
    views.cancel(request, job, requested="已请求取消", on_cancelled=lambda: marked.append(True))
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and marked == [True]
    assert [str(m) for m in get_messages(request)] == ["已取消"]


def test_cancelling_a_running_job_asks_it_to_stop(kind, county_user):
    job = runner.job_create(kind=kind.name, user=county_user)
    type(job).objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    job.refresh_from_db()
    marked = []
    request = request_of(county_user)
    views.cancel(request, job, requested="已请求取消；已写入的将撤回", on_cancelled=lambda: marked.append(True))
    assert runner.cancel_requested(job.id) and not marked
    assert [str(m) for m in get_messages(request)] == ["已请求取消；已写入的将撤回"]


def test_a_finished_job_is_left_alone(kind, county_user):
    job = runner.job_create(kind=kind.name, user=county_user)
    runner.request_cancel(job)
    job.refresh_from_db()
    request = request_of(county_user)
    views.cancel(request, job, requested="x")
    assert not list(get_messages(request))
