"""The error sheet: the cadre's own sheet back, with a 错误说明 column and the bad cells highlighted.

Sheet 1 is the original (every row as read, title rows included) plus the column 错误说明 after the
last column; cells with an error are red, cells with a 提示 (a §6 疑点 to verify) are yellow. Sheet 2
"错误汇总" lists every problem, one per line, for sorting and filtering.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .formulas import echo, neutralise
from .importer import ERROR, Plan, Problem


@dataclass(frozen=True)
class _Formats:
    bold: Format
    error_cell: Format
    warn_cell: Format
    note: Format
    date: Format
    error_date: Format
    warn_date: Format

    @classmethod
    def add_to(cls, workbook: xlsxwriter.Workbook) -> _Formats:
        error = {"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1}
        warn = {"bg_color": "#FFEB9C", "font_color": "#9C5700", "border": 1}
        date = {"num_format": "yyyy-mm-dd"}
        return cls(
            bold=workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True}),
            error_cell=workbook.add_format(error),
            warn_cell=workbook.add_format(warn),
            note=workbook.add_format({"font_color": "#9C0006", "text_wrap": True}),
            date=workbook.add_format(date),
            error_date=workbook.add_format(date | error),
            warn_date=workbook.add_format(date | warn),
        )


def write_error_sheet(plan: Plan, out: str | Path | BinaryIO) -> int:
    """Write the sheet; returns the number of problems written."""
    table = plan.table
    index_of = {column.header: i for i, column in table.columns.items()}
    width = max((len(r) for r in table.grid), default=0)
    width = max(width, len(table.headers))
    by_row: dict[int, list[Problem]] = defaultdict(list)
    problems = plan.all_problems()
    for p in problems:
        by_row[p.row or table.header_row].append(p)

    workbook = xlsxwriter.Workbook(out, {"in_memory": False, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    formats = _Formats.add_to(workbook)
    sheet = workbook.add_worksheet((table.sheet_name or _("导入表"))[:31])
    for r, values in enumerate(table.grid):
        number = r + 1
        row_problems = by_row.get(number, [])
        is_header = number == table.header_row
        _write_row(sheet, r, values, _marks(row_problems, index_of), is_header, formats)
        if is_header:
            sheet.write_string(r, width, _("错误说明"), formats.bold)
        elif row_problems:
            sheet.write_string(r, width, neutralise(_note(row_problems)), formats.note)
    sheet.set_column(width, width, 60)
    sheet.freeze_panes(table.header_row, 0)

    _write_summary(workbook, problems, formats.bold)
    workbook.close()
    return len(problems)


def _marks(problems: list[Problem], index_of: dict[str, int]) -> dict[int, str]:
    """Column index → the level to mark it with (an error wins over a 提示 in the same cell)."""
    marks: dict[int, str] = {}
    for p in problems:
        i = index_of.get(p.header) if p.header else None
        if i is not None and marks.get(i) != ERROR:
            marks[i] = p.level
    return marks


def _note(problems: list[Problem]) -> str:
    """The 错误说明 cell of a row: its problems, each after its column."""
    return "；".join((f"【{p.header}】" if p.header else "") + ("" if p.level == ERROR else _("（提示）")) + p.message
                    for p in problems)


def _write_row(sheet: Worksheet, r: int, values: list, marks: dict[int, str], is_header: bool,
               formats: _Formats) -> None:
    """One row of the original sheet, its values with their types, marked cells colored."""
    for c, value in enumerate(values):
        level = marks.get(c)
        is_date = isinstance(value, datetime.date | datetime.datetime)
        if is_header and not level:
            fmt = formats.bold
        elif is_date:
            fmt = formats.error_date if level == ERROR else formats.warn_date if level else formats.date
        else:
            fmt = formats.error_cell if level == ERROR else formats.warn_cell if level else None
        if value is None or value == "":
            if fmt is not None and level:
                sheet.write_blank(r, c, None, fmt)
            continue
        if is_date:
            sheet.write_datetime(r, c, value, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(r, c, value, fmt)
        elif isinstance(value, int | float):
            sheet.write_number(r, c, value, fmt)
        else:
            # The uploaded text back as it was read, formula-looking text behind an apostrophe that
            # the importer removes again when the corrected sheet is uploaded (formulas.py).
            sheet.write_string(r, c, echo(str(value)), fmt)
    # A problem on a column the row's cells do not reach still gets a colored (blank) cell.
    for c in marks:
        if c >= len(values):
            sheet.write_blank(r, c, None, formats.error_cell if marks[c] == ERROR else formats.warn_cell)


def _write_summary(workbook: xlsxwriter.Workbook, problems: list[Problem], bold: Format) -> None:
    """Sheet 2, 错误汇总: one problem per line."""
    summary = workbook.add_worksheet(_("错误汇总"))
    heads = [_("行号"), _("户编号"), _("列"), _("类型"), _("说明")]
    for c, h in enumerate(heads):
        summary.write_string(0, c, h, bold)
    for r, p in enumerate(problems, start=1):
        if p.row:
            summary.write_number(r, 0, p.row)
        summary.write_string(r, 1, neutralise(p.number or ""))
        summary.write_string(r, 2, neutralise(p.header or ""))
        summary.write_string(r, 3, _("错误") if p.level == ERROR else _("提示"))
        summary.write_string(r, 4, neutralise(p.message))
    summary.set_column(0, 0, 6)
    summary.set_column(1, 1, 18)
    summary.set_column(2, 3, 12)
    summary.set_column(4, 4, 80)
    summary.freeze_panes(1, 0)
