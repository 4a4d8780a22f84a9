"""`fupin areas import FILE.csv [--dry-run]` and `fupin areas tree [CODE]`.

Errors are reported as CommandError (exit status 1 on the command line), consistently.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

import fupin.areas
from fupin.areas.management.commands.areas import Command
from fupin.areas.models import Area, AreaDesignation, DesignationKind, Level
from fupin.audit.models import AuditEvent, AuditKind

EXAMPLE = Path(fupin.areas.__file__).parent / "data" / "example_county.csv"
HEADER = "区划代码,名称,级别,贫困认定\n"
TOP = "530000000000,云南省,省,\n530300000000,曲靖市,市,\n530324000000,罗平县,县,\n"

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("areas", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("areas", *[str(a) for a in args], stdout=io.StringIO(), stderr=err)
    return err.getvalue() + "\n" + str(excinfo.value)


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "areas.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def designations(code: str) -> set[tuple[str, int]]:
    return set(AreaDesignation.objects.filter(area__code=code).values_list("kind", "year"))


# --- the example file --------------------------------------------------------------------------


def test_the_example_file_builds_the_county_tree():
    out, err = run("import", EXAMPLE)

    assert "新增 9 个区划" in out and "更名 0 个" in out and "未变 0 个" in out and "新增贫困认定 21 条" in out
    assert err == ""
    assert Area.objects.count() == 9
    county = Area.objects.get(code="530324000000")
    assert (county.name, county.level, county.path, county.parent.code) == ("罗平县", Level.COUNTY, "530324",
                                                                           "530300000000")
    assert Area.objects.get(code="530000000000").parent is None
    group = Area.objects.get(code="530324200201001")
    assert group.level == Level.GROUP and group.path == "530324200201001"
    assert [a.name for a in group.ancestors()] == ["云南省", "曲靖市", "罗平县", "老厂乡", "竹基村"]
    assert group.full_name() == "罗平县 / 老厂乡 / 竹基村 / 第一组"
    assert sorted(Area.objects.get(code="530324200000").children.values_list("name", flat=True)) == ["竹基村",
                                                                                                    "革乍村"]
    assert {a.path: a.level for a in Area.objects.filter(level=Level.TOWNSHIP)} == {
        "530324100": Level.TOWNSHIP, "530324200": Level.TOWNSHIP}


def test_the_example_file_flags_poor_villages_and_townships():
    run("import", EXAMPLE)

    years = set(range(2014, 2020))
    assert designations("530324200000") == {(DesignationKind.POOR_TOWNSHIP, y) for y in years}
    assert designations("530324200201") == {(DesignationKind.POOR_VILLAGE, y) for y in years}
    assert designations("530324200202") == {(DesignationKind.POOR_VILLAGE, y) for y in years} | {
        (DesignationKind.DEEP_POOR_VILLAGE, y) for y in (2017, 2018, 2019)}
    assert designations("530324100001") == set()


def test_every_created_area_and_designation_is_audited_as_the_system():
    run("import", EXAMPLE)

    created = AuditEvent.objects.filter(kind=AuditKind.CREATE)
    assert created.filter(entity="areas.area").count() == 9
    assert created.filter(entity="areas.areadesignation").count() == 21
    assert set(created.values_list("actor_name", flat=True)) == {"system"}


def test_importing_the_same_file_again_changes_nothing():
    run("import", EXAMPLE)
    events = AuditEvent.objects.count()

    out, _err = run("import", EXAMPLE)

    assert "新增 0 个区划" in out and "更名 0 个" in out and "未变 9 个" in out and "新增贫困认定 0 条" in out
    assert Area.objects.count() == 9
    assert AreaDesignation.objects.count() == 21
    assert AuditEvent.objects.count() == events


def test_a_changed_name_renames_the_area_and_audits_before_and_after(tmp_path):
    run("import", EXAMPLE)
    changed = EXAMPLE.read_text(encoding="utf-8").replace("竹基村", "竹基新村")

    out, _err = run("import", write(tmp_path, changed))

    assert "更名 1 个" in out and "未变 8 个" in out and "新增 0 个区划" in out
    village = Area.objects.get(code="530324200201")
    assert village.name == "竹基新村"
    event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="areas.area", entity_id=str(village.pk))
    assert event.data["changes"] == {"name": {"before": "竹基村", "after": "竹基新村"}}


def test_new_designation_years_are_added_to_an_existing_village(tmp_path):
    run("import", EXAMPLE)
    text = HEADER + "530324200201,竹基村,行政村,贫困村:2014-2020\n"

    out, _err = run("import", write(tmp_path, text))

    assert "新增贫困认定 1 条" in out
    assert (DesignationKind.POOR_VILLAGE, 2020) in designations("530324200201")


def test_children_may_come_before_their_parents_and_parents_may_already_exist(tmp_path):
    run("import", write(tmp_path, HEADER + TOP, name="top.csv"))
    text = HEADER + "530324300201,新一村,,\n530324300000,新乡,,\n"

    out, _err = run("import", write(tmp_path, text))

    assert "新增 2 个区划" in out
    assert Area.objects.get(code="530324300201").parent.code == "530324300000"


# --- encodings -----------------------------------------------------------------------------------


def test_a_gb18030_file_is_read(tmp_path):
    path = write(tmp_path, EXAMPLE.read_text(encoding="utf-8"), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    out, _err = run("import", path)

    assert "新增 9 个区划" in out
    assert Area.objects.get(code="530324200202").name == "革乍村"
    assert designations("530324200202")


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path):
    path = write(tmp_path, EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    out, _err = run("import", path)

    assert "新增 9 个区划" in out


def test_full_width_digits_and_stray_spaces_in_codes_are_corrected(tmp_path):
    text = "区划代码,名称\n ５３００００００００００ ,云南省\n"

    run("import", write(tmp_path, text))

    assert Area.objects.get().code == "530000000000"


def test_level_words_used_in_real_sheets_are_accepted(tmp_path):
    text = HEADER + TOP + "530324100000,罗雄街道,街道,\n530324100001,九龙社区,社区,\n530324100001001,一组,组,\n"

    out, _err = run("import", write(tmp_path, text))

    assert "新增 6 个区划" in out


# --- errors: every error named by its line, nothing written, exit status 1 -----------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param("53032420020,短码村,,\n", "第 5 行：区划代码必须是 12 位数字", id="bad-code"),
        pytest.param("53032420020A,字母村,,\n", "第 5 行：区划代码必须是 12 位数字", id="letters-in-code"),
        pytest.param("5.30324E+11,科学计数,,\n", "第 5 行：区划代码必须是 12 位数字", id="excel-mangled-code"),
        pytest.param("530324900201,孤村,,\n", "第 5 行：区划 530324900201 的上级（代码前缀 530324900）", id="missing-parent"),
        pytest.param("530324200000,老厂乡,村,\n", "第 5 行：级别“村”与区划代码 530324200000（乡镇）不符",
                     id="wrong-level"),
        pytest.param("530324200000,老厂乡,,\n530324200000,老厂乡,,\n", "第 6 行：区划代码 530324200000 与第 5 行重复",
                     id="duplicate-code"),
        pytest.param("530324200000,老厂乡,,贫困村2014\n", "第 5 行：认定“贫困村2014”应写成“贫困村:2014-2019”的形式",
                     id="bad-designation-text"),
        pytest.param("530324200000,老厂乡,,富裕村:2014\n", "第 5 行：认定“富裕村:2014”", id="unknown-designation"),
        pytest.param("530324200000,老厂乡,,贫困乡镇:2019-2014\n", "第 5 行：认定“贫困乡镇:2019-2014”的年份范围不合理",
                     id="years-backwards"),
        pytest.param("530324200000,老厂乡,,贫困乡镇:1900\n", "第 5 行：认定“贫困乡镇:1900”的年份范围不合理",
                     id="year-out-of-range"),
        pytest.param("530324200000,老厂乡,,贫困村:2014\n", "第 5 行：贫困村只能认定给行政村", id="designation-wrong-level"),
        pytest.param("530324200000,,,\n", "第 5 行：名称不能为空", id="empty-name"),
        pytest.param("530324200000," + "长" * 101 + ",,\n", "第 5 行：名称超过 100 个字", id="name-too-long"),
    ],
)
def test_a_wrong_row_is_named_by_its_line_and_nothing_is_written(tmp_path, rows, expected):
    path = write(tmp_path, HEADER + TOP + rows)

    message = run_failing("import", path)

    assert expected in message
    assert "未写入任何数据" in message
    assert Area.objects.count() == 0
    assert AreaDesignation.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("530000000000,云南省\n530300000000,曲靖市\n", id="no-header-row"),
        pytest.param("代码前缀,地名\n530000000000,云南省\n", id="unknown-headers"),
        pytest.param("名称,级别\n云南省,省\n", id="no-code-column"),
    ],
)
def test_a_file_without_the_header_is_refused(tmp_path, text):
    message = run_failing("import", write(tmp_path, text))

    assert "第 1 行表头缺少列" in message
    assert Area.objects.count() == 0


def test_an_empty_file_is_refused(tmp_path):
    message = run_failing("import", write(tmp_path, ""))

    assert "文件是空的" in message


def test_every_error_in_the_file_is_listed_in_line_order(tmp_path):
    text = HEADER + "530324900201,孤村,,\n" + TOP + "bad,坏码,,\n530324200000,老厂乡,县,\n"

    message = run_failing("import", write(tmp_path, text))

    lines = [line for line in message.splitlines() if line.startswith("第 ")]
    assert [line.split("：")[0] for line in lines] == ["第 2 行", "第 6 行", "第 7 行"]
    assert "共有 3 处错误" in message
    assert Area.objects.count() == 0


def test_line_numbers_count_physical_lines_when_a_cell_spans_lines(tmp_path):
    text = HEADER + TOP.replace("云南省", '"云南\n省"') + "bad,坏码,,\n"

    message = run_failing("import", write(tmp_path, text))

    assert "第 6 行：区划代码必须是 12 位数字" in message


def test_errors_leave_areas_already_in_the_system_untouched(tmp_path):
    run("import", EXAMPLE)
    before = list(Area.objects.values_list("code", "name"))
    events = AuditEvent.objects.count()
    text = HEADER + "530324200201,竹基新村,,\n530324200209,新村,,贫困村:2014\nbad,x,,\n"

    run_failing("import", write(tmp_path, text))

    assert list(Area.objects.values_list("code", "name")) == before
    assert AuditEvent.objects.count() == events


def test_a_missing_file_is_reported():
    message = run_failing("import", "/nonexistent/areas.csv")

    assert "无法读取文件" in message


# --- dry run ---------------------------------------------------------------------------------------


def test_a_dry_run_reports_the_counts_and_writes_nothing():
    out, _err = run("import", EXAMPLE, "--dry-run")

    assert "试运行" in out and "新增 9 个区划" in out and "新增贫困认定 21 条" in out
    assert Area.objects.count() == 0
    assert AreaDesignation.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_dry_run_of_a_rename_reports_it_and_keeps_the_old_name(tmp_path):
    run("import", EXAMPLE)
    changed = EXAMPLE.read_text(encoding="utf-8").replace("竹基村", "竹基新村")

    out, _err = run("import", write(tmp_path, changed), "--dry-run")

    assert "更名 1 个" in out
    assert Area.objects.get(code="530324200201").name == "竹基村"


def test_a_dry_run_still_fails_on_errors(tmp_path):
    message = run_failing("import", write(tmp_path, HEADER + "530324900201,孤村,,\n"), "--dry-run")

    assert "第 2 行" in message


# --- the console script ------------------------------------------------------------------------------


def test_the_console_script_exits_with_status_1_and_prints_errors_to_stderr(tmp_path):
    bad = write(tmp_path, "530000000000,云南省\n")
    env = {**os.environ, "FUPIN_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    script = Path(sys.executable).with_name("fupin")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "fupin"]

    proc = subprocess.run([*command, "areas", "import", str(bad)], capture_output=True, text=True, env=env,
                          timeout=120)

    assert proc.returncode == 1
    assert "第 1 行表头缺少列" in proc.stderr
    assert "未写入任何数据" in proc.stderr
    assert proc.stdout == ""


# --- tree -------------------------------------------------------------------------------------------------


def test_the_tree_is_printed_indented_with_codes_levels_and_designations():
    run("import", EXAMPLE)

    out, _err = run("tree")

    lines = out.splitlines()
    assert lines[0] == "530000000000 云南省（省）"
    assert "    530324000000 罗平县（县）" in lines
    assert "      530324200000 老厂乡（乡镇） 贫困乡镇:2014-2019" in lines
    assert "        530324200202 革乍村（行政村） 贫困村:2014-2019；深度贫困村:2017-2019" in lines
    assert "          530324200201001 第一组（村民小组）" in lines
    # Depth-first: the group follows its own village, before the next village.
    assert lines.index("          530324200201001 第一组（村民小组）") == lines.index(
        "        530324200201 竹基村（行政村） 贫困村:2014-2019") + 1
    assert lines[-1] == "共 9 个区划"


def test_the_tree_of_one_area_starts_at_that_area():
    run("import", EXAMPLE)

    out, _err = run("tree", "530324200000")

    assert out.splitlines() == [
        "530324200000 老厂乡（乡镇） 贫困乡镇:2014-2019",
        "  530324200201 竹基村（行政村） 贫困村:2014-2019",
        "    530324200201001 第一组（村民小组）",
        "  530324200202 革乍村（行政村） 贫困村:2014-2019；深度贫困村:2017-2019",
        "共 4 个区划",
    ]


def test_the_tree_can_be_cut_at_a_depth():
    run("import", EXAMPLE)

    out, _err = run("tree", "530324000000", "--depth", "1")

    assert out.splitlines() == [
        "530324000000 罗平县（县）",
        "  530324100000 罗雄街道（乡镇）",
        "  530324200000 老厂乡（乡镇） 贫困乡镇:2014-2019",
        "共 3 个区划",
    ]


def test_gaps_in_designation_years_print_as_separate_ranges(tmp_path):
    run("import", EXAMPLE)
    run("import", write(tmp_path, HEADER + "530324100001,九龙社区,,贫困村:2014-2015；贫困村:2018\n"))

    out, _err = run("tree", "530324100001")

    assert out.splitlines()[0] == "530324100001 九龙社区（行政村） 贫困村:2014-2015；贫困村:2018"


def test_the_tree_of_an_unknown_code_is_an_error():
    message = run_failing("tree", "530324999000")

    assert "不存在" in message


def test_an_empty_tree_says_how_to_import():
    out, _err = run("tree")

    assert "fupin areas import" in out


def test_the_import_help_documents_the_file_format():
    parser = Command().create_parser("fupin", "areas")
    sub = next(a for a in parser._actions if a.dest == "action")
    help_text = sub.choices["import"].format_help()

    for word in ("区划代码", "名称", "级别", "贫困认定", "贫困村:2014-2019", "GB18030", "--dry-run",
                 "example_county.csv"):
        assert word in help_text
