"""Export households to the standard flat sheet (REFERENCE §12), in the column order of
``fupin.sheets.columns.COLUMNS``, so that the file reads back through the importer unchanged.

One row per *active* member, the head first and the others by id; the household's columns are
repeated on each of its members' rows; households in 户编号 order. Values are written so that the
import reads them back exactly: numbers that are identifiers (证件号码, 户编号, 区划代码, phones, bank
accounts) as text cells, never numbers (Excel would round an 18-digit number); choices by their
Chinese label; booleans 是/否; birth dates as real Excel dates; money and areas as numbers.

Memory stays flat whatever the number of households: xlsxwriter's constant_memory mode streams
each row to a temporary file, and the database is read in chunks of households (members, the
year's yearly records and the ongoing pairings fetched per chunk, a handful of queries each).

The function writes what it is given: the caller passes a queryset from the scoped selectors
(``household_list`` / ``household_scope``) and decides, from the access policy, whether
personal numbers are masked and health details left out as fupin.accounts.policy says for the
exporting user (``access``, from ``policy.export_access``).
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from django.db.models import Choices, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from fupin.accounts import policy
from fupin.areas.models import Area, Level
from fupin.assistance.models import Pairing
from fupin.registry import rules
from fupin.registry.choices import Relation
from fupin.registry.models import Household, Member, YearlyRecord

from .columns import AREA, COLUMNS, HOUSEHOLD, INFO, MEMBER, YEARLY, Column
from .formulas import neutralise

SHEET_NAME = "贫困户信息"
NOTE_SHEET_NAME = "说明"
#: Households read from the database at a time (members, yearly records and pairings per chunk).
CHUNK_HOUSEHOLDS = 1000
#: Rows between two progress reports.
PROGRESS_EVERY = 2000
#: Kinds written as text cells with the text number format ("@"), so that Excel keeps them as text
#: when someone edits the cell.
TEXT_KINDS = {"id", "digits", "code"}
#: INFO columns holding phone numbers (kind "text" in the contract, but digits all the same).
PHONE_INFO_FIELDS = {"cadre_phones"}
SEPARATOR = "、"
YES, NO = "是", "否"
# Excel's serial day 0 is 1899-12-30 for every date after February 1900 (the 1900 leap-year bug).
EXCEL_EPOCH_ORDINAL = datetime.date(1899, 12, 30).toordinal()
EXCEL_FIRST_SAFE_DATE = datetime.date(1900, 3, 1)


@dataclass
class ExportResult:
    rows: int  # member rows written (the header not counted)
    households: int  # households written (those with at least one active member)
    year: int  # the year of the yearly columns
    year_defaulted: bool  # True when ``year`` was not given: the last complete year (rules.default_report_year)
    masked: bool
    skipped_households: int = 0  # households without any active member: nothing to write
    with_year: int = 0  # households written that have a yearly record of ``year``
    synthetic: bool = False  # the file holds synthetic demo data
    seconds: float = 0.0


def choice_labels(choices: type[Choices]) -> dict[str, str]:
    """{code: Chinese label}. The sheet's labels are the Chinese source strings, whatever language is
    active: the import format is Chinese (REFERENCE §12)."""
    with translation.override(None):
        return {str(value): str(label) for value, label in choices.choices}


# --- Cells -----------------------------------------------------------------------------------------
# A row is a list with one entry per column: None (blank) or (style, value) where style is one of
# TEXT, PLAIN_TEXT, INT, NUMBER, DATE. The writers below turn it into cells.

TEXT = "text"  # text cell with the "@" format (identifiers)
PLAIN_TEXT = "plain"  # text cell, general format
INT = "int"
NUMBER = "number"  # 2 decimals
DATE = "date"
#: (style, value) of one cell: a str for TEXT / PLAIN_TEXT, int, float, or datetime.date.
Cell = tuple[str, Any]
#: A cell as the row writer takes it: the XML after the reference (_FastRows) or the Cell (_PlainRows).
_Rendered = str | Cell | None


def _decimal(value: Decimal | float | str | None) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


class _ColumnPlan:
    """How to produce one column's cell from a household, a member, a yearly record and an area."""

    def __init__(self, column: Column, *, access: Callable[[str], policy.Access] | None) -> None:
        self.column = column
        self.kind = column.kind
        self.labels = choice_labels(column.choices) if column.choices is not None else {}
        self.access = access(column.field) if access is not None else policy.Access.WHOLE
        self.masker: Callable[[str], str] | None = None
        if self.access is policy.Access.MASKED:
            self.masker = partial(policy.mask, column.field)
        self.hidden = self.access is policy.Access.HIDDEN
        if column.kind in TEXT_KINDS or column.field in PHONE_INFO_FIELDS:
            self.style = TEXT
        elif column.kind in ("int",):
            self.style = INT
        elif column.kind in ("money", "decimal"):
            self.style = NUMBER
        elif column.kind == "date":
            self.style = DATE
        else:
            self.style = PLAIN_TEXT

    def cell(self, value: Any) -> Cell | None:
        if self.hidden or value is None or value == "":
            return None
        kind = self.kind
        if kind == "choice":
            value = self.labels.get(str(value), str(value))
        elif kind == "choices":
            value = SEPARATOR.join(self.labels.get(str(v), str(v)) for v in value or [])
            if not value:
                return None
        elif kind == "bool":
            value = YES if value else NO
        elif kind in ("money", "decimal"):
            value = _decimal(value)
        elif kind == "int":
            value = int(value)
        elif kind == "date":
            if not isinstance(value, datetime.date):
                return None
        else:
            value = str(value)
            if self.masker is not None:
                value = self.masker(value)
            # Free text that looks like a formula (=HYPERLINK(…), +cmd|…) goes behind an apostrophe,
            # or it turns live when edited in Excel; the importer removes exactly that apostrophe.
            value = neutralise(value)
        return self.style, value


