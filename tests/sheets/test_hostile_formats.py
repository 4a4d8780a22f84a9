""".xls, .xlsb and .ods under the same limits as .xlsx (issue 11, findings 2 and 3 for the other formats
the importer accepts). python-calamine reads them; before this, a crafted file made it allocate without
bound at open: an .xls whose DIMENSIONS record declares 2³² rows × 65,535 columns (calamine reserves
that many cells: an abort), an .xls whose directory chain loops (calamine reads it for ever), an .xlsb
with one cell at column 4,000,000 (the range is dense), an .ods whose one row is repeated 900,000
times across a hundred columns (90 million cells, under calamine's own cap of 100 million). Measured
with calamine alone under a 3 GB address-space limit: the .xls files and the .ods abort the process
(SIGABRT), an .xls whose sheet starts past its stream raises a Rust panic (not an Exception: it
escapes ``except Exception``). Each is refused before calamine sees it, with the .xlsx messages;
small well-formed files of each format still read.

The files are built here, byte by byte (OLE2 + BIFF8, BIFF12 records in a zip, ODF XML in a zip):
nothing hostile is committed.
"""

from __future__ import annotations

import io
import struct
import zipfile
from xml.sax.saxutils import escape

import pytest

from fupin.sheets.reader import read_table

from .builders import valid_id
from .test_hostile_files import BOUND, refusal
from .test_reader import MINIMAL, minimal_row

ROWS = [MINIMAL, minimal_row(0)]

# --- .xls: BIFF8 records in an OLE2 compound file ----------------------------------------------------

END_OF_CHAIN, FREE, FAT_SECTOR, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def bof(kind: int) -> bytes:
    return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def cell(row: int, column: int, value: object) -> bytes:
    if isinstance(value, str):  # LABEL with an XLUnicodeString in UTF-16
        return record(0x0204, struct.pack("<HHHHB", row, column, 0, len(value), 1) + value.encode("utf-16-le"))
    return record(0x0203, struct.pack("<HHHd", row, column, 0, float(value)))  # NUMBER


def biff(rows: list[list[object]], *, dimensions: tuple[int, int] | None = None,
         extra: bytes = b"", sheet_at: int | None = None) -> bytes:
    """A workbook stream with one sheet holding ``rows``; ``dimensions`` (last row, last column, both
    "one past", as the record stores them) defaults to the cells' own."""
    last_row, last_column = dimensions or (len(rows), max(map(len, rows)))
    sheet = (bof(0x0010) + record(0x0200, struct.pack("<IIHHH", 0, last_row, 0, last_column, 0))
             + b"".join(cell(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row)) + extra + record(0x000A))
    name = "Sheet1"

    def globals_(position: int) -> bytes:
        return (bof(0x0005) + record(0x0042, struct.pack("<H", 1200))
                + record(0x0085, struct.pack("<IBBBB", position, 0, 0, len(name), 1) + name.encode("utf-16-le"))
                + record(0x000A))

    head = globals_(0)
    return globals_(len(head) if sheet_at is None else sheet_at) + sheet


def directory_entry(name: str, kind: int, *, child: int = NO_STREAM, start: int = END_OF_CHAIN, size: int = 0) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, NO_STREAM, NO_STREAM, child, b"", 0, 0, 0,
                       start, size)


def compound(stream: bytes, *, directory_next: int = END_OF_CHAIN) -> bytes:
    """An OLE2 file (version 3, 512-byte sectors) with the stream "Workbook": sector 0 the allocation
    table, 1 the directory (``directory_next`` its next sector: itself makes a loop), 2… the stream."""
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\x00")
    count = len(stream) // 512
    assert count + 2 <= 128, "one allocation-table sector is enough for a test"
    fat = [FAT_SECTOR, directory_next, *range(3, count + 2), END_OF_CHAIN]
    fat += [FREE] * (128 - len(fat))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", 0x3E, 3, 0xFFFE, 9, 6, b"",
                         0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0) + struct.pack("<109I", 0, *[FREE] * 108)
    directory = (directory_entry("Root Entry", 5, child=1) + directory_entry("Workbook", 2, start=2, size=len(stream))
                 + b"\x00" * 256)
    return header + struct.pack("<128I", *fat) + directory + stream


