"""Standard statistical tables (issue 14 item 5) — STAND-IN on the archive branch.

The dashboards helper (dash) writes the real module with the county's report forms; the archive only
relies on the signature ``workbook(*, user, area, year) -> bytes``. This stand-in writes one honest sheet:
households and people of ``area`` (inside the user's scope) by status as they are today, counted as
fupin.registry.counts counts them. The lead takes dash's module at merge.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import xlsxwriter
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.registry import counts
from fupin.registry.choices import Status

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area


def workbook(*, user: User | None, area: Area, year: int) -> bytes:
    """The tables of ``area`` for ``year`` as .xlsx bytes (``user`` None: the system, everything)."""
    households = policy.visible_households(user) if user is not None else _all_households()
    rows = {r["status"]: r for r in households.filter(area_path__startswith=area.path).values("status")
            .annotate(households=Count("pk"), people=Sum("member_count")).order_by()}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("户数人数"))
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, _("%(a)s %(y)d 年 按户状态统计（当前状态，%(t)s）") % {
        "a": area.name, "y": year, "t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, bold)
    for col, header in enumerate((_("户状态"), _("户数"), _("人数"), _("计入在册户"))):
        sheet.write_string(2, col, header, bold)
    row = 3
    total_h = total_p = 0
    for status in Status:
        r = rows.get(status.value, {})
        h, p = r.get("households", 0), r.get("people") or 0
        in_register = counts.counts_in_register(status.value)
        sheet.write_string(row, 0, str(status.label))
        sheet.write_number(row, 1, h)
        sheet.write_number(row, 2, p)
        sheet.write_string(row, 3, _("是") if in_register else _("否"))
        if in_register:
            total_h, total_p = total_h + h, total_p + p
        row += 1
    sheet.write_string(row, 0, str(counts.NOTES["households"]), bold)
    sheet.write_number(row, 1, total_h, bold)
    sheet.write_number(row, 2, total_p, bold)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 3, 12)
    book.close()
    return buffer.getvalue()


def _all_households():
    from fupin.registry.models import Household

    return Household.objects.all()
