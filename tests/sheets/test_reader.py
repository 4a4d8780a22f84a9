"""fupin.sheets.reader: the sheets people really upload — title rows, merged cells, synonyms, two-row
headers, totals, GBK CSVs — read into rows, and the files that cannot be read refused with a reason."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.sheets.cells import CellError, parse
from fupin.sheets.columns import BY_HEADER, KEYS, REQUIRED
from fupin.sheets.reader import SheetError, column_letter, normalise_header, read_table

from .builders import STANDARD_HEADERS, build_csv, build_xlsx, csv_text, standard_row, valid_id, xlsx_bytes

MINIMAL = ["户编号", "姓名", "证件号码", "与户主关系", "主要致贫原因", "识别年度"]


def minimal_row(n: int = 0, **values: object) -> list[object]:
    row = {"户编号": "5303241002010001", "姓名": f"成员{n}", "证件号码": valid_id(n), "与户主关系": "户主" if n == 0 else "之子",
           "主要致贫原因": "因病", "识别年度": 2016}
    row.update(values)
    return [row[h] for h in MINIMAL]


def read_xlsx(rows, filename="花名册.xlsx", **options):
    return read_table(io.BytesIO(xlsx_bytes(rows, **options)), filename)


def sheet_error(source, filename) -> str:
    with pytest.raises(SheetError) as caught:
        read_table(source, filename)
    return caught.value.message


def parsed(table, row_index: int, header: str) -> object:
    return parse(BY_HEADER[header], table.rows[row_index].values[header])


# --- the standard sheet ----------------------------------------------------------------------------


def test_the_standard_sheet_is_read_as_it_is_written():
    table = read_xlsx([STANDARD_HEADERS, standard_row(), standard_row(证件号码=valid_id(1), 姓名="李四")])
    assert table.sheet_name == "Sheet1"
    assert table.header_row == 1 and table.header_height == 1 and table.first_data_row == 2
    assert [c.header for c in table.columns.values()] == STANDARD_HEADERS
    assert table.headers == STANDARD_HEADERS
    assert table.unknown_headers == [] and table.skipped == []
    assert [r.number for r in table.rows] == [2, 3]
    values = table.rows[1].values
    assert set(values) == set(STANDARD_HEADERS)
    assert values["姓名"] == "李四" and values["证件号码"] == valid_id(1)
    assert values["残疾证号"] is None  # an empty cell
    assert values["识别年度"] == 2014  # numbers arrive as calamine gives them (float)
    assert len(table.grid) == 3


# --- title rows, merged cells ------------------------------------------------------------------------


def test_title_rows_and_merged_title_cells_above_the_header():
    rows = [["罗平县建档立卡贫困人口信息表"], ["填报单位：罗雄街道（盖章）", None, None, None, "填报日期：2019年12月"], [],
            MINIMAL, minimal_row(0), minimal_row(1)]
    table = read_xlsx(rows, merges=[(0, 0, 0, 5), (1, 0, 1, 3), (1, 4, 1, 5)])
    assert table.header_row == 4
    assert [r.number for r in table.rows] == [5, 6]
    assert table.rows[0].values["证件号码"] == valid_id(0)
    assert table.grid[0][0] == "罗平县建档立卡贫困人口信息表"  # the grid keeps every row as read


def test_data_starting_further_down_and_right_keeps_excel_row_numbers():
    table = read_xlsx([[None, None, *MINIMAL], [None, None, *minimal_row(0)]], start_row=6)
    assert table.header_row == 7
    assert table.rows[0].number == 8
    assert sorted(table.columns) == [2, 3, 4, 5, 6, 7]


def test_the_header_must_be_within_the_first_30_rows():
    assert read_xlsx([MINIMAL, minimal_row()], start_row=29).header_row == 30
    assert "未找到表头" in sheet_error(io.BytesIO(xlsx_bytes([MINIMAL, minimal_row()], start_row=30)), "a.xlsx")


# --- headers: order, synonyms, marks, units ------------------------------------------------------------


def test_columns_in_any_order_under_common_synonyms():
    headers = ["身份证号", "户号", "成员姓名", "与户主的关系", "致贫原因", "识别年份", "乡（镇）", "村（社区）",
               "手机号码", "是否享受特困供养", "银行卡号"]
    row = [valid_id(0), "5303241002010001", "张三", "户主", "因病", 2016, "罗雄街道", "腊者村", "13800138000", "否",
           "6217000012345678901"]
    table = read_xlsx([headers, row])
    assert {i: c.header for i, c in table.columns.items()} == {
        0: "证件号码", 1: "户编号", 2: "姓名", 3: "与户主关系", 4: "主要致贫原因", 5: "识别年度", 6: "乡镇",
        7: "行政村", 8: "联系电话", 9: "是否特困供养", 10: "银行账号"}
    assert table.headers == headers  # as written
    assert table.rows[0].values["证件号码"] == valid_id(0)
    assert table.rows[0].values["乡镇"] == "罗雄街道"


@pytest.mark.parametrize("written", ["工资性收入（元）", "工资性收入(元)", "工资性收入\n（元）", " 工资性 收入 ", "*工资性收入",
                                     "工资性收入※", "工资性收入【元】", "２０１９年工资性收入"[5:]])
def test_headers_with_line_breaks_marks_and_units_in_brackets(written):
    table = read_xlsx([[*MINIMAL, written], [*minimal_row(), 1234]])
    assert table.columns[6].header == "工资性收入"
    assert table.rows[0].values["工资性收入"] == 1234


def test_brackets_that_belong_to_the_name_are_not_units():
    table = read_xlsx([[*MINIMAL, "县（市、区）", "乡镇（街道）", "村民小组（自然村）", "务工时间（月）"],
                       [*minimal_row(), "罗平县", "罗雄街道", "一组", 6]])
    assert [table.columns[i].header for i in range(6, 10)] == ["县", "乡镇", "村民小组", "务工时间"]


@pytest.mark.parametrize(("written", "unit"), [("工资性收入（万元）", "万元"), ("转移性收入(万元)", "万元"),
                                               ("耕地面积（公顷）", "公顷"), ("务工时间（天）", "天"),
                                               ("与村主干路距离（米）", "米")])
def test_a_unit_that_would_misread_the_values_is_refused(written, unit):
    message = sheet_error(io.BytesIO(xlsx_bytes([[*MINIMAL, written], minimal_row()])), "a.xlsx")
    assert written in message and unit in message and "G 列" in message


def test_unknown_headers_are_kept_and_their_values_dropped():
    table = read_xlsx([["序号", *MINIMAL, "备注"], [1, *minimal_row(), "外出务工"]])
    assert table.unknown_headers == [(0, "序号"), (7, "备注")]
    assert set(table.rows[0].values) == set(MINIMAL)
    assert table.grid[1][7] == "外出务工"


def test_a_column_named_twice_is_refused_naming_both():
    message = sheet_error(io.BytesIO(xlsx_bytes([[*MINIMAL, "身份证号"], [*minimal_row(), valid_id(0)]])), "a.xlsx")
    assert "C 列“证件号码”" in message and "G 列“身份证号”" in message


def test_a_missing_key_column_is_refused_naming_it():
    headers = [h for h in MINIMAL if h not in ("户编号", "识别年度")]
    message = sheet_error(io.BytesIO(xlsx_bytes([headers, ["张三", valid_id(0), "户主", "因病"]])), "a.xlsx")
    assert "户编号" in message and "第 1 行" in message
    assert "识别年度" not in message  # required of a new household only (the importer asks for it)
    assert {c.header for c in KEYS} == {"户编号", "证件号码"}
    assert {c.header for c in REQUIRED} >= {"户编号", "识别年度", "主要致贫原因"}


def test_a_partial_sheet_of_keys_and_one_column_is_read():
    """Issue 12, item 6: a sheet with 户编号, 证件号码 and 联系电话 only was refused for lacking 主要致贫原因
    and 识别年度."""
    table = read_xlsx([["户编号", "证件号码", "联系电话"], ["5303241002010001", valid_id(0), "13912345678"]])
    assert [c.header for c in table.columns.values()] == ["户编号", "证件号码", "联系电话"]
    assert len(table.rows) == 1


# --- two-row headers ---------------------------------------------------------------------------------


def test_a_group_title_over_sub_headers_in_the_row_below():
    top = [*MINIMAL, "收入情况", None, None, "备注"]
    sub = [None] * 6 + ["工资性收入", "财产性收入", "其中：低保金", None]
    merges = [(0, 0, 0, 9, "建档立卡户收入情况表"), (1, 6, 1, 8)] + [(1, j, 2, j) for j in (0, 1, 2, 3, 4, 5, 9)]
    table = read_xlsx([["建档立卡户收入情况表"], top, sub, [*minimal_row(), 12000, 300, 50, None]], merges=merges)
    assert table.header_row == 2 and table.header_height == 2 and table.first_data_row == 4
    assert table.columns[6].header == "工资性收入" and table.columns[7].header == "财产性收入"
    assert table.headers[6] == "工资性收入" and table.headers[0] == "户编号"
    assert table.unknown_headers == [(8, "其中：低保金"), (9, "备注")]
    assert [r.number for r in table.rows] == [4]
    assert table.rows[0].values["工资性收入"] == 12000


def test_a_group_title_row_above_the_row_with_the_id_header():
    top = ["户编号", "成员信息", None, None, "致贫原因及年度", None]
    sub = [None, "姓名", "证件号码", "与户主关系", "主要致贫原因", "识别年度"]
    table = read_xlsx([top, sub, minimal_row()], merges=[(0, 0, 1, 0), (0, 1, 0, 3), (0, 4, 0, 5)])
    assert table.header_row == 1 and table.header_height == 2
    assert [table.columns[i].header for i in range(6)] == MINIMAL
    assert [r.number for r in table.rows] == [3]


def test_a_data_row_right_below_the_header_is_not_taken_for_sub_headers():
    # The first member's 与户主关系 is "户主", a synonym of the 户主姓名 header: still data, not header.
    table = read_xlsx([[*MINIMAL, None], [*minimal_row(), "户主"]])
    assert table.header_height == 1
    assert [r.number for r in table.rows] == [2]


# --- rows that are not members -------------------------------------------------------------------------


def test_blank_rows_and_total_rows_are_skipped_with_a_reason():
    rows = [MINIMAL, minimal_row(0), [], [None, "   "], minimal_row(1), ["合计", None, None, None, None, 2],
            [None, "总 计：2 人"], [], [], []]
    table = read_xlsx(rows)
    assert [r.number for r in table.rows] == [2, 5]
    assert table.skipped == [(3, "空行"), (4, "空行"), (6, "合计行"), (7, "合计行")]  # trailing blank rows: silently


def test_a_total_row_with_the_marker_in_a_merged_cell():
    rows = [MINIMAL, minimal_row(0), ["小计", None, None, None, None, None], minimal_row(1)]
    table = read_xlsx(rows, merges=[(2, 0, 2, 4)])
    assert table.skipped == [(3, "合计行")]
    assert [r.number for r in table.rows] == [2, 4]


def test_a_member_whose_row_mentions_a_total_word_is_not_a_total_row():
    table = read_xlsx([[*MINIMAL, "备注"], [*minimal_row(), "合计 3 人"]])
    assert [r.number for r in table.rows] == [2]


def test_column_numbers_units_footers_and_repeated_headers_are_skipped():
    rows = [[*MINIMAL, "工资性收入"], [1, 2, 3, 4, 5, 6, 7], [None] * 6 + ["元"], [*minimal_row(0), 100],
            [*MINIMAL, "工资性收入"], [*minimal_row(1), 200], ["填表人：王五", None, None, "审核人：赵六"],
            ["注：本表数据截至 2019 年底"]]
    table = read_xlsx(rows)
    assert [r.number for r in table.rows] == [4, 6]
    assert table.skipped == [(2, "列序号行"), (3, "单位行"), (5, "重复的表头行"), (7, "表尾说明行"), (8, "表尾说明行")]


def test_a_row_with_values_only_in_unknown_columns_is_skipped():
    table = read_xlsx([["序号", *MINIMAL], [1, *minimal_row()], [2], [3]])
    assert [r.number for r in table.rows] == [2]
    assert [n for n, _reason in table.skipped] == [3, 4]
    assert all(reason.startswith("空行") for _n, reason in table.skipped)


def test_a_row_without_an_id_number_is_still_a_row_for_the_importer_to_refuse():
    table = read_xlsx([MINIMAL, minimal_row(0, 证件号码=None)])
    assert [r.number for r in table.rows] == [2]
    assert table.rows[0].values["证件号码"] is None


# --- real-world values through reader and cells together ---------------------------------------------


def test_full_width_digits_stray_spaces_and_lowercase_x():
    headers = [*MINIMAL, "联系电话"]
    row = ["５３０３２４１００２０１０００１", " 张 三 ", " ５３０３２４ １９８５０４０４ ００１ｘ ", " 户主 ", "因病 ", "２０１６",
           "１３８ ００１３ ８０００"]
    table = read_xlsx([headers, row])
    assert parsed(table, 0, "户编号") == "5303241002010001"
    assert parsed(table, 0, "姓名") == "张三"
    assert parsed(table, 0, "证件号码") == "53032419850404001X"
    assert parsed(table, 0, "与户主关系") == "head"
    assert parsed(table, 0, "主要致贫原因") == "illness"
    assert parsed(table, 0, "识别年度") == 2016
    assert parsed(table, 0, "联系电话") == "13800138000"


@pytest.mark.parametrize("written", [datetime.datetime(1985, 4, 4), "1985-04-04", "1985.04.04", "1985/4/4", "1985年4月4日",
                                     "19850404", 19850404])
def test_birth_dates_as_excel_dates_or_text(written):
    table = read_xlsx([[*MINIMAL, "出生日期"], [*minimal_row(), written]])
    assert parsed(table, 0, "出生日期") == datetime.date(1985, 4, 4)


@pytest.mark.parametrize(("written", "amount"), [("1,234.50", "1234.50"), ("1234.5元", "1234.50"), (1234.5, "1234.50"),
                                                 ("￥1,234", "1234.00"), ("１２３４", "1234.00")])
def test_money_with_yuan_or_commas(written, amount):
    table = read_xlsx([[*MINIMAL, "工资性收入（元）"], [*minimal_row(), written]])
    assert parsed(table, 0, "工资性收入") == Decimal(amount)


@pytest.mark.parametrize(("written", "value"), [("是", True), ("否", False), ("√", True), ("×", False), (True, True),
                                                (1, True), ("Y", True), ("n", False)])
def test_yes_no_columns(written, value):
    table = read_xlsx([[*MINIMAL, "是否享受低保"], [*minimal_row(), written]])
    assert parsed(table, 0, "是否享受低保") is value


def test_an_id_number_that_excel_stored_as_a_number_is_refused_never_guessed():
    table = read_xlsx([MINIMAL, minimal_row(0, 证件号码=530324198504040012)])
    raw = table.rows[0].values["证件号码"]
    assert isinstance(raw, float)
    with pytest.raises(CellError) as caught:
        parsed(table, 0, "证件号码")
    assert "5.30324E+17" in caught.value.message and "文本" in caught.value.message


def test_an_id_column_formatted_as_text_arrives_whole():
    table = read_xlsx([MINIMAL, minimal_row(0)], text_formats=[2])
    assert parsed(table, 0, "证件号码") == valid_id(0)


# --- CSV --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "gbk", "utf-16"])
def test_csv_in_the_encodings_excel_writes(tmp_path, encoding):
    rare = "李䶮" if encoding != "gbk" else "李四"  # 䶮 (U+4DAE) is in GB18030, not in GBK
    path = build_csv(tmp_path / "花名册.csv", [["罗平县建档立卡户"], MINIMAL, minimal_row(0, 姓名="张三"),
                                              minimal_row(1, 姓名=rare)], encoding=encoding)
    table = read_table(path, path.name)
    assert table.sheet_name == "花名册"
    assert table.header_row == 2
    assert [r.values["姓名"] for r in table.rows] == ["张三", rare]
    assert table.rows[0].values["识别年度"] == "2016"  # CSV cells are text


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters_are_sniffed(tmp_path, delimiter):
    path = build_csv(tmp_path / "a.csv", [MINIMAL, minimal_row(0, 姓名="张三,李四")], delimiter=delimiter)
    table = read_table(path, "a.csv")
    assert table.rows[0].values["姓名"] == "张三,李四"
    assert len(table.columns) == 6


def test_csv_short_rows_are_padded_and_quoted_line_breaks_kept(tmp_path):
    text = csv_text([MINIMAL, minimal_row(0, 姓名="张\n三")]) + "5303241002010002,李四\r\n"
    table = read_table(io.BytesIO(text.encode("utf-8")), "a.csv")
    assert [r.number for r in table.rows] == [2, 3]
    assert table.rows[0].values["姓名"] == "张\n三"
    assert table.rows[1].values["证件号码"] is None
    assert {len(r) for r in table.grid} == {6}


def test_a_csv_with_an_id_number_excel_turned_into_a_number():
    text = csv_text([MINIMAL, minimal_row(0, 证件号码="5.30324E+17")])
    table = read_table(io.BytesIO(text.encode("gb18030")), "a.csv")
    with pytest.raises(CellError, match="Excel 存成了数字"):
        parsed(table, 0, "证件号码")


def test_csv_in_an_unknown_encoding_is_refused():
    data = csv_text([MINIMAL, minimal_row()]).encode("gb18030") + b"\x81\x20\xff"
    assert "编码" in sheet_error(io.BytesIO(data), "a.csv")


# --- sheets and sources -------------------------------------------------------------------------------


def test_the_first_sheet_with_a_header_is_read():
    data = xlsx_bytes([MINIMAL, minimal_row()], sheet_name="花名册",
                      first_sheets=[("封面", [["罗平县建档立卡贫困户花名册"], ["2019 年"]])])
    table = read_table(io.BytesIO(data), "a.xlsx")
    assert table.sheet_name == "花名册"


def test_a_guide_sheet_listing_the_columns_does_not_hide_the_data_sheet():
    guide = [["列名", "填写说明"], ["户编号", "16 位"], ["证件号码", "18 位身份证号"]]
    data = xlsx_bytes([MINIMAL, minimal_row()], sheet_name="导入模板", first_sheets=[("填写说明", guide)])
    assert read_table(io.BytesIO(data), "a.xlsx").sheet_name == "导入模板"


def test_hidden_sheets_come_after_visible_ones():
    data = xlsx_bytes([MINIMAL, minimal_row(0)], sheet_name="当前", first_sheets=[("旧表", [MINIMAL, minimal_row(1)])],
                      hidden=["旧表"])
    assert read_table(io.BytesIO(data), "a.xlsx").sheet_name == "当前"


def test_sources_path_str_file_and_upload(tmp_path):
    path = build_xlsx(tmp_path / "a.xlsx", [MINIMAL, minimal_row()])
    upload = SimpleUploadedFile("a.xlsx", Path(path).read_bytes())
    for source in (path, str(path), open(path, "rb"), upload):
        assert len(read_table(source, "a.xlsx").rows) == 1
        if hasattr(source, "close"):
            source.close()


def test_an_xlsx_named_xls_and_a_csv_named_xls_are_read_by_content():
    assert len(read_table(io.BytesIO(xlsx_bytes([MINIMAL, minimal_row()])), "a.xls").rows) == 1
    assert len(read_table(io.BytesIO(csv_text([MINIMAL, minimal_row()]).encode("gbk")), "a.xls").rows) == 1


# --- files that cannot be read ---------------------------------------------------------------------------


def test_no_header_row():
    message = sheet_error(io.BytesIO(xlsx_bytes([["姓名", "号码"], ["张三", valid_id(0)]])), "a.xlsx")
    assert message == "未找到表头：前 30 行中没有“证件号码”或“身份证号”列"


def test_no_header_row_in_any_sheet_names_the_sheets():
    data = xlsx_bytes([["姓名"]], sheet_name="甲", extra_sheets=[("乙", [["户编号"]])])
    assert "甲、乙" in sheet_error(io.BytesIO(data), "a.xlsx")


def test_no_header_row_in_a_csv():
    assert "未找到表头" in sheet_error(io.BytesIO("姓名,年龄\n张三,30\n".encode()), "a.csv")


@pytest.mark.parametrize(("data", "filename", "expected"), [
    (b"", "a.xlsx", "空文件"),
    (b"   \r\n", "a.csv", "空文件"),
    (b"PK\x03\x04" + b"\x00" * 100, "a.xlsx", "已损坏"),
    (b"\x00\x01\x02garbage\xff\xfe" * 50, "a.xlsx", "已损坏"),
    (b"<html><body><table><tr><td>\xe8\xaf\x81\xe4\xbb\xb6\xe5\x8f\xb7\xe7\xa0\x81</td></tr></table></body></html>",
     "export.xls", "网页"),
    (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>', "a.xls",
     "XML"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 500,
     "a.xlsx", "密码"),
])
def test_unreadable_files_are_refused_with_a_reason(data, filename, expected):
    assert expected in sheet_error(io.BytesIO(data), filename)


def test_a_truncated_xlsx_is_refused():
    data = xlsx_bytes([MINIMAL, minimal_row()])
    assert "已损坏" in sheet_error(io.BytesIO(data[: len(data) // 2]), "a.xlsx")


@pytest.mark.parametrize("filename", ["a.docx", "a.pdf", "a", "a.json"])
def test_other_file_types_are_refused(filename):
    assert "不支持" in sheet_error(io.BytesIO(xlsx_bytes([MINIMAL])), filename)


def test_an_empty_workbook():
    assert "没有任何数据" in sheet_error(io.BytesIO(xlsx_bytes([])), "a.xlsx")


def test_a_missing_file():
    assert "无法打开" in sheet_error("/nonexistent/a.xlsx", "a.xlsx")


# --- helpers ---------------------------------------------------------------------------------------


def test_header_normalisation():
    assert normalise_header(" *工资性\n收入（元） ") == ("工资性收入(元)", "工资性收入", "元")
    assert normalise_header("县（市、区）") == ("县(市、区)", "县", "市、区")
    assert normalise_header("(元)") == ("(元)", "(元)", "")


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_headers_as_the_national_registration_system_exports_them():
    headers = ["户编号", "姓名", "公民身份证号码", "与户主关系", "主要致贫原因", "识别年度", "劳动技能", "乡（镇、街道）",
               "是否参加新型农村合作医疗", "经营性收入（元）"]
    row = [*minimal_row(), "普通劳动力", "罗雄街道", "是", "1,200"]
    table = read_xlsx([headers, row])
    assert [table.columns[i].header for i in range(6, 10)] == ["劳动能力", "乡镇", "是否参加基本医疗保险", "生产经营性收入"]
    assert table.unknown_headers == []
    assert parsed(table, 0, "生产经营性收入") == Decimal("1200")


def test_household_cells_merged_down_over_the_members_rows_reach_every_member():
    headers = [*MINIMAL, "联系电话"]
    rows = [headers, [*minimal_row(0), "13800138000"], [None, *minimal_row(1)[1:5], None, None],
            [None, *minimal_row(2)[1:5], None, None], [*minimal_row(3, 户编号="5303241002010002"), None], []]
    # 户编号, 识别年度 and 联系电话 merged over the first household's three rows; the merge of the second
    # household's 户编号 reaches into a blank row, which stays blank.
    merges = [(1, 0, 3, 0), (1, 5, 3, 5), (1, 6, 3, 6), (4, 0, 5, 0)]
    table = read_xlsx(rows, merges=merges)
    assert [r.values["户编号"] for r in table.rows] == ["5303241002010001"] * 3 + ["5303241002010002"]
    assert [r.values["识别年度"] for r in table.rows] == [2016, 2016, 2016, 2016]
    assert [r.values["联系电话"] for r in table.rows] == ["13800138000"] * 3 + [None]
    assert table.grid[2][0] == ""  # the grid stays as read
    assert (1, 0, 3, 0) in table.merges
    assert table.skipped == []  # the blank last row is trailing


def test_a_horizontal_merge_in_a_data_row_fills_nothing():
    table = read_xlsx([[*MINIMAL, "县", "乡镇"], [*minimal_row(), "罗平县", None]], merges=[(1, 6, 1, 7)])
    assert table.rows[0].values["乡镇"] is None


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(STANDARD_HEADERS), titles=st.integers(min_value=0, max_value=5),
       blanks=st.lists(st.booleans(), min_size=3, max_size=3))
def test_any_column_order_under_any_number_of_title_rows(order, titles, blanks):
    rows: list[list[object]] = [[f"标题 {i}"] for i in range(titles)] + [list(order)]
    for n, blank_after in enumerate(blanks):
        rows.append(standard_row(order, 证件号码=valid_id(n), 姓名=f"成员{n}"))
        if blank_after:
            rows.append([])
    rows.append(["合计"])
    table = read_xlsx(rows)
    assert table.header_row == titles + 1
    assert [table.columns[i].header for i in range(len(order))] == list(order)
    assert [r.values["姓名"] for r in table.rows] == ["成员0", "成员1", "成员2"]
    assert [r.values["证件号码"] for r in table.rows] == [valid_id(n) for n in range(3)]
    assert table.skipped[-1][1] == "合计行"
    assert all(reason == "空行" for _n, reason in table.skipped[:-1])
