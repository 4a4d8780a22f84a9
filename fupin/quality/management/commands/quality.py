"""``fupin quality check [--area CODE]``: recompute the REFERENCE §6 findings of every household.

A thin shell around :func:`fupin.quality.services.refresh_findings` (the function the importer and
the forms use); safe to run again at any time: each household's open findings are replaced by what
the rules find now, and findings a cadre resolved stay resolved while their values are unchanged.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fupin.areas.models import Area
from fupin.registry.models import Household

from ...models import Category, Source
from ...rules import RULES
from ...services import refresh_findings

HELP = """\
按全国数据清洗规则（REFERENCE §6）核查贫困户数据，把发现的疑点保存为数据质量疑点（在户页面和
“数据质量”页面查看）。疑点只是提示干部核实，不改变任何登记数据。

  fupin quality check                全部贫困户
  fupin quality check --area CODE    只核查该区划（县、乡镇、村或村民小组的代码）内的户

可以随时重复运行：每户未处理的疑点会按当前数据重新生成；已处理的疑点在相关数值不变时不再提示。
"""


class Command(BaseCommand):
    help = "核查数据质量（REFERENCE §6）并保存疑点。"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = HELP
        return parser

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="check")
        check = sub.add_parser("check", help="核查并保存疑点", description=HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        check.add_argument("--area", metavar="CODE", help="只核查该区划内的户（区划代码）")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = Household.objects.all()
        where = "全部区划"
        if options.get("area"):
            area = Area.objects.filter(code=options["area"].strip()).first()
            if area is None:
                raise CommandError(f"区划代码 {options['area']} 不存在")
            qs = qs.filter(area_path__subtree=area.path)
            where = f"{area.full_name()}（{area.code}）"
        ids = list(qs.order_by("pk").values_list("pk", flat=True))
        self.stdout.write(f"核查 {where}：{len(ids):,} 户")
        started = time.monotonic()
        tty = sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            if tty:
                width = 30
                filled = width * done // max(total, 1)
                self.stdout.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} 户", ending="")
                self.stdout.flush()
            elif done == total or done % 9000 == 0:
                self.stdout.write(f"  {done:,}/{total:,} 户")

        counts = refresh_findings(ids, source=Source.CHECK, progress=progress)
        if tty and ids:
            self.stdout.write("")
        total = sum(counts.values())
        self.stdout.write(f"发现疑点 {total:,} 条，用时 {time.monotonic() - started:.1f} 秒")
        for code, rule in RULES.items():
            if counts.get(code):
                self.stdout.write(f"  {Category(rule.category).label}｜{rule.title}：{counts[code]:,}")
