"""The import template (导入模板): an empty standard flat sheet (REFERENCE §12) that Excel and WPS fill
in correctly, and a sheet explaining every column.

Sheets, in this order (the data sheet first: readers that take the first sheet find the data):
  导入模板  the header row of ``COLUMNS`` (required columns highlighted), frozen, with column widths;
           identifier columns formatted as text so that Excel does not turn 18-digit numbers into
           5.30324E+17; drop-down lists on every choice and yes/no column; an input message on
           证件号码 and 残疾证号 with a length check
  填写说明  the rules (one row per member, household columns repeated, the keys, what a re-import does
           with missing members) and one line per column: required, allowed values, format, example
  代码表    hidden: the allowed labels, one list per column of choices, each a named range
           (inline lists are limited to 255 characters: 民族 alone has 56 names)
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from django.conf import settings
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from fupin.lib import idnumber

from .columns import AREA, COLUMNS, INFO, Column
from .export import NO, PHONE_INFO_FIELDS, SEPARATOR, TEXT_KINDS, YES, choice_labels

SHEET_NAME = "导入模板"
GUIDE_SHEET_NAME = "填写说明"
CODES_SHEET_NAME = "代码表"
#: The last row an Excel sheet has.
EXCEL_MAX_ROWS = 1_048_576


def template_rows() -> int:
    """Rows below the header that carry the drop-downs and checks: as many as an import reads
    (FUPIN_SHEET_MAX_ROWS counts the header too). They stopped at row 501 before (issue 12, item 6)."""
    return max(1, min(settings.FUPIN_SHEET_MAX_ROWS, EXCEL_MAX_ROWS) - 1)


BOOL_LIST = "L_BOOL"


def list_name(column: Column) -> str | None:
    """The named range holding a column's allowed labels (several columns may share one)."""
    if column.kind == "bool":
        return BOOL_LIST
    if column.choices is not None:
        return "L_" + column.choices.__name__.upper()
    return None


def code_lists() -> dict[str, list[str]]:
    """{named range: labels}, in the order of the columns that use them."""
    lists: dict[str, list[str]] = {}
    for column in COLUMNS:
        name = list_name(column)
        if name is None or name in lists:
            continue
        lists[name] = [YES, NO] if column.kind == "bool" else list(choice_labels(column.choices).values())
    return lists


def _example_id() -> str:
    return idnumber.make("530324", datetime.date(1985, 4, 4), 12, "1")


def _examples() -> dict[str, str]:
    example_id = _example_id()
    return {
        "户编号": "5303241002010001", "县": "罗平县", "乡镇": "老厂乡", "行政村": "竹基村", "村民小组": "第一组",
        "区划代码": "530324100201001", "户主姓名": "张建国", "姓名": "张建国", "证件号码": example_id,
        "出生日期": "1985-04-04", "残疾证号": example_id + "42", "务工时间": "6", "联系电话": "13812345678",
        "其他致贫原因": "缺技术、缺资金", "识别年度": "2014", "脱贫年度": "2017", "年度": "2019",
        "工资性收入": "12000", "生产经营性收入": "3500.50", "财产性收入": "0", "转移性收入": "2400",
        "生产经营性支出": "1200", "耕地面积": "3.5", "林地面积": "10", "住房面积": "85", "与村主干路距离": "1.2",
        "开户银行": "罗平县农村信用合作联社", "银行账号": "6224690012345678901", "帮扶责任人": "李文军、王芳",
        "帮扶责任人电话": "13987654321、13712345678",
    }


