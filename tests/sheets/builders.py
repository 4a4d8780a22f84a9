"""Build the sheets that real users upload, for tests: title rows, merged cells, numbers where text
belongs, Excel dates, CSV in UTF-8 and GB18030.

    path = build_xlsx(tmp_path / "a.xlsx", [
        ["某县建档立卡贫困人口信息表"],          # a title row, merged over the header's width
        STANDARD_HEADERS,
        standard_row(证件号码="53032419850404001X", 工资性收入=1234.5),
    ], merges=[(0, 0, 0, 10)])

Cell values are written by type: str as text, int/float as numbers, datetime/date as Excel dates
(formatted yyyy-mm-dd), bool as booleans, None as nothing. ``text_formats`` forces columns (by
index) to the text format, as a careful user would set the ID number column.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import xlsxwriter

from fupin.lib import idnumber
from fupin.sheets.columns import COLUMNS

#: (first_row, first_col, last_row, last_col, value or None to keep the top-left cell's value), 0-based.
Merge = tuple[int, int, int, int] | tuple[int, int, int, int, object]

STANDARD_HEADERS: list[str] = [c.header for c in COLUMNS]


def valid_id(n: int = 0, *, born: datetime.date = datetime.date(1985, 4, 4), sex: str = "1",
             area: str = "530324") -> str:
    """A valid 18-digit ID number, different for each ``n`` (0–499)."""
    return idnumber.make(area, born, n, sex)


def standard_values(**overrides: object) -> dict[str, object]:
    """One member's row of the standard sheet as a user types it (headers → values)."""
    values: dict[str, object] = {
        "户编号": "5303241002010001", "县": "罗平县", "乡镇": "罗雄街道", "行政村": "腊者村",
        "村民小组": "第一村民小组", "区划代码": "530324100201", "户主姓名": "张三", "姓名": "张三",
        "证件号码": valid_id(0), "性别": "男", "出生日期": "1985-04-04", "民族": "汉族", "与户主关系": "户主",
        "文化程度": "初中", "在校生状况": "非在校生", "健康状况": "健康", "残疾证号": None, "劳动能力": "普通劳动力",
        "务工状况": "省外务工", "务工时间": 6, "是否参加基本医疗保险": "是", "是否参加大病保险": "是",
        "是否参加基本养老保险": "否", "是否享受低保": "否", "是否特困供养": "否", "联系电话": "13800138000",
        "识别标准": "国家标准", "贫困户属性": "一般贫困户", "主要致贫原因": "缺技术", "其他致贫原因": "缺资金",
        "识别年度": 2014, "脱贫年度": 2017, "户状态": "已脱贫(享受政策)", "年度": 2019, "工资性收入": 12000,
        "生产经营性收入": 3000, "财产性收入": 0, "转移性收入": 1200.5, "生产经营性支出": 800, "耕地面积": 3.5,
        "有效灌溉面积": None, "林地面积": 0, "住房面积": 120, "危房等级": "A级", "是否通生活用电": "是", "饮水是否安全": "是",
        "有无卫生厕所": "有", "与村主干路距离": 0.5, "入户路类型": "水泥路", "主要燃料类型": "柴草",
        "开户银行": "罗平县农村信用合作联社", "银行账号": "6217000012345678901", "帮扶责任人": "李四",
        "帮扶责任人电话": "13900139000",
    }
    unknown = set(overrides) - set(values)
    if unknown:
        raise KeyError(f"not standard headers: {sorted(unknown)}")
    values.update(overrides)
    return values


def standard_row(headers: Sequence[str] = STANDARD_HEADERS, **overrides: object) -> list[object]:
    """``standard_values`` laid out in the order of ``headers`` (which may use synonyms of the standard headers
    only if the overrides are keyed by the standard header)."""
    values = standard_values(**overrides)
    return [values.get(h) for h in headers]


