"""Hostile files (issue 11, findings 2 and 3): a tiny .xlsx with one cell at XFD1048576 made the reader
allocate the used range densely (549 GB asked, SIGABRT); a zip bomb was inflated whole (9.4 GB before
MemoryError); a CSV over the row limit was read whole. Each is refused before it is read, in Chinese,
naming the limit, with memory bounded; a stale <dimension> (Excel's habit) is not refused. And the thread
runner runs at most FUPIN_MAX_CONCURRENT_JOBS jobs at once: the others wait, queued.

The files are generated here (xlsxwriter, zipfile): nothing hostile is committed.
"""

from __future__ import annotations

import io
import re
import threading
import time
import tracemalloc
import zipfile

import pytest

from fupin.jobs import kinds
from fupin.jobs import runner as jobs
from fupin.jobs.models import Job, JobState
from fupin.sheets.reader import SheetError, read_table

from .builders import STANDARD_HEADERS, build_csv, standard_row, valid_id, xlsx_bytes
from .test_reader import MINIMAL, minimal_row

#: Memory a refusal may take, measured by tracemalloc (Python allocations; calamine is never reached).
BOUND = 50 * 1024 * 1024


def refusal(data: bytes, filename: str) -> tuple[str, int]:
    """The SheetError's message and the peak of memory allocated while refusing."""
    tracemalloc.start()
    try:
        with pytest.raises(SheetError) as caught:
            read_table(io.BytesIO(data), filename)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return caught.value.message, peak


def rewrite_sheet(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through ``change`` (bytes → bytes or an iterable
    of bytes, streamed into the zip)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part)
            if part.filename != "xl/worksheets/sheet1.xml":
                target.writestr(part.filename, content)
                continue
            changed = change(content)
            with target.open(part.filename, "w", force_zip64=True) as stream:
                for piece in [changed] if isinstance(changed, bytes) else changed:
                    stream.write(piece)
    return out.getvalue()


def small_book(far: tuple[int, int] | None = None) -> bytes:
    """A header and one data row, and optionally one cell at ``far`` (row, column; 0-based)."""
    data = xlsx_bytes([MINIMAL, minimal_row(0)])
    if far is None:
        return data
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Sheet1")
    sheet.write_row(0, 0, MINIMAL)
    sheet.write_row(1, 0, minimal_row(0))
    sheet.write_string(*far, "x")
    book.close()
    return buffer.getvalue()


def test_one_cell_at_xfd1048576_is_refused_before_the_reader_allocates_the_range():
    data = small_book(far=(1048575, 16383))
    assert len(data) < 8000  # the 2.8 KB attack of the finding
    message, peak = refusal(data, "花名册.xlsx")
    assert "XFD1048576" in message and "200 列 × 100,000 行的上限" in message and "删除多余的单元格" in message
    assert peak < BOUND


@pytest.mark.parametrize(("far", "cell"), [((2999, 0), "A3000"), ((1, 250), "IQ2")])
def test_a_cell_past_either_limit_is_refused_naming_it(settings, far, cell):
    settings.FUPIN_SHEET_MAX_ROWS = 2000
    message, _peak = refusal(small_book(far=far), "花名册.xlsx")
    assert f"达到 {cell}，超出 200 列 × 2,000 行的上限" in message


def move_sheet(data: bytes, where: str) -> bytes:
    """The workbook with its sheet stored at ``where`` (the relationships and content types follow)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content, name = source.read(part), part.filename
            if name == "xl/worksheets/sheet1.xml":
                name = where
            content = content.replace(b"worksheets/sheet1.xml", where.removeprefix("xl/").encode())
            target.writestr(name, content)
    return out.getvalue()


def test_a_sheet_stored_outside_xl_worksheets_is_checked_too(settings):
    """calamine finds a worksheet by the workbook's relationships, wherever it is stored."""
    settings.FUPIN_SHEET_MAX_ROWS = 2000
    data = move_sheet(small_book(far=(2999, 0)), "xl/data/a.xml")
    message, _peak = refusal(data, "花名册.xlsx")
    assert "达到 A3000" in message


def test_references_in_single_quotes_and_spaced_are_found():
    data = rewrite_sheet(small_book(far=(1048575, 16383)),
                         lambda xml: re.sub(rb' r="([A-Z]*[0-9]+)"', rb" r = '\1'", xml))
    assert b"r = 'XFD1048576'" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    message, _peak = refusal(data, "花名册.xlsx")
    assert "XFD1048576" in message


def test_a_stale_dimension_far_larger_than_the_data_is_read():
    """Excel often records a used range far beyond the data; calamine sizes by the real cells."""
    data = rewrite_sheet(small_book(), lambda xml: re.sub(rb'<dimension ref="[^"]*"/>',
                                                          b'<dimension ref="A1:XFD1048576"/>', xml))
    table = read_table(io.BytesIO(data), "花名册.xlsx")
    assert [row.values["证件号码"] for row in table.rows] == [valid_id(0)]