# Column-specific explanations (by header); the others are explained by their kind.
def _notes() -> dict[str, str]:
    return {
        "户编号": _("户的唯一编号，以文本填写。与证件号码一起用来识别户和成员：同一户的各行户编号相同。"),
        "县": _("所在县名称，用于核对区划代码。"),
        "乡镇": _("所在乡镇（街道）名称；未填区划代码时与行政村、村民小组一起确定户的所在区划。"),
        "行政村": _("所在行政村（社区）名称。"),
        "村民小组": _("所在村民小组（自然村），按习惯填写即可，如“3组”“第三组”“三社”“第三村民小组”“03”；"
                  "与区划代码（行政村的 12 位代码）或乡镇、行政村名称一起确定户所在的小组。户登记到行政村时留空。"),
        "区划代码": _("户所在行政村的 12 位统计用区划代码（小组写在“村民小组”列），或村民小组的 15 位代码，"
                  "以文本填写；填写后以代码为准。"),
        "户主姓名": _("只用于核对：应与本户“与户主关系”为“户主”的成员姓名一致，不单独导入。"),
        "姓名": _("家庭成员姓名。"),
        "证件号码": _("18 位居民身份证号（末位可为 X）；15 位旧号码会升级为 18 位；也可填 20 位或 22 位残疾人证号。"
                  "请保持文本格式：被 Excel 变成数字（如 5.30324E+17）的号码已丢失末几位，这样的行会被拒绝。"),
        "性别": _("可不填，按证件号码第 17 位确定；填写时须与证件号码一致。"),
        "出生日期": _("可不填，按证件号码确定；填写时须与证件号码一致。"),
        "与户主关系": _("每户有且只有一名“户主”。"),
        "残疾证号": _("20 位或 22 位残疾人证号，前 18 位须与本人身份证号一致；没有则留空。"),
        "务工时间": _("当年务工月数，0–12；填写了务工状况时不能为 0。"),
        "联系电话": _("户的联系电话，以文本填写。"),
        "其他致贫原因": _("可填写多个，用“、”分隔，不能与主要致贫原因重复。"),
        "识别年度": _("4 位年份，如 2014。"),
        "脱贫年度": _("实际脱贫年份，未脱贫留空；不能早于识别年度。"),
        "年度": _("本行收入数据所属年度（4 位年份）；不填年度时不导入收入各列。"),
        "生产经营性支出": _("元；家庭纯收入 = 各项收入之和 − 生产经营性支出，由系统计算。"),
        "耕地面积": _("亩，最多 2 位小数。"),
        "有效灌溉面积": _("亩，最多 2 位小数；不能大于耕地面积。"),
        "林地面积": _("亩，最多 2 位小数。"),
        "住房面积": _("平方米，最多 2 位小数；0 表示无房。"),
        "与村主干路距离": _("公里，最多 2 位小数。"),
        "银行账号": _("惠农资金发放账号，以文本填写。"),
        "帮扶责任人": _("只用于核对，不导入：多名帮扶责任人用“、”分隔。结对在系统中办理。"),
        "帮扶责任人电话": _("只用于核对，不导入；多个电话用“、”分隔。"),
    }


def _kind_text(column: Column) -> str:
    kind = column.kind
    if kind == "choice":
        return _("从下拉列表中选择：") + SEPARATOR.join(choice_labels(column.choices).values())
    if kind == "choices":
        return _("从下列中选一个或多个：") + SEPARATOR.join(choice_labels(column.choices).values())
    if kind == "bool":
        return _("是 / 否（也可填 √/×、Y/N、1/0、有/无）")
    if kind == "date":
        return _("日期，如 1985-04-04（也可 1985.04.04、1985/4/4、1985年4月4日或 Excel 日期）")
    if kind == "money":
        return _("金额（元），数字，最多 2 位小数，不能为负")
    if kind == "decimal":
        return _("数字，最多 2 位小数")
    if kind == "int":
        return _("整数")
    if kind == "id":
        return _("证件号码，文本")
    if kind == "digits":
        return _("数字，文本格式")
    if kind == "code":
        return _("编号或代码，文本格式")
    return _("文字")


