"""The project library as Excel (issue 16, life16): export in the county layout (audited), import of the
same layout (title rows and 合计 rows skipped, labels read), errors naming row and column, all or nothing."""

from __future__ import annotations

import datetime
import io

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

from fupin.audit.models import AuditEvent, AuditKind
from fupin.projects import sheets_library as sheets
from fupin.projects.models import Project
from fupin.projects.rules import Category, Stage

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "项目编号", "项目名称", "项目类别", "建设性质", "区划代码", "责任单位", "计划年度", "计划开工", "计划完工",
           "总投资（元）", "受益户数", "绩效目标"]


def book(rows: list[list], *, title: bool = True) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("项目库")
    r = 0
    if title:
        ws.write(0, 0, "罗平县2026年脱贫攻坚项目库")
        r = 1
    for c, h in enumerate(HEADERS):
        ws.write(r, c, h)
    for i, row in enumerate(rows, start=r + 1):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(i, c, v)
    wb.close()
    return out.getvalue()


def good(tree, n=1, code=""):
    return [n, code, f"甲一村项目{n}", "乡村道路畅通", "新建", tree["village_a1"].code, "县交通运输局", 2026, "2026-04-01",
            "2026年10月31日", "123456.78", 30, "新建道路|公里|2.5；受益人口|人|120"]


def test_export_county_layout_and_audited(project, county_user):
    data = sheets.export_xlsx(actor=county_user, projects=[project], title="罗平县脱贫攻坚项目库", filters={"year": 2025})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "罗平县脱贫攻坚项目库"
    assert rows[1] == [h for h, _a in sheets.COLUMNS]
    row = dict(zip(rows[1], rows[2], strict=True))
    assert row["项目编号"] == project.code and row["项目类别"] == "乡村道路畅通" and row["行政村"] == "甲一村"
    assert row["总投资（元）"] == 1200000.0 and row["项目阶段"] == "村级申报"
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT, entity="projects.project")
    assert event.actor == county_user and event.data["count"] == 1


def test_import_creates_projects_and_audits(tree, roads, county_user):
    data = book([good(tree, 1), good(tree, 2, code="LP-2026-002"), ["合计", None, None, None, None, None, None, None,
                                                                     None, None, "246913.56"]])
    result = sheets.import_xlsx(actor=county_user, data=data, filename="项目库.xlsx")
    assert len(result.created) == 2 and result.skipped
    p = Project.objects.get(code="LP-2026-002")
    assert (p.stage, p.category, p.lead, str(p.budget)) == (Stage.PROPOSED, Category.ROADS, roads, "123456.78")
    assert p.ends_on == datetime.date(2026, 10, 31) and p.targets[0]["target"] == "2.5" and p.households == 30
    assert AuditEvent.objects.filter(kind=AuditKind.IMPORT, entity="projects.project").count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.CREATE, entity="projects.project").count() == 2


def test_import_errors_name_row_and_column_and_write_nothing(tree, roads, county_user):
    bad = good(tree, 2)
    bad[3] = "修桥补路"        # 项目类别 not a choice
    bad[10] = "12.345"        # 总投资 beyond the fen
    bad[5] = "530324999999"   # 区划代码 unknown
    data = book([good(tree, 1), bad])
    with pytest.raises(ValidationError) as e:
        sheets.import_xlsx(actor=county_user, data=data)
    messages = e.value.messages
    assert any(m.startswith("第 4 行「项目类别」") for m in messages), messages
    assert any(m.startswith("第 4 行「总投资（元）」") and "两位小数" in m for m in messages)
    assert any(m.startswith("第 4 行「区划代码」") for m in messages)
    assert Project.objects.count() == 0


def test_import_outside_subtree_refused(tree, township_a_user):
    row = good(tree, 1)
    row[5] = tree["village_b1"].code
    row[6] = None
    with pytest.raises(ValidationError) as e:
        sheets.import_xlsx(actor=township_a_user, data=book([row]))
    assert "第 3 行「区划代码」：区划 乙一村 不在您的管辖范围内" in e.value.messages
    assert Project.objects.count() == 0


def test_import_duplicate_code_refused(project, county_user, tree, roads):
    row = good(tree, 1, code=project.code)
    with pytest.raises(ValidationError) as e:
        sheets.import_xlsx(actor=county_user, data=book([row], title=False))
    assert any("已在项目库中" in m and m.startswith("第 2 行「项目编号」") for m in e.value.messages)


def test_import_without_required_column(county_user):
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    wb.add_worksheet().write_row(0, 0, ["项目名称", "项目类别"])
    wb.close()
    with pytest.raises(ValidationError) as e:
        sheets.import_xlsx(actor=county_user, data=out.getvalue())
    assert "缺少必填列：区划代码、计划年度" in e.value.messages[0]


def test_export_then_import_round_trip(project, county_user, tree, roads):
    data = sheets.export_xlsx(actor=county_user, projects=[project], title="项目库", filters={})
    Project.objects.filter(pk=project.pk).update(code="OLD-1")  # free the code for the import
    result = sheets.import_xlsx(actor=county_user, data=data)
    again = result.created[0]
    assert (again.code, again.name, again.budget, again.lead, again.starts_on) == (
        project.code, project.name, project.budget, project.lead, project.starts_on)
