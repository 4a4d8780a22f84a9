"""``fupin import FILE``: import the standard flat sheet (.xlsx or .csv) from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.sheets import errorsheet
from fupin.sheets.importer import ERROR, ImportRefused, ImportResult, Plan, apply_plan, plan_import
from fupin.sheets.reader import SheetError, Table, read_table

#: Problems printed on the terminal; the rest are in the --errors sheet.
SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = ("导入标准格式的贫困户信息表（.xlsx 或 .csv，每行一名成员）。有任何被拒绝的行时退出码非 0。"
            " / Import the standard flat sheet; exit status 1 when anything was refused.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--area", help="只导入该区划（代码）内的户，其他户拒绝")
        parser.add_argument("--user", help="以该账号的身份和管辖范围导入（默认：系统，全部区划）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将发生的变化，不写入")
        parser.add_argument("--all-or-nothing", action="store_true", help="只要有一户有错误，就什么也不导入")
        parser.add_argument("--errors", help="把错误说明表（原表加“错误说明”列、标出错误单元格）写到此文件")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, file: str, area: str | None, user: str | None, dry_run: bool,
               all_or_nothing: bool, errors: str | None, no_progress: bool, **options: Any) -> None:
        actor = _actor(user)
        restrict = _area(area)
        table = _read(file)
        path = Path(file)

        bar = tqdm(total=1, unit="户", disable=True if no_progress else None, file=sys.stderr, delay=0.5,
                   bar_format="{desc} {percentage:3.0f}%|{bar}| {n:,.0f}/{total:,.0f} 户 [{elapsed}<{remaining}]")

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        bar.set_description("检查")
        plan = plan_import(table, actor=actor, area=restrict, progress=progress)
        c = plan.counts()
        bar.clear()
        self._report_plan(path, table, plan, c, errors)

        refused = c.get("refused", 0) > 0 or any(p.level == ERROR and p.row is not None and not p.number
                                                 for p in plan.problems)
        file_refused = any(p.level == ERROR and p.row is None for p in plan.problems)
        if file_refused:
            bar.close()
            raise CommandError(plan.problems[0].message)
        if dry_run:
            bar.close()
            self.stdout.write("  试运行（--dry-run）：未写入任何数据")
            if refused:
                sys.exit(1)
            return
        bar.set_description("写入")
        try:
            result = apply_plan(plan, actor=actor, mode="all" if all_or_nothing else "valid", progress=progress)
        except ImportRefused as exc:
            bar.close()
            self.stderr.write(str(exc))
            sys.exit(1)
        except DatabaseError as exc:
            # The connection was cut (the database restarted, an administrator ended the session): the
            # import is one transaction, so nothing of it was written.
            bar.close()
            self.stderr.write(f"数据库连接中断，未导入任何数据（导入在一个事务中，已全部撤回）：{exc}".strip())
            sys.exit(1)
        bar.close()
        self._report_result(result)
        if refused:
            sys.exit(1)

    def _report_plan(self, path: Path, table: Table, plan: Plan, c: dict[str, int], errors: str | None) -> None:
        """What the import would do, the first 50 problems, and the error sheet when asked for."""
        w = self.stdout.write
        w(f"{path.name}：工作表“{table.sheet_name}”，表头在第 {table.header_row} 行，{c['rows']:,} 行成员，"
          f"{c['households']:,} 户")
        if table.unknown_headers:
            w("  未识别、不导入的列：" + "、".join(h for _i, h in table.unknown_headers))
        if table.skipped:
            w(f"  跳过 {len(table.skipped):,} 行（空行或合计行）")
        w(f"  新增 {c.get('create', 0):,} 户，修改 {c.get('update', 0):,} 户，未变 {c.get('unchanged', 0):,} 户，"
          f"有错误 {c.get('refused', 0):,} 户")
        w(f"  新增成员 {c.get('members_new', 0):,} 人，修改成员 {c.get('members_changed', 0):,} 人，"
          f"系统中有、表中没有的成员 {c.get('members_missing', 0):,} 人（未删除）")
        problems = plan.all_problems()
        for p in problems[:SHOWN_PROBLEMS]:
            where = f"第 {p.row} 行" if p.row else "全表" if not p.number else f"户 {p.number}"
            col = f"【{p.header}】" if p.header else ""
            kind = "错误" if p.level == ERROR else "提示"
            w(f"  {kind} {where}{col}：{p.message}")
        if len(problems) > SHOWN_PROBLEMS:
            w(f"  …… 共 {c['errors']:,} 处错误、{c['warnings']:,} 处提示" + ("，详见 --errors 文件" if errors else
                                                                       "，用 --errors FILE 导出全部"))
        if errors:
            errorsheet.write_error_sheet(plan, errors)
            w(f"  错误说明表已写入 {errors}")

    def _report_result(self, result: ImportResult) -> None:
        self.stdout.write(self.style.SUCCESS(
            f"已导入：新增 {result.created:,} 户、修改 {result.updated:,} 户、未变 {result.unchanged:,} 户；"
            f"新增成员 {result.members_created:,} 人、修改成员 {result.members_updated:,} 人；"
            f"年度收入新增 {result.yearly_created:,} 条、修改 {result.yearly_updated:,} 条"))
        if result.findings:
            self.stdout.write(f"数据质量疑点 {result.findings:,} 条已保存，请在“数据质量”页面（或 fupin quality check）查看核实；疑点不影响导入")
        if result.refused:
            self.stderr.write(f"有 {result.refused:,} 户因错误未导入")


def _actor(username: str | None) -> User | None:
    """The account named by --user (None: the system, every area)."""
    if not username:
        return None
    actor = User.objects.filter(username=username, is_active=True).select_related("area").first()
    if actor is None:
        raise CommandError(f"账号 {username} 不存在或已停用")
    return actor


def _area(code: str | None) -> Area | None:
    """The area named by --area (None: no restriction)."""
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise CommandError(f"区划代码 {code} 不存在")
    return area


def _read(file: str) -> Table:
    path = Path(file)
    if not path.exists():
        raise CommandError(f"文件 {file} 不存在")
    try:
        with path.open("rb") as fh:
            return read_table(fh, path.name)
    except SheetError as exc:
        raise CommandError(exc.message) from exc
