"""A township's own sheet, end to end: village statistical codes with the 村民小组 written by hand in
every usual form, shuffled columns, title rows, blank rows, a 合计 row, full-width digits, stray
spaces, an ID number Excel turned into 5.30324E+17, a bad checksum and a few REFERENCE §6 疑点.

Every valid household is imported into the right group; only the invalid ones are refused, with the
cell named; the suspicious ones are imported with their findings stored (never refused)."""

from __future__ import annotations

import datetime
import io
import random

import pytest

from fupin.quality.models import Finding
from fupin.registry.models import Household
from fupin.sheets.importer import ERROR, WARNING, apply_plan, plan_import
from fupin.sheets.reader import read_table
from tests import factories
from tests.sheets.builders import STANDARD_HEADERS, standard_row, valid_id, xlsx_bytes

pytestmark = pytest.mark.django_db

A1, A2 = factories.VILLAGE_A1, factories.VILLAGE_A2
CN = "一二三四五六七八九十"


@pytest.fixture
def groups(tree):
    """甲一村: 第一村民小组 … 第十二村民小组 (the demo county's names); 甲二村: 第一组, 第二组, 大寨组."""
    names = [f"第{CN[n - 1] if n <= 10 else '十' + CN[n - 11]}村民小组" for n in range(1, 13)]
    for n, name in enumerate(names, start=1):
        factories.area(f"{A1}{n:03d}", name)
    for n, name in enumerate(["第一组", "第二组", "大寨组"], start=1):
        factories.area(f"{A2}{n:03d}", name)
    return tree


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


# (户编号, 区划代码, 行政村, 村民小组, where it must land (None: refused), overrides of the member row)
HOUSEHOLDS = [
    ("H01", A1, "甲一村", "3组", f"{A1}003", {}),
    ("H02", A1, "甲一村", "第3组", f"{A1}003", {}),
    ("H03", A1, "甲一村", "三组", f"{A1}003", {}),
    ("H04", A1, "甲一村", " 第三 村民小组 ", f"{A1}003", {"姓名": " 王 五 ", "户主姓名": "王五"}),
    ("H05", A1, "甲一村", "03", f"{A1}003", {}),
    ("H06", A1, "甲一村", "十二组", f"{A1}012", {}),
    ("H07", full_width(A1), "甲一村", full_width("12") + "组", f"{A1}012", {"务工时间": full_width("6")}),
    ("H08", A2, "甲二村", "2社", f"{A2}002", {}),
    ("H09", A2, "甲二村", "第二组", f"{A2}002", {}),
    ("H10", A2, "甲二村", "大寨", f"{A2}003", {}),
    ("H11", A2, "甲二村", None, A2, {}),  # no group: the village, as before
    ("H12", None, "甲一村", "第一村民小组", f"{A1}001", {}),  # no code: the village by name under 甲乡
    ("H13", A1, "甲一村", "9组", f"{A1}009", {}),
    # Refused: a group the village does not have, an ID Excel made a number, a bad check digit.
    ("H14", A2, "甲二村", "5组", None, {}),
    ("H15", A1, "甲一村", "1组", None, {"证件号码": 5.30324198504040e17}),
    ("H16", A1, "甲一村", "2组", None, {"证件号码": "bad"}),
    # Suspicious (§6), imported with findings: 务工 with 0 months; 因病 with nobody ill.
    ("H17", A1, "甲一村", "4组", f"{A1}004", {"务工时间": 0}),
    ("H18", A1, "甲一村", "五组", f"{A1}005", {"主要致贫原因": "因病"}),
]


