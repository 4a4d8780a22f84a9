"""``fupin archive``: builds and stores an archive (scoped by --user), copies it with --out, and
``--verify`` passes a good ZIP and fails a damaged one with exit status 1; every step is audited."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from fupin.audit.models import AuditEvent, AuditKind
from fupin.monitoring import archive as archives
from fupin.monitoring.models_archive import Archive, ArchiveState

from .archive_helpers import World, built, jobs_sync_fixture, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def run(**options) -> str:
    out = io.StringIO()
    call_command("archive", no_progress=True, stdout=out, **options)
    return out.getvalue()


def test_the_command_builds_stores_and_copies_the_archive(world: World, tmp_path):
    target = tmp_path / "out.zip"
    text = run(area=world.tree["township_a"].code, year=2026, user="township_a", out=str(target))
    archive = Archive.objects.get()
    assert archive.state == ArchiveState.DONE and archive.created_by == world.users["township_a"]
    assert target.read_bytes() == Path(archive.path).read_bytes()
    assert "已生成 2026 年甲乡年度档案" in text and "户数（在册户）：2" in text
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, entity="monitoring.archive", entity_id=str(archive.pk),
                                     actor=world.users["township_a"], data__out=str(target.resolve())).exists()


def test_the_command_refuses_an_area_outside_the_user_subtree(world: World):
    with pytest.raises(CommandError, match="不在用户 township_a 的管辖范围内"):
        run(area=world.tree["township_b"].code, year=2026, user="township_a")
    assert not Archive.objects.exists()


def test_verify_passes_a_good_zip_and_fails_a_changed_one(world: World, tmp_path):
    target = tmp_path / "a.zip"
    run(area=world.tree["county"].code, year=2026, out=str(target))
    assert "核验通过：5 个文件" in run(verify=str(target))
    damaged = tmp_path / "b.zip"
    with zipfile.ZipFile(target) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, data + b"x" if info.filename == archives.DECISIONS else data)
    with pytest.raises(CommandError) as exc:
        run(verify=str(damaged))
    assert exc.value.returncode == 1 and "1 个问题" in str(exc.value)


def test_creation_and_every_download_are_audited(world: World):
    county = world.users["county"]
    archive = built(county, world.tree["county"], 2026)
    rows = AuditEvent.objects.filter(entity="monitoring.archive", entity_id=str(archive.pk)).order_by("id")
    assert [(r.kind, r.actor_id) for r in rows] == [(AuditKind.STATUS, county.pk), (AuditKind.STATUS, county.pk)]
    assert rows[1].data["sha256"] == archive.sha256
    client = Client()
    client.force_login(county)
    for _ in range(2):
        response = client.get(reverse("archive_download", args=[archive.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        b"".join(response.streaming_content)
    downloads = AuditEvent.objects.filter(kind=AuditKind.EXPORT, entity="monitoring.archive", entity_id=str(archive.pk))
    assert downloads.count() == 2 and {d.actor_id for d in downloads} == {county.pk}
    assert all(d.area_path == world.tree["county"].path for d in downloads)