def _rules() -> list[str]:
    return [
        _("每行填写一名家庭成员。户的信息（户编号、区划、联系电话、识别标准、贫困户属性、致贫原因、识别和脱贫年度、户状态、"
          "年度收入、生产生活条件、银行账号）在该户每名成员的行上重复填写（也可只填一行）。同一户各行不一致时不会拒绝该户："
          "只有一个值与系统中不同时按这个改动的值导入，否则以第一行为准，并在检查结果中提示。"),
        _("户编号和证件号码是识别的依据：户编号确定是哪一户，证件号码确定是户内哪一名成员。已有的户和成员按它们更新，"
          "新的户编号登记为新户，新的证件号码登记为新成员。"),
        _("重新导入一户时，系统中有而表中没有的成员不会被删除，只在导入报告中列出；成员减员（死亡、迁出、分户等）"
          "请在系统中办理。"),
        _("证件号码、户编号、区划代码、联系电话、银行账号本模板已设为文本格式。从其他表格粘贴时请用“选择性粘贴—数值”，"
          "并确认号码没有变成 5.30324E+17 这样的数字：这样的号码已丢失末几位，会被拒绝，不会被猜测补全。"),
        _("第 1 行为表头，请勿修改表头文字；列的顺序可以调整，不需要的非必填列可以删除，表头也可使用下表中的其他列名。"
          "表头为橙色的列是新户、新成员必须填写的；只更新已登记的户时，表中只需户编号、证件号码和要更新的列，"
          "表中没有的列不会改变。"),
        _("带下拉列表的列请从列表中选择。年度收入各列填写“年度”一列所示年份的数据，金额单位为元。"),
        _("表中的空行和“合计”“小计”行会被跳过。"),
        _("导入时按全国数据清洗规则检查疑点（如填写了务工状况但务工时间为 0、致贫原因为因病但家中无人患病）："
          "疑点只作提示，不影响导入；导入后保存在“数据质量”页面和户页面，请核实后更正或说明。"),
    ]


def build_template(out: str | Path | BinaryIO) -> None:
    """Write the import template to ``out`` (a path or a binary file object)."""
    workbook = xlsxwriter.Workbook(str(out) if isinstance(out, Path) else out,
                                   {"strings_to_numbers": False, "strings_to_formulas": False})
    workbook.set_properties({"title": _("贫困户信息导入模板"), "comments": "Fupin"})
    sheet = workbook.add_worksheet(SHEET_NAME)
    guide = workbook.add_worksheet(GUIDE_SHEET_NAME)
    codes = workbook.add_worksheet(CODES_SHEET_NAME)

    # 代码表: one column per list, its name in row 1, a named range over the labels.
    lists = code_lists()
    list_titles = {}
    for column in COLUMNS:
        name = list_name(column)
        if name is not None and name not in list_titles:
            list_titles[name] = _("是/否") if name == BOOL_LIST else column.header
    bold = workbook.add_format({"bold": True})
    for col, (name, labels) in enumerate(lists.items()):
        codes.write_string(0, col, list_titles[name], bold)
        for row, label in enumerate(labels, start=1):
            codes.write_string(row, col, label)
        letter = xl_col_to_name(col)
        workbook.define_name(name, f"='{CODES_SHEET_NAME}'!${letter}$2:${letter}${len(labels) + 1}")
        codes.set_column(col, col, max(8, max(len(x) for x in labels) * 2))
    codes.hide()

    # 导入模板
    text = workbook.add_format({"num_format": "@"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    number = workbook.add_format({"num_format": "0.00"})
    integer = workbook.add_format({"num_format": "0"})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "valign": "vcenter", "align": "center"})
    required = workbook.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1, "text_wrap": True,
                                    "valign": "vcenter", "align": "center"})
    info = workbook.add_format({"bold": True, "bg_color": "#EDEDED", "border": 1, "text_wrap": True,
                                "valign": "vcenter", "align": "center", "font_color": "#595959"})
    for col, column in enumerate(COLUMNS):
        if column.kind in TEXT_KINDS or column.field in PHONE_INFO_FIELDS:
            fmt = text
        elif column.kind == "date":
            fmt = date
        elif column.kind in ("money", "decimal"):
            fmt = number
        elif column.kind == "int":
            fmt = integer
        else:
            fmt = None
        sheet.set_column(col, col, column.width, fmt)
        style = required if column.required else (info if column.target == INFO else header)
        sheet.write_string(0, col, column.header, style)
        _validate(sheet, col, column)
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 0)
    sheet.activate()

    _write_guide(workbook, guide)
    workbook.close()


