"""``fupin funds reconcile [--area CODE] [--year YYYY]``: print the fund ledger's totals at every level
(source, project, payment, household) and exit non-zero, naming each break, when anything does not add
up (fupin.projects.reconcile). ``fupin funds negative-seed``: add the seeded negative list's entries that
are missing (the migration seeds them; after a flush, run this)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fupin.areas.models import Area

from ... import reconcile
from ...services_funds import negative_seed


class Command(BaseCommand):
    help = "项目资金：reconcile 对账（各级合计，不符时非零退出并指出断点）；negative-seed 补齐负面清单"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("reconcile", help="对账：资金来源 → 项目 → 支付 → 到户")
        rec.add_argument("--area", help="区划代码：只对该区划内项目的资金对账")
        rec.add_argument("--year", type=int, help="资金年度")
        sub.add_parser("negative-seed", help="补齐种子负面清单")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "negative-seed":
            self.stdout.write(_("新增负面清单条目 %(n)d 条") % {"n": negative_seed()})
            return
        area = None
        if options.get("area"):
            area = Area.objects.filter(code=options["area"].strip()).first()
            if area is None:
                raise CommandError(_("区划代码 %(c)s 不存在") % {"c": options["area"]})
        report = reconcile.reconcile(area=area, year=options.get("year"))
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            self.stderr.write(_("对账不通过：%(b)s") % {"b": report.breaks[0]})
            sys.exit(1)
