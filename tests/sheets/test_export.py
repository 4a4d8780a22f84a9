"""The household export: the standard flat sheet that reads back through the importer unchanged
(REFERENCE §12), scoped and audited when run as ``fupin export``."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.assistance import services as assistance
from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import services
from fupin.registry.choices import (
    Attribute,
    Cause,
    DangerGrade,
    Education,
    Fuel,
    Health,
    Labour,
    Relation,
    RemovalReason,
    RoadType,
    SchoolStatus,
    Standard,
    Status,
    WorkStatus,
)
from fupin.registry.models import Household, Member, YearlyRecord
from fupin.registry.selectors import household_scope
from fupin.sheets.columns import AREA, COLUMNS, HOUSEHOLD, MEMBER, YEARLY
from fupin.sheets.export import NOTE_SHEET_NAME, SHEET_NAME, _xml_text, choice_labels, export_households
from tests import factories

HEADERS = [c.header for c in COLUMNS]
COL = {c.header: i for i, c in enumerate(COLUMNS)}
TEXT_COLUMNS = [c.header for c in COLUMNS if c.kind in ("id", "code", "digits")] + ["帮扶责任人电话"]
START = datetime.date(2016, 3, 1)


@pytest.fixture
def group(tree):
    return factories.area("530324100201001", "第一组")


@pytest.fixture
def cadres(tree):
    return [
        factories.user("cadre_li", Role.CADRE, tree["village_a1"], display_name="李文军", phone="13900001111"),
        factories.user("cadre_wang", Role.CADRE, tree["village_a1"], display_name="王芳", phone="13700002222"),
        factories.user("cadre_old", Role.CADRE, tree["village_a1"], display_name="赵旧", phone="13600003333"),
    ]


@pytest.fixture
def registry(tree, group, county_user, cadres):
    """Three households: a full one in a group (head not the first member created, a removed member,
    two cadres and an ended pairing, yearly records 2018 and 2019), a village-level one with a smaller
    number (2018 only) and one in township B (no yearly record)."""
    spouse = factories.member_data(Relation.SPOUSE, "2", birth=datetime.date(1972, 3, 9), name="陆秀丽",
                                   education=Education.PRIMARY, labour=Labour.NORMAL, work_status=WorkStatus.COUNTY,
                                   work_months=8, pension_insurance=True, on_dibao=True, dibao_amount=Decimal("1200"))
    head = factories.member_data(Relation.HEAD, "1", birth=datetime.date(1970, 5, 17), name="周小超",
                                 education=Education.JUNIOR, labour=Labour.SKILLED,
                                 work_status=WorkStatus.OUTSIDE, work_months=10, health=Health.CHRONIC)
    son_id = factories.person_id(datetime.date(2001, 8, 30), "1")
    son = {**factories.member_data(Relation.SON, "1", name="周明"), "id_number": son_id,
           "birth_date": datetime.date(2001, 8, 30), "school_status": SchoolStatus.UNDERGRADUATE,
           "health": Health.DISABLED, "disability_cert_no": son_id + "42", "medical_insurance": False,
           "serious_illness_insurance": False}
    gone = factories.member_data(Relation.FATHER, "1", birth=datetime.date(1940, 1, 2), name="周老汉")
    a = factories.household(
        group, actor=county_user, number="5303241002010009", members=[spouse, head, son, gone],
        status=Status.EXITED, phone="13812345678", bank_name="罗平县农信社<营业部>&分理处",
        bank_account="6224690012345678901", standard=Standard.PROVINCIAL, attribute=Attribute.DIBAO,
        main_cause=Cause.DISABILITY, other_causes=[Cause.SKILLS, Cause.FUNDS], identified_year=2014,
        exit_year=2017, cultivated_land=Decimal("3.50"), forest_land=Decimal("10.25"), house_area=Decimal("85.00"),
        danger_grade=DangerGrade.C, domestic_power=True, water_safe=False, sanitary_toilet=True,
        road_distance_km=Decimal("1.20"), road_type=RoadType.CEMENT, fuel=Fuel.FIREWOOD,
    )
    services.member_remove(actor=county_user, member=a.members.get(name="周老汉"), reason=RemovalReason.DEATH)
    b = factories.household(tree["village_a2"], actor=county_user, number="5303241002020001",
                            main_cause=Cause.ILLNESS, identified_year=2016)
    c = factories.household(tree["village_b1"], actor=county_user, number="5303241012010001",
                            main_cause=Cause.LAND, identified_year=2015)
    for year, wage in ((2018, "15000.50"), (2019, "22512")):
        services.yearly_record_save(actor=county_user, household=a, year=year, data={
            "wage_income": Decimal(wage), "business_income": Decimal("2669"), "property_income": Decimal("0"),
            "transfer_income": Decimal("2982.75"), "business_expense": Decimal("855")})
    services.yearly_record_save(actor=county_user, household=b, year=2018, data={"wage_income": Decimal("8000")})
    li, wang, old = cadres
    assistance.pairing_create(actor=county_user, cadre=li, household=a, start=START)
    assistance.pairing_create(actor=county_user, cadre=wang, household=a, start=START + datetime.timedelta(days=1))
    ended = assistance.pairing_create(actor=county_user, cadre=old, household=a, start=START)
    assistance.pairing_end(actor=county_user, pairing=ended, end=datetime.date(2017, 1, 1))
    return {"a": a, "b": b, "c": c}


def export(households=None, **kwargs) -> tuple[list[list], list[list], object]:
    buffer = io.BytesIO()
    result = export_households(households if households is not None else Household.objects.all(), buffer, **kwargs)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue()))
    assert wb.sheet_names == [SHEET_NAME, NOTE_SHEET_NAME]
    return wb.get_sheet_by_name(SHEET_NAME).to_python(), wb.get_sheet_by_name(NOTE_SHEET_NAME).to_python(), result


def records(rows: list[list]) -> list[dict]:
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


def test_the_header_row_is_the_contract_in_order(registry):
    rows, _note, _result = export()
    assert rows[0] == HEADERS
    buffer = io.BytesIO()
    export_households(Household.objects.all(), buffer)
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))[SHEET_NAME]
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])
    assert ws.column_dimensions["I"].width == pytest.approx(COLUMNS[COL["证件号码"]].width, abs=1)


def test_one_row_per_active_member_head_first_households_in_number_order(registry):
    rows, _note, result = export()
    got = [(r["户编号"], r["姓名"], r["与户主关系"]) for r in records(rows)]
    assert got == [
        ("5303241002010009", "周小超", "户主"),  # the head first, although the spouse was created first
        ("5303241002010009", "陆秀丽", "配偶"),
        ("5303241002010009", "周明", "之子"),
        ("5303241002020001", *got[3][1:]),
        ("5303241002020001", *got[4][1:]),
        ("5303241012010001", *got[5][1:]),
        ("5303241012010001", *got[6][1:]),
    ]
    assert "周老汉" not in [g[1] for g in got]  # removed members are not exported
    assert got[3][2] == "户主" and got[5][2] == "户主"
    assert (result.rows, result.households, result.skipped_households) == (7, 3, 0)


def test_identifier_cells_are_text_never_numbers(registry):
    buffer = io.BytesIO()
    export_households(Household.objects.all(), buffer, year=2019)
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))[SHEET_NAME]
    checked = 0
    for header in TEXT_COLUMNS:
        for row in range(2, ws.max_row + 1):
            cell = ws.cell(row=row, column=COL[header] + 1)
            if cell.value is None:
                continue
            assert cell.data_type == "s", (header, cell.value)
            assert cell.number_format == "@", header
            checked += 1
    assert checked > 20
    assert ws.cell(row=2, column=COL["出生日期"] + 1).number_format == "yyyy-mm-dd"
    assert ws.cell(row=2, column=COL["工资性收入"] + 1).number_format == "0.00"


def _expected(column, household: Household, member: Member, yearly: YearlyRecord | None):
    """What the importer should read back for ``column`` on ``member``'s row, as a registry value."""
    if column.target == HOUSEHOLD:
        return getattr(household, column.field)
    if column.target == MEMBER:
        return getattr(member, column.field)
    if column.target == YEARLY:
        return getattr(yearly, column.field) if yearly else None
    if column.target == AREA:
        area = household.area
        chain = {a.level: a.name for a in area.ancestors(include_self=True)}
        return area.code if column.field == "code" else chain.get(column.field, "")
    if column.field == "head_name":
        return household.head_name
    pairings = household.pairings.ongoing().order_by("start", "id")
    if column.field == "cadre_names":
        return "、".join(p.cadre.name for p in pairings)
    return "、".join(p.cadre.phone for p in pairings)


