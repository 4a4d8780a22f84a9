"""Read a real-world .xlsx/.xls/.csv into the standard flat sheet's rows (REFERENCE §12).

``read_table(source, filename)`` finds the sheet and its header row, maps the headers onto
:data:`fupin.sheets.columns.COLUMNS`, and returns every data row with its raw cell values; turning
the values into registry values is :mod:`fupin.sheets.cells`' work, checking and writing them the
importer's. Anything that makes the whole file unusable raises :class:`SheetError` with a Chinese
message.

The rules, in the order they apply:

File
  .xlsx .xlsm .xlsb .xls .ods are read with python-calamine, whatever the content's real format
  (an .xls that is really an .xlsx is fine); an "Excel" file that is really CSV text is read as
  CSV; one that is really a web page (HTML or the 2003 XML format, which some systems export as
  .xls) or password-protected is refused with what to do. .csv/.tsv: UTF-8 (with or without BOM),
  UTF-16 with BOM, else GB18030 (what Chinese Excel writes); the delimiter (comma, tab, semicolon)
  is the one under which a header row is found with the most known columns.

Limits (FUPIN_SHEET_MAX_ROWS, _COLUMNS, _INFLATED_BYTES), checked before calamine reads anything
  Any zip (.xlsx .xlsm .xlsb .ods): the inflated size and each part's compression ratio; then, a
  piece at a time, an .xlsx's sheet XML, an .xlsb's sheet records and an .ods's content.xml for a
  row or cell beyond the limits. An .xls: its OLE2 container's chains and its sheets' DIMENSIONS
  and cell records (:mod:`fupin.sheets.formats`). A CSV stops at the row limit.

Sheet and header row
  The first worksheet (visible ones first, in workbook order) in whose first 30 rows a cell reads
  one of ``columns.ID_HEADERS`` or another synonym of 证件号码 — after normalising: NFKC, no whitespace or line breaks, no * ※
  marks, and without a trailing bracketed unit such as （元）(亩)（月）. Title rows and merged title
  cells above it are ignored.

Two-row headers
  A header may take two rows: a group title merged over sub-headers (收入情况 over 工资性收入,
  财产性收入 …) while the other headers are merged down over both rows. The row below the ID
  header's row is taken as part of the header when it names at least one column and each of its
  non-empty cells stands under an empty cell or a cell that names no column (a group title);
  failing that, the row above is taken when each of its cells that names a column stands over an
  empty or unnamed cell. Each column then takes the lower row's header if it names a column, else
  the upper row's. Data starts below the lower row.

Header names
  A header maps to a column by its header or a synonym, compared in the same normalised form
  (first with its bracketed part, then without). A unit that contradicts the column's (工资性收入
  （万元）, 耕地面积（公顷）, 务工时间（天）) is refused: the values would be read wrongly by a factor.
  Two headers mapping to the same column, or a required column missing, are errors; headers that
  map to nothing are kept in ``unknown_headers`` (the importer reports them as ignored).

Merged cells in the data
  Household cells (户编号, 户主姓名, 联系电话 …) merged down over the household's member rows hold
  their value in the top cell only; each row's ``values`` gets the top cell's value (vertical
  merges only, in the merge's first column). ``grid`` keeps the cells as read.

Rows
  Right below the header, a row of column numbers (1 2 3 …) or of units (元 亩 …) is skipped.
  Then, skipped with a reason: blank rows ("空行", also rows with something only in unknown
  columns), rows without an ID number that contain 合计/总计/小计/共计 ("合计行"), rows without an ID
  number or name that hold a footer (填表人, 审核人, 注：…) ("表尾说明行"), and repetitions of the
  header row ("重复的表头行"). Blank rows after the last data row are dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import operator
import posixpath
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import BinaryIO

import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _

from fupin.lib.gcpause import gc_paused

from . import formats
from .columns import COLUMNS, ID_HEADERS, KEYS, REQUIRED, TOTAL_MARKERS, Column

__all__ = ["SheetError", "SheetRow", "Table", "read_table", "normalise_header", "match_header", "column_letter"]

#: The header row must be within this many rows from the top.
HEADER_SEARCH_ROWS = 30
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
CSV_SUFFIXES = (".csv", ".tsv")
CSV_DELIMITERS = (",", "\t", ";")


class SheetError(Exception):
    """The file as a whole cannot be imported; ``message`` is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SheetRow:
    number: int  # 1-based, as Excel shows it (for a CSV: the record's number, as Excel would show it)
    values: dict[str, object]  # Column.header -> raw cell value, None when empty or only spaces