def _write_cell(sheet, r: int, c: int, value: object, formats: dict, text: bool) -> None:
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, datetime.datetime | datetime.date):
        sheet.write_datetime(r, c, value, formats["date"])
    else:
        sheet.write_string(r, c, str(value), formats["text"] if text else None)


def _write_sheet(sheet, rows, formats: dict, merges=(), text_columns=frozenset(), start_row: int = 0) -> None:
    for column in text_columns:
        sheet.set_column(column, column, 22, formats["text"])
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row):
            if value is not None:
                _write_cell(sheet, r, c, value, formats, c in text_columns)
    for merge in merges:
        first_row, first_col, last_row, last_col, *value = merge
        if value and value[0] is not None:
            sheet.merge_range(first_row, first_col, last_row, last_col, value[0], formats["merge"])
        else:
            # Keep what was written in the top-left cell (calamine reports the value there only).
            sheet.merge_range(first_row, first_col, last_row, last_col, "", formats["merge"])
            top_left = _cell(rows, first_row - start_row, first_col)
            if top_left is not None:
                sheet.write(first_row, first_col, top_left, formats["merge"])


def build_xlsx(path: str | Path | io.BytesIO, rows: Iterable[Sequence[object]], *,
               merges: Iterable[Merge] = (), text_formats: Iterable[int] = (), sheet_name: str = "Sheet1",
               start_row: int = 0, extra_sheets: Iterable[tuple[str, Iterable[Sequence[object]]]] = (),
               first_sheets: Iterable[tuple[str, Iterable[Sequence[object]]]] = (),
               hidden: Iterable[str] = ()) -> str | Path | io.BytesIO:
    """Write ``rows`` from ``start_row`` (0-based) of a worksheet; return ``path``.

    ``first_sheets`` come before the main sheet and ``extra_sheets`` after it (name, rows); sheets named in
    ``hidden`` are hidden. A merge with a fifth item writes that value into the merged range.
    """
    options = {"in_memory": True} if isinstance(path, io.BytesIO) else {}
    workbook = xlsxwriter.Workbook(path, options)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    text_format = workbook.add_format({"num_format": "@"})
    merge_format = workbook.add_format({"align": "center", "valign": "vcenter", "bold": True})
    text_columns = set(text_formats)

    formats = {"date": date_format, "text": text_format, "merge": merge_format}

    def write(sheet, rows, merges=(), text_columns=frozenset(), start_row=0):
        _write_sheet(sheet, rows, formats, merges, text_columns, start_row)

    for name, other in first_sheets:
        write(workbook.add_worksheet(name), list(other))
    main = workbook.add_worksheet(sheet_name)
    write(main, list(rows), merges, text_columns, start_row)
    for name, other in extra_sheets:
        write(workbook.add_worksheet(name), list(other))
    hidden = set(hidden)
    if hidden and sheet_name not in hidden:
        main.activate()  # xlsxwriter does not hide the active sheet (the first one by default)
    for sheet in workbook.worksheets():
        if sheet.name in hidden:
            sheet.hide()
    workbook.close()
    return path


def _cell(rows: list[Sequence[object]], r: int, c: int) -> object:
    if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
        return rows[r][c]
    return None


def xlsx_bytes(rows: Iterable[Sequence[object]], **options: object) -> bytes:
    buffer = io.BytesIO()
    build_xlsx(buffer, rows, **options)
    return buffer.getvalue()


def csv_text(rows: Iterable[Sequence[object]], *, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def build_csv(path: str | Path, rows: Iterable[Sequence[object]], *, encoding: str = "utf-8-sig",
              delimiter: str = ",") -> Path:
    """A CSV as Excel saves it: "utf-8-sig" (CSV UTF-8), "gb18030"/"gbk" (CSV in Chinese Windows), "utf-16"."""
    path = Path(path)
    path.write_bytes(csv_text(rows, delimiter=delimiter).encode(encoding))
    return path