def township_sheet() -> tuple[bytes, dict[str, int]]:
    """The sheet, and the sheet row of each household's first member."""
    headers = list(STANDARD_HEADERS)
    random.Random(10).shuffle(headers)
    rows: list[list] = [["甲乡建档立卡贫困户信息表（2019年）"], ["填报单位：甲乡人民政府", None, "单位：元、亩"], headers]
    first_row = {}
    for i, (number, code, village, group, _where, overrides) in enumerate(HOUSEHOLDS):
        if i in (5, 12):
            rows.append([])  # blank rows between households
        head_id = valid_id(2 * i)
        values = {"户编号": f"5303241002{i:06d}" if number != "H07" else full_width(f"5303241002{i:06d}"),
                  "县": "罗平县", "乡镇": "甲乡", "行政村": village, "村民小组": group, "区划代码": code,
                  "户主姓名": f"户主{i}", "姓名": f"户主{i}", "证件号码": head_id} | overrides
        if overrides.get("证件号码") == "bad":
            values["证件号码"] = head_id[:-1] + ("0" if head_id[-1] != "0" else "1")
        first_row[number] = len(rows) + 1
        rows.append(standard_row(headers, **values))
    # 之子 who is a woman (§6.10) in H01: a second member, on the next row.
    rows.insert(first_row["H01"], standard_row(headers, **{
        "户编号": "5303241002000000", "县": "罗平县", "乡镇": "甲乡", "行政村": "甲一村", "村民小组": "3组",
        "区划代码": A1, "户主姓名": "户主0", "姓名": "户主0之女", "与户主关系": "之子", "性别": "女",
        "证件号码": valid_id(300, born=datetime.date(2008, 3, 1), sex="2"), "出生日期": "2008-03-01",
        "文化程度": "小学", "在校生状况": "初中", "劳动能力": None, "务工状况": None, "务工时间": None}))
    first_row = {n: r + (1 if r > first_row["H01"] else 0) for n, r in first_row.items()}
    rows.append([None] * 3 + ["合计", "19 人"])
    return xlsx_bytes(rows, merges=[(0, 0, 0, 12)]), first_row


def test_a_township_sheet_imports_every_valid_household_into_its_group(groups, county_user):
    data, first_row = township_sheet()
    table = read_table(io.BytesIO(data), "甲乡上报.xlsx")
    assert table.header_row == 3 and [reason for _row, reason in table.skipped] == ["空行", "空行", "合计行"]
    plan = plan_import(table, actor=county_user)
    by_number = {h.number: h for h in plan.households}
    number_of = {n: f"5303241002{i:06d}" for i, (n, *_rest) in enumerate(HOUSEHOLDS)}

    # Only the invalid households are refused, each at its cell.
    refused = {n for n, h in ((n, by_number[number_of[n]]) for n, *_r in HOUSEHOLDS) if not h.valid}
    assert refused == {"H14", "H15", "H16"}, [(p.row, p.header, p.message) for p in plan.all_problems()
                                              if p.level == ERROR]
    unknown_group = by_number[number_of["H14"]].errors
    assert [(p.row, p.header) for p in unknown_group] == [(first_row["H14"], "村民小组")]
    assert "没有村民小组“5组”" in unknown_group[0].message
    assert "第一组、第二组、大寨组" in unknown_group[0].message  # the village's groups, listed
    assert [(p.row, p.header) for p in by_number[number_of["H15"]].errors] == [(first_row["H15"], "证件号码")]
    assert "5.30324E+17" in by_number[number_of["H15"]].errors[0].message
    assert [(p.row, p.header) for p in by_number[number_of["H16"]].errors] == [(first_row["H16"], "证件号码")]

    # The 疑点 are warnings at the member's row and the column, never errors.
    warnings = {(p.number, p.row, p.header) for p in plan.all_problems() if p.level == WARNING}
    assert (number_of["H17"], first_row["H17"], "务工时间") in warnings
    assert (number_of["H18"], first_row["H18"], "主要致贫原因") in warnings
    assert (number_of["H01"], first_row["H01"] + 1, "与户主关系") in warnings
    clean = {number_of[n] for n in ("H02", "H03", "H04", "H05", "H06", "H07", "H08", "H09", "H10", "H11", "H12")}
    assert not [w for w in warnings if w[0] in clean], warnings

    result = apply_plan(plan, actor=county_user, mode="valid")
    assert (result.created, result.refused) == (len(HOUSEHOLDS) - 3, 3)
    landed = dict(Household.objects.values_list("number", "area__code"))
    for number, _code, _village, _group, where, _o in HOUSEHOLDS:
        assert landed.get(number_of[number]) == where, number
    assert Household.objects.get(number=number_of["H04"]).head_name == "王五"

    # The suspicious households are stored with their findings, scoped like their household.
    stored = set(Finding.objects.values_list("household__number", "rule"))
    assert stored == {(number_of["H01"], "logic_relation_sex"), (number_of["H17"], "migrant_place_without_months"),
                      (number_of["H18"], "cause_illness_nobody_ill")}
    assert result.findings == 3
    f = Finding.objects.get(rule="migrant_place_without_months")
    assert (f.source, f.area_path, f.member.name) == ("import", f"{A1}004", "户主16")