@dataclass
class Table:
    filename: str
    sheet_name: str  # the CSV's file name for a CSV
    grid: list[list[object]]  # every row as read: empty cells are ""; CSV rows padded to one width
    header_row: int  # 1-based; the upper row of a two-row header
    columns: dict[int, Column]  # 0-based column index -> Column
    headers: list[str]  # header text as written, by column index ("" where none)
    unknown_headers: list[tuple[int, str]]
    rows: list[SheetRow]
    skipped: list[tuple[int, str]]  # (row number, reason)
    header_height: int = 1  # 2 for a two-row header
    #: Merged ranges of an Excel sheet: (first_row, first_col, last_row, last_col), 0-based, inclusive.
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def first_data_row(self) -> int:
        return self.header_row + self.header_height


# --- header names -----------------------------------------------------------------------------

_OPENING = {")": "(", "]": "[", "】": "【", "〕": "〔", "」": "「", "》": "《"}
_MARKS = "*※★☆△▲●◆#"


def _fold(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def normalise_header(text: object) -> tuple[str, str, str]:
    """(whole, without trailing bracketed units, the units): "*工资性收入\\n（元）" → ("工资性收入(元)", "工资性收入", "元")."""
    whole = "".join(_fold(str(text)).split()).strip(_MARKS)
    bare, units = whole, []
    while bare and bare[-1] in _OPENING:
        start = bare.rfind(_OPENING[bare[-1]])
        if start <= 0:
            break
        units.insert(0, bare[start + 1:-1])
        bare = bare[:start].rstrip(_MARKS)
    return whole, bare, "".join(units)


def _build_lookup() -> tuple[dict[str, Column], dict[str, Column]]:
    whole: dict[str, Column] = {}
    bare: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.header, *column.synonyms):
            w, b, _units = normalise_header(name)
            whole.setdefault(w, column)
            bare.setdefault(b, column)
    return whole, bare


_BY_WHOLE, _BY_BARE = _build_lookup()
#: The header row is found by the ID number's header: columns.ID_HEADERS and the other synonyms of 证件号码.
_ID_KEYS = frozenset(normalise_header(name)[1] for column in COLUMNS if column.kind == "id" and column.field == "id_number"
                     for name in (*ID_HEADERS, column.header, *column.synonyms))


def match_header(text: object) -> tuple[Column | None, str]:
    """The column a header names and the unit it gives in brackets ("" if none or if part of the name)."""
    if text is None or text == "":
        return None, ""
    whole, bare, units = normalise_header(text)
    column = _BY_WHOLE.get(whole)
    if column is not None:
        return column, ""
    return _BY_BARE.get(bare), units


#: Units that contradict a column's own (by kind, or by field): reading them as-is would be off by a factor.
_WRONG_UNITS: dict[str, tuple[str, frozenset[str]]] = {
    "money": ("元", frozenset({"万元", "万", "千元", "百元", "角", "分"})),
    "cultivated_land": ("亩", frozenset({"公顷", "hm2", "ha", "平方米", "m2", "平方公里", "km2"})),
    "irrigated_land": ("亩", frozenset({"公顷", "hm2", "ha", "平方米", "m2", "平方公里", "km2"})),
    "forest_land": ("亩", frozenset({"公顷", "hm2", "ha", "平方米", "m2", "平方公里", "km2"})),
    "house_area": ("平方米", frozenset({"亩", "公顷", "间"})),
    "road_distance_km": ("公里", frozenset({"米", "m"})),
    "work_months": ("月", frozenset({"天", "日", "周", "年", "小时"})),
}


def _check_unit(column: Column, header: str, unit: str, index: int) -> None:
    rule = _WRONG_UNITS.get(column.field or "") or _WRONG_UNITS.get(column.kind)
    if rule and unit.casefold() in rule[1]:
        raise SheetError(_("%(letter)s 列“%(header)s”的单位是“%(unit)s”，本系统按“%(expected)s”导入；"
                           "请把数值换算为%(expected)s，并把表头改为“%(column)s”") % {
            "letter": column_letter(index), "header": header, "unit": unit, "expected": rule[0],
            "column": column.header})


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: as Excel names columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- header row -------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (value.__class__ is str and (not value or value.isspace()))