def test_a_small_xls_reads():
    table = read_table(io.BytesIO(compound(biff(ROWS))), "花名册.xls")
    assert [row.values["证件号码"] for row in table.rows] == [valid_id(0)]


def test_an_xls_declaring_huge_dimensions_is_refused_before_calamine_reserves_them():
    """calamine reserved rows × columns cells for DIMENSIONS: 4,294,967,295 × 65,535 aborts the process."""
    data = compound(biff(ROWS, dimensions=(0xFFFFFFFF, 0xFFFF)))
    assert len(data) < 8000
    message, peak = refusal(data, "花名册.xls")
    assert "超出 200 列 × 100,000 行的上限" in message and "删除多余的单元格" in message
    assert peak < BOUND


@pytest.mark.parametrize(("row", "column", "cell_name"), [(2999, 0, "A3000"), (1, 255, "IV2")])
def test_an_xls_cell_past_either_limit_is_refused_naming_it(settings, row, column, cell_name):
    settings.FUPIN_SHEET_MAX_ROWS = 2000
    data = compound(biff(ROWS, dimensions=(2, 6), extra=cell(row, column, "x")))
    message, _peak = refusal(data, "花名册.xls")
    assert f"达到 {cell_name}，超出 200 列 × 2,000 行的上限" in message


def test_an_xls_whose_directory_chain_loops_is_refused_as_damaged():
    """calamine follows the directory's sector chain until it ends: one that loops grows for ever."""
    message, peak = refusal(compound(biff(ROWS), directory_next=1), "花名册.xls")
    assert "文件已损坏" in message
    assert peak < BOUND


def test_an_xls_whose_sheet_starts_past_the_stream_is_refused_as_damaged():
    """calamine slices the stream where the workbook says the sheet starts: past its end, a panic."""
    message, _peak = refusal(compound(biff(ROWS, sheet_at=1 << 20)), "花名册.xls")
    assert "文件已损坏" in message


def test_an_ole_file_without_a_workbook_is_refused_as_damaged():
    data = compound(biff(ROWS)).replace("Workbook".encode("utf-16-le"), "Document".encode("utf-16-le"))
    message, _peak = refusal(data, "花名册.xls")
    assert "文件已损坏" in message


# --- .xlsb: BIFF12 records in a zip ------------------------------------------------------------------

def brt(kind: int, data: bytes = b"") -> bytes:
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    size, length = b"", len(data)
    while True:
        size += bytes([(length & 0x7F) | (0x80 if length > 0x7F else 0)])
        length >>= 7
        if not length:
            return head + size + data


def wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def xlsb_cell(column: int, value: object) -> bytes:
    if isinstance(value, str):
        return brt(0x0006, struct.pack("<II", column, 0) + wide(value))  # BrtCellSt
    return brt(0x0005, struct.pack("<IId", column, 0, float(value)))  # BrtCellReal


def xlsb(rows: list[list[object]], extra: tuple[int, int] | None = None) -> bytes:
    """A workbook with one sheet of ``rows`` and optionally one more cell at ``extra`` (row, column; 0-based)."""
    cells = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row)}
    if extra:
        cells[extra] = "x"
    body = b""
    for r in sorted({r for r, _c in cells}):
        body += brt(0x0000, struct.pack("<IIHBB", r, 0, 0x012C, 0, 0) + b"\x00" * 9)
        body += b"".join(xlsb_cell(c, cells[r, c]) for (rr, c) in sorted(cells) if rr == r)
    sheet = (brt(0x0081) + brt(0x0094, struct.pack("<IIII", 0, max(r for r, _c in cells), 0, max(c for _r, c in cells)))
             + brt(0x0091) + body + brt(0x0092) + brt(0x0082))
    workbook = (brt(0x0083) + brt(0x008F) + brt(0x009C, struct.pack("<II", 0, 1) + wide("rId1") + wide("Sheet1"))
                + brt(0x0090) + brt(0x0084))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                      'package/2006/content-types"><Default Extension="bin" ContentType="application/'
                      'vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>')
        book.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                      'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                      'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>')
        book.writestr("xl/_rels/workbook.bin.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                      'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                      'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sub/S.BIN"/>'
                      '</Relationships>')
        book.writestr("xl/workbook.bin", workbook)
        book.writestr("xl/worksheets/sub/s.bin", sheet)  # not in xl/worksheets/ itself, and named in other case
    return out.getvalue()