def bomb(rows: int, *, numbered: bool = True) -> bytes:
    """The sheet with ``rows`` copies of one data row; unnumbered (no r attributes: calamine numbers
    them in order), the copies are identical and the XML compresses several hundred to one."""
    def rows_xml(xml: bytes):
        head, second, tail = re.split(rb"(<row r=\"2\".*?</row>)", xml, maxsplit=1, flags=re.S)
        row = second.decode()
        yield head
        if not numbered:
            yield re.sub(r' r="[A-Z]*[0-9]+"', "", row).encode() * rows
        else:
            for start in range(2, rows + 2, 2000):
                yield "".join(re.sub(r'r="([A-Z]*)2"', f'r="\\g<1>{r}"', row)
                              for r in range(start, min(start + 2000, rows + 2))).encode()
        yield tail
    return rewrite_sheet(xlsx_bytes([MINIMAL, minimal_row(0)]), rows_xml)


def test_a_zip_bomb_is_refused_by_its_inflated_size_from_the_zip_directory(settings):
    settings.FUPIN_SHEET_MAX_INFLATED_BYTES = 8 * 1024 * 1024
    data = bomb(60_000, numbered=False)
    inflated = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert inflated > 100 * len(data) and inflated > settings.FUPIN_SHEET_MAX_INFLATED_BYTES
    message, peak = refusal(data, "花名册.xlsx")
    assert "解压后有" in message and "超过 8 MB 的上限" in message
    assert peak < BOUND


def test_a_part_compressed_far_more_than_a_real_sheet_is_refused():
    message, peak = refusal(bomb(150_000, numbered=False), "花名册.xlsx")
    assert "压缩比异常" in message and "上限 100 倍" in message
    assert peak < BOUND


def test_rows_beyond_the_limit_are_refused_while_streaming_the_sheet(settings):
    settings.FUPIN_SHEET_MAX_ROWS = 20_000
    message, peak = refusal(bomb(30_000), "花名册.xlsx")
    assert "达到" in message and "超出 200 列 × 20,000 行的上限" in message
    assert peak < BOUND


def test_rows_without_references_are_counted_too(settings):
    """A crafted sheet may leave out the r attributes (calamine then numbers rows in order)."""
    settings.FUPIN_SHEET_MAX_ROWS = 20_000
    message, peak = refusal(bomb(30_000, numbered=False), "花名册.xlsx")
    assert "表格超过 20,000 行的上限" in message
    assert peak < BOUND


def test_a_part_that_inflates_to_more_than_it_declares_is_refused_as_damaged():
    data = bytearray(bomb(200))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as book:
        part = book.getinfo("xl/worksheets/sheet1.xml")
    # Lower the size the central directory declares: calamine would trust nothing, zipfile stops there.
    entry = data.rfind(b"PK\x01\x02", 0, data.find(b"xl/worksheets/sheet1.xml", len(data) - 2000))
    data[entry + 24:entry + 28] = (part.file_size // 100).to_bytes(4, "little")
    message, _peak = refusal(bytes(data), "花名册.xlsx")
    assert "文件已损坏" in message


def test_a_csv_over_the_row_limit_is_refused_while_streaming(settings, tmp_path):
    settings.FUPIN_SHEET_MAX_ROWS = 5_000
    row = standard_row()
    path = build_csv(tmp_path / "花名册.csv", [STANDARD_HEADERS, *([row] * 20_000)])
    data = path.read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(SheetError) as caught:
            read_table(io.BytesIO(data), "花名册.csv")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "表格超过 5,000 行的上限" in caught.value.message
    # The grid stops at the limit: measured 21 MB here, against 116 MB to read the whole file (12× its size).
    assert peak < 4 * len(data), (peak, len(data))


# --- the thread runner's cap ------------------------------------------------------------------------

@pytest.fixture
def blocking_kind():
    release = threading.Event()
    started: list[str] = []

    def handler(job: Job) -> None:
        started.append(str(job.id))
        release.wait(30)

    kinds.register("test-blocking", label="test", handler=handler)
    yield release, started
    release.set()
    kinds.unregister("test-blocking")


def _wait_for(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_jobs_beyond_the_cap_wait_queued_in_the_thread_runner(settings, tmp_path, county_user, blocking_kind):
    settings.FUPIN_JOBS = "thread"
    settings.DATA_DIR = tmp_path
    settings.FUPIN_MAX_CONCURRENT_JOBS = 2
    release, started = blocking_kind
    created = [jobs.job_create(kind="test-blocking", user=county_user) for _ in range(4)]
    for job in created:
        jobs.submit(job)
    assert _wait_for(lambda: len(started) == 2)
    time.sleep(0.3)  # the other two had time to start, were they allowed to
    states = sorted(Job.objects.filter(pk__in=[j.pk for j in created]).values_list("state", flat=True))
    assert states == sorted([JobState.RUNNING] * 2 + [JobState.QUEUED] * 2)
    release.set()
    assert _wait_for(lambda: Job.objects.filter(state=JobState.DONE).count() == 4)