def _has_id_header(row: list[object]) -> bool:
    for cell in row:
        if cell.__class__ is str and cell and normalise_header(cell)[1] in _ID_KEYS:
            return True
    return False


def _find_header_row(grid: list[list[object]]) -> int | None:
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if _has_id_header(row):
            return index
    return None


def _cell(row: list[object], index: int) -> object:
    return row[index] if index < len(row) else None


def _combine(upper: list[object], lower: list[object], id_in_upper: bool) -> list[object] | None:
    """The two rows as one header, or None when ``lower`` (``upper``) is not part of the header."""
    width = max(len(upper), len(lower))
    other, base = (lower, upper) if id_in_upper else (upper, lower)
    named = 0
    for j in range(width):
        cell = _cell(other, j)
        if _blank(cell):
            continue
        column = match_header(cell)[0]
        under = _cell(base, j)
        base_names = not _blank(under) and match_header(under)[0] is not None
        if id_in_upper:
            # Every sub-header sits under an empty cell or a group title; a data row would not.
            if base_names:
                return None
        elif column is not None and base_names:
            return None
        if column is not None:
            named += 1
    if not named:
        return None
    combined: list[object] = []
    for j in range(width):
        up, low = _cell(upper, j), _cell(lower, j)
        if not _blank(low) and match_header(low)[0] is not None:
            combined.append(low)
        elif not _blank(up) and match_header(up)[0] is not None:
            combined.append(up)
        else:
            combined.append(low if not _blank(low) else up)
    return combined


def _header(grid: list[list[object]], index: int) -> tuple[int, int, list[object]]:
    """(first header row index, number of header rows, the header cells)."""
    row = grid[index]
    if index + 1 < len(grid):
        combined = _combine(row, grid[index + 1], id_in_upper=True)
        if combined is not None:
            return index, 2, combined
    if index > 0:
        combined = _combine(grid[index - 1], row, id_in_upper=False)
        if combined is not None:
            return index - 1, 2, combined
    return index, 1, list(row)


def _map_headers(cells: list[object], header_row: int) -> tuple[dict[int, Column], list[str], list[tuple[int, str]]]:
    columns: dict[int, Column] = {}
    headers: list[str] = []
    unknown: list[tuple[int, str]] = []
    where: dict[str, int] = {}
    for j, cell in enumerate(cells):
        text = "" if _blank(cell) else str(cell).strip()
        headers.append(text)
        if not text:
            continue
        column, unit = match_header(text)
        if column is None:
            unknown.append((j, text))
            continue
        if column.header in where:
            first = where[column.header]
            raise SheetError(_("%(a_letter)s 列“%(a)s”和 %(b_letter)s 列“%(b)s”都是“%(column)s”，请只保留其中一列") % {
                "a_letter": column_letter(first), "a": headers[first], "b_letter": column_letter(j), "b": text,
                "column": column.header})
        _check_unit(column, text, unit, j)
        where[column.header] = j
        columns[j] = column
    # Only the keys: a partial sheet updates the columns it has; the importer asks a new household or
    # member for the REQUIRED columns it lacks.
    missing = [c.header for c in KEYS if c.header not in where]
    if missing:
        raise SheetError(_("缺少必填列：%(missing)s；请在表头（第 %(row)d 行）中添加这些列") % {
            "missing": "、".join(missing), "row": header_row})
    return columns, headers, unknown


# --- rows -------------------------------------------------------------------------------------

_FOOTERS = ("填表人", "制表人", "填报人", "审核人", "负责人", "统计人", "经办人", "联系人", "填表日期", "制表日期",
            "填报日期", "填表单位", "制表单位", "填报单位", "注:", "注：", "说明:", "说明：", "备注:", "备注：")
_UNITS_ROW = frozenset({"元", "亩", "人", "户", "月", "个月", "年", "岁", "平方米", "m2", "公里", "km", "千米", "个",
                        "元/年", "元/人"})