def test_a_small_xlsb_reads():
    table = read_table(io.BytesIO(xlsb(ROWS)), "花名册.xlsb")
    assert [row.values["证件号码"] for row in table.rows] == [valid_id(0)]


def test_an_xlsb_cell_at_a_far_column_is_refused_before_calamine_lays_out_the_range():
    """The column is a 32-bit number: calamine's dense range for one cell at column 4,000,000 is
    4 million cells wide per row."""
    data = xlsb(ROWS, extra=(1, 4_000_000))
    message, peak = refusal(data, "花名册.xlsb")
    assert "达到 HSODE2，超出 200 列 × 100,000 行的上限" in message
    assert peak < BOUND


def test_an_xlsb_cell_past_the_row_limit_is_refused(settings):
    settings.FUPIN_SHEET_MAX_ROWS = 2000
    message, _peak = refusal(xlsb(ROWS, extra=(2999, 0)), "花名册.xlsb")
    assert "达到 A3000，超出 200 列 × 2,000 行的上限" in message


def test_the_xlsb_walk_reads_records_cut_by_its_pieces():
    """The sheet is walked a piece at a time: a far cell whose record straddles two pieces is found."""
    from fupin.sheets import formats
    from fupin.sheets.reader import SheetError, _Limits

    with zipfile.ZipFile(io.BytesIO(xlsb(ROWS, extra=(1, 300)))) as book:
        sheet = book.read("xl/worksheets/sub/s.bin")
    for piece in (1, 2, 3, 7, 64):
        with pytest.raises(SheetError) as caught:
            formats.check_xlsb_sheet(io.BytesIO(sheet), _Limits(), chunk=piece)
        assert "达到 KO2" in caught.value.message
    formats.check_xlsb_sheet(io.BytesIO(zipfile.ZipFile(io.BytesIO(xlsb(ROWS))).read("xl/worksheets/sub/s.bin")), _Limits(),
                             chunk=3)


def test_an_xlsb_zip_bomb_is_refused_by_its_inflated_size(settings):
    settings.FUPIN_SHEET_MAX_INFLATED_BYTES = 1024 * 1024
    source = io.BytesIO(xlsb(ROWS))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as book, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in book.infolist():
            target.writestr(part.filename, book.read(part))
        target.writestr("xl/padding.bin", b"\x00" * (4 * 1024 * 1024))
    message, peak = refusal(out.getvalue(), "花名册.xlsb")
    assert "解压后有 4 MB，超过 1 MB 的上限" in message
    assert peak < BOUND


# --- .ods: content.xml in a zip ----------------------------------------------------------------------

NAMESPACES = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
              'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
              'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods_cell(value: object, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None:
        return f"<table:table-cell{repeated}/>"
    if isinstance(value, str):
        return (f'<table:table-cell office:value-type="string"{repeated}><text:p>{escape(value)}</text:p>'
                "</table:table-cell>")
    return f'<table:table-cell office:value-type="float" office:value="{value}"{repeated}><text:p>{value}</text:p></table:table-cell>'


def ods_row(cells: str, repeat: int = 1) -> str:
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{repeated}>{cells}</table:table-row>"


def ods(rows: list[list[object]], extra: str = "", prolog: str = "") -> bytes:
    body = "".join(ods_row("".join(ods_cell(v) for v in row)) for row in rows) + extra
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {NAMESPACES} office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                      'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                      '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                      'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
                      'manifest:media-type="text/xml"/></manifest:manifest>')
        book.writestr("content.xml", content)
    return out.getvalue()


def test_a_small_ods_reads_with_the_empty_rows_libreoffice_repeats_at_the_end():
    trailing = ods_row(ods_cell(None, 1024), repeat=1_048_570)  # what LibreOffice writes below the data
    table = read_table(io.BytesIO(ods(ROWS, extra=trailing)), "花名册.ods")
    assert [row.values["证件号码"] for row in table.rows] == [valid_id(0)]


