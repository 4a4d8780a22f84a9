"""The rules of 防返贫监测 (REFERENCE §7), each in one place: the monitoring line of a household's area and
year, the income counted over the twelve months before the application, which kind a household may be
enrolled as, the conditions of risk elimination, and the procedure's time limit in working days.

The services (fupin.monitoring.services), the pages, the API and the demo ask these functions; nothing here
writes. Each answer carries its reason in Chinese, so a refusal names the rule that failed.

Decisions (documented in the README):

* **Monitoring line** — a PovertyLine of kind "monitoring" (fupin.registry), the most specific area wins
  (a province's line beats the national one). A year without a line of its own keeps the latest earlier
  year's (provinces publish theirs during the year; the procedure must not stop meanwhile), and says so.
  A monitoring line below 1.5 × that year's poverty line is refused (:func:`line_floor_error`, asked by
  ``fupin.registry.services.poverty_line_set`` and so by the /standards/lines/ page).
* **12-month income** — entered at discovery (or at the risk-elimination visit) as the household's
  per-capita net income over the twelve months before the application, counted by the cadre on the visit
  (the registry's yearly records are calendar years and cannot show a sudden drop). When none is entered,
  the last complete year's 人均纯收入 from the yearly record stands in, marked as such.
* **Kinds** — 脱贫不稳定户 only for a household that exited (it has a 脱贫年度 or an exited status);
  边缘易致贫户 only for one never registered poor (no status change ever to 贫困户/返贫/已脱贫, no 脱贫年度):
  such a household enters the registry through ``household_create(procedure=Procedure.MONITORING)``, the
  registry's one door for households that were never poor; 突发严重困难户 any household. In every case the
  household's status must be able to become 监测对象(风险未消除) at the county's approval (the registry's
  status table: a 贫困户(未脱贫) is helped as poor, not monitored).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.registry.choices import Labour, LineKind, Status

from .models import ObjectKind, RiskType

if TYPE_CHECKING:
    from fupin.areas.models import Area
    from fupin.identification.models import Case
    from fupin.registry.models import Household

    from .models import MonitoringObject

#: REFERENCE §7: the monitoring line is "1.5 × the poverty line at the least".
LINE_FLOOR_FACTOR = Decimal("1.5")
#: The first year of monitoring (REFERENCE §7: 2021, 6,000 yuan).
FIRST_YEAR = 2021


def _date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --- the monitoring line ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringLine:
    amount: Decimal
    #: The year whose line is used (the asked year, or the latest earlier one when it has none yet).
    year: int
    asked_year: int
    area_name: str

    @property
    def carried(self) -> bool:
        return self.year != self.asked_year

    @property
    def text(self) -> str:
        where = self.area_name or _("全国")
        if self.carried:
            return _("%(a)s 元（%(w)s %(y)d 年标准，%(q)d 年尚未发布，沿用）") % {
                "a": f"{self.amount:,.0f}", "w": where, "y": self.year, "q": self.asked_year}
        return _("%(a)s 元（%(w)s %(y)d 年标准）") % {"a": f"{self.amount:,.0f}", "w": where, "y": self.year}


def monitoring_line(year: int, area: Area | None) -> MonitoringLine | None:
    """The monitoring line at ``area`` for ``year``: the most specific area's line of kind "monitoring"; a
    year without one keeps the latest earlier year's. None before there is any (before 2021)."""
    from fupin.registry.services import poverty_line_for

    for y in range(year, FIRST_YEAR - 1, -1):
        line = poverty_line_for(y, area, kind=LineKind.MONITORING)
        if line is not None:
            return MonitoringLine(amount=line.amount, year=y, asked_year=year,
                                  area_name=line.area.name if line.area_id else "")
    return None


def poverty_line_amount(year: int, area: Area | None) -> Decimal | None:
    """That year's poverty line at ``area`` (the most specific; the latest earlier year's after 2020, when
    no new national line is published)."""
    from fupin.registry.services import poverty_line_for

    for y in range(year, 2010, -1):
        line = poverty_line_for(y, area)
        if line is not None:
            return line.amount
    return None