def _texts(row: list[object]) -> list[str]:
    return ["".join(_fold(v).split()) for v in row if v.__class__ is str and v and not v.isspace()]


def _is_total(row: list[object]) -> bool:
    return any(marker in text for text in _texts(row) for marker in TOTAL_MARKERS)


def _is_footer(row: list[object]) -> bool:
    return any(text.startswith(_FOOTERS) for text in _texts(row))


def _is_number_row(row: list[object]) -> bool:
    """1 2 3 … under the header (printed forms number their columns)."""
    numbers = []
    for cell in row:
        if _blank(cell):
            continue
        if cell.__class__ is str:
            text = _fold(cell).strip().strip("()（）")
            if not (text.isascii() and text.isdigit()):
                return False
            numbers.append(int(text))
        elif cell.__class__ in (int, float) and float(cell).is_integer():
            numbers.append(int(cell))
        else:
            return False
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _is_units_row(row: list[object]) -> bool:
    texts = [t.strip("()") for t in _texts(row)]
    return bool(texts) and len(texts) == sum(1 for c in row if not _blank(c)) and all(t in _UNITS_ROW for t in texts)


def _rows(grid: list[list[object]], start: int, columns: dict[int, Column],
          fills: dict[int, list[tuple[str, object]]]) -> tuple[list[SheetRow], list[tuple[int, str]]]:
    mapped = sorted((j, c.header) for j, c in columns.items())
    id_index = next(j for j, c in columns.items() if c.kind == "id" and c.target == "member" and c.field == "id_number")
    name_index = next((j for j, c in columns.items() if c.field == "name" and c.target == "member"), None)
    rows: list[SheetRow] = []
    skipped: list[tuple[int, str]] = []

    end = len(grid)
    while end > start and all(_blank(v) for v in grid[end - 1]):
        end -= 1
    # Printed forms: a row of column numbers or of units right under the header.
    while start < end and (_is_number_row(grid[start]) or _is_units_row(grid[start])):
        skipped.append((start + 1, _("列序号行") if _is_number_row(grid[start]) else _("单位行")))
        start += 1

    names = [header for _j, header in mapped]
    getter = operator.itemgetter(*(j for j, _header in mapped))
    width = max((j for j, _header in mapped), default=0) + 1
    id_header = columns[id_index].header
    for i in range(start, end):
        row = grid[i]
        if len(row) < width:
            row = [*row, *[""] * (width - len(row))]
        # The hot loop (tens of thousands of rows × ~50 columns): one comprehension, no calls per cell.
        values = {name: (None if value.__class__ is str and (not value or value.isspace()) else value)
                  for name, value in zip(names, getter(row), strict=True)}
        number = i + 1
        if not any(map(operator.is_not, values.values(), repeat(None))):
            skipped.append((number, _("空行") if all(_blank(v) for v in row) else _("空行（只有未识别的列有内容）")))
            continue
        if i in fills:  # after the blank check: a merge reaching into a blank row does not make it a member
            values.update(fills[i])
        id_value = values[id_header]
        has_id = id_value is not None and (
            (id_value.__class__ is str and id_value[:1].isdigit()) or any(c.isdigit() for c in str(id_value)))
        if not has_id:
            if _is_total(row):
                skipped.append((number, _("合计行")))
                continue
            if (name_index is None or _blank(_cell(row, name_index))) and _is_footer(row):
                skipped.append((number, _("表尾说明行")))
                continue
            if id_value.__class__ is str and normalise_header(id_value)[1] in _ID_KEYS:
                skipped.append((number, _("重复的表头行")))
                continue
        rows.append(SheetRow(number, values))
    return rows, skipped


# --- files ------------------------------------------------------------------------------------


def _read_bytes(source: str | Path | BinaryIO | bytes) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | Path):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise SheetError(_("无法打开文件：%(error)s") % {"error": exc.strerror or exc}) from exc
    if hasattr(source, "seek"):
        try:
            source.seek(0)
        except (OSError, ValueError):
            pass
    data = source.read()
    return data.encode() if isinstance(data, str) else bytes(data)


# --- limits -----------------------------------------------------------------------------------