# --- Writers ---------------------------------------------------------------------------------------

_XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_CONTROL_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL_CHARS = re.compile(r"([\x00-\x08\x0b-\x1f])")


def _xml_text(value: str) -> tuple[str, str]:
    """(attribute for <t>, escaped text) as Excel expects an inline string (the same escapes as
    xlsxwriter: & < >, control characters as _xHHHH_, a literal _xHHHH_ protected)."""
    if not _XML_SPECIAL.search(value):
        return "", value
    text = _CONTROL_ESCAPED.sub(r"_x005F\1", value)
    text = _CONTROL_CHARS.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    preserve = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return preserve, text


class StreamingSheet(Worksheet):
    """A worksheet that can take a whole data row as one XML fragment.

    xlsxwriter's cell-by-cell API costs some 6 µs a cell; the county's 41,685 rows × ~45 cells
    take 12–15 s that way, more than the 10 s an export of a county may take. This class keeps
    everything else of xlsxwriter (workbook, styles, frozen panes, widths, the constant_memory
    temporary file and packaging) and only writes the ``<row>`` element of data rows itself, the
    same XML that ``_write_single_row`` would write for those cells. ``supported()`` checks that the
    xlsxwriter internals it relies on are there; otherwise the exporter writes cell by cell.
    """

    @staticmethod
    def supported() -> bool:
        return all(hasattr(Worksheet, name) for name in ("_write_single_row", "_check_dimensions"))

    def write_xml_row(self, row: int, last_col: int, cells_xml: str) -> None:
        if not self.constant_memory or row <= self.previous_row:
            raise ValueError("rows are written in order, in constant_memory mode")
        self._write_single_row(row)  # flushes the previous row written through the public API
        self._check_dimensions(row, 0)
        self._check_dimensions(row, last_col)
        self.fh.write(f'<row r="{row + 1}">{cells_xml}</row>')


