"""Issue 12, item 6: what the import says and does with differing rows, partial sheets, the template's
drop-downs, refused households and the page after an import. Each test failed on main before."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from openpyxl.utils import range_boundaries

from fupin.registry.models import Household
from fupin.sheets.export import export_households
from fupin.sheets.importer import ERROR, WARNING, apply_plan, plan_import
from fupin.sheets.jobs import preview
from fupin.sheets.models import Job, JobKind
from fupin.sheets.template import SHEET_NAME, build_template
from tests.sheets.builders import STANDARD_HEADERS, xlsx_bytes
from tests.sheets.test_import import family, sheet
from tests.sheets.test_views import _jobs_inline, login, upload  # noqa: F401 - the fixture is used

pytestmark = pytest.mark.django_db

NUMBER = "5303241002010001"
STATUS = STANDARD_HEADERS.index("户状态")


def imported(county_user, *families):
    apply_plan(plan_import(sheet(*families), actor=county_user), actor=county_user)


def test_a_status_changed_on_one_row_wins_with_a_note_in_labels_not_codes(tree, county_user):
    imported(county_user, family(NUMBER, n=0))
    rows = family(NUMBER, n=0)
    rows[0][STATUS] = "返贫"  # the head's row only; the wife's row still says 已脱贫(享受政策)
    plan = plan_import(sheet(rows), actor=county_user)
    h = plan.households[0]
    assert h.valid, h.errors
    assert h.status_change == ("exited", "returned")
    note, = [p for p in h.problems if p.header == "户状态"]
    assert note.level == WARNING and note.row == 3
    assert "“返贫”" in note.message and "“已脱贫(享受政策)”" in note.message
    assert "returned" not in note.message and "exited" not in note.message
    assert "其他行与系统中的值相同" in note.message


def test_two_different_changes_take_the_first_row_and_say_so(tree, county_user):
    imported(county_user, family(NUMBER, n=0))
    rows = family(NUMBER, n=0)
    phone = STANDARD_HEADERS.index("联系电话")
    rows[0][phone], rows[1][phone] = "13911112222", "13933334444"
    plan = plan_import(sheet(rows), actor=county_user)
    h = plan.households[0]
    assert h.valid and h.obj.phone == "13911112222"
    note, = [p for p in h.problems if p.header == "联系电话"]
    assert "以第一行为准" in note.message and note.level == WARNING


def test_the_preview_lists_a_status_change_once_in_labels(tree, county_user):
    imported(county_user, family(NUMBER, n=0))
    plan = plan_import(sheet(family(NUMBER, n=0, 户状态="返贫")), actor=county_user)
    shown = preview(plan, county_user)["households"][0]
    assert shown["status"] == ["已脱贫(享受政策)", "返贫"]
    assert [c for c in shown["changes"] if c[0] == "户状态"] == []


def test_the_per_capita_income_hint_says_which_bound_is_crossed(tree, county_user):
    rows = family(NUMBER, n=0, 工资性收入=0, 生产经营性收入=0, 财产性收入=0, 转移性收入=0, 生产经营性支出=0)
    plan = plan_import(sheet(rows), actor=county_user)
    hint, = [p for p in plan.all_problems() if "人均纯收入" in p.message and "扶贫标准" not in p.message]
    assert "0.00" in hint.message and "0–100,000" not in hint.message
    assert "不大于 0" in hint.message


def test_a_check_names_only_columns_the_export_has(tree, county_user, tmp_path):
    imported(county_user, family(NUMBER, n=0))
    Household.objects.update(irrigated_land=Decimal("3.00"))
    exported = tmp_path / "e.xlsx"
    export_households(Household.objects.all(), exported)
    headers = [c.value for c in next(openpyxl.load_workbook(exported).worksheets[0].iter_rows(max_row=1))]
    assert "有效灌溉面积" in headers  # the column the check names is in the export (and the template)
    rows = family(NUMBER, n=0, 耕地面积=2)
    plan = plan_import(sheet(rows), actor=county_user)
    error, = plan.households[0].errors
    assert error.header == "有效灌溉面积" and "有效灌溉面积" in error.message
    assert plan_import(sheet(family(NUMBER, n=0, 耕地面积=2, 有效灌溉面积=1.5)), actor=county_user).valid


def test_an_error_on_a_field_without_a_column_says_where_to_change_it(tree, county_user):
    imported(county_user, family(NUMBER, n=0))
    Household.objects.update(exit_year=None, exit_year_planned=2016, status="poor")
    plan = plan_import(sheet(family(NUMBER, n=0, 识别年度=2018, 脱贫年度=None, 户状态="贫困户(未脱贫)")),
                       actor=county_user)
    error, = plan.households[0].errors
    assert "计划脱贫年度" in error.message and "不在导入表中" in error.message


def partial(rows, headers=("户编号", "证件号码", "联系电话")):
    keep = [STANDARD_HEADERS.index(h) for h in headers]
    table = [[STANDARD_HEADERS[i] for i in keep]] + [[r[i] for i in keep] for r in rows]
    from fupin.sheets.reader import read_table

    return read_table(io.BytesIO(xlsx_bytes(table)), "部分列.xlsx")


def test_a_partial_sheet_updates_only_its_columns(tree, county_user):
    imported(county_user, family(NUMBER, n=0))
    rows = family(NUMBER, n=0)
    for r in rows:
        r[STANDARD_HEADERS.index("联系电话")] = "13912345678"
    plan = plan_import(partial(rows), actor=county_user)
    assert plan.valid, plan.all_problems()
    assert set(plan.households[0].changes) == {"phone"} and not plan.households[0].changed_members
    apply_plan(plan, actor=county_user)
    h = Household.objects.get()
    assert h.phone == "13912345678" and h.main_cause == "skills" and h.identified_year == 2014


def test_a_new_household_in_a_partial_sheet_needs_its_required_columns(tree, county_user):
    plan = plan_import(partial(family(NUMBER, n=0), headers=("户编号", "区划代码", "姓名", "证件号码", "与户主关系")),
                       actor=county_user)
    errors = plan.households[0].errors
    assert {e.header for e in errors} == {"主要致贫原因", "识别年度"}
    assert all("新户" in e.message and "没有这一列" in e.message for e in errors)
    new_member = partial(family(NUMBER, n=0), headers=("户编号", "证件号码", "联系电话"))
    imported(county_user, family(NUMBER, n=0)[:1])
    plan = plan_import(new_member, actor=county_user)
    assert {(e.header, e.level) for e in plan.households[0].errors} == {("姓名", ERROR), ("与户主关系", ERROR)}


def test_the_template_drop_downs_cover_the_rows_an_import_reads(settings):
    settings.FUPIN_SHEET_MAX_ROWS = 20_000
    buffer = io.BytesIO()
    build_template(buffer)
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))[SHEET_NAME]
    last_rows = {range_boundaries(rng)[3] for dv in ws.data_validations.dataValidation for rng in str(dv.sqref).split()}
    assert last_rows == {20_000}
    assert "有效灌溉面积" in [c.value for c in ws[1]]


def refused_import(client):
    bad = family("5303241002010002", n=10)
    bad[1][STANDARD_HEADERS.index("性别")] = "男"  # the wife's ID says female
    upload(client, [STANDARD_HEADERS, *family(NUMBER, n=0), *bad])
    check = Job.objects.get(kind=JobKind.CHECK)
    client.post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "valid"})
    return check, Job.objects.get(kind=JobKind.IMPORT)


def test_a_finished_import_that_refused_households_says_so_with_the_reasons(tree, county_user):
    client = login(county_user)
    check, job = refused_import(client)
    assert job.state_text() == "已完成，1 户未导入"
    page = client.get(reverse("sheets:job", args=[job.pk])).content.decode()
    assert "已完成，1 户未导入" in page and "未导入的户及原因" in page
    assert "5303241002010002" in page and "性别" in page
    index = client.get(reverse("sheets:index")).content.decode()
    assert "已完成，1 户未导入" in index and "已完成，1 户有错误" in index


def test_after_an_import_the_page_says_what_happened(tree, county_user):
    client = login(county_user)
    check, job = refused_import(client)
    after = client.get(reverse("sheets:job", args=[job.pk])).content.decode()
    assert "已发生的变化" in after and "将要发生的变化" not in after
    before = client.get(reverse("sheets:job", args=[check.pk])).content.decode()
    assert "将要发生的变化" in before