#: A part inflating to more than this may not be compressed more than _MAX_RATIO:1 (a zip bomb; a real
#: sheet's XML compresses about 10:1, the demo county export's 11:1).
_RATIO_FLOOR = 20 * 1024 * 1024
_MAX_RATIO = 100
_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any match below, so a match cut by a chunk's end is found in the next
#: A worksheet part of an .xlsx/.xlsm, or of an .xlsb (binary records, walked by fupin.sheets.formats).
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.(?:xml|bin)", re.IGNORECASE)
#: A row's start tag, without or with a namespace prefix (each pattern starts with a literal: fast).
_ROW_TAGS = (re.compile(rb"<row[\s/>]"), re.compile(rb":row[\s/>]"))


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f}"


def _above(limit: int) -> bytes:
    """A regex alternative matching column letters after column number ``limit`` (1-based): for
    200 (GR): three or more letters, H-Z then a letter, or G then S-Z."""
    letters = column_letter(limit - 1)
    parts = [b"[A-Z]{%d,}" % (len(letters) + 1)]
    for i, letter in enumerate(letters):
        if letter != "Z":
            rest = len(letters) - i - 1
            parts.append(letters[:i].encode() + b"[%s-Z]" % chr(ord(letter) + 1).encode() + b"[A-Z]" * rest)
    return b"|".join(parts)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class _Limits:
    """The settings' limits and the pattern that finds a cell beyond them: a cell reference
    (``r="XFD1048576"`` on a cell, ``r="5"`` on a row) whose column is after the last allowed, or
    whose row number has at least as many digits as the row limit (then compared as a number). It
    starts with a literal, which keeps the scan at about 0.2 s per 100 MB of XML. Either quote and
    spaces around "=" are allowed, as XML allows them."""

    def __init__(self) -> None:
        self.rows = settings.FUPIN_SHEET_MAX_ROWS
        self.columns = settings.FUPIN_SHEET_MAX_COLUMNS
        self.inflated = settings.FUPIN_SHEET_MAX_INFLATED_BYTES
        self.far = re.compile(rb"""r\s*=\s*["']((?:%s)[0-9]+|[A-Z]{0,3}[0-9]{%d,})["']"""
                              % (_above(self.columns), len(str(self.rows))))

    def beyond(self, buffer: bytes, match: re.Match) -> str | None:
        """The reference ``match`` found, if it is an attribute ``r`` (not the end of another's name)
        of a cell beyond the limits."""
        if match.start() and (buffer[match.start() - 1:match.start()].isalnum()
                              or buffer[match.start() - 1:match.start()] in b":_-."):
            return None
        reference = match.group(1).decode()
        digits = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        letters = reference[:len(reference) - len(digits)]
        if int(digits) > self.rows or (letters and _column_number(letters) > self.columns):
            return f"{letters}{int(digits)}"
        return None

    def too_far(self, reference: str) -> SheetError:
        return SheetError(_("表格的使用范围达到 %(cell)s，超出 %(columns)s 列 × %(rows)s 行的上限；"
                            "请删除多余的单元格（或整行、整列）后重新保存再上传") % {
            "cell": reference, "columns": f"{self.columns:,}", "rows": f"{self.rows:,}"})

    def too_many_rows(self, rows: int) -> SheetError:
        return SheetError(_("表格超过 %(limit)s 行的上限（已读到第 %(rows)s 行）；请把表格按乡镇拆分成几个文件分别导入") % {
            "limit": f"{self.rows:,}", "rows": f"{rows:,}"})