class _FastRows:
    """Renders each cell once to the XML after its reference (``<c r="A`` + row + fragment), so that
    the household's cells, repeated on every member's row, are rendered once per household."""

    def __init__(self, sheet: StreamingSheet, formats: dict[str, Format | None], ncols: int) -> None:
        self.sheet = sheet
        self.letters = [xl_col_to_name(c) for c in range(ncols)]
        self.attr = {style: (f' s="{fmt._get_xf_index()}"' if fmt is not None else "")
                     for style, fmt in formats.items()}
        self.last_col = ncols - 1

    def prepare(self, col: int, cell: Cell | None) -> str | None:
        if cell is None:
            return None
        style, value = cell
        if style == TEXT or style == PLAIN_TEXT:
            preserve, text = _xml_text(value)
            return f'{self.attr[style]} t="inlineStr"><is><t{preserve}>{text}</t></is></c>'
        if style == DATE:
            if value < EXCEL_FIRST_SAFE_DATE:  # not the birth date of anyone alive: keep it as text
                return f' t="inlineStr"><is><t>{value.isoformat()}</t></is></c>'
            return f'{self.attr[DATE]}><v>{value.toordinal() - EXCEL_EPOCH_ORDINAL}</v></c>'
        return f"{self.attr[style]}><v>{value:.16G}</v></c>"

    def write(self, row: int, cells: list[str | None]) -> None:
        r = str(row + 1)
        letters = self.letters
        xml = "".join([f'<c r="{letters[col]}{r}"{cell}' for col, cell in enumerate(cells) if cell is not None])
        self.sheet.write_xml_row(row, self.last_col, xml)


class _PlainRows:
    """Cell by cell through xlsxwriter's public API (slower; used when StreamingSheet is not)."""

    def __init__(self, sheet: Worksheet, formats: dict[str, Format | None], ncols: int) -> None:
        self.sheet = sheet
        self.formats = formats

    @staticmethod
    def prepare(col: int, cell: Cell | None) -> Cell | None:
        return cell

    def write(self, row: int, cells: list[Cell | None]) -> None:
        ws = self.sheet
        fmt = self.formats
        for col, cell in enumerate(cells):
            if cell is None:
                continue
            style, value = cell
            if style == TEXT or style == PLAIN_TEXT:
                ws.write_string(row, col, value, fmt[style])
            elif style == DATE:
                if value < EXCEL_FIRST_SAFE_DATE:
                    ws.write_string(row, col, value.isoformat())
                else:
                    ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), fmt[DATE])
            else:
                ws.write_number(row, col, value, fmt[style])


def _formats(workbook: xlsxwriter.Workbook) -> dict[str, Format | None]:
    return {
        TEXT: workbook.add_format({"num_format": "@"}),
        PLAIN_TEXT: None,
        INT: None,
        NUMBER: workbook.add_format({"num_format": "0.00"}),
        DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }


def write_header(workbook: xlsxwriter.Workbook, sheet: Worksheet, columns: Iterable[Column], *,
                 column_formats: dict[str, Format] | None = None) -> Format:
    """Row 1: the headers, bold, frozen, with the contract's column widths."""
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "valign": "vcenter", "align": "center"})
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width, (column_formats or {}).get(column.header))
        sheet.write_string(0, col, column.header, header)
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 0)
    return header


# --- Reading the database in chunks ----------------------------------------------------------------

HOUSEHOLD_EXTRA = ("id", "number", "area_id", "head_name", "synthetic")
MEMBER_EXTRA = ("id", "household_id", "relation")


def _fields(target: str, extra: tuple[str, ...]) -> list[str]:
    names = list(extra)
    for c in COLUMNS:
        if c.target == target and c.field and c.field not in names:
            names.append(c.field)
    return names


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