def line_floor_error(year: int, amount: Any, area: Area | None) -> str | None:
    """Why a monitoring line of ``amount`` for ``year`` at ``area`` is refused (below 1.5 × the poverty
    line), or None."""
    try:
        value = Decimal(str(amount))
    except (ArithmeticError, ValueError):
        return None  # the field's own validation speaks
    poverty = poverty_line_amount(year, area)
    if poverty is None:
        return None
    floor = (poverty * LINE_FLOOR_FACTOR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < floor:
        return _("防返贫监测线 %(v)s 元低于 %(y)d 年扶贫标准 %(p)s 元的 1.5 倍（%(f)s 元），不能保存") % {
            "v": f"{value:,.2f}", "y": year, "p": f"{poverty:,.2f}", "f": f"{floor:,.2f}"}
    return None


# --- the 12-month income ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Income:
    amount: Decimal | None
    #: "entered" (counted on the visit), "record" (the last complete year's record stands in) or "".
    basis: str

    @property
    def text(self) -> str:
        if self.amount is None:
            return _("未核算")
        if self.basis == "record":
            return _("%(a)s 元（按上年度人均纯收入估算）") % {"a": f"{self.amount:,.2f}"}
        return _("%(a)s 元（入户核算近12个月）") % {"a": f"{self.amount:,.2f}"}


def income_12m(household: Household, found_on: datetime.date, entered: Decimal | None = None) -> Income:
    """The per-capita net income over the twelve months before ``found_on``: the figure counted on the
    visit when given, else the last complete year's 人均纯收入 (calendar year before ``found_on``)."""
    if entered is not None:
        return Income(Decimal(str(entered)), "entered")
    from fupin.registry.models import YearlyRecord

    value = (YearlyRecord.objects.filter(household=household, year=found_on.year - 1)
             .values_list("per_capita_income", flat=True).first())
    return Income(value, "record" if value is not None else "")


# --- the kind ---------------------------------------------------------------------------------------------

_EVER_POOR = (Status.POOR, Status.RETURNED, Status.EXITED, Status.EXITED_STABLE)


def ever_registered_poor(household: Household) -> bool:
    if household.status in _EVER_POOR or household.exit_year is not None:
        return True
    return household.status_changes.filter(to_status__in=_EVER_POOR).exists()


def has_exited(household: Household) -> bool:
    if household.status in (Status.EXITED, Status.EXITED_STABLE) or household.exit_year is not None:
        return True
    return household.status_changes.filter(to_status__in=(Status.EXITED, Status.EXITED_STABLE)).exists()


def kind_error(household: Household, kind: str) -> str | None:
    """Why ``household`` may not be found as a monitoring object of ``kind``, or None."""
    from fupin.registry import rules as registry_rules
    from fupin.registry.choices import Procedure

    if kind not in ObjectKind.values:
        return _("未知的监测对象类别“%(k)s”") % {"k": kind}
    label = ObjectKind(kind).label
    if household.status not in (Status.MONITOR_RISK, Status.MONITOR_CLEARED):
        error = registry_rules.transition_error(household.status, Status.MONITOR_RISK, procedure=Procedure.MONITORING)
        if error:
            return _("户 %(n)s 的状态是“%(s)s”，不能纳入防返贫监测（%(e)s）") % {
                "n": household.number, "s": household.get_status_display(), "e": error}
    if kind == ObjectKind.UNSTABLE and not has_exited(household):
        return _("“%(k)s”只适用于已脱贫户，户 %(n)s 从未脱贫") % {"k": label, "n": household.number}
    if kind == ObjectKind.EDGE and ever_registered_poor(household):
        return _("“%(k)s”只适用于从未建档立卡的农户，户 %(n)s 曾是建档立卡贫困户，应按“脱贫不稳定户”纳入") % {
            "k": label, "n": household.number}
    return None


def notice_reason(case: Case) -> str:
    """What a monitoring notice prints as the reason: the kind and the risk types as categories (never the
    free text a cadre typed, which may describe an illness on a public board)."""
    from .models import MonitoringObject

    field = "entry_case" if case.kind == "monitor_entry" else "clear_case"
    obj = MonitoringObject.objects.filter(**{field: case}).only("kind", "risk_types").first()
    if obj is None:
        return ""
    risks = "、".join(str(RiskType(r).label) for r in obj.risk_types if r in RiskType.values)
    if case.kind == "monitor_clear":
        return _("%(k)s；收入稳定超过监测标准，风险已消除") % {"k": obj.get_kind_display()}
    return f"{obj.get_kind_display()}：{risks}"


# --- risk elimination -------------------------------------------------------------------------------------

#: REFERENCE §7: "at least half a year" (income above the line; monitored). Days, as a setting.
def half_year_days() -> int:
    return int(getattr(settings, "MONITOR_HALF_YEAR_DAYS", 183))


#: The 三保障 and water groups of the exit check (fupin.identification.exitcheck.GROUPS) that risk
#: elimination requires (REFERENCE §7: "三保障 and water secured").
SECURE_GROUPS = ("education", "medical", "housing", "water")


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    holds: bool
    reason: str


@dataclass(frozen=True)
class ClearCheck:
    conditions: list[Condition]

    @property
    def holds(self) -> bool:
        return all(c.holds for c in self.conditions)

    @property
    def failed(self) -> list[Condition]:
        return [c for c in self.conditions if not c.holds]

    @property
    def refusal(self) -> str:
        return _("不符合风险消除条件：%(f)s") % {"f": "；".join(f"{c.label}（{c.reason}）" for c in self.failed)}


def _secure(household: Household, day: datetime.date) -> Condition:
    """三保障 and water, judged by the exit check's criteria of those groups from the recorded facts (the rule
    set in force for the latest year that has one)."""
    from fupin.identification import exitcheck
    from fupin.standards import services as standards
    from fupin.standards.models import RuleKind

    label = _("“三保障”和饮水安全有保障")
    year = next((y for y in range(day.year, 2013, -1)
                 if standards.ruleset_for(RuleKind.EXIT, y, household.area) is not None), None)
    if year is None:
        return Condition("secure", label, False, _("没有适用的“两不愁三保障”标准，无法判定"))
    check = exitcheck.exit_check(household, year)
    criteria = [c for c in check.criteria if c.group in SECURE_GROUPS]
    if not criteria:
        return Condition("secure", label, False, _("标准中没有“三保障”和饮水安全的判定条件"))
    failed = [c for c in criteria if not c.holds]
    if failed:
        return Condition("secure", label, False, "；".join(f"{c.label}：{c.reason}" for c in failed))
    return Condition("secure", label, True, _("%(n)d 项判定均达标（%(r)s）") % {
        "n": len(criteria), "r": check.ruleset_text})


def no_labour_force(members: Iterable[Any]) -> bool:
    """Every active member has lost or has no labour ability (REFERENCE §7: such a household stays monitored)."""
    members = [m for m in members if getattr(m, "active", True)]
    return bool(members) and all(m.labour in (Labour.LOST, Labour.NONE) for m in members)


def clear_check(obj: MonitoringObject, day: datetime.date | None = None) -> ClearCheck:
    """REFERENCE §7's conditions of risk elimination for ``obj`` on ``day``, each with its reason:

    1. the 12-month income (counted at the risk-elimination visit) above the monitoring line, and stably so
       for at least half a year (the date since which it has been above, as found on the visit);
    2. the large rigid expenses resolved (as found on the visit: the registry does not record them);
    3. 两不愁三保障 and drinking water secure (the exit check's criteria, from the recorded facts);
    4. monitored for at least half a year (since 县级审定) with at least one measure;
    5. the household has labour force (one with none at all stays monitored).
    """
    day = day or timezone.localdate()
    household = obj.household
    half = half_year_days()
    out: list[Condition] = []
    line = monitoring_line(day.year, household.area)
    label = _("收入稳定超过监测标准半年以上")
    income = obj.clear_income_12m
    if line is None:
        out.append(Condition("income", label, False, _("%(y)d 年没有防返贫监测标准") % {"y": day.year}))
    elif income is None:
        out.append(Condition("income", label, False, _("风险消除入户核实时未核算近12个月人均纯收入")))
    elif income <= line.amount:
        out.append(Condition("income", label, False, _("近12个月人均纯收入 %(i)s 元，未超过监测标准 %(l)s") % {
            "i": f"{income:,.2f}", "l": line.text}))
    elif obj.income_above_since is None or (day - obj.income_above_since).days < half:
        since = _date(obj.income_above_since) if obj.income_above_since else _("未填写")
        out.append(Condition("income", label, False, _("收入超过监测标准起始日期 %(s)s，不足半年（%(d)d 天）") % {
            "s": since, "d": half}))
    else:
        out.append(Condition("income", label, True, _("近12个月人均纯收入 %(i)s 元，超过监测标准 %(l)s，自 %(s)s 起稳定") % {
            "i": f"{income:,.2f}", "l": line.text, "s": _date(obj.income_above_since)}))
    label = _("刚性支出问题已解决")
    if obj.rigid_resolved:
        out.append(Condition("rigid", label, True, _("入户核实：医疗、教育、灾损等大额刚性支出已解决")))
    else:
        out.append(Condition("rigid", label, False, _("入户核实未确认大额刚性支出已解决")))
    out.append(_secure(household, day))
    label = _("监测满半年且落实帮扶措施")
    measures = obj.measures.count()
    if obj.enrolled_on is None:
        out.append(Condition("monitored", label, False, _("尚未经县级审定纳入监测")))
    elif (day - obj.enrolled_on).days < half:
        out.append(Condition("monitored", label, False, _("%(d)s 纳入监测，至今 %(n)d 天，不足半年") % {
            "d": _date(obj.enrolled_on), "n": (day - obj.enrolled_on).days}))
    elif measures < 1:
        out.append(Condition("monitored", label, False, _("尚未落实任何帮扶措施")))
    else:
        out.append(Condition("monitored", label, True, _("%(d)s 纳入监测，已落实帮扶措施 %(n)d 项") % {
            "d": _date(obj.enrolled_on), "n": measures}))
    label = _("有劳动能力")
    members = list(household.members.filter(active=True).only("labour", "active"))
    if no_labour_force(members):
        out.append(Condition("labour", label, False, _("家庭成员均无劳动能力，应持续监测帮扶")))
    else:
        out.append(Condition("labour", label, True, _("有劳动能力的家庭成员")))
    return ClearCheck(out)


# --- the time limit in working days ----------------------------------------------------------------------


def holidays() -> frozenset[datetime.date]:
    """Public holidays (not working days), as data: FUPIN_HOLIDAYS, ISO dates separated by commas."""
    raw = getattr(settings, "HOLIDAYS", ()) or ()
    if isinstance(raw, str):
        raw = [p for p in raw.replace(";", ",").split(",") if p.strip()]
    out = set()
    for item in raw:
        out.add(item if isinstance(item, datetime.date) else datetime.date.fromisoformat(str(item).strip()))
    return frozenset(out)


def is_working_day(day: datetime.date, off: frozenset[datetime.date] | None = None) -> bool:
    off = holidays() if off is None else off
    return day.weekday() < 5 and day not in off


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (weekends and FUPIN_HOLIDAYS skipped)."""
    off = holidays()
    day, left = start, days
    while left > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, off):
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end ≤ start)."""
    off = holidays()
    n, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, off):
            n += 1
    return n


def time_limit_days() -> int:
    """REFERENCE §7: the procedure ends within 15–20 working days; FUPIN_MONITOR_LIMIT_DAYS (default 20)."""
    return int(getattr(settings, "MONITOR_LIMIT_DAYS", 20))


def due_on(start: datetime.date) -> datetime.date:
    return add_working_days(start, time_limit_days())


def is_overdue(start: datetime.date | None, today: datetime.date | None = None) -> bool:
    if start is None:
        return False
    return (today or timezone.localdate()) > due_on(start)