def _validate(sheet: Worksheet, col: int, column: Column) -> None:
    first, last = 1, template_rows()
    name = list_name(column)
    if name is not None:
        options = {"validate": "list", "source": f"={name}", "dropdown": True, "ignore_blank": True,
                   "error_title": column.header[:32],
                   "error_message": _("请从下拉列表中选择（允许的值见“填写说明”和“代码表”）。")}
        if column.kind == "choices":
            # Several causes in one cell ("缺技术、缺资金") are not one item of the list: offer the
            # list, accept anything (the import checks each cause).
            options.update(show_error=False, input_title=column.header[:32],
                           input_message=_("可选一个，或填写多个并用“、”分隔，不能与主要致贫原因重复。"))
        else:
            options["error_type"] = "stop"
        sheet.data_validation(first, col, last, col, options)
    elif column.kind == "id":
        is_citizen_id = column.field == "id_number"
        sheet.data_validation(first, col, last, col, {
            "validate": "length", "criteria": "between",
            "minimum": 15 if is_citizen_id else 20, "maximum": 22,
            "ignore_blank": True, "error_type": "stop",
            "input_title": column.header[:32],
            "input_message": (_("18 位身份证号（末位可为 X），或 15 位旧号码、20/22 位残疾人证号。本列为文本格式，"
                                "请勿改成数字。") if is_citizen_id else
                              _("20 位或 22 位残疾人证号，前 18 位为本人身份证号；没有则留空。")),
            "error_title": column.header[:32],
            "error_message": (_("证件号码应为 15、18、20 或 22 位。") if is_citizen_id
                              else _("残疾证号应为 20 位或 22 位。")),
        })


def _write_guide(workbook: Workbook, guide: Worksheet) -> None:
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"})
    guide.set_column(0, 0, 6)
    guide.set_column(1, 1, 20)
    guide.set_column(2, 2, 9)
    guide.set_column(3, 3, 60)
    guide.set_column(4, 4, 24)
    guide.set_column(5, 5, 30)
    guide.write_string(0, 0, _("贫困户信息导入模板 填写说明"), title)
    rule_format = workbook.add_format({"text_wrap": True, "valign": "top"})
    row = 2
    guide.write_string(row, 0, _("填写规则"), bold)
    for i, rule in enumerate(_rules(), start=1):
        row += 1
        guide.write_string(row, 0, f"{i}.", rule_format)
        guide.merge_range(row, 1, row, 5, rule, rule_format)
        guide.set_row(row, 34)
    row += 2
    # The column table: "列名" rather than the headers themselves in the first cells, and the
    # headers below, so that this sheet is plainly not a data sheet.
    for col, h in enumerate([_("序号"), _("列名"), _("是否必填"), _("填写内容、允许的值和格式"), _("示例"),
                             _("可用的其他列名")]):
        guide.write_string(row, col, h, head)
    notes = _notes()
    examples = _examples()
    for i, column in enumerate(COLUMNS, start=1):
        row += 1
        if column.required:
            need = _("必填")
        elif column.target == INFO:
            need = _("核对用")
        else:
            need = _("选填")
        parts = [notes.get(column.header, "")]
        if column.target != AREA or column.kind != "text":
            parts.append(_kind_text(column))
        description = "\n".join(p for p in parts if p)
        example = examples.get(column.header)
        if example is None:
            if column.kind == "bool":
                example = YES
            elif column.choices is not None:
                example = next(iter(choice_labels(column.choices).values()))
            else:
                example = ""
        guide.write_number(row, 0, i, wrap)
        guide.write_string(row, 1, column.header, wrap)
        guide.write_string(row, 2, need, wrap)
        guide.write_string(row, 3, description, wrap)
        guide.write_string(row, 4, example, wrap)
        guide.write_string(row, 5, SEPARATOR.join(column.synonyms), wrap)