def _check_zip(data: bytes, filename: str) -> None:
    """Refuse a zip-based workbook that would take more memory to read than the limits allow,
    without inflating more than one 1 MB piece at a time (see "Limits" above)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError):
        return  # not a readable zip: calamine says the file is damaged
    limits = _Limits()
    with book:
        parts = book.infolist()
        inflated = sum(part.file_size for part in parts)
        if inflated > limits.inflated:
            raise SheetError(_("“%(name)s”解压后有 %(size)s MB，超过 %(limit)s MB 的上限；"
                               "请删除不需要的工作表、空白行列和格式，或按乡镇拆分成几个文件后再上传") % {
                "name": filename, "size": _mb(inflated), "limit": _mb(limits.inflated)})
        for part in parts:
            if part.file_size > _RATIO_FLOOR and part.file_size > _MAX_RATIO * max(part.compress_size, 1):
                raise SheetError(_("“%(name)s”的压缩比异常（%(ratio)s 倍，上限 %(limit)d 倍），不像是正常的 Excel 文件；"
                                   "请用 Excel 打开后另存为 .xlsx 再上传") % {
                    "name": filename, "ratio": f"{part.file_size // max(part.compress_size, 1):,}",
                    "limit": _MAX_RATIO})
        try:
            for part in _worksheets(book, parts):
                if part.filename.lower().endswith(".bin"):  # an .xlsb's
                    with book.open(part) as stream:
                        formats.check_xlsb_sheet(stream, limits)
                else:
                    _scan_worksheet(book, part, limits)
            if any(part.filename == "META-INF/manifest.xml" and part.file_size <= _CHUNK
                   and b"encryption-data" in book.read(part) for part in parts):  # an .ods saved with a password
                raise SheetError(_("“%(name)s”设置了密码，无法读取；请取消密码后再上传") % {"name": filename})
            for part in parts:
                if part.filename == "content.xml":  # an .ods's sheets (calamine reads it by this name)
                    with book.open(part) as stream:
                        formats.check_ods_content(stream, limits)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, formats.Damaged) as exc:
            raise _damaged(filename) from exc


def _damaged(filename: str) -> SheetError:
    return SheetError(_("无法读取“%(name)s”：文件已损坏；请用 Excel 打开后另存为 .xlsx 再上传") % {"name": filename})


_WORKSHEET_TARGET = re.compile(rb"""<(?:\w+:)?Relationship\b[^>]*?\bType\s*=\s*["'][^"']*/worksheet["'][^>]*>""",
                               re.IGNORECASE)
_TARGET = re.compile(rb"""\bTarget\s*=\s*["']([^"']+)["']""")
_ANY_TARGET = re.compile(rb"""<(?:\w+:)?Relationship\b[^>]*>""", re.IGNORECASE)


def _worksheets(book: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The worksheet parts: those under xl/worksheets/ and wherever a relationship says a worksheet is
    (calamine follows the workbook's relationships, so a crafted file may put one anywhere)."""
    # calamine looks parts up ignoring case and with "\\" read as "/"; a name may be stored twice.
    keys = {part.filename.replace("\\", "/").lower() for part in parts}
    found = {key for key in keys if _WORKSHEET.fullmatch(key)}
    for rels in parts:
        if not rels.filename.endswith(".rels") or rels.file_size > _CHUNK:
            continue
        folder = posixpath.dirname(posixpath.dirname(rels.filename))  # xl/_rels/workbook.xml.rels → xl
        # An .xlsb's sheets are found by relationship id whatever the relationship's type: take every
        # target of its workbook's relationships (its other binary parts have no row or cell records).
        binary = rels.filename == "xl/_rels/workbook.bin.rels"
        for relationship in (_ANY_TARGET if binary else _WORKSHEET_TARGET).findall(book.read(rels)):
            target = _TARGET.search(relationship)
            if target is None:
                continue
            name = target.group(1).decode(errors="replace")
            name = posixpath.normpath(name.lstrip("/") if name.startswith("/") else posixpath.join(folder, name))
            name = name.replace("\\", "/").lower()
            if name in keys and (not binary or name.endswith(".bin")):
                found.add(name)
    return [part for part in parts if part.filename.replace("\\", "/").lower() in found]


def _check_references(buffer: bytes, cut: int, limits: _Limits) -> None:
    found: str | None = None
    for match in limits.far.finditer(buffer):
        if match.start() < cut and (reference := limits.beyond(buffer, match)) is not None:
            if not reference[0].isdigit():
                raise limits.too_far(reference)
            # A far <row r="1048576">: name the cell in it (XFD1048576), which the user can find.
            found = found or reference
    if found is not None:
        raise limits.too_far(found)


