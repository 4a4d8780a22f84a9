"""部门预警 for the demo county (issue 14 item 2): a few synthetic sector lists of each kind pushed through
the real push service (fupin.monitoring.alerts.push), with rows that match no one, malformed rows, a
15-digit number, a name spelt differently and a duplicate; then some warnings closed each way (enrolled,
not at risk, duplicate) and some left open past their time limit, so the pages show what a county office
sees after a month of lists.

The lists are pushed as CSV text (what a department sends), some dated weeks ago (their open warnings are
now overdue), the rest in the past days. The medical rule sets the cost against the 防返贫监测线 of the bill's
year: the demo adds no line of its own (the standards are the standards part's), so the medical bills are
dated in the latest year that has a monitoring line (2021, the registry's seeded line, until later years are
set) — the same day and month as the list, in that year.

Deterministic: one ``random.Random`` seeded with the demo's seed; members taken in id order.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from random import Random

from django.core.exceptions import ValidationError
from django.utils import timezone

from fupin.areas.models import Area
from fupin.lib import idnumber
from fupin.monitoring import alerts
from fupin.monitoring.models import Alert, AlertStatus, ListKind
from fupin.registry.choices import Labour, LineKind, Status
from fupin.registry.models import Member, PovertyLine

DEMO = "演示数据"
#: Rows per list, besides the deliberately bad ones.
ROWS = 10
#: (kind, days ago it was pushed): the older lists' open warnings are overdue today.
PLAN: tuple[tuple[str, int], ...] = (
    (ListKind.MEDICAL, 28), (ListKind.DISASTER, 21), (ListKind.UNEMPLOYMENT, 16), (ListKind.DROPOUT, 6),
    (ListKind.DANGEROUS_HOUSE, 4), (ListKind.DIBAO, 2), (ListKind.MEDICAL, 1),
)


@dataclass
class AlertsResult:
    lists: int = 0
    rows: int = 0
    raised: int = 0
    closed: dict[str, int] = field(default_factory=dict)
    overdue: int = 0


def _line_year(today: datetime.date) -> int:
    """The latest year up to this one with a 防返贫监测线 (the medical bills are dated in it)."""
    years = PovertyLine.objects.filter(kind=LineKind.MONITORING, year__lte=today.year).values_list("year", flat=True)
    return max(years, default=today.year)


def _in_year(day: datetime.date, year: int) -> datetime.date:
    return day.replace(year=year, day=min(day.day, 28))


def _row(member: Member, own: list[str], *, id_number: str | None = None, name: str | None = None,
         ref: str = "") -> list[str]:
    return [id_number or member.id_number, name or member.name, "", "", "", ref, *own]


def _own(kind: str, rnd: Random, member: Member, day: datetime.date) -> list[str]:
    d = day.isoformat()
    if kind == ListKind.MEDICAL:
        return [str(rnd.choice([800, 2600, 5400, 9800, 15200, 26000, 41000])), d, rnd.choice(["县人民医院", "市第一人民医院", "乡镇卫生院"])]
    if kind == ListKind.DISASTER:
        return [rnd.choice(["洪涝", "冰雹", "干旱", "山体滑坡"]), str(rnd.choice([3000, 8000, 12000, 26000, 60000])), d]
    if kind == ListKind.UNEMPLOYMENT:
        return [d]
    if kind == ListKind.DROPOUT:
        return [rnd.choice(["镇中心小学", "县第二中学"]), rnd.choice(["五年级", "初二"]), d]
    if kind == ListKind.DANGEROUS_HOUSE:
        return [rnd.choice("BCCDD"), d]
    return [rnd.choice(["停保", "停保", "纳入"]), d]


def _members(kind: str, county: Area, today: datetime.date) -> list[Member]:
    qs = (Member.objects.filter(active=True, household__area_path__startswith=county.path)
          .exclude(household__status=Status.CANCELLED).select_related("household").order_by("id"))
    if kind == ListKind.DROPOUT:
        qs = qs.filter(birth_date__gt=today.replace(year=today.year - 16), birth_date__lte=today.replace(year=today.year - 6))
    elif kind == ListKind.UNEMPLOYMENT:
        qs = qs.filter(labour__in=[Labour.NORMAL, Labour.SKILLED])
    return list(qs[:4000])


def _csv(kind: str, rows: list[list[str]]) -> bytes:
    from fupin.monitoring.sectors import columns

    lines = [",".join(c.name for c in columns(kind))] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def build_alerts(*, county: Area, seed: int, demo_village: Area | None = None) -> AlertsResult:
    """Push the demo county's sector lists and close some of their warnings (see the module docstring)."""
    rnd = Random(f"{seed}-alerts-{county.code}")
    today = timezone.localdate()
    result = AlertsResult()
    line_year = _line_year(today)
    for number, (kind, days_ago) in enumerate(PLAN, start=1):
        day = today - datetime.timedelta(days=days_ago)
        pool = _members(kind, county, day)
        if not pool:
            continue
        # The demo village's account sees warnings of its own: half the rows come from it when it has members.
        local = [m for m in pool if demo_village is not None and m.household.area_path.startswith(demo_village.path)]
        chosen = rnd.sample(local, min(len(local), ROWS // 2)) + rnd.sample(pool, min(len(pool), ROWS))
        event = day - datetime.timedelta(days=rnd.randint(1, 10))
        if kind == ListKind.MEDICAL and event.year != line_year:
            event = _in_year(event, line_year)
        rows = [_row(m, _own(kind, rnd, m, event), ref=f"{kind[:3].upper()}-{number}-{i}")
                for i, m in enumerate(chosen, start=1)]
        first = chosen[0]
        rows.append(_row(first, _own(kind, rnd, first, event), ref="重复"))  # a duplicate of the first row
        old = first.id_number[:6] + first.id_number[8:17]
        if chosen[1:] and chosen[1].birth_date.year < 2000 and chosen[1].id_number == chosen[1].citizen_id:
            rows[1][0] = chosen[1].id_number[:6] + chosen[1].id_number[8:17]  # a 15-digit number
        rows.append(_row(first, _own(kind, rnd, first, event), name=first.name[:1] + "某"))  # name differs
        stranger = idnumber.make(county.code[:6], datetime.date(1980 + number, 3, 9), 499, "1")
        rows.append([stranger, "查无此人", "", "", "", "", *_own(kind, rnd, first, event)])  # matches no one
        bad = _own(kind, rnd, first, event)
        bad[-1 if kind != ListKind.MEDICAL else 1] = "2024-02-30"
        rows.append([old[:-1], first.name, "", "", "", "", *bad])  # a 14-digit number and a date that does not exist
        sector_list = alerts.push(actor=None, kind=kind, area=county, filename=f"{ListKind(kind).label}-{day:%Y%m%d}.csv",
                                  data=_csv(kind, rows), raised_on=day, synthetic=True)
        result.lists += 1
        result.rows += sector_list.rows
        result.raised += sector_list.raised
    _close_some(rnd, county, today, result)
    result.overdue = Alert.objects.filter(area_path__startswith=county.path, status=AlertStatus.OPEN,
                                          due_on__lt=today).count()
    return result


def _close_some(rnd: Random, county: Area, today: datetime.date, result: AlertsResult) -> None:
    """Of the older lists' warnings: a third enrolled, some found not at risk, one a duplicate; the rest left
    open (and overdue)."""
    older = list(Alert.objects.filter(area_path__startswith=county.path, status=AlertStatus.OPEN, synthetic=True,
                                      raised_on__lte=today - datetime.timedelta(days=5)).order_by("id"))
    for index, alert in enumerate(older):
        outcome = (AlertStatus.ENROLLED, AlertStatus.NOT_AT_RISK, AlertStatus.DUPLICATE, None, None)[index % 5]
        if outcome is None:
            continue
        note = {AlertStatus.NOT_AT_RISK: rnd.choice(["经入户核实，医疗费用已由大病保险报销，收入稳定",
                                                     "家中有稳定务工收入，无返贫风险", "已转入特困供养，基本生活有保障"]),
                AlertStatus.DUPLICATE: "与同户另一条预警重复"}.get(outcome, "")
        on = min(today, alert.raised_on + datetime.timedelta(days=rnd.randint(2, 8)))
        try:
            alerts.alert_close(actor=None, alert=alert, outcome=outcome, note=note, on=on)
        except ValidationError:  # e.g. already a monitoring object from another part of the demo
            continue
        result.closed[outcome] = result.closed.get(outcome, 0) + 1


def summary_lines(result: AlertsResult) -> list[str]:
    closed = "，".join(f"{AlertStatus(k).label} {n}" for k, n in result.closed.items())
    return [f"部门预警名单 {result.lists} 份（{result.rows} 行），预警 {result.raised} 条；已办结：{closed or '无'}；"
            f"超时未办结 {result.overdue} 条"]