def test_a_village_without_groups_keeps_the_household_with_a_warning(tree, county_user):
    rows = [STANDARD_HEADERS, standard_row(**{"户编号": "5303241012010001", "区划代码": factories.VILLAGE_B1,
                                              "县": None, "乡镇": None, "行政村": "乙一村", "村民小组": "3组"})]
    plan = plan_import(read_table(io.BytesIO(xlsx_bytes(rows)), "乙一村.xlsx"), actor=county_user)
    assert plan.valid
    assert [(p.header, p.level) for p in plan.all_problems()] == [("村民小组", WARNING)]
    assert "没有村民小组" in plan.all_problems()[0].message
    assert plan.households[0].area.code == factories.VILLAGE_B1


def test_an_existing_household_in_a_group_stays_there_when_the_sheet_gives_only_the_village(groups, county_user):
    h = factories.household(Household.area.field.related_model.objects.get(code=f"{A1}003"), actor=county_user,
                            number="5303241002019999")
    head = h.members.get(relation="head")
    rows = [STANDARD_HEADERS, standard_row(**{
        "户编号": h.number, "区划代码": A1, "县": None, "乡镇": None, "行政村": None, "村民小组": None,
        "姓名": head.name, "户主姓名": head.name, "证件号码": head.id_number, "性别": None, "出生日期": None})]
    plan = plan_import(read_table(io.BytesIO(xlsx_bytes(rows)), "甲一村.xlsx"), actor=county_user)
    assert plan.households[0].area.code == f"{A1}003"
    assert "area" not in plan.households[0].changes


@pytest.mark.parametrize(("written", "agrees"), [("第三组", True), ("3", True), ("叁组", True), ("4组", False)])
def test_a_group_code_and_the_group_written_beside_it_must_agree(groups, county_user, written, agrees):
    rows = [STANDARD_HEADERS, standard_row(**{"户编号": "5303241002010001", "区划代码": f"{A1}003", "县": None,
                                              "乡镇": "甲乡", "行政村": "甲一村", "村民小组": written})]
    plan = plan_import(read_table(io.BytesIO(xlsx_bytes(rows)), "甲一村.xlsx"), actor=county_user)
    errors = [(p.header, p.message) for p in plan.all_problems() if p.level == ERROR]
    if agrees:
        assert errors == [] and plan.households[0].area.code == f"{A1}003"
    else:
        assert errors == [("村民小组", f"村民小组“4组”与区划代码 {A1}003（第三村民小组）不一致")]


def test_findings_after_an_import_look_at_the_households_latest_year(tree, county_user):
    from fupin.registry import services
    from tests.sheets.test_import import family, sheet

    apply_plan(plan_import(sheet(family("5303241002010001", n=0)), actor=county_user), actor=county_user)
    h = Household.objects.get(number="5303241002010001")
    # 2020: the head works away (the sheet says so) but no wage income: a §6.8 疑点 of the latest year.
    services.yearly_record_save(actor=county_user, household=h, year=2020, data={"transfer_income": 3000})
    plan = plan_import(sheet(family("5303241002010001", n=0, 工资性收入=13000)), actor=county_user)  # 2019
    assert plan.households[0].action == "update"
    apply_plan(plan, actor=county_user)
    found = dict(Finding.objects.filter(household=h).values_list("rule", "values__year"))
    assert found["migrant_working_without_wage"] == 2020 and set(found.values()) == {2020}  # not 2019's


def test_every_rules_warning_names_a_column_of_the_standard_sheet():
    from fupin.quality.rules import check
    from fupin.sheets.columns import BY_HEADER
    from fupin.sheets.importer import _column_of
    from tests.quality.test_rules import CASES, clean

    for code, case in CASES.items():
        subject = clean()
        case(subject)
        for hit in check(subject):
            assert _column_of(hit) in BY_HEADER, (code, hit.field)
