"""帮扶缺口 (issue 15 item 4, plan15): every gap of fupin.assistance.gaps counted per child area, each count a
link to the households behind it (the household list with ``?gap=KEY``), the overloaded cadres and the teams
below the presence rule listed; the same as .xlsx (audited as an export). Every role that sees an area sees
its gaps, counted over the households it sees."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fupin.accounts import policy
from fupin.audit.services import audit_export
from fupin.registry import selectors as registry_selectors
from fupin.web.views import no_scope

from . import gaps

if TYPE_CHECKING:
    from fupin.areas.models import Area

#: Households written to the workbook's 户清单 sheet at most (a province has a million; the counts are whole).
XLSX_HOUSEHOLDS = 50_000


def gap_url(key: str, area: Area) -> str:
    return reverse("household_list") + "?" + urlencode({"area": area.code, "gap": key, "status": "all"})


def _area(request: HttpRequest) -> Area | None:
    root = registry_selectors.browse_root(user=request.user)
    if root is None:
        return None
    code = request.GET.get("area")
    return registry_selectors.browse_area_get(user=request.user, code=code) if code else root


def _table(user: Any, area: Area, rows: list[gaps.Row] | None = None) -> dict[str, Any]:
    rows = gaps.report(user=user, area=area) if rows is None else rows
    width = gaps.child_width(area)
    children = list(registry_selectors.browse_area_children(user=user, area=area)) if width else []
    lines = []
    for child in children:
        cells = [{"n": r.by_child.get(child.path, 0), "units": (r.units_by_child or {}).get(child.path), "unit": r.gap.unit,
                  "url": gap_url(r.gap.key, child)} for r in rows]
        lines.append({"area": child, "cells": cells, "any": any(c["n"] or c["units"] for c in cells)})
    own = [{"n": r.by_child.get(area.path, 0), "url": gap_url(r.gap.key, area)} for r in rows]
    totals = [{"gap": r.gap, "n": r.total, "units": r.units, "url": gap_url(r.gap.key, area)} for r in rows]
    return {"rows": rows, "lines": lines, "own": own if any(c["n"] for c in own) else None, "totals": totals}


def _refresh_in_background(request: HttpRequest, area: Area) -> Any:
    """The area's background refresh (started now if none runs): its counts would take more than a few
    counties computed from the tables (a city or the province on a new day)."""
    return gaps.start_refresh(user=request.user, area=area,
                              params={"language": request.LANGUAGE_CODE, "ip": request.META.get("REMOTE_ADDR")})


def _background_context(request: HttpRequest, area: Area) -> dict[str, Any]:
    """The page while the area's counts are being refreshed: the latest stored counts labelled with their
    time (never as today's), or none (a progress bar only), and the job's progress."""
    from fupin.jobs import runner

    job = _refresh_in_background(request, area)
    stored = gaps.stored_report(area)
    context: dict[str, Any] = {"job": job, "progress": runner.progress_of(job), "stale": True,
                               "stored_at": stored[1] if stored else None, "rows": [], "lines": [], "own": None,
                               "totals": []}
    if stored is not None:
        context.update(_table(request.user, area, rows=stored[0]))
    return context


@login_required
@require_GET
def gaps_page(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    if area is None:
        return no_scope(request)
    user = request.user
    if not gaps.freshness(user=user, area=area).inline:
        context = _background_context(request, area)
        context.update({"area": area, "today": timezone.localdate(), "month": gaps.last_month()[0],
                        "cadres": None, "teams": None, "up": _up(user, area)})
        return render(request, "assistance/gaps.html", context)
    context = _table(user, area)
    first, _last = gaps.last_month()
    units = {r.gap.key: r.unit_ids for r in context["rows"]}
    context.update({
        "area": area, "today": timezone.localdate(), "month": first,
        "cadres": gaps.cached(user, area, "cadres",
                              lambda: gaps.overloaded_list(user=user, area=area, among=units["overload"])),
        "teams": gaps.cached(user, area, "teams",
                             lambda: gaps.teams_list(user=user, area=area, among=units["team_presence"])),
        "up": _up(user, area),
    })
    return render(request, "assistance/gaps.html", context)


def _up(user: Any, area: Area) -> Area | None:
    return area.parent if area.parent_id and policy.visible_areas(user).filter(pk=area.parent_id).exists() else None


@login_required
@require_GET
def gaps_progress(request: HttpRequest) -> HttpResponse:
    """The progress bar of the area's background refresh (polled by the page); once it is over, a reload."""
    area = _area(request)
    if area is None:
        return no_scope(request)
    from fupin.jobs.views import progress_partial

    job = gaps.refresh_job(area) if rollups_cacheable(request.user) else None
    return progress_partial(request, job, "assistance/_gaps_progress.html", {"job": job, "area": area})


def rollups_cacheable(user: Any) -> bool:
    from fupin.monitoring.rollups import cacheable

    return cacheable(user)


@login_required
@require_GET
def gaps_download(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    if area is None:
        return no_scope(request)
    if not gaps.freshness(user=request.user, area=area).inline:
        # Not minutes in a request: the counts are refreshed in the background, the page shows the progress.
        _refresh_in_background(request, area)
        messages.info(request, _("%(a)s 的帮扶缺口统计正在更新，完成后即可导出") % {"a": area.name})
        return redirect(reverse("gaps_page") + "?" + urlencode({"area": area.code}))
    with gaps.tuned():
        content, households = workbook(user=request.user, area=area)
    audit_export(actor=request.user, obj=area, area_path=area.path,
                 summary=_("下载帮扶缺口：%(a)s") % {"a": area.name},
                 data={"area": area.code, "households": households, "export": "assistance_gaps"})
    name = _("帮扶缺口-%(a)s-%(d)s.xlsx") % {"a": area.name, "d": timezone.localdate().isoformat()}
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name)


def workbook(*, user: Any, area: Area) -> tuple[bytes, int]:
    """The gaps of ``area`` as .xlsx: 汇总 (per child area), 户清单 (each household with a gap, which ones),
    干部超限, 驻村天数不足. Returns the file and how many households it lists."""
    import xlsxwriter

    table = _table(user, area)
    unit_ids = {r.gap.key: r.unit_ids for r in table["rows"]}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#e8eef7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    cell = book.add_format({"border": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    note = book.add_format({"italic": True, "font_color": "#5f6b7a"})
    subtitle = _("%(a)s · 截至 %(d)s") % {"a": area.full_name(), "d": timezone.localdate().isoformat()}

    def sheet(name: str, heading: str, columns: list[str], rows: list[list[Any]], widths: list[int]) -> Any:
        ws = book.add_worksheet(name)
        ws.write(0, 0, heading, title)
        ws.write(1, 0, subtitle, note)
        for i, c in enumerate(columns):
            ws.write(3, i, c, head)
            ws.set_column(i, i, widths[i] if i < len(widths) else 12)
        for r, row in enumerate(rows, start=4):
            for i, v in enumerate(row):
                ws.write(r, i, v if v is not None else "", cell)
        ws.freeze_panes(4, 1)
        return ws

    gap_labels = [str(g.label) for g in gaps.GAPS]
    summary = [[line["area"].name, *[c["n"] for c in line["cells"]]] for line in table["lines"]]
    if table["own"]:
        summary.append([_("本级直属"), *[c["n"] for c in table["own"]]])
    summary.append([_("合计"), *[t["n"] for t in table["totals"]]])
    units = [t for t in table["totals"] if t["units"] is not None]
    ws = sheet(_("缺口汇总"), _("帮扶缺口汇总（户）"), [_("区划"), *gap_labels], summary, [16, *[12] * len(gap_labels)])
    for i, t in enumerate(units):
        ws.write(len(summary) + 5 + i, 0, _("%(g)s：%(n)s %(u)s") % {
            "g": t["gap"].label, "n": t["units"], "u": _("名干部") if t["gap"].unit == "cadres" else _("个工作队")}, note)

    # 户清单: one row per household with any gap (set-based: one id query per gap, then one read of the rows).
    base = policy.visible_households(user).filter(area_path__subtree=area.path)
    flagged: dict[int, set[str]] = {}
    for g in gaps.GAPS:
        for pk in base.filter(gaps.household_q(g.key, area.path)).values_list("pk", flat=True)[:XLSX_HOUSEHOLDS]:
            flagged.setdefault(pk, set()).add(g.key)
    ids = sorted(flagged)[:XLSX_HOUSEHOLDS]
    rows = []
    # The village (and group) by name from one join: Area.full_name reads the ancestors per row.
    for h in base.filter(pk__in=ids).select_related("area__parent").order_by("number").iterator(chunk_size=2000):
        place = f"{h.area.parent.name} / {h.area.name}" if h.area.parent_id else h.area.name
        rows.append([h.number, h.head_name, place, h.get_status_display(),
                     *["✓" if g.key in flagged[h.pk] else "" for g in gaps.GAPS]])
    sheet(_("户清单"), _("有缺口的户"), [_("户编号"), _("户主"), _("所在区划"), _("户状态"), *gap_labels], rows,
          [20, 10, 30, 14])
    sheet(_("干部超限"), _("结对户数超限的帮扶责任人"), [_("姓名"), _("帮扶单位"), _("结对户数"), _("上限")],
          [[c["cadre"].name, str(c["cadre"].unit or ""), c["load"], c["limit"]] for c in
           gaps.overloaded_list(user=user, area=area, among=unit_ids["overload"])], [12, 24, 10, 8])
    sheet(_("驻村天数不足"), _("上月驻村天数不足的工作队"), [_("驻村"), _("派出单位"), _("队员"), _("在村天数"), _("下限")],
          [[t["team"].village.full_name(), str(t["team"].unit or ""), str(m["posting"].cadre), m["days"], t["limit"]]
           for t in gaps.teams_list(user=user, area=area, among=unit_ids["team_presence"]) for m in t["members"]], [30, 24, 12, 10, 8])
    book.close()
    return buffer.getvalue(), len(rows)
