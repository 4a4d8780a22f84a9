"""``fupin credit_subsidy [--area CODE] [--user NAME] [--on YYYY-MM-DD] [--dry-run]``: pay the interest
subsidy (贴息) of every period whose interest the household has paid and whose subsidy is not paid yet,
for the loans in the area (default: the user's whole scope). Each payment is its own transaction with its
audit row; safe to re-run (a paid period is never paid again: one payment per period, in the database).
``--user`` acts as that user (their scope and capability ``credit_subsidy``); without it, as the system."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.credit import selectors, services
from fupin.credit.money import shown
from fupin.sheets.management.commands.export import resolve_area, resolve_user


class Command(BaseCommand):
    help = "扶贫小额信贷贴息：按期拨付借款户已付息、尚未贴息的各期贴息"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", metavar="CODE", help="区划代码（默认：用户的整个辖区）")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份办理（其管辖范围和权限）")
        parser.add_argument("--on", help="拨付日期（默认今天），YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="只列出应拨付的各期，不拨付")

    def handle(self, *args: Any, area: str | None, user: str | None, on: str | None, dry_run: bool,
               **options: Any) -> None:
        actor = resolve_user(user)
        place = resolve_area(actor, area)
        try:
            day = datetime.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError as exc:
            raise CommandError(_("日期“%(d)s”格式应为 YYYY-MM-DD") % {"d": on}) from exc
        loans = selectors.loans_for(actor)
        if place is not None:
            loans = loans.filter(area_path__startswith=place.path)
        due = services.subsidy_payable(loans, day)
        total = sum((i.subsidy for i in due), Decimal("0"))
        self.stdout.write(_("应拨付贴息 %(n)d 期，合计 %(t)s 元") % {"n": len(due), "t": shown(total)})
        if dry_run:
            return
        who = actor if actor.pk is not None else None
        paid = 0
        for inst in due:
            try:
                services.subsidy_pay(actor=who, installment=inst, paid_on=day)
                paid += 1
            except (PermissionDenied, ValidationError) as exc:
                raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(_("已拨付 %(n)d 期") % {"n": paid})
