"""The error sheet: the cadre's own sheet back, with a 错误说明 column and the bad cells highlighted.

Sheet 1 is the original (every row as read, title rows included) plus the column 错误说明 after the
last column; cells with an error are red, cells with a 提示 (a §6 疑点 to verify) are yellow. Sheet 2
"错误汇总" lists every problem, one per line, for sorting and filtering.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from django.utils.translation import gettext as _

from .importer import ERROR, Plan


def write_error_sheet(plan: Plan, out: str | Path | BinaryIO) -> int:
    """Write the sheet; returns the number of problems written."""
    table = plan.table
    index_of = {column.header: i for i, column in table.columns.items()}
    width = max((len(r) for r in table.grid), default=0)
    width = max(width, len(table.headers))
    by_row: dict[int, list] = defaultdict(list)
    problems = plan.all_problems()
    for p in problems:
        by_row[p.row or table.header_row].append(p)

    workbook = xlsxwriter.Workbook(out, {"in_memory": False, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    error_cell = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1})
    warn_cell = workbook.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700", "border": 1})
    note = workbook.add_format({"font_color": "#9C0006", "text_wrap": True})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    error_date = workbook.add_format({"num_format": "yyyy-mm-dd", "bg_color": "#FFC7CE", "font_color": "#9C0006",
                                      "border": 1})
    warn_date = workbook.add_format({"num_format": "yyyy-mm-dd", "bg_color": "#FFEB9C", "font_color": "#9C5700",
                                     "border": 1})

    sheet = workbook.add_worksheet((table.sheet_name or _("导入表"))[:31])
    for r, values in enumerate(table.grid):
        number = r + 1
        marks: dict[int, str] = {}
        for p in by_row.get(number, []):
            i = index_of.get(p.header) if p.header else None
            if i is not None and marks.get(i) != ERROR:
                marks[i] = p.level
        for c, value in enumerate(values):
            level = marks.get(c)
            is_date = isinstance(value, datetime.date | datetime.datetime)
            fmt = (error_date if level == ERROR else warn_date if level else date_fmt) if is_date else \
                (error_cell if level == ERROR else warn_cell if level else None)
            if number == table.header_row and not level:
                fmt = bold
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
            elif isinstance(value, datetime.time | datetime.timedelta):
                sheet.write_string(r, c, str(value), fmt)
            else:
                sheet.write_string(r, c, str(value), fmt)
        for c in marks:
            if c >= len(values):
                sheet.write_blank(r, c, None, error_cell if marks[c] == ERROR else warn_cell)
        if number == table.header_row:
            sheet.write_string(r, width, _("错误说明"), bold)
        elif by_row.get(number):
            text = "；".join(
                (f"【{p.header}】" if p.header else "") + ("" if p.level == ERROR else _("（提示）")) + p.message
                for p in by_row[number])
            sheet.write_string(r, width, text, note)
    sheet.set_column(width, width, 60)
    sheet.freeze_panes(table.header_row, 0)

    summary = workbook.add_worksheet(_("错误汇总"))
    heads = [_("行号"), _("户编号"), _("列"), _("类型"), _("说明")]
    for c, h in enumerate(heads):
        summary.write_string(0, c, h, bold)
    for r, p in enumerate(problems, start=1):
        if p.row:
            summary.write_number(r, 0, p.row)
        summary.write_string(r, 1, p.number or "")
        summary.write_string(r, 2, p.header or "")
        summary.write_string(r, 3, _("错误") if p.level == ERROR else _("提示"))
        summary.write_string(r, 4, p.message)
    summary.set_column(0, 0, 6)
    summary.set_column(1, 1, 18)
    summary.set_column(2, 3, 12)
    summary.set_column(4, 4, 80)
    summary.freeze_panes(1, 0)
    workbook.close()
    return len(problems)
