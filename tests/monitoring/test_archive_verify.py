"""Verifying an archive: an untouched ZIP passes; a changed byte, a file replaced with a consistent CRC, a
file added or taken away, an edited 清单.txt, and a stored ZIP swapped for another are each named."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from fupin.monitoring import archive as archives

from .archive_helpers import World, built, jobs_sync_fixture, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(world: World):
    return built(world.users["county"], world.tree["county"], 2026)


def rewritten(path: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None,
              comment: bytes = b"") -> bytes:
    """The ZIP again with some files replaced (None: left out) or added, each with a correct CRC."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        dst.comment = comment
        for info in src.infolist():
            data = change.get(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info, data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def test_an_untouched_archive_passes(archive):
    result = archives.verify(archive.path, expected_sha256=archive.sha256)
    assert result.ok and result.problems == []
    assert result.files == len(result.manifest["files"]) == 5


def test_a_changed_byte_inside_a_stored_file_is_named(archive):
    data = bytearray(Path(archive.path).read_bytes())
    with zipfile.ZipFile(archive.path) as zf:
        info = zf.getinfo(archives.HOUSEHOLDS)
    # The stored (not deflated) file's bytes start after its local header: change one in the middle.
    offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    data[offset] ^= 0x01
    result = archives.verify(io.BytesIO(bytes(data)))
    assert not result.ok
    assert any(archives.HOUSEHOLDS in p for p in result.problems), result.problems


def test_a_file_replaced_with_a_valid_crc_fails_its_checksum(archive):
    result = archives.verify(io.BytesIO(rewritten(archive.path, {archives.TABLES: b"not the tables"})))
    assert result.problems == [f"大小不符：{archives.TABLES}（清单 {result.manifest['files'][0]['size']} 字节，实际 14 字节）"]
    with zipfile.ZipFile(archive.path) as zf:
        same_size = bytearray(zf.read(archives.TABLES))
    same_size[-1] ^= 0xFF
    result = archives.verify(io.BytesIO(rewritten(archive.path, {archives.TABLES: bytes(same_size)})))
    assert result.problems == [f"SHA-256 不符：{archives.TABLES}（内容已被改动）"]


def test_a_missing_or_added_file_is_named(archive):
    result = archives.verify(io.BytesIO(rewritten(archive.path, {archives.DECISIONS: None}, {"extra.txt": b"x"})))
    assert f"缺少文件：{archives.DECISIONS}" in result.problems
    assert "清单中没有的文件：extra.txt" in result.problems


def test_a_listing_that_disagrees_with_the_manifest_is_named(archive):
    with zipfile.ZipFile(archive.path) as zf:
        manifest = json.loads(zf.read(archives.MANIFEST))
    manifest["year"] = 2025  # someone edits the year in manifest.json only
    result = archives.verify(io.BytesIO(rewritten(archive.path, {archives.MANIFEST: archives.manifest_bytes(manifest)})))
    assert result.problems == [f"{archives.LISTING} 与 {archives.MANIFEST} 不一致"]


def test_a_stored_archive_swapped_for_another_zip_fails_against_its_recorded_checksum(archive):
    # The same files, each passing its own checksum, in another ZIP (here: with a comment).
    Path(archive.path).write_bytes(rewritten(archive.path, {}, comment=b"swapped"))
    result = archives.verify_archive(archive)
    assert not result.ok
    assert result.problems == ["整个压缩包的 SHA-256 与生成时记录的不同：文件已被改动或替换"]


def test_not_a_zip_is_said_so():
    result = archives.verify(io.BytesIO(b"PK\x03\x04 broken"))
    assert not result.ok and result.problems == ["不是有效的 ZIP 文件，或文件已损坏"]