def _scan_worksheet(book: zipfile.ZipFile, part: zipfile.ZipInfo, limits: _Limits) -> None:
    """Count the rows and look for a cell beyond the limits, one piece at a time. zipfile stops at the
    size the zip declares and checks the CRC at the end: a part that lies about its size fails."""
    rows = 0
    tail = b""
    with book.open(part) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            # Matches starting before ``cut`` are complete in ``buffer``; the rest are seen next time.
            cut = len(buffer) - _OVERLAP if chunk else len(buffer)
            _check_references(buffer, cut, limits)
            rows += sum(1 for pattern in _ROW_TAGS for match in pattern.finditer(buffer) if match.start() < cut)
            if rows > limits.rows:
                raise limits.too_many_rows(rows)
            if not chunk:
                return
            tail = buffer[cut:]


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


Merges = list[tuple[int, int, int, int]]


def _calamine_failed(exc: BaseException) -> bool:
    """An error of calamine's own, or a Rust panic in it: pyo3's PanicException, a BaseException (its
    class is made at the first panic), which a crafted file must not let take the worker down."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _excel_grid(data: bytes, filename: str) -> tuple[str, list[list[object]], Merges]:
    if data.startswith(_OLE) and _ENCRYPTED in data:
        raise SheetError(_("“%(name)s”设置了打开密码，无法读取；请在 Excel 中取消密码（文件→信息→保护工作簿）后再上传") % {
            "name": filename})
    if data.startswith(_ZIP):
        _check_zip(data, filename)
    elif data.startswith(_OLE):
        try:
            formats.check_xls(data, _Limits())
        except formats.Damaged as exc:
            raise _damaged(filename) from exc
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise SheetError(_("“%(name)s”设置了密码，无法读取；请在 Excel 中取消密码后再上传") % {"name": filename}) from exc
    except BaseException as exc:  # calamine raises CalamineError, ZipError, XmlError … and sometimes plain errors
        if not _calamine_failed(exc):
            raise
        raise SheetError(_("无法读取“%(name)s”：文件已损坏或不是 Excel 文件；请用 Excel 打开后另存为 .xlsx 再上传") % {
            "name": filename}) from exc
    sheets = [m for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
    sheets.sort(key=lambda m: m.visible != python_calamine.SheetVisibleEnum.Visible)  # stable: workbook order
    anything = False
    first: tuple[str, list[list[object]], Merges] | None = None
    with book:
        for meta in sheets:
            try:
                sheet = book.get_sheet_by_name(meta.name)
                grid = sheet.to_python(skip_empty_area=False)
            except BaseException as exc:
                if not _calamine_failed(exc):
                    raise
                raise SheetError(_("无法读取“%(name)s”的工作表“%(sheet)s”：文件已损坏；请用 Excel 打开后另存为 .xlsx 再上传") % {
                    "name": filename, "sheet": meta.name}) from exc
            anything = anything or bool(grid)
            index = _find_header_row(grid)
            if index is None:
                continue
            # A guide sheet that lists the columns one per row has "证件号码" too: prefer the sheet
            # whose header names every required column, else the first with a header.
            merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
            if _names_required(_header(grid, index)[2]):
                return meta.name, grid, merges
            first = first or (meta.name, grid, merges)
    if first is not None:
        return first
    if not anything:
        raise SheetError(_("“%(name)s”中没有任何数据") % {"name": filename})
    raise _no_header([m.name for m in sheets])


def _names_required(cells: list[object]) -> bool:
    named = {match_header(cell)[0] for cell in cells if not _blank(cell)}
    return all(column in named for column in REQUIRED)


def _no_header(sheet_names: list[str] | None = None) -> SheetError:
    message = _("未找到表头：前 %(n)d 行中没有“证件号码”或“身份证号”列") % {"n": HEADER_SEARCH_ROWS}
    if sheet_names and len(sheet_names) > 1:
        message += _("（已查看工作表：%(sheets)s）") % {"sheets": "、".join(sheet_names)}
    return SheetError(message)


def _encoding(data: bytes, filename: str) -> str:
    """The text's encoding, checked by decoding it 1 MB at a time (the decoded text is not kept)."""
    if data.startswith(codecs.BOM_UTF8):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    view = memoryview(data)
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), _CHUNK):
                decoder.decode(view[start:start + _CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise SheetError(_("无法识别“%(name)s”的文字编码；请用 Excel 另存为“CSV UTF-8（逗号分隔）”或 .xlsx 再上传") % {
        "name": filename})


def _csv_grid(data: bytes, filename: str) -> list[list[object]]:
    encoding = _encoding(data, filename)

    def text() -> io.TextIOWrapper:  # decoded as read: the whole text is never one string
        return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")

    head = "".join(itertools.islice(text(), HEADER_SEARCH_ROWS + 5))
    best, best_count = None, 0
    for delimiter in CSV_DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        index = _find_header_row(rows)
        if index is None:
            continue
        count = sum(1 for cell in rows[index] if match_header(cell)[0] is not None)
        if count > best_count:
            best, best_count = delimiter, count
    if best is None:
        raise _no_header()
    limit = settings.FUPIN_SHEET_MAX_ROWS
    grid: list[list[object]] = []
    try:
        # Record by record, stopping at the row limit: the grid of a file over it is never built whole.
        for row in csv.reader(text(), delimiter=best):
            if len(grid) >= limit:
                raise _Limits().too_many_rows(len(grid) + 1)
            grid.append(row)
    except csv.Error as exc:
        raise SheetError(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc
    width = max(map(len, grid), default=0)
    for row in grid:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    return grid


@gc_paused()
def read_table(source: str | Path | BinaryIO, filename: str) -> Table:
    """Read an uploaded sheet; ``filename`` (as uploaded) decides the format and appears in messages."""
    suffix = Path(filename).suffix.lower()
    if suffix not in EXCEL_SUFFIXES + CSV_SUFFIXES:
        raise SheetError(_("不支持“%(suffix)s”文件；请上传 Excel 文件（.xlsx、.xls）或 CSV 文件") % {
            "suffix": suffix or filename})
    data = _read_bytes(source)
    if not data.strip():
        raise SheetError(_("“%(name)s”是空文件") % {"name": filename})
    head = data[:2048].lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<meta")) or b"<html" in head:
        raise SheetError(_("“%(name)s”实际上是网页（HTML）格式，不是真正的 Excel 文件；请用 Excel 打开后"
                           "“另存为”Excel 工作簿（.xlsx）再上传") % {"name": filename})
    if head.startswith(b"<?xml"):
        raise SheetError(_("“%(name)s”是 XML 表格（Excel 2003 XML）格式；请用 Excel 打开后“另存为”Excel 工作簿（.xlsx）再上传") % {
            "name": filename})
    if data.startswith((_ZIP, _OLE)) or (suffix in EXCEL_SUFFIXES and not _looks_like_text(data)):
        sheet_name, grid, merges = _excel_grid(data, filename)
    else:
        grid = _csv_grid(data, filename)
        sheet_name, merges = Path(filename).stem, []
    index = _find_header_row(grid)
    if index is None:
        raise _no_header()
    header_index, height, cells = _header(grid, index)
    columns, headers, unknown = _map_headers(cells, header_index + 1)
    width = max(len(headers), max(map(len, grid), default=0))
    headers.extend([""] * (width - len(headers)))
    rows, skipped = _rows(grid, header_index + height, columns, _fills(grid, header_index + height, columns, merges))
    return Table(filename=filename, sheet_name=sheet_name, grid=grid, header_row=header_index + 1, columns=columns,
                 headers=headers, unknown_headers=unknown, rows=rows, skipped=skipped, header_height=height,
                 merges=merges)


def _fills(grid: list[list[object]], start: int, columns: dict[int, Column],
           merges: Merges) -> dict[int, list[tuple[str, object]]]:
    """{row index: [(column header, the merged range's top value)]} for vertical merges in the data."""
    fills: dict[int, list[tuple[str, object]]] = {}
    for r0, c0, r1, _c1 in merges:
        if r1 <= r0 or r0 < start or c0 not in columns or r0 >= len(grid):
            continue
        value = _cell(grid[r0], c0)
        value = None if _blank(value) else value
        for r in range(r0 + 1, min(r1, len(grid) - 1) + 1):
            if _blank(_cell(grid[r], c0)):
                fills.setdefault(r, []).append((columns[c0].header, value))
    return fills


def _looks_like_text(data: bytes) -> bool:
    """An "Excel" file that is really CSV text (some systems export CSV named .xls)."""
    sample = data[:4096]
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    for encoding in ("utf-8", "gb18030", "utf-16"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 4:  # a character cut at the sample's end
                return True
            continue
        return True
    return False