def _read_back(column, value):
    """A cell as the importer would turn it into a registry value (per the column's kind)."""
    if value == "" or value is None:
        return None
    if column.kind == "choice":
        return {label: code for code, label in choice_labels(column.choices).items()}[value]
    if column.kind == "choices":
        labels = {label: code for code, label in choice_labels(column.choices).items()}
        return [labels[v] for v in value.split("、")]
    if column.kind == "bool":
        return {"是": True, "否": False}[value]
    if column.kind in ("money", "decimal"):
        assert isinstance(value, float)
        return Decimal(str(value)).quantize(Decimal("0.01"))
    if column.kind == "int":
        assert float(value).is_integer()
        return int(value)
    if column.kind == "date":
        assert isinstance(value, datetime.date)
        return value
    assert isinstance(value, str), (column.header, value)
    return value


def _normalise(value):
    if value in ("", None, []):
        return None
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return value


@pytest.mark.parametrize("year", [2018, 2019])
def test_every_value_reads_back_as_in_the_database(registry, year):
    rows, _note, result = export(year=year)
    assert result.year == year and not result.year_defaulted
    compared = 0
    for row in records(rows):
        household = Household.objects.select_related("area").get(number=row["户编号"])
        member = Member.objects.get(id_number=row["证件号码"], active=True)
        yearly = YearlyRecord.objects.filter(household=household, year=year).first()
        for column in COLUMNS:
            got = _read_back(column, row[column.header])
            want = _normalise(_expected(column, household, member, yearly))
            assert got == want, (column.header, row[column.header], want)
            compared += 1
    assert compared == 7 * len(COLUMNS)


