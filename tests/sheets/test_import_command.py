"""``fupin import FILE``: dry run, exit status, all-or-nothing, error sheet, --area, --user."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from fupin.audit.models import AuditEvent
from fupin.registry.models import Household
from tests.sheets.builders import STANDARD_HEADERS, build_xlsx
from tests.sheets.test_import import B1, family

pytestmark = pytest.mark.django_db


def sheet_with_one_bad(tmp_path):
    bad = family("5303241002010002", n=10)
    bad[1][STANDARD_HEADERS.index("性别")] = "男"
    return build_xlsx(tmp_path / "乡镇.xlsx", [["标题"], STANDARD_HEADERS, *family("5303241002010001", n=0), *bad])


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import", *map(str, args), "--no-progress", stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_dry_run_reports_and_writes_nothing_exit_1_when_refused(tree, tmp_path):
    code, out, _err = run(sheet_with_one_bad(tmp_path), "--dry-run")
    assert code == 1
    assert "新增 1 户" in out and "有错误 1 户" in out and "第 6 行【性别】" in out and "未写入" in out
    assert Household.objects.count() == 0


def test_import_writes_the_valid_households_and_exits_1(tree, tmp_path):
    code, out, err = run(sheet_with_one_bad(tmp_path))
    assert code == 1 and "已导入：新增 1 户" in out and "1 户因错误未导入" in err
    assert list(Household.objects.values_list("number", flat=True)) == ["5303241002010001"]
    assert AuditEvent.objects.filter(kind="import", actor_name="system").exists()


def test_all_or_nothing_writes_nothing(tree, tmp_path):
    code, _out, err = run(sheet_with_one_bad(tmp_path), "--all-or-nothing")
    assert code == 1 and "未导入任何数据" in err
    assert Household.objects.count() == 0


def test_a_clean_sheet_exits_0_and_a_second_run_changes_nothing(tree, tmp_path):
    path = build_xlsx(tmp_path / "ok.xlsx", [STANDARD_HEADERS, *family("5303241002010001", n=0)])
    assert run(path)[0] == 0
    code, out, _err = run(path)
    assert code == 0 and "未变 1 户" in out and "新增 0 户" in out


def test_error_sheet_and_area_and_user_scope(tree, tmp_path, township_a_user):
    errors = tmp_path / "errors.xlsx"
    rows = [STANDARD_HEADERS, *family("5303241002010001", n=0), *family("5303241012010001", village=B1, n=10)]
    path = build_xlsx(tmp_path / "two.xlsx", rows)
    code, out, _err = run(path, "--user", "township_a", "--errors", errors, "--dry-run")
    assert code == 1 and "不在您的管辖范围内" in out
    book = load_workbook(errors)
    assert book.worksheets[0].cell(row=1, column=len(STANDARD_HEADERS) + 1).value == "错误说明"
    code, out, _err = run(path, "--area", "530324100000")  # 甲乡 only
    assert code == 1 and Household.objects.count() == 1


def test_bad_arguments_are_command_errors(tree, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("import", str(tmp_path / "missing.xlsx"))
    with pytest.raises(CommandError, match="账号"):
        call_command("import", str(tmp_path / "x.xlsx"), "--user", "nobody")
    (tmp_path / "empty.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="表头"):
        call_command("import", str(tmp_path / "empty.csv"), "--no-progress")


def test_a_suspicious_household_is_imported_with_a_hint_and_its_findings_counted(tree, tmp_path):
    rows = family("5303241002010001", n=0, 主要致贫原因="因病")  # nobody ill: a §6.4 疑点, not an error
    code, out, _err = run(build_xlsx(tmp_path / "疑点.xlsx", [STANDARD_HEADERS, *rows]))
    assert code == 0 and "已导入：新增 1 户" in out
    assert "提示 第 2 行【主要致贫原因】：致贫原因含“因病”" in out and "数据质量疑点 1 条已保存" in out


def test_a_database_connection_cut_mid_import_is_said_in_chinese_and_writes_nothing(tree, tmp_path, monkeypatch):
    """Issue 11 (fault run): an administrator ending the import's database session used to end the
    command with a Python traceback."""
    from django.db import OperationalError

    from fupin.sheets import importer

    def cut(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(importer, "_write_batch", cut)
    path = build_xlsx(tmp_path / "ok.xlsx", [STANDARD_HEADERS, *family("5303241002010001", n=0)])
    code, _out, err = run(path)
    assert code == 1 and "数据库连接中断，未导入任何数据" in err
    assert Household.objects.count() == 0
