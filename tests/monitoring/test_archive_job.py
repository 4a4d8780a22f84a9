"""The archive as a background job: it reports its progress through every part to 100 %, and a cancel
stops it with no ZIP left behind; the page starts it, polls it and offers the download and the check."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from fupin.jobs import runner
from fupin.jobs.models import JobState
from fupin.monitoring import archive as archives
from fupin.monitoring.models_archive import Archive, ArchiveState

from .archive_helpers import World, built, jobs_sync_fixture, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_progress_passes_through_every_part_and_ends_at_the_whole(world: World):
    archive = archives.archive_start(actor=world.users["county"], area=world.tree["county"], year=2026,
                                     background=False)
    seen: list[tuple[str, int, int]] = []
    archives.build(archive, user=world.users["county"], report=lambda stage, done, total: seen.append((stage, done, total)))
    stages = list(dict.fromkeys(stage for stage, _d, _t in seen))
    assert stages == [str(label) for _key, label, _share in archives.PARTS]
    done = [d for _s, d, _t in seen]
    assert done == sorted(done) and done[-1] == 1000 and {t for _s, _d, t in seen} == {1000}


def test_the_job_builds_the_archive_and_ends_at_100_percent(world: World):
    archive = archives.archive_start(actor=world.users["county"], area=world.tree["county"], year=2026)
    archive.refresh_from_db()
    job = archive.job
    job.refresh_from_db()
    assert job.kind == "archive" and job.state == JobState.DONE, job.message
    assert archive.state == ArchiveState.DONE and Path(archive.path).exists()
    assert runner.progress_of(job)["percent"] == 100
    assert job.result["archive"] == archive.pk and job.result["files"] == 5


def test_a_cancel_during_the_build_stops_it_and_leaves_no_file(world: World, monkeypatch, jobs_sync):
    original = archives.write_decisions

    def then_cancel(user, area, year, path, progress):
        counts = original(user, area, year, path, progress)
        runner.request_cancel(Archive.objects.get(area=area).job)  # the user presses 取消 meanwhile
        return counts

    monkeypatch.setattr(archives, "write_decisions", then_cancel)
    archive = archives.archive_start(actor=world.users["county"], area=world.tree["county"], year=2026)
    archive.refresh_from_db()
    archive.job.refresh_from_db()
    assert archive.job.state == JobState.CANCELLED
    assert archive.state == ArchiveState.CANCELLED and archive.filename == ""
    assert [p.name for p in (jobs_sync / "archives").iterdir()] == []  # no ZIP, no part file, no work folder


def test_a_job_cancelled_before_it_started_shows_cancelled(world: World, settings):
    settings.FUPIN_JOBS = "thread"  # submitted after commit: cancel it first
    archive = archives.archive_start(actor=world.users["county"], area=world.tree["county"], year=2026)
    response = login(world.users["county"]).post(reverse("archive_cancel", args=[archive.pk]))
    assert response.status_code == 302
    archive.refresh_from_db()
    assert archive.state == ArchiveState.CANCELLED and archive.job.state == JobState.CANCELLED


def test_the_page_builds_one_and_offers_the_download_and_the_check(world: World):
    client = login(world.users["county"])
    response = client.post(reverse("archive_list"), {"area": world.tree["county"].code, "year": "2026"})
    archive = Archive.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("archive_detail", args=[archive.pk])
    page = client.get(response["Location"]).content.decode()
    assert reverse("archive_download", args=[archive.pk]) in page and "01-统计报表.xlsx" in page
    # The progress partial tells a finished build to refresh the page.
    assert client.get(reverse("archive_progress", args=[archive.pk]))["HX-Refresh"] == "true"
    checked = client.post(reverse("archive_verify", args=[archive.pk]), follow=True).content.decode()
    assert "核验通过" in checked


def test_the_page_shows_the_progress_bar_while_it_runs(world: World, settings):
    settings.FUPIN_JOBS = "thread"
    archive = archives.archive_start(actor=world.users["county"], area=world.tree["county"], year=2026)
    runner.set_progress(archive.job_id, 550, 1000, "贫困户名单")
    client = login(world.users["county"])
    page = client.get(reverse("archive_detail", args=[archive.pk])).content.decode()
    assert 'role="progressbar"' in page and "取消生成" in page
    partial = client.get(reverse("archive_progress", args=[archive.pk])).content.decode()
    assert "55%" in partial and "贫困户名单" in partial
    runner.request_cancel(archive.job)


def test_a_bad_year_is_refused_with_a_message(world: World):
    client = login(world.users["county"])
    response = client.post(reverse("archive_list"), {"area": world.tree["county"].code, "year": "1999"}, follow=True)
    assert "年度应在" in response.content.decode()
    assert not Archive.objects.exists()


def test_a_failed_build_shows_why_and_leaves_no_file(world: World, monkeypatch, jobs_sync):
    def unprintable(*args, **kwargs):
        raise runner.JobRefused("无法打印公示“2026年扶贫对象识别第一次公示”：第 1 户 户主姓名 含字库外的字")

    monkeypatch.setattr(archives, "write_notices", unprintable)
    archive = archives.archive_start(actor=world.users["county"], area=world.tree["county"], year=2026)
    archive.refresh_from_db()
    assert archive.state == ArchiveState.FAILED and archive.job.state == JobState.FAILED
    assert [p.name for p in (jobs_sync / "archives").iterdir()] == []
    page = login(world.users["county"]).get(reverse("archive_detail", args=[archive.pk])).content.decode()
    assert "本次生成未完成" in page and "含字库外的字" in page