def test_area_columns_from_the_ancestors_group_empty_at_village_level(registry):
    rows, _note, _result = export()
    by_number = {r["户编号"]: r for r in records(rows)}
    a, b = by_number["5303241002010009"], by_number["5303241002020001"]
    assert (a["县"], a["乡镇"], a["行政村"], a["村民小组"], a["区划代码"]) == (
        "罗平县", "甲乡", "甲一村", "第一组", "530324100201001")
    assert (b["行政村"], b["村民小组"], b["区划代码"]) == ("甲二村", "", factories.VILLAGE_A2)


def test_cadres_of_ongoing_pairings_joined(registry):
    rows, _note, _result = export()
    a = [r for r in records(rows) if r["户编号"] == "5303241002010009"]
    assert {r["帮扶责任人"] for r in a} == {"李文军、王芳"}  # the ended pairing (赵旧) is not shown
    assert {r["帮扶责任人电话"] for r in a} == {"13900001111、13700002222"}
    other = [r for r in records(rows) if r["户编号"] != "5303241002010009"]
    assert {r["帮扶责任人"] for r in other} == {""}


def test_household_columns_repeat_on_every_member_row(registry):
    rows, _note, _result = export()
    household_headers = [c.header for c in COLUMNS if c.target != MEMBER]
    for number in ("5303241002010009", "5303241002020001"):
        mine = [r for r in records(rows) if r["户编号"] == number]
        assert len({tuple(r[h] for h in household_headers) for r in mine}) == 1


def in_2020():
    """"Today" in March 2020: the last complete year is 2019."""
    return time_machine.travel(datetime.datetime(2020, 3, 1, 4, 0, tzinfo=datetime.UTC), tick=False)


def test_default_year_is_the_last_complete_year(registry):
    with in_2020():
        rows, note, result = export()
    assert (result.year, result.year_defaulted, result.with_year) == (2019, True, 1)
    by_number = {r["户编号"]: r for r in records(rows)}
    assert by_number["5303241002010009"]["年度"] == 2019
    assert by_number["5303241002010009"]["工资性收入"] == 22512
    yearly = [c.header for c in COLUMNS if c.target == YEARLY]
    assert all(by_number["5303241002020001"][h] == "" for h in yearly)  # B has only 2018
    assert any(str(cell).startswith("2019 年（未选择年度，默认取上一个完整年度）；3 户中 1 户有该年度收入记录")
               for line in note for cell in line), note


