"""``fupin adjust --year YYYY [--area CODE] [--user NAME] [--confirm] [--date YYYY-MM-DD]``: the yearly
dynamic adjustment from the command line — proposes (the same set-based computation as the background
job of the /adjustment/ pages), prints the counts, with ``--confirm`` confirms every proposal (each a
workflow transition, audited; a refused one is printed with its reason) and prints the reconciliation.
``--user`` acts as that user (their scope and capability ``adjust``); without it, as the system."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fupin.identification import adjustment, reconciliation
from fupin.identification.models_adjustment import ProposalKind
from fupin.sheets.management.commands.export import resolve_area, resolve_user


class Command(BaseCommand):
    help = "年度动态调整：测算新识别、脱贫、返贫、清退建议；--confirm 全部确认；并输出对账"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="调整年度")
        parser.add_argument("--area", metavar="CODE", help="区划代码（默认：用户的区划或整个辖区）")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份办理（其管辖范围和权限）")
        parser.add_argument("--confirm", action="store_true", help="确认全部建议")
        parser.add_argument("--date", help="确认的日期（默认今天），YYYY-MM-DD")

    def handle(self, *args: Any, year: int, area: str | None, user: str | None, confirm: bool, date: str | None,
               **options: Any) -> None:
        actor = resolve_user(user)
        place = resolve_area(actor, area)
        if place is None:
            from fupin.areas.selectors import area_root

            place = area_root(user=actor)
        if place is None:
            raise CommandError(_("没有可办理的区划"))
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(_("日期“%(d)s”格式应为 YYYY-MM-DD") % {"d": date}) from exc
        who = actor if actor.pk is not None else None
        try:
            run = adjustment.run_start(actor=who, year=year, area=place, background=False)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        started = time.monotonic()
        counts = adjustment.propose(run)
        self.stdout.write(_("%(y)d 年%(a)s动态调整（第 %(r)d 次）：测算 %(n)s 户，用时 %(s).1f 秒") % {
            "y": year, "a": place.name, "r": run.pk, "n": f"{counts['households']:,}",
            "s": time.monotonic() - started})
        seconds = counts.get("seconds", {})
        for kind in adjustment.KIND_ORDER:
            self.stdout.write(_("  %(k)s：%(n)s 户（计算 %(s).1f 秒）") % {
                "k": ProposalKind(kind).label, "n": f"{counts[kind.value]:,}", "s": seconds.get(kind.value, 0)})
        for note in counts["notes"]:
            self.stdout.write(_("  说明：%(n)s") % {"n": note})
        if confirm:
            try:
                outcome = adjustment.proposals_confirm(actor=who, run=run, date=day)
            except (PermissionDenied, ValidationError) as exc:
                raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
            self.stdout.write(_("已确认 %(a)s 户；未能确认 %(b)s 户") % {
                "a": f"{outcome.confirmed:,}", "b": f"{len(outcome.refused):,}"})
            for name, why in outcome.refused:
                self.stdout.write(f"  {name}：{why}")
        self.stdout.write(reconciliation.as_text(reconciliation.reconcile(place, year)))
