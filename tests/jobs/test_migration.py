"""The Job model moved from the sheets app to the jobs app with its table and rows: a database migrated
by an earlier version keeps its jobs (the import mode moves into params; of two imports confirming one
check, the later one lets go of it), and the migrations can be reversed."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("sheets", "0001_initial")]  # unapplies the jobs app and sheets 0002-0003 too


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_jobs_of_an_earlier_version_survive_the_move(county_user):
    old = _migrate(BEFORE)
    OldJob = old.get_model("sheets", "Job")
    now = timezone.now()
    check = OldJob.objects.create(id=uuid.uuid4(), kind="check", state="done", user_id=county_user.pk,
                                  filename="上报.xlsx", result={"counts": {"create": 1}})
    first = OldJob.objects.create(id=uuid.uuid4(), kind="import", state="done", user_id=county_user.pk,
                                  filename="上报.xlsx", mode="all", source=check, params={"ip": "10.0.0.1"})
    OldJob.objects.filter(pk=first.pk).update(created_at=now - datetime.timedelta(minutes=1))
    second = OldJob.objects.create(id=uuid.uuid4(), kind="import", state="done", user_id=county_user.pk,
                                   filename="上报.xlsx", source=check)

    latest = _migrate(_leaves())
    Job = latest.get_model("jobs", "Job")
    assert Job._meta.db_table == "sheets_job"
    jobs = {j.pk: j for j in Job.objects.all()}
    assert set(jobs) == {check.pk, first.pk, second.pk}
    assert jobs[check.pk].result == {"counts": {"create": 1}} and jobs[check.pk].kind == "check"
    assert jobs[first.pk].params == {"ip": "10.0.0.1", "mode": "all"} and jobs[first.pk].source_id == check.pk
    assert jobs[second.pk].params == {"mode": "valid"} and jobs[second.pk].source_id is None

    back = _migrate(BEFORE)
    assert back.get_model("sheets", "Job").objects.get(pk=first.pk).mode == "all"
    _migrate(_leaves())