def test_default_year_is_never_taken_from_the_data(registry):
    """Issue 12.2: neither the households exported nor their records move the year."""
    with in_2020():
        _rows, _note, result = export(Household.objects.filter(number="5303241002020001"))
        assert (result.year, result.with_year) == (2019, 0)  # B's latest record is 2018
        _rows, _note, result = export(Household.objects.filter(number="5303241012010001"))
        assert (result.year, result.with_year) == (2019, 0)


def test_one_stray_later_year_does_not_blank_the_other_households(registry):
    """Issue 12.2: after one household's record of 2031 (written before the rules refused it), every
    other household's income columns still show the chosen year."""
    b = registry["b"]
    YearlyRecord.objects.create(household=b, year=2031, member_count=1, wage_income=Decimal("1"))
    YearlyRecord.objects.create(household=b, year=2019, member_count=1, wage_income=Decimal("9000"))
    with in_2020():
        rows, _note, result = export()
    by_number = {r["户编号"]: r for r in records(rows)}
    assert by_number["5303241002010009"]["工资性收入"] == 22512
    assert by_number["5303241002020001"]["工资性收入"] == 9000
    assert by_number["5303241002020001"]["年度"] == 2019
    assert (result.year, result.with_year) == (2019, 2)
    rows, _note, result = export(year=2019)  # chosen: the same today as in 2020
    assert (result.year, result.year_defaulted) == (2019, False)
    assert {r["户编号"]: r for r in records(rows)}["5303241002010009"]["工资性收入"] == 22512


def test_a_township_scope_exports_only_its_subtree(registry, township_b_user):
    rows, _note, result = export(household_scope(township_b_user))
    assert {r["户编号"] for r in records(rows)} == {"5303241012010001"}
    assert result.households == 1


def test_masked_export_hides_numbers_and_says_it_cannot_be_reimported(registry, county_user):
    rows, note, result = export(access=policy.export_access(county_user, mask=True), exported_by="领导（账号 leader）", filter_text="区划：甲乡")
    assert result.masked
    a = [r for r in records(rows) if r["户编号"] == "5303241002010009"]
    head = a[0]
    member = Member.objects.get(name="周小超")
    assert head["证件号码"] == policy.mask_id(member.id_number) and "*" in head["证件号码"]
    assert head["联系电话"] == "138****5678"
    assert head["银行账号"].endswith("8901") and head["银行账号"].startswith("*")
    assert head["帮扶责任人电话"] == "139****1111、137****2222"
    assert "*" in a[2]["残疾证号"]
    text = " ".join(str(c) for line in note for c in line)
    assert "不能用于重新导入" in text and "领导（账号 leader）" in text and "区划：甲乡" in text


def test_health_details_are_left_out_for_roles_that_may_not_see_them(registry, tree):
    from fupin.accounts.models import Role
    from tests import factories

    leader = factories.user("leader", Role.LEADER, tree["county"])
    rows, note, _result = export(access=policy.export_access(leader))
    assert {r["健康状况"] for r in records(rows)} == {""}
    assert {r["残疾证号"] for r in records(rows)} == {""}
    assert any("健康状况和残疾证号" in str(c) for line in note for c in line)


def test_note_sheet_avoids_the_words_of_a_header_row(registry):
    _rows, note, _result = export()
    for line in note:
        for cell in line:
            assert "证件号码" not in str(cell) and "身份证号" not in str(cell)


