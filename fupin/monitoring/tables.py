"""The standard statistical tables of an area (issue 14 item 5), as one .xlsx workbook: the county's
report forms. Every number comes from fupin.monitoring.figures (the same as the dashboard, the
household list and /api/stats/), as of the year's end (today for the current year).

Sheets:
1. 贫困户和人口 — households and people by area of the level below and by status;
2. 历年脱贫 — exits and returns by year against the targets;
3. 监测对象 — monitoring objects by kind and by main risk type, risk open vs eliminated;
4. 帮扶措施 — the year's measures by sector (measures, households helped, amounts).

``workbook(*, user, area, year) -> bytes`` is the signature the year-end archive (fupin.monitoring.
archive) calls.
"""

from __future__ import annotations

import datetime
import io
from typing import TYPE_CHECKING, Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.registry import selectors as registry_selectors
from fupin.registry.choices import Status

from . import figures

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User
    from fupin.areas.models import Area


def as_of(year: int) -> datetime.date | None:
    """The date a year's tables are as of: its 31 December, or today (None) for the current year."""
    today = timezone.localdate()
    return None if year >= today.year else datetime.date(year, 12, 31)


def workbook(*, user: User | AnonymousUser, area: Area, year: int) -> bytes:
    on = as_of(year)
    children = list(registry_selectors.browse_area_children(user=user, area=area))
    data = figures.dashboard(user=user, area=area, on=on, children=children)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    f_title = book.add_format({"bold": True, "font_size": 14})
    f_head = book.add_format({"bold": True, "bg_color": "#e8eef7", "border": 1, "text_wrap": True, "align": "center",
                              "valign": "vcenter"})
    f_cell = book.add_format({"border": 1})
    f_num = book.add_format({"border": 1, "num_format": "#,##0"})
    f_dec = book.add_format({"border": 1, "num_format": "#,##0.00"})
    f_note = book.add_format({"italic": True, "font_color": "#5f6b7a"})
    when = on.isoformat() if on else timezone.localdate().isoformat()
    subtitle = _("%(a)s · 数据截至 %(d)s · 来源：看板统计（与贫困户名册、统计接口同口径）") % {"a": area.name, "d": when}

    def sheet(name: str, title: str, head: list[str], rows: list[list[Any]], widths: list[int]) -> None:
        ws = book.add_worksheet(name)
        ws.write(0, 0, title, f_title)
        ws.write(1, 0, subtitle, f_note)
        for i, h in enumerate(head):
            ws.write(3, i, h, f_head)
        for r, row in enumerate(rows, start=4):
            for i, v in enumerate(row):
                fmt = f_dec if isinstance(v, float) else (f_num if isinstance(v, int) else f_cell)
                if v is None:
                    ws.write_blank(r, i, None, f_cell)
                else:
                    ws.write(r, i, v, fmt)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        ws.freeze_panes(4, 1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)

    # 1. households and people by area and status
    statuses = list(Status)
    head = [_("区划")]
    for s in statuses:
        head += [_("%s（户）") % s.label, _("%s（人）") % s.label]
    head += [_("在册户"), _("在册人口")]

    def status_row(name: str, status: list[figures.Fig], register: figures.Fig) -> list[Any]:
        row: list[Any] = [name]
        for f in status:
            row += [f.households, f.people]
        return [*row, register.households, register.people]

    rows = [status_row(c["area"].name, c["status"], c["households"]) for c in data["children"]]
    rows.append(status_row(_("合计：%s") % area.name, data["status"], data["headline"]["households"]))
    sheet(_("贫困户和人口"), _("建档立卡贫困户和人口（按区划、户状态）"), head, rows, [18] + [11] * (len(head) - 1))

    # 2. exits by year against targets
    def num(v: Any) -> float | None:
        return float(v) if v is not None else None

    rows = [[e["year"], e["exits"].households, e["exits"].people, num(e["target_households"]),
             num(e["target_people"]), e["returns"].households, e["returns"].people, num(e["return_cap"])]
            for e in data["exits"]]
    sheet(_("历年脱贫"), _("历年脱贫与返贫（对照目标任务）"),
          [_("年度"), _("脱贫户"), _("脱贫人口"), _("目标户数"), _("目标人数"), _("返贫户"), _("返贫人口"), _("返贫人数上限")],
          rows, [8, 10, 10, 10, 10, 10, 10, 12])

    # 3. monitoring objects by kind and risk: households and their people
    def mon_row(label: str, at_risk: figures.Fig, cleared: figures.Fig, total: bool = True) -> list[Any]:
        return [label, at_risk.households, at_risk.people, cleared.households, cleared.people,
                at_risk.households + cleared.households if total else None,
                (at_risk.people or 0) + (cleared.people or 0) if total else None]

    rows = [mon_row(k["label"], k["at_risk"], k["cleared"]) for k in data["monitoring"]["kinds"]]
    rows.append(mon_row(_("合计（不重复）"), data["headline"]["at_risk"], data["headline"]["cleared"], total=False))
    rows.append(["", None, None, None, None, None, None])
    rows.append([_("主要风险类型"), _("风险未消除（户）"), _("风险未消除（人）"), _("风险已消除（户）"),
                 _("风险已消除（人）"), _("合计（户）"), _("合计（人）")])
    rows += [mon_row(r["label"], r["at_risk"], r["cleared"]) for r in data["monitoring"]["risks"]]
    sheet(_("监测对象"), _("防返贫监测对象（按类别、主要风险类型）"),
          [_("监测对象类别"), _("风险未消除（户）"), _("风险未消除（人）"), _("风险已消除（户）"), _("风险已消除（人）"),
           _("合计（户）"), _("合计（人）")], rows, [22, 14, 14, 14, 14, 12, 12])

    # 4. measures by sector
    measures = figures.measures_by_sector(user=user, area=area, year=year, on=on)
    rows = [[m["label"], m["measures"], m["fig"].households, float(m["amount"])] for m in measures]
    rows.append([_("合计"), sum(m["measures"] for m in measures), None, float(sum(m["amount"] for m in measures))])
    sheet(_("帮扶措施"), _("%s 年帮扶措施（按责任部门）") % year,
          [_("责任部门"), _("措施数"), _("受益户数"), _("金额（元）")], rows, [16, 10, 10, 14])
    book.close()
    return buffer.getvalue()
