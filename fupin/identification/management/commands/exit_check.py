"""``fupin exit-check --year YYYY [--area CODE] [--user NAME] [--out FILE.csv|.xlsx]``: the exit check
(REFERENCE §4, 一超两不愁三保障) of every household in scope that has not exited — the conclusion, each
failed criterion by name, the per-capita net income, the line used and the rule set's version.

Scoped like every read: ``--user`` checks the households that user sees and refuses an ``--area`` outside
their scope; without it the command runs as the system over everything. A written file is audited.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from fupin.accounts import policy
from fupin.areas.models import Area
from fupin.audit.services import audit_export
from fupin.identification import exitcheck
from fupin.sheets.management.commands.export import actor_text, resolve_area, resolve_user

HELP = """\
按“一超两不愁三保障”（REFERENCE §4）逐户核查尚未脱贫的贫困户（贫困户(未脱贫)和返贫）能否退出：
每户的结论（可退出 / 不可退出）、未达标的各项、人均纯收入、所用扶贫标准和规则集版本。

  fupin exit-check --year 2020                         全部区划（以系统身份）
  fupin exit-check --year 2020 --area 530324           只核查该区划及其下级
  fupin exit-check --year 2020 --user county           以该用户的身份和管辖范围核查
  fupin exit-check --year 2020 --out 退出核查.xlsx      另存为 .xlsx 或 .csv（记入审计日志）
  fupin exit-check --year 2020 --all                   核查全部在册户（含已脱贫户，回头看）
"""


class Command(BaseCommand):
    help = _("退出核查：逐户判断能否按“一超两不愁三保障”退出，并列出未达标项。")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        parser = super().create_parser(prog_name, "exit-check", **kwargs)
        parser.description = HELP
        return parser

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True, metavar="YYYY", help=_("核查年度（收入和标准的年度）"))
        parser.add_argument("--area", metavar="CODE", help=_("只核查该区划（代码）及其下级"))
        parser.add_argument("--user", metavar="USERNAME", help=_("以该用户的身份和管辖范围核查（默认：系统，全部数据）"))
        parser.add_argument("--out", metavar="FILE", help=_("把逐户结果另存为 .csv 或 .xlsx 文件"))
        parser.add_argument("--all", action="store_true", dest="register",
                            help=_("核查全部在册户（含已脱贫户，回头看），而不只是未脱贫户"))
        parser.add_argument("--no-progress", action="store_true", help=_("不显示进度条"))

    def handle(self, *args: Any, year: int, area: str | None, user: str | None, out: str | None, register: bool,
               no_progress: bool, **options: Any) -> None:
        if not 2000 <= year <= 2100:
            raise CommandError(_("年度应在 2000–2100 之间：%(y)s") % {"y": year})
        path = Path(out) if out else None
        kind = path.suffix.lower().lstrip(".") if path else ""
        if path is not None:
            if kind not in (exitcheck.CSV, exitcheck.XLSX):
                raise CommandError(_("输出文件应以 .csv 或 .xlsx 结尾：%(path)s") % {"path": out})
            if not path.parent.is_dir():
                raise CommandError(_("目录不存在：%(dir)s") % {"dir": path.parent})
        actor = resolve_user(user)
        where = resolve_area(actor, area) or actor.area
        scope = exitcheck.REGISTER if register else exitcheck.POOR
        households = policy.visible_households(actor)
        inside = households if where is None else households.filter(area_path__startswith=where.path)
        total = exitcheck.households_in_scope(inside, scope).count()
        started = time.monotonic()
        bar = tqdm(total=total, unit=_("户"), disable=True if no_progress else None, file=sys.stderr, delay=0.5,
                   bar_format="{desc} {percentage:3.0f}%|{bar}| {n:,.0f}/{total:,.0f} [{elapsed}<{remaining}]")
        bar.set_description(_("退出核查"))
        tally = Tally()
        rows = tally.count(exitcheck.exit_check_rows(households, year, area=where, scope=scope), bar)
        try:
            if path is None:
                for _row in rows:
                    pass
            else:
                self._write(rows, path, kind)
        finally:
            bar.close()
        elapsed = time.monotonic() - started
        self._summary(tally, year, where, scope, elapsed, path)
        if path is not None:
            with transaction.atomic():
                audit_export(actor=actor, entity="identification.exit_check",
                             area_path=(where or Area(path="")).path,
                             summary=(_("导出退出核查 %(y)d 年 %(n)s 户：%(where)s") % {
                                 "y": year, "n": tally.total, "where": area_text(where)})[:200],
                             data={"kind": "exit_check", "year": year, "households": tally.total,
                                   "exitable": tally.exitable, "file": path.name, "path": str(path.resolve()),
                                   "filters": {"area": where.code if where else None, "user": user or None,
                                               "scope": scope}, "by": actor_text(actor)})

    def _write(self, rows: Iterator[exitcheck.ExitRow], path: Path, kind: str) -> None:
        # Written beside the target and renamed at the end: an interrupted run leaves no half file.
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".{kind}.part", dir=path.parent)
        os.close(fd)
        try:
            if kind == exitcheck.CSV:
                with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                    exitcheck.write_csv(rows, f)
            else:
                exitcheck.write_xlsx(rows, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _summary(self, tally: Tally, year: int, where: Area | None, scope: str, elapsed: float,
                 path: Path | None) -> None:
        w = self.stdout.write
        w(self.style.SUCCESS(_("%(y)d 年退出核查：%(where)s，%(scope)s") % {
            "y": year, "where": area_text(where), "scope": exitcheck.SCOPES[scope]}))
        w(_("  核查户数：%(n)s") % {"n": f"{tally.total:,}"})
        w(_("  可退出：%(n)s 户") % {"n": f"{tally.exitable:,}"})
        w(_("  不可退出：%(n)s 户") % {"n": f"{tally.not_exitable:,}"})
        for label, n in tally.failed.most_common():
            w(f"    {label}：{n:,}")
        for reason, n in tally.undecided.items():
            w(_("  不可判定（%(r)s）：%(n)s 户") % {"r": reason, "n": f"{n:,}"})
        if path is not None:
            w(_("  已写入：%(path)s（已记入审计日志）") % {"path": path})
        w(_("  用时 %(s).1f 秒") % {"s": elapsed})


def area_text(area: Area | None) -> str:
    if area is None:
        return _("全部区划")
    return f"{area.full_name() or area.name}（{area.code}）"


class Tally:
    """The summary counted as the rows stream past."""

    def __init__(self) -> None:
        self.total = self.exitable = self.not_exitable = 0
        self.failed: Counter[str] = Counter()
        self.undecided: Counter[str] = Counter()

    def count(self, rows: Iterator[exitcheck.ExitRow], bar: tqdm) -> Iterator[exitcheck.ExitRow]:
        for row in rows:
            self.total += 1
            if row.exitable is None:
                self.undecided[row.problem] += 1
            elif row.exitable:
                self.exitable += 1
            else:
                self.not_exitable += 1
                self.failed.update(row.failed)
            bar.update(1)
            yield row
