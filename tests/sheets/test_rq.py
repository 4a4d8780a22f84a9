"""The production runner: a job queued on Redis and worked by ``fupin worker --burst``, which exits as
soon as the queue is empty (tests/jobs/test_worker.py: no 60 s wait for rq's pub/sub thread)."""

from __future__ import annotations

import socket
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry.models import Household
from fupin.sheets.models import Job, JobKind, JobState
from tests.sheets.builders import STANDARD_HEADERS
from tests.sheets.test_import import family
from tests.sheets.test_views import upload

REDIS = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379 (CI starts it)")
def test_a_job_queued_on_redis_is_run_by_the_worker(tree, county_user, settings, tmp_path):
    from redis import Redis

    Redis.from_url(REDIS).flushdb()
    settings.FUPIN_JOBS = "rq"
    settings.REDIS_URL = REDIS
    settings.DATA_DIR = tmp_path
    settings.CACHES = {**settings.CACHES, "jobs": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                   "LOCATION": REDIS, "KEY_PREFIX": "fupin-test"}}
    client = Client(REMOTE_ADDR="10.3.3.3")
    client.force_login(county_user)
    upload(client, [STANDARD_HEADERS, *family("5303241002010001", n=0)])
    check = Job.objects.get()
    assert check.state == JobState.QUEUED  # waiting for the worker
    call_command("worker", "--burst")
    check.refresh_from_db()
    assert check.state == JobState.DONE and check.result["counts"]["create"] == 1
    client.post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "valid"})
    started = time.monotonic()
    call_command("worker", "--burst")
    assert time.monotonic() - started < 30  # the job and the exit, not a minute's wait
    job = Job.objects.get(kind=JobKind.IMPORT)
    assert job.state == JobState.DONE and Household.objects.count() == 1
    # The worker process wrote the rows for the request that confirmed the import.
    assert set(AuditEvent.objects.filter(kind=AuditKind.IMPORT).values_list("ip", flat=True)) == {"10.3.3.3"}