def test_progress_is_reported_up_to_the_total(registry):
    calls = []
    export(progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (7, 7)


def test_the_query_count_does_not_grow_with_the_households(tree, county_user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            export_households(Household.objects.all(), io.BytesIO())
        return len(ctx.captured_queries)

    for _i in range(2):
        factories.household(tree["village_a1"], actor=county_user)
    few = queries()
    for _i in range(6):
        factories.household(tree["village_b1"], actor=county_user)
    assert queries() == few


def test_chunks_keep_the_order(registry):
    rows_one, _n, _r = export()
    rows_chunked, _n, _r = export(chunk_size=1)
    assert rows_chunked == rows_one


def test_the_cell_by_cell_writer_gives_the_same_sheet(registry):
    fast, _n, _r = export(streaming=True)
    plain, _n, _r = export(streaming=False)
    assert fast == plain


def test_xml_special_characters_survive(registry):
    rows, _note, _result = export()
    assert {r["开户银行"] for r in records(rows) if r["户编号"] == "5303241002010009"} == {"罗平县农信社<营业部>&分理处"}
    assert _xml_text("a&b<c>") == ("", "a&amp;b&lt;c&gt;")
    assert _xml_text(" 张三") == (' xml:space="preserve"', " 张三")
    assert _xml_text("x\x01_x0041_") == ("", "x_x0001__x005F_x0041_")


def test_a_household_without_active_members_is_counted_not_written(registry, county_user):
    b = registry["b"]
    # As after 全户死亡 (set directly: the services keep a household's last member).
    Member.objects.filter(household=b).update(active=False, removal_reason=RemovalReason.DEATH)
    rows, _note, result = export()
    assert result.skipped_households == 1
    assert "5303241002020001" not in {r["户编号"] for r in records(rows)}


# --- fupin export -------------------------------------------------------------------------------------


def run_export(tmp_path: Path, *args, name: str = "out.xlsx", **options) -> tuple[Path, list[dict]]:
    out = tmp_path / name
    call_command("export", str(out), *args, no_progress=True, stdout=io.StringIO(), **options)
    wb = CalamineWorkbook.from_path(str(out))
    if SHEET_NAME in wb.sheet_names:
        return out, records(wb.get_sheet_by_name(SHEET_NAME).to_python())
    return out, []


def test_command_as_a_township_user_exports_only_their_subtree(registry, township_a_user, tmp_path):
    _out, rows = run_export(tmp_path, user="township_a")
    assert {r["户编号"] for r in rows} == {"5303241002010009", "5303241002020001"}
    assert {r["乡镇"] for r in rows} == {"甲乡"}


def test_command_narrows_to_an_area_inside_the_scope(registry, township_a_user, tmp_path):
    _out, rows = run_export(tmp_path, user="township_a", area=factories.VILLAGE_A2)
    assert {r["户编号"] for r in rows} == {"5303241002020001"}


def test_command_refuses_an_area_outside_the_users_scope(registry, township_a_user, tmp_path):
    out = tmp_path / "out.xlsx"
    with pytest.raises(CommandError) as info:
        call_command("export", str(out), user="township_a", area=factories.TOWNSHIP_B, no_progress=True)
    assert "不在用户 township_a 的管辖范围内" in str(info.value)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


def test_command_exits_non_zero_on_refusal(registry, township_a_user, tmp_path, capsys):
    from fupin.__main__ import main

    with pytest.raises(SystemExit) as info:
        main(["export", str(tmp_path / "out.xlsx"), "--user", "township_a", "--area", factories.TOWNSHIP_B,
              "--no-progress"])
    assert info.value.code != 0
    assert "管辖范围" in capsys.readouterr().err


def test_command_refuses_an_unknown_user(registry, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("export", str(tmp_path / "out.xlsx"), user="nobody", no_progress=True)


def test_command_writes_one_audit_event(registry, township_a_user, tmp_path):
    _out, rows = run_export(tmp_path, user="township_a", year=2018)
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.actor == township_a_user and event.actor_name == "township_a"
    assert event.area_path == township_a_user.area.path
    assert event.data["file"] == "out.xlsx"
    assert event.data["rows"] == len(rows) == 5
    assert event.data["households"] == 2
    assert event.data["filters"] == {"area": None, "year": 2018, "user": "township_a", "summary": False}
    assert event.data["masked"] is False


def test_command_without_user_runs_as_the_system_over_everything(registry, tmp_path):
    _out, rows = run_export(tmp_path)
    assert len({r["户编号"] for r in rows}) == 3
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.actor is None and event.actor_name == "system"


def test_command_masks_for_a_role_that_may_not_see_full_numbers(registry, tree, tmp_path):
    factories.user("leader_zhao", Role.LEADER, tree["county"])
    _out, rows = run_export(tmp_path, user="leader_zhao")
    assert all("*" in r["证件号码"] for r in rows)
    assert {r["健康状况"] for r in rows} == {""}  # a leader does not see health details either
    assert AuditEvent.objects.get(kind=AuditKind.EXPORT).data["masked"] is True


def test_command_as_a_cadre_exports_the_paired_households_only(registry, tmp_path):
    _out, rows = run_export(tmp_path, user="cadre_li")
    assert {r["户编号"] for r in rows} == {"5303241002010009"}


def test_command_as_a_cadre_without_an_area_exports_the_paired_households(registry, county_user, tmp_path):
    dept = factories.user("cadre_dept", Role.CADRE, None, display_name="县直单位干部")
    assistance.pairing_create(actor=county_user, cadre=dept, household=registry["c"], start=START)
    _out, rows = run_export(tmp_path, user="cadre_dept")
    assert {r["户编号"] for r in rows} == {"5303241012010001"}


def test_command_summary_option_writes_the_summary_tables(registry, tmp_path):
    out, rows = run_export(tmp_path, area=factories.COUNTY, summary=True, name="sum.xlsx")
    wb = CalamineWorkbook.from_path(str(out))
    assert "户数与人口" in wb.sheet_names and rows == []
    assert AuditEvent.objects.get(kind=AuditKind.EXPORT).data["kind"] == "summary"


def test_command_takes_the_last_complete_year_unless_given_and_refuses_a_future_one(registry, tmp_path):
    YearlyRecord.objects.create(household=registry["b"], year=2031, member_count=1)  # a stray year
    out = io.StringIO()
    with in_2020():
        call_command("export", str(tmp_path / "h.xlsx"), no_progress=True, stdout=out)
        run_export(tmp_path, area=factories.COUNTY, summary=True, name="sum.xlsx")
        with pytest.raises(CommandError, match="年度应在 2013 到 2020 之间，收到的是“2031”"):
            call_command("export", str(tmp_path / "x.xlsx"), no_progress=True, year=2031)
    assert "年度收入：2019 年（未选择年度，默认取上一个完整年度）；3 户中 1 户有该年度收入记录" in out.getvalue()
    sheets = CalamineWorkbook.from_path(str(tmp_path / "sum.xlsx")).sheet_names
    assert sheets[-1] == "2019年度收入" and len(sheets) == 5
    assert not (tmp_path / "x.xlsx").exists()


def test_command_refuses_a_name_without_xlsx(registry, tmp_path):
    with pytest.raises(CommandError, match=r"\.xlsx"):
        call_command("export", str(tmp_path / "out.csv"), no_progress=True)


# --- Through the importer's own reader and cell parsers -----------------------------------------------


def test_the_reader_and_cell_parsers_read_back_the_database_values(registry):
    from fupin.sheets import cells
    from fupin.sheets.reader import read_table

    buffer = io.BytesIO()
    export_households(Household.objects.all(), buffer, year=2018)
    table = read_table(io.BytesIO(buffer.getvalue()), "export.xlsx")
    assert table.sheet_name == SHEET_NAME and table.unknown_headers == []
    assert len(table.rows) == 7
    for row in table.rows:
        values = {c.header: cells.parse(c, row.values.get(c.header)) for c in COLUMNS}
        household = Household.objects.select_related("area").get(number=values["户编号"])
        member = Member.objects.get(id_number=values["证件号码"], active=True)
        yearly = YearlyRecord.objects.filter(household=household, year=2018).first()
        for column in COLUMNS:
            want = _normalise(_expected(column, household, member, yearly))
            got = _normalise(values[column.header])
            assert got == want, (column.header, row.values.get(column.header), want)


def test_importing_an_unchanged_export_changes_nothing(registry, county_user):
    from fupin.sheets.importer import plan_import
    from fupin.sheets.reader import read_table

    buffer = io.BytesIO()
    export_households(Household.objects.all(), buffer, year=2019)
    plan = plan_import(read_table(io.BytesIO(buffer.getvalue()), "export.xlsx"), actor=county_user)
    assert [p.message for p in plan.all_problems() if p.level == "error"] == []
    assert {h.number: h.action for h in plan.households} == {
        "5303241002010009": "unchanged", "5303241002020001": "unchanged", "5303241012010001": "unchanged"}


def test_a_masked_export_is_refused_by_the_import(registry, county_user):
    from fupin.sheets.importer import plan_import
    from fupin.sheets.reader import read_table

    buffer = io.BytesIO()
    export_households(Household.objects.all(), buffer, access=policy.export_access(county_user, mask=True))
    plan = plan_import(read_table(io.BytesIO(buffer.getvalue()), "export.xlsx"), actor=county_user)
    assert not plan.valid
