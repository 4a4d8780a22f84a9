"""fupin.sheets.cells: what people type into each kind of column, read as registry values or refused
with a message that says what to write instead."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.registry.choices import Cause, Ethnicity
from fupin.sheets import cells
from fupin.sheets.cells import CellError, parse
from fupin.sheets.columns import BY_HEADER, COLUMNS, Column

examples = settings(max_examples=200, deadline=None)
ID = "53032419850404001X"


def read(header: str, raw: object) -> object:
    return parse(BY_HEADER[header], raw)


def refused(header: str, raw: object) -> str:
    with pytest.raises(CellError) as caught:
        read(header, raw)
    return caught.value.message


# --- empty cells ---------------------------------------------------------------------------------


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.header)
@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "/", "-", "—", "——", "－", "／"])
def test_every_kind_reads_blank_and_dash_cells_as_empty(column, raw):
    assert parse(column, raw) is None


@pytest.mark.parametrize("header", ["开户银行", "残疾证号", "联系电话", "出生日期", "工资性收入", "耕地面积", "务工时间",
                                    "务工状况", "危房等级", "其他致贫原因"])
def test_wu_means_nothing_where_it_is_not_a_value(header):
    assert read(header, "无") is None


def test_wu_is_a_value_for_booleans_and_where_it_is_an_alias():
    assert read("有无卫生厕所", "无") is False
    assert read("在校生状况", "无") == "none"


# --- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    (" 张三 ", "张三"),
    ("张 三", "张三"),  # a stray space between two Chinese characters
    ("张\u3000三", "张三"),  # an ideographic space
    ("张\n三", "张三"),  # a line break inside the cell
    ("ＡＢＣ　ｄ", "ABC d"),  # full-width letters, ideographic space
    ("Li  Ming", "Li Ming"),  # spaces between Latin words stay, collapsed
    ("张三\u200b", "张三"),  # a zero-width space copied from a web page
    ("罗平县 农村信用 合作联社", "罗平县农村信用合作联社"),
    (3.0, "3"),  # 村民小组 typed as a number
])
def test_text_is_folded_stripped_and_collapsed(raw, expected):
    assert read("姓名", raw) == expected


# --- id ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    ID,
    "53032419850404001x",  # lowercase x
    "５３０３２４１９８５０４０４００１Ｘ",  # full-width digits
    " 530324 19850404 001X ",  # stray spaces
    "530324-19850404-001X",
    "'53032419850404001X",  # the apostrophe typed to force text
    '="53032419850404001X"',  # the CSV trick that keeps Excel from turning it into a number
])
def test_id_numbers_are_cleaned(raw):
    assert read("证件号码", raw) == ID


@pytest.mark.parametrize("raw", [5.3032419850404e17, 530324198504040011, "5.30324E+17", "5.30324e17",
                                 "5.30324198504E+17", 5.303241985040401e19])
def test_an_id_number_stored_as_a_number_is_refused_never_guessed(raw):
    message = refused("证件号码", raw)
    assert "Excel 存成了数字" in message and "文本" in message


def test_the_refusal_shows_the_number_as_excel_shows_it():
    assert "5.30324E+17" in refused("证件号码", 5.3032419850404e17)


def test_a_15_digit_old_id_number_survives_being_a_number():
    # Excel keeps 15 significant digits: nothing was lost.
    assert read("证件号码", 530324850404001.0) == "530324850404001"
    assert read("证件号码", 530324850404001) == "530324850404001"


def test_id_numbers_are_not_validated_here():
    # The model's checksum and length messages are better than anything said here.
    assert read("证件号码", "12345") == "12345"
    assert read("残疾证号", "5303241985040400124 1") == "53032419850404001241"


@pytest.mark.parametrize("raw", [True, datetime.date(1985, 4, 4), 1.5])
def test_an_id_cell_of_another_type_is_refused(raw):
    assert "证件号码" in refused("证件号码", raw)


# --- digits and codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "raw", "expected"), [
    ("联系电话", 13800138000.0, "13800138000"),
    ("联系电话", 13800138000, "13800138000"),
    ("联系电话", "138 0013 8000", "13800138000"),
    ("联系电话", "１３８００１３８０００", "13800138000"),
    ("联系电话", "0874-8123456", "0874-8123456"),
    ("联系电话", "0874-8123456、13800138000", "0874-8123456/13800138000"),
    ("银行账号", "6217 0000 1234 5678 901", "6217000012345678901"),
    ("银行账号", "6217-0000-1234-5678", "6217000012345678"),
    ("银行账号", 621700001234567.0, "621700001234567"),
    ("户编号", 530324100201.0, "530324100201"),
    ("户编号", "５３０３２４１００２０１０００１", "5303241002010001"),
    ("区划代码", 530324100201, "530324100201"),
    ("区划代码", " 530324100201 ", "530324100201"),
])
def test_phone_bank_and_code_cells_keep_their_digits_as_text(header, raw, expected):
    assert read(header, raw) == expected


@pytest.mark.parametrize(("header", "raw"), [
    ("银行账号", 6217000012345678901.0),  # 19 digits: Excel kept 15
    ("银行账号", "6.217E+18"),
    ("户编号", 5303241002010001.0),  # 16 digits
    ("联系电话", 1e15),
])
def test_long_numbers_stored_as_numbers_are_refused(header, raw):
    assert "Excel 存成了数字" in refused(header, raw)


@pytest.mark.parametrize(("header", "raw"), [("银行账号", "6217abc"), ("户编号", "HB-001"), ("联系电话", "打我手机"),
                                             ("区划代码", 5303.5)])
def test_letters_in_digit_columns_are_refused(header, raw):
    refused(header, raw)


# --- choice --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "raw", "expected"), [
    ("性别", "男", "1"),
    ("性别", " 女 ", "2"),
    ("性别", "女性", "2"),  # alias
    ("性别", 1.0, "1"),  # the GB/T 2261.1 code typed as a number
    ("民族", "汉族", "01"),
    ("民族", "汉", "01"),  # without 族
    ("民族", "彝 族", "07"),
    ("民族", "07", "07"),
    ("民族", 7.0, "07"),
    ("与户主关系", "户主", "head"),
    ("与户主关系", "妻", "spouse"),  # alias
    ("与户主关系", "子", "son"),
    ("与户主关系", "head", "head"),  # the code itself
    ("户状态", "已脱贫(享受政策)", "exited"),
    ("户状态", "已脱贫（享受政策）", "exited"),  # full-width brackets
    ("户状态", "已脱贫", "exited"),
    ("户状态", "贫困户", "poor"),
    ("危房等级", "c", "C"),
    ("危房等级", "C级（局部危险）", "C"),
    ("危房等级", "D级", "D"),
    ("文化程度", "中专", "vocational"),  # one side of 中专/中职
    ("文化程度", "文盲", "illiterate"),
    ("劳动能力", "半劳动力", "weak"),
    ("主要致贫原因", "其它", "other"),  # the other way to write 其他
    ("主要致贫原因", "缺劳动力", "labour"),
])
def test_choices_match_labels_aliases_and_codes(header, raw, expected):
    assert read(header, raw) == expected


def test_an_unknown_choice_lists_what_is_allowed():
    message = refused("主要致贫原因", "懒")
    assert "“懒”" in message
    for label in Cause.labels:
        assert str(label) in message


def test_a_long_list_of_choices_is_shortened():
    message = refused("民族", "火星族")
    assert f"{len(Ethnicity.choices)} 个民族名称之一" in message and "汉族" in message
    assert "基诺族" not in message


def test_labels_are_read_in_chinese_even_in_an_english_session():
    with translation.override("en"):
        column = Column("测试民族", "member", "ethnicity", "choice", Ethnicity)
        assert parse(column, "彝族") == "07"


@pytest.mark.parametrize(("raw", "expected"), [
    ("因病、因残", ["illness", "disability"]),
    ("因病，因残,缺水", ["illness", "disability", "water"]),
    ("因病；缺水;缺技术", ["illness", "water", "skills"]),
    ("因病/因残", ["illness", "disability"]),
    ("因病 因残", ["illness", "disability"]),
    ("因病因残", ["illness", "disability"]),  # no separator at all
    ("因病、因病", ["illness"]),  # de-duplicated
    ("缺资金、因病、缺资金", ["funds", "illness"]),  # in order
    ("交通条件 落后", ["transport"]),  # a stray space inside one label
    ("因学", ["schooling"]),
])
def test_several_choices_are_split_and_deduplicated(raw, expected):
    assert read("其他致贫原因", raw) == expected


def test_an_unknown_part_of_several_choices_is_named():
    assert "“没钱”" in refused("其他致贫原因", "因病、没钱")


def test_choices_results_are_not_shared_between_calls():
    first = read("其他致贫原因", "因病、因残")
    first.append("x")
    assert read("其他致贫原因", "因病、因残") == ["illness", "disability"]


# --- bool ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["是", "√", "✓", "✔", "Y", "y", "yes", "1", 1, 1.0, "有", "true", "TRUE", True, "对",
                                 " 是 ", "已参加"])
def test_yes_in_all_its_forms(raw):
    assert read("是否享受低保", raw) is True


@pytest.mark.parametrize("raw", ["否", "×", "✗", "✘", "N", "n", "no", "0", 0, 0.0, "无", "false", "FALSE", False, "错",
                                 "x", "X", "未参加", "不享受"])
def test_no_in_all_its_forms(raw):
    assert read("是否享受低保", raw) is False


@pytest.mark.parametrize("raw", ["也许", "2", 2.0, datetime.date(2020, 1, 1)])
def test_other_answers_to_a_yes_no_question_are_refused(raw):
    message = refused("是否享受低保", raw)
    assert "“是”或“否”" in message


# --- date ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "1985-04-04", "1985-4-4", "1985.04.04", "1985.4.4", "1985/4/4", "1985/04/04", "1985年4月4日", "1985年04月04日",
    "1985 年 4 月 4 日", "19850404", 19850404, 19850404.0, "1985-04-04 00:00:00", "１９８５－０４－０４",
    datetime.date(1985, 4, 4), datetime.datetime(1985, 4, 4), datetime.datetime(1985, 4, 4, 13, 30),
    31141, 31141.0,  # the Excel serial number of 1985-04-04 (a date cell formatted as a number)
])
def test_dates_in_the_usual_forms(raw):
    assert read("出生日期", raw) == datetime.date(1985, 4, 4)


@pytest.mark.parametrize("raw", ["1985-02-30", "1985年13月1日", "19850230", 19850230])
def test_impossible_dates_are_refused(raw):
    assert "不存在" in refused("出生日期", raw)


@pytest.mark.parametrize("raw", ["1985年4月", "1985.04", "1985", 1985, 198504])
def test_a_year_and_month_without_a_day_is_refused_not_guessed(raw):
    assert "只有年月" in refused("出生日期", raw)


@pytest.mark.parametrize("raw", ["4/4/1985", "85.4.4", "去年", "1985-04-04-01", -5.0, datetime.time(12, 0)])
def test_unreadable_dates_are_refused_with_the_usual_forms(raw):
    assert "1985-04-04" in refused("出生日期", raw)


# --- money, decimal, int -------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("1,234.50", "1234.50"),
    ("1234.5元", "1234.50"),
    ("1234.5 元", "1234.50"),
    ("￥1234", "1234.00"),
    ("¥1,234", "1234.00"),
    ("1 234", "1234.00"),
    ("１２３４．５", "1234.50"),
    ("1,234,567.891", "1234567.89"),
    ("1.2万元", "12000.00"),
    ("0.5万", "5000.00"),
    (1234.5, "1234.50"),
    (1234.565, "1234.57"),  # half up, from the decimal value shown, not the binary float
    (0.1 + 0.2, "0.30"),
    (1234, "1234.00"),
    ("-300", "-300.00"),  # returned as negative: the model refuses it with its own message
    (-300.0, "-300.00"),
    ("0", "0.00"),
])
def test_money(raw, expected):
    assert read("工资性收入", raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["1234,5", "12,34", "abc", "1.2.3", "1e5", "一千", "5-3", True,
                                 datetime.date(2020, 1, 1), float("nan")])
def test_text_that_is_not_an_amount_is_refused(raw):
    refused("工资性收入", raw)


def test_excel_error_values_are_refused_as_formula_errors():
    for header in ("工资性收入", "姓名", "出生日期", "是否享受低保", "民族", "证件号码", "务工时间"):
        assert "#N/A" in refused(header, "#N/A")


@pytest.mark.parametrize(("header", "raw", "expected"), [
    ("耕地面积", "2.5亩", "2.50"),
    ("耕地面积", 3.456, "3.46"),
    ("住房面积", "80㎡", "80.00"),
    ("住房面积", "80平方米", "80.00"),
    ("与村主干路距离", "1.5公里", "1.50"),
    ("与村主干路距离", "0.5 km", "0.50"),
])
def test_decimals_with_units(header, raw, expected):
    assert read(header, raw) == Decimal(expected)


@pytest.mark.parametrize(("header", "raw", "expected"), [
    ("务工时间", 6.0, 6),
    ("务工时间", 6, 6),
    ("务工时间", "6", 6),
    ("务工时间", "６", 6),
    ("务工时间", "6个月", 6),
    ("务工时间", "6月", 6),
    ("务工时间", "6.0", 6),
    ("务工时间", "-1", -1),
    ("识别年度", "2016年", 2016),
    ("识别年度", "2016年度", 2016),
    ("识别年度", 2016.0, 2016),
    ("识别年度", datetime.date(1905, 7, 8), 2016),  # 2016 in a cell formatted as a date
])
def test_whole_numbers(header, raw, expected):
    assert read(header, raw) == expected


@pytest.mark.parametrize("raw", [6.5, "6.5", "半年", "6天", True])
def test_a_fraction_or_words_are_not_a_whole_number(raw):
    assert "整数" in refused("务工时间", raw)


@examples
@given(st.decimals(min_value=Decimal("-99999999"), max_value=Decimal("99999999"), places=2))
def test_money_round_trips_through_the_ways_it_is_written(amount):
    plain = f"{amount:.2f}"
    grouped = f"{amount:,.2f}"
    full_width = plain.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789.-"})
    for written in (plain, grouped, plain + "元", grouped + " 元", full_width, float(plain)):
        assert read("工资性收入", written) == amount, written


@examples
@given(st.integers(min_value=-10**12, max_value=10**12))
def test_whole_numbers_round_trip(number):
    for written in (number, float(number), str(number), f"{number}个月", str(number).translate(
            {ord(c): ord(c) + 0xFEE0 for c in "0123456789"})):
        assert read("务工时间", written) == number


@examples
@given(st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 12, 31)))
def test_dates_round_trip(day):
    serial = (day - datetime.date(1899, 12, 30)).days
    for written in (day, f"{day:%Y-%m-%d}", f"{day.year}.{day.month}.{day.day}", f"{day.year}/{day.month}/{day.day}",
                    f"{day.year}年{day.month}月{day.day}日", f"{day:%Y%m%d}", int(f"{day:%Y%m%d}"), float(serial)):
        if isinstance(written, float) and 1900 <= written <= 2100:
            continue  # a bare year, refused on purpose
        assert read("出生日期", written) == day, written


@examples
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_arbitrary_text_never_raises_anything_but_a_cell_error(text):
    for column in COLUMNS:
        try:
            parse(column, text)
        except CellError as error:
            assert error.message


# --- the API ---------------------------------------------------------------------------------------


def test_a_column_defined_elsewhere_gets_its_own_parser():
    custom = Column("户属性", "household", "attribute", "choice", Cause, aliases={"懒": "motivation"})
    assert parse(custom, "懒") == "motivation"
    assert cells.parser(custom) is cells.parser(custom)


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown kind"):
        parse(Column("x", "member", "x", "colour"), "red")