def test_an_ods_row_repeated_900_000_times_is_refused():
    """900,000 copies of a row of a hundred cells: 90 million cells, in a file of 1.5 KB."""
    data = ods(ROWS, extra=ods_row(ods_cell("x", 100), repeat=900_000))
    assert len(data) < 2000
    message, peak = refusal(data, "花名册.ods")
    assert "达到 CV900002，超出 200 列 × 100,000 行的上限" in message
    assert peak < BOUND


def test_an_ods_cell_repeated_across_the_columns_is_refused():
    message, _peak = refusal(ods(ROWS, extra=ods_row(ods_cell(None, 500) + ods_cell("x"))), "花名册.ods")
    assert "达到 SG3，超出 200 列" in message


def test_an_ods_with_more_row_elements_than_the_limit_is_refused(settings):
    settings.FUPIN_SHEET_MAX_ROWS = 2000
    message, _peak = refusal(ods(ROWS, extra=ods_row(ods_cell(None)) * 2500), "花名册.ods")
    assert "表格超过 2,000 行的上限" in message


def test_an_ods_with_a_doctype_is_refused_as_damaged():
    """A DTD could declare entities (a billion laughs); content.xml never has one."""
    prolog = '<!DOCTYPE office:document-content [<!ENTITY a "aaaaaaaaaa">]>'
    message, _peak = refusal(ods(ROWS, prolog=prolog), "花名册.ods")
    assert "文件已损坏" in message


def test_an_ods_content_bomb_is_refused_by_its_inflated_size(settings):
    settings.FUPIN_SHEET_MAX_INFLATED_BYTES = 1024 * 1024
    padding = "<!--" + " " * (3 * 1024 * 1024) + "-->"
    message, peak = refusal(ods(ROWS, extra=padding), "花名册.ods")
    assert "解压后有 3 MB，超过 1 MB 的上限" in message
    assert peak < BOUND


def test_a_panic_in_calamine_is_a_refusal_not_a_crash(monkeypatch):
    """Were a crafted file to pass the checks, calamine's Rust panic (pyo3's PanicException, a
    BaseException that ``except Exception`` lets through) is still reported as a damaged file."""
    from fupin.sheets import formats

    monkeypatch.setattr(formats, "check_xls", lambda data, limits: None)
    message, _peak = refusal(compound(biff(ROWS, sheet_at=1 << 20)), "花名册.xls")
    assert "文件已损坏" in message


def test_an_ods_table_started_inside_a_table_does_not_reset_the_count(settings):
    """calamine ignores a table that starts inside a table (its rows join the outer range), so the
    count goes on: each nested start must not give a crafted file a fresh row limit."""
    settings.FUPIN_SHEET_MAX_ROWS = 2000
    rows = ods_row(ods_cell("x"), repeat=1500)
    message, _peak = refusal(ods(ROWS, extra=rows + '<table:table table:name="b">' + rows), "花名册.ods")
    assert "达到 A3002，超出 200 列 × 2,000 行的上限" in message


def test_an_xls_listing_one_allocation_sector_many_times_is_refused_as_damaged():
    """A header whose sector list names the allocation-table sector 109 times would have the table
    built 109 times over (and a DIFAT chain could name it millions of times)."""
    data = bytearray(compound(biff(ROWS)))
    data[76:76 + 4 * 109] = struct.pack("<109I", *[0] * 109)
    message, _peak = refusal(bytes(data), "花名册.xls")
    assert "文件已损坏" in message


def test_an_ods_saved_with_a_password_is_refused_saying_so():
    """Its content.xml is encrypted (not XML): the manifest says so, and the message says what to do."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(ods(ROWS))) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part)
            if part.filename == "META-INF/manifest.xml":
                content = content.replace(b'manifest:media-type="text/xml"/>', b'manifest:media-type="text/xml">'
                                          b"<manifest:encryption-data/></manifest:file-entry>")
            if part.filename == "content.xml":
                content = bytes(range(256)) * 4
            target.writestr(part.filename, content)
    message, _peak = refusal(out.getvalue(), "花名册.ods")
    assert "设置了密码" in message
