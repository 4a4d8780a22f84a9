"""``fupin cards --area CODE [--user NAME] --out FILE.pdf``: the 明白卡 of every registered or monitored
household in the area, one A4 page each, in one PDF (fupin.assistance.cards.print_area: a village at a
time, joined). Scoped like every read: ``--user`` prints the households that user sees and refuses an
``--area`` outside their scope (the same message as an unknown code); without it the command runs as
the system. Each village's print issues the versions and is audited as an export."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from fupin.accounts import policy
from fupin.assistance import cards
from fupin.documents.render import UnprintableText
from fupin.sheets.management.commands.export import resolve_area, resolve_user

HELP = """\
打印明白卡（REFERENCE §8）：区划内每个建档立卡户和监测户一张 A4，合成一个 PDF 文件。
卡面数据有变化的户印制新版本（“第 N 版，替换旧卡”），未变化的户按原版本重印。

  fupin cards --area 530324201205 --out 油房村明白卡.pdf            以系统身份打印该村
  fupin cards --area 530324 --user county --out 罗平县明白卡.pdf     以该用户的身份和管辖范围打印
"""


class Command(BaseCommand):
    help = _("打印明白卡：区划内每户一张 A4，合成一个 PDF，记入审计日志。")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = HELP
        return parser

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--area", metavar="CODE", required=True, help=_("打印该区划（代码）及其下级各户的明白卡"))
        parser.add_argument("--user", metavar="USERNAME", help=_("以该用户的身份和管辖范围打印（默认：系统，全部数据）"))
        parser.add_argument("--out", metavar="FILE.pdf", required=True, help=_("输出的 PDF 文件"))
        parser.add_argument("--no-progress", action="store_true", help=_("不显示进度条"))

    def handle(self, *args: Any, area: str, user: str | None, out: str, no_progress: bool, **options: Any) -> None:
        path = Path(out)
        if path.suffix.lower() != ".pdf":
            raise CommandError(_("输出文件应以 .pdf 结尾：%(path)s") % {"path": out})
        if not path.parent.is_dir():
            raise CommandError(_("目录不存在：%(dir)s") % {"dir": path.parent})
        actor = resolve_user(user)
        where = resolve_area(actor, area)
        households = policy.visible_households(actor).filter(area_path__startswith=where.path)
        total = sum(n for _v, n in cards.village_paths(households))
        if not total:
            raise CommandError(_("%(area)s 没有可打印明白卡的户（建档立卡户或监测户）") % {"area": where.name})
        started = time.monotonic()
        bar = tqdm(total=total, unit=_("张"), disable=True if no_progress else None, file=sys.stderr, delay=0.5,
                   bar_format="{desc} {percentage:3.0f}%|{bar}| {n:,.0f}/{total:,.0f} [{elapsed}<{remaining}]")
        bar.set_description(_("打印明白卡"))

        def report(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        try:
            printed = cards.print_area(user=actor if actor.pk else None, households=households, out=path,
                                       area_path=where.path, report=report)
        except UnprintableText as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        finally:
            bar.close()
        elapsed = time.monotonic() - started
        self.stdout.write(_("明白卡 %(n)s 张（%(v)s 个村）：新版本 %(new)s 张，原版本重印 %(same)s 张；"
                            "用时 %(t).1f 秒（每秒 %(rate).1f 张）→ %(out)s") % {
            "n": printed.count, "v": printed.villages, "new": printed.new, "same": printed.reprinted,
            "t": elapsed, "rate": printed.count / elapsed if elapsed else 0, "out": path})
