"""The archive's ZIP: its files in a fixed order with UTF-8 names, the manifest's checksums, and what each
part holds (the household list, the year's decisions, the notices as PDFs)."""

from __future__ import annotations

import hashlib

import pytest

from fupin.accounts import policy
from fupin.monitoring import archive as archives
from fupin.monitoring.models_archive import ArchiveState

from .archive_helpers import World, built, jobs_sync_fixture, manifest_of, sheet_rows, world_fixture, zip_of  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_zip_holds_the_parts_in_order_with_utf8_names_and_the_manifest_last(world: World):
    archive = built(world.users["county"], world.tree["county"], 2026)
    assert archive.state == ArchiveState.DONE
    with zip_of(archive) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names[:3] == [archives.TABLES, archives.HOUSEHOLDS, archives.DECISIONS]
    assert [n for n in names if n.startswith(archives.NOTICES_DIR)] == names[3:5]
    assert names[5:] == [archives.MANIFEST, archives.LISTING]
    for info in infos:
        if not info.filename.isascii():
            assert info.flag_bits & 0x800, info.filename  # general purpose bit 11: the name is UTF-8


def test_every_file_is_in_the_manifest_with_its_size_and_sha256(world: World):
    archive = built(world.users["county"], world.tree["county"], 2026)
    manifest = manifest_of(archive)
    with zip_of(archive) as zf:
        listed = {f["name"]: f for f in manifest["files"]}
        assert set(listed) == set(zf.namelist()) - {archives.MANIFEST, archives.LISTING}
        for name, f in listed.items():
            content = zf.read(name)
            assert f["size"] == len(content)
            assert f["sha256"] == hashlib.sha256(content).hexdigest()
        assert zf.read(archives.LISTING).decode() == archives.listing(manifest)
    assert manifest["area"]["code"] == world.tree["county"].code and manifest["year"] == 2026
    assert manifest["created_by"]["username"] == "county_officer"
    assert manifest["software"] == {"name": "fupin", "version": archives.software_version()}
    assert manifest["counts"]["households"] == 4 and manifest["counts"]["notice_pdfs"] == 2
    assert archive.sha256 == archives.file_sha256(archive.path)


def test_two_builds_list_the_same_files_in_the_same_order(world: World):
    first, second = (built(world.users["county"], world.tree["county"], 2026) for _ in range(2))
    assert [f["name"] for f in manifest_of(first)["files"]] == [f["name"] for f in manifest_of(second)["files"]]
    # The files carry their time of writing (PDF and xlsx metadata), not their content: that is the same.
    with zip_of(first) as a, zip_of(second) as b:
        for sheet in ("识别退出案件", "案件环节", "公示公告"):
            assert sheet_rows(a, archives.DECISIONS, sheet) == sheet_rows(b, archives.DECISIONS, sheet)


def test_the_household_list_is_the_standard_sheet_with_the_year_income(world: World):
    archive = built(world.users["county"], world.tree["county"], 2019)
    with zip_of(archive) as zf:
        rows = sheet_rows(zf, archives.HOUSEHOLDS)
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {h.number for h in world.households.values()}
    ids = [row[rows[0].index("证件号码")] for row in rows[1:]]
    masked = not policy.export_reveals(world.users["county"])
    assert ids and all(("*" in i) == masked for i in ids)  # as the county's own export carries them
    year, wage = rows[0].index("年度"), rows[0].index("工资性收入")
    ready = [row for row in rows[1:] if row[0] == world.households["a_exit"].number]
    assert ready and all(row[year] == 2019 and row[wage] == 20000 for row in ready)


def test_the_decisions_hold_the_year_cases_steps_decisions_and_confirmed_proposals(world: World):
    archive = built(world.users["county"], world.tree["county"], 2019)
    with zip_of(archive) as zf:
        decisions = sheet_rows(zf, archives.DECISIONS, "标准判定")
        proposals = sheet_rows(zf, archives.DECISIONS, "动态调整确认")
        cases = sheet_rows(zf, archives.DECISIONS, "识别退出案件")
    exits = {world.households["a_exit"].number, world.households["b_exit"].number}
    assert {row[0] for row in decisions[1:]} == exits and {row[5] for row in decisions[1:]} == {"符合"}
    assert {row[0] for row in proposals[1:]} == exits and {row[2] for row in proposals[1:]} == {"脱贫"}
    assert len(cases) == 1  # the cases are of 2026: the header only
    assert manifest_of(archive)["counts"]["notice_pdfs"] == 0


def test_the_year_cases_come_with_their_steps_and_the_notices_as_pdfs(world: World):
    archive = built(world.users["county"], world.tree["county"], 2026)
    with zip_of(archive) as zf:
        cases = sheet_rows(zf, archives.DECISIONS, "识别退出案件")
        steps = sheet_rows(zf, archives.DECISIONS, "案件环节")
        notices = sheet_rows(zf, archives.DECISIONS, "公示公告")
        pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
        assert all(zf.read(n).startswith(b"%PDF") for n in pdfs)
    assert {row[3] for row in cases[1:]} == {"赵甲档", "钱乙档"}
    walk = [("", "户申报"), ("户申报", "小组议"), ("小组议", "村评定")]
    assert [tuple(row[2:4]) for row in steps[1:]] == walk * 2  # each case's steps, in order
    assert [row[8] for row in notices[1:]] == pdfs
    assert all("扶贫对象识别第一次公示" in n for n in pdfs)