class _Areas:
    """Names of 县 / 乡镇 / 行政村 / 村民小组 and the code of each household's area, read once per area."""

    LEVELS = ((Level.COUNTY, "county"), (Level.TOWNSHIP, "township"), (Level.VILLAGE, "village"),
              (Level.GROUP, "group"))

    def __init__(self) -> None:
        self.by_id: dict[int, dict[str, str]] = {}
        self.name_by_path: dict[str, str] = {}

    def load(self, area_ids: Iterable[int]) -> None:
        from fupin.areas.models import PATH_LENGTH

        missing = {i for i in area_ids if i not in self.by_id}
        if not missing:
            return
        areas = list(Area.objects.filter(pk__in=missing).values("id", "code", "path", "name", "level"))
        paths = {a["path"][:PATH_LENGTH[level]] for a in areas for level, _key in self.LEVELS
                 if PATH_LENGTH[level] <= len(a["path"])}
        wanted = paths - set(self.name_by_path)
        if wanted:
            self.name_by_path.update(Area.objects.filter(path__in=wanted).values_list("path", "name"))
        for a in areas:
            row = {"code": a["code"]}
            for level, key in self.LEVELS:
                n = PATH_LENGTH[level]
                # 村民小组 stays empty for a household registered at village level.
                row[key] = self.name_by_path.get(a["path"][:n], "") if n <= len(a["path"]) else ""
            self.by_id[a["id"]] = row


def _pairings(household_ids: list[int]) -> dict[int, tuple[str, str]]:
    """{household id: (cadre names, cadre phones)} of the ongoing pairings, "、"-joined."""
    names: dict[int, list[str]] = {}
    phones: dict[int, list[str]] = {}
    rows = (Pairing.objects.ongoing().filter(household_id__in=household_ids)
            .order_by("household_id", "start", "id")
            .values_list("household_id", "cadre__name", "cadre__phone"))
    for hid, name, phone in rows:
        names.setdefault(hid, []).append(name)
        if phone:
            phones.setdefault(hid, []).append(phone)
    return {hid: (SEPARATOR.join(n), SEPARATOR.join(phones.get(hid, []))) for hid, n in names.items()}


def _head_first(member: dict[str, Any]) -> tuple[int, int]:
    return (0 if member["relation"] == Relation.HEAD else 1, member["id"])


# --- The export ------------------------------------------------------------------------------------


