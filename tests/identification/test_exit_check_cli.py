"""``fupin exit-check``: typed with the hyphen; the summary; --user scopes it and refuses an area outside;
the CSV (Excel's utf-8-sig) and the xlsx read back with the same rows; a written file is audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from fupin.__main__ import command_names, main
from fupin.audit.models import AuditEvent, AuditKind
from fupin.identification.exitcheck import COLUMNS
from fupin.registry.choices import Status
from tests.standards.helpers import YEAR, household, national_line

pytestmark = pytest.mark.django_db

HEADER = ["户编号", "户主", "乡镇", "村", "家庭人口", "人均纯收入", "扶贫标准", "结论", "未达标项", "规则集", "版本"]


@pytest.fixture
def three(tree):
    national_line()
    return {
        "a1": household(tree["village_a1"], income="9000", people=2),
        "a2": household(tree["village_a2"], income="9000", people=2, water_safe=False),
        "b1": household(tree["village_b1"], income="5000", people=2),
        "exited": household(tree["village_a1"], income="9000", people=2, status=Status.EXITED),
    }


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("exit_check", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_hyphenated_command_names():
    assert command_names(["exit-check", "--year", "2020", "--out", "a-b.csv"]) == [
        "exit_check", "--year", "2020", "--out", "a-b.csv"]
    assert command_names(["help", "exit-check"]) == ["help", "exit_check"]
    assert command_names(["--version"]) == ["--version"]
    assert command_names([]) == []


def test_main_runs_the_hyphenated_command(three, capsys):
    main(["exit-check", "--year", str(YEAR), "--no-progress"])
    out = capsys.readouterr().out
    assert "2016 年退出核查：全部区划" in out and "核查户数：3" in out


def test_summary_as_the_system(three):
    out = run("--year", str(YEAR))
    assert "核查户数：3" in out and "可退出：1 户" in out and "不可退出：2 户" in out
    assert "    一超：人均纯收入超过当年扶贫标准：1" in out and "    饮水安全：1" in out
    assert "用时" in out
    assert "核查户数：4" in run("--year", str(YEAR), "--all")
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()  # nothing written, nothing audited


def test_user_scope_and_refusal(three, township_a_user, tree, tmp_path):
    out = run("--year", str(YEAR), "--user", "township_a", "--out", str(tmp_path / "t.csv"))
    assert "核查户数：2" in out  # 甲乡: a1 and a2, not 乙乡's b1
    assert AuditEvent.objects.get(kind=AuditKind.EXPORT).actor == township_a_user
    with open(tmp_path / "t.csv", encoding="utf-8-sig") as f:
        numbers = {row["户编号"] for row in csv.DictReader(f)}
    assert numbers == {three["a1"].number, three["a2"].number}
    with pytest.raises(CommandError, match="区划 530324101000 不存在或不在用户 township_a 的管辖范围内"):
        run("--year", str(YEAR), "--user", "township_a", "--area", tree["township_b"].code)
    assert "核查户数：1" in run("--year", str(YEAR), "--user", "township_a", "--area", tree["village_a2"].code)
    with pytest.raises(CommandError, match="用户 nobody 不存在"):
        run("--year", str(YEAR), "--user", "nobody")


def test_csv_reads_back(three, tmp_path):
    out = tmp_path / "退出核查.csv"
    run("--year", str(YEAR), "--out", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADER == [str(c) for c in COLUMNS]
    body = {r[0]: r for r in rows[1:]}
    assert set(body) == {three[k].number for k in ("a1", "a2", "b1")}
    a2 = body[three["a2"].number]
    assert a2[1:8] == [three["a2"].head_name, "甲乡", "甲二村", "2", "4500.00", "2952.00", "不可退出"]
    assert a2[8:] == ["饮水安全", "国家脱贫退出标准（一超两不愁三保障）", "1"]
    assert body[three["a1"].number][7:9] == ["可退出", ""]
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.entity == "identification.exit_check" and event.data["households"] == 3
    assert not any(m.id_number in raw.decode("utf-8-sig") for h in three.values() for m in h.members.all())


def test_xlsx_reads_back(three, tmp_path):
    out = tmp_path / "退出核查.xlsx"
    text = run("--year", str(YEAR), "--out", str(out), "--all")
    assert "已写入" in text
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0] == HEADER
    body = {r[0]: r for r in rows[1:]}
    assert len(body) == 4
    b1 = body[three["b1"].number]
    assert b1[4:9] == [2, 2500, 2952, "不可退出", "一超：人均纯收入超过当年扶贫标准"]
    assert b1[10] == 1
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, entity="identification.exit_check").count() == 1


def test_bad_arguments(three, tmp_path):
    with pytest.raises(CommandError, match="应以 .csv 或 .xlsx 结尾"):
        run("--year", str(YEAR), "--out", str(tmp_path / "x.txt"))
    with pytest.raises(CommandError, match="目录不存在"):
        run("--year", str(YEAR), "--out", str(tmp_path / "none" / "x.csv"))
    assert "不可判定（当年无退出标准）：3 户" in run("--year", "2030")