def export_households(
    households: QuerySet[Household],
    out: str | Path | BinaryIO,
    *,
    year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    access: Callable[[str], policy.Access] | None = None,
    exported_by: str = "",
    filter_text: str = "",
    chunk_size: int = CHUNK_HOUSEHOLDS,
    streaming: bool | None = None,
) -> ExportResult:
    """Write ``households`` (already scoped and filtered by the caller) to ``out`` as an .xlsx file.

    ``year``: the year of the yearly columns (年度, incomes); None is the last complete year
    (rules.default_report_year, ``ExportResult.year_defaulted``), never a year inferred from the data:
    one household's record of a stray later year must not blank everyone else's columns. A household
    without a record that year has those columns blank.
    ``access``: field name → whole / masked / hidden, from ``policy.export_access(user)``; None
    exports everything whole (the system itself). A file with masked numbers cannot be imported
    again, and its 说明 sheet says so; hidden columns are left blank.
    ``exported_by`` / ``filter_text``: shown on the 说明 sheet.
    ``progress(done_rows, total_rows)`` is called every ~2,000 rows and at the end.
    """
    started = time.monotonic()
    base = households.order_by()
    year_defaulted = year is None
    if year is None:
        year = rules.default_report_year()
    total = Member.objects.filter(household__in=base.values("pk"), active=True).count() if progress else 0
    ids = list(base.order_by("number", "id").values_list("id", flat=True))

    workbook = xlsxwriter.Workbook(out if not isinstance(out, Path) else str(out), {
        "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False})
    workbook.set_properties({"title": SHEET_NAME, "comments": "Fupin"})
    use_streaming = StreamingSheet.supported() if streaming is None else streaming
    sheet = workbook.add_worksheet(SHEET_NAME, worksheet_class=StreamingSheet if use_streaming else None)
    note_sheet = workbook.add_worksheet(NOTE_SHEET_NAME)
    formats = _formats(workbook)
    column_formats = {c.header: formats[TEXT] for c in COLUMNS
                      if c.kind in TEXT_KINDS or c.field in PHONE_INFO_FIELDS}
    write_header(workbook, sheet, COLUMNS, column_formats=column_formats)
    writer = (_FastRows if use_streaming else _PlainRows)(sheet, formats, len(COLUMNS))

    plans = [_ColumnPlan(c, access=access) for c in COLUMNS]
    masked = any(p.masker is not None for p in plans)
    hide_health = any(p.hidden for p in plans)
    renderers = [_renderer(i, c, plan, writer.prepare)
                 for i, (c, plan) in enumerate(zip(COLUMNS, plans, strict=True))]
    household_specs = [(i, c.target, c.field, render)
                       for i, (c, render) in enumerate(zip(COLUMNS, renderers, strict=True)) if c.target != MEMBER]
    member_specs = [(i, c.field, render) for i, (c, render) in enumerate(zip(COLUMNS, renderers, strict=True))
                    if c.target == MEMBER]
    household_fields = _fields(HOUSEHOLD, HOUSEHOLD_EXTRA)
    member_fields = _fields(MEMBER, MEMBER_EXTRA)
    yearly_fields = _fields(YEARLY, ("household_id",))
    areas = _Areas()

    rows = households_written = skipped = with_year = 0
    synthetic = False
    empty_yearly: dict[str, Any] = {}
    for chunk in _chunks(ids, chunk_size):
        hh = {h["id"]: h for h in base.filter(pk__in=chunk).values(*household_fields)}
        members: dict[int, list[dict[str, Any]]] = {}
        for m in Member.objects.filter(household_id__in=chunk, active=True).values(*member_fields):
            members.setdefault(m["household_id"], []).append(m)
        yearly = {y["household_id"]: y for y in
                  YearlyRecord.objects.filter(household_id__in=chunk, year=year).values(*yearly_fields)}
        pairings = _pairings(chunk)
        areas.load(h["area_id"] for h in hh.values())
        for hid in chunk:
            h = hh.get(hid)
            people = members.get(hid)
            if h is None:
                continue
            if not people:
                skipped += 1
                continue
            households_written += 1
            with_year += hid in yearly
            synthetic = synthetic or h["synthetic"]
            sources = {
                HOUSEHOLD: h,
                YEARLY: yearly.get(hid, empty_yearly),
                AREA: areas.by_id[h["area_id"]],
                INFO: _info(h, pairings.get(hid)),
            }
            # Household-level cells once per household, repeated on each member's row.
            shared = [None] * len(COLUMNS)
            for i, target, name, render in household_specs:
                shared[i] = render(sources[target].get(name))
            for m in sorted(people, key=_head_first):
                cells = shared.copy()
                for i, name, render in member_specs:
                    cells[i] = render(m[name])
                rows += 1
                writer.write(rows, cells)
                if progress is not None and rows % PROGRESS_EVERY == 0:
                    progress(rows, max(total, rows))
    if rows:
        sheet.autofilter(0, 0, rows, len(COLUMNS) - 1)
    result = ExportResult(rows=rows, households=households_written, year=year, year_defaulted=year_defaulted,
                          masked=masked, skipped_households=skipped, synthetic=synthetic, with_year=with_year)
    _write_note(workbook, note_sheet, result, exported_by=exported_by, filter_text=filter_text,
                hide_health=hide_health)
    workbook.close()
    if progress is not None:
        progress(rows, max(total, rows))
    result.seconds = time.monotonic() - started
    return result


def _info(household: dict[str, Any], pairing: tuple[str, str] | None) -> dict[str, str]:
    names, phones = pairing or ("", "")
    return {"head_name": household["head_name"], "cadre_names": names, "cadre_phones": phones}


def _renderer(col: int, column: Column, plan: _ColumnPlan, prepare: Callable[[int, Cell | None], _Rendered]
              ) -> Callable[[Any], _Rendered]:
    """raw database value → what the row writer takes. Columns with few distinct values (choices,
    booleans, area names) keep each rendering: most cells of a county's sheet are such repeats."""
    if column.kind in ("choice", "bool") or column.target == AREA:
        cache: dict[Any, _Rendered] = {}

        def cached(raw: Any) -> _Rendered:
            try:
                return cache[raw]
            except KeyError:
                cache[raw] = out = prepare(col, plan.cell(raw))
                return out

        return cached

    def render(raw: Any) -> _Rendered:
        return prepare(col, plan.cell(raw))

    return render


def year_note(year: int, *, defaulted: bool, with_year: int, households: int) -> str:
    """How the 说明 sheet, the job page and the CLI state the year of the income columns."""
    text = _("%(year)s 年") % {"year": year}
    if defaulted:
        text += _("（未选择年度，默认取上一个完整年度）")
    if households and with_year < households:
        text += _("；%(n)s 户中 %(w)s 户有该年度收入记录，其余户的收入各列为空") % {
            "n": f"{households:,}", "w": f"{with_year:,}"}
    return text


def _write_note(workbook: xlsxwriter.Workbook, sheet: Worksheet, result: ExportResult, *, exported_by: str,
                filter_text: str, hide_health: bool) -> None:
    """The 说明 sheet: when, by whom, what was selected, whether numbers are masked. Labels avoid the
    words the reader takes for a header row (证件号码, 身份证号 …)."""
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    warn = workbook.add_format({"text_wrap": True, "valign": "top", "bold": True, "font_color": "#C00000"})
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 80)
    now = timezone.localtime()
    year_text = year_note(result.year, defaulted=result.year_defaulted, with_year=result.with_year,
                          households=result.households)
    lines: list[tuple[str, str, Format]] = [
        (_("导出时间"), now.strftime("%Y-%m-%d %H:%M:%S"), wrap),
        (_("导出人"), neutralise(exported_by) or _("系统"), wrap),
        (_("筛选条件"), neutralise(filter_text) or _("全部（导出人管辖范围内）"), wrap),
        (_("收入数据年度"), year_text, wrap),
        (_("行数"), _("%(rows)s 行（%(households)s 户），每行一名在户家庭成员") % {
            "rows": f"{result.rows:,}", "households": f"{result.households:,}"}, wrap),
    ]
    if result.skipped_households:
        lines.append((_("未导出的户"), _("%(n)s 户没有在户成员，未写入") % {"n": result.skipped_households}, wrap))
    if result.masked:
        lines.append((_("号码遮蔽"), _("是：证件号、联系电话和银行账号已部分遮蔽（*）。本文件只供查阅，不能用于重新导入。"),
                      warn))
    else:
        lines.append((_("号码遮蔽"), _("否：文件含完整的个人证件号、电话和银行账号，请按个人信息保护规定保管，用后删除。"),
                      wrap))
    if hide_health:
        lines.append((_("健康信息"), _("健康状况和残疾证号按导出人的权限未导出。"), wrap))
    if result.synthetic:
        lines.append((_("演示数据"), _("本文件含合成演示数据，不是真实人员信息。"), warn))
    lines.append((_("格式"), _("每行一名家庭成员，户主在前；户的信息在该户每名成员的行上重复。"
                              "重新导入时以户编号和证件号确定户和成员。"), wrap))
    sheet.write_string(0, 0, _("贫困户信息导出说明"), bold)
    for i, (label, text, fmt) in enumerate(lines, start=2):
        sheet.write_string(i, 0, label, bold)
        sheet.write_string(i, 1, str(text), fmt)
