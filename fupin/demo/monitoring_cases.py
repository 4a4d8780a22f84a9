"""Open monitoring entry and risk-elimination cases for the demo county (issue 14, mproc), through the real
services, so that *today* the county holds a 监测对象纳入 case at every step of
fupin.identification.rules.PATHS["monitor_entry"] and a 风险消除 case at every step of "monitor_clear", with a
monitoring notice and an announcement running, a 不予通过 and a 撤回, 即时帮扶 flags with measures, households
found but not yet visited, and one entry past its working-day limit (超期).

Independent of the 2021–2026 monitoring history the demo14 helper writes: it picks its own households —
exited households (已脱贫(享受政策)) of the county without a monitoring episode, in household-number order,
skipping those whose recorded facts fail the risk-elimination conditions (a C/D house, a member without
insurance …) when it needs one that passes. Every write goes through fupin.monitoring.services and
fupin.identification.services with actor None (the system), dates in the past weeks and months; notices and
cases are synthetic like the rest of the demo. Deterministic for a given database and day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.areas.models import Area
from fupin.identification import rules as case_rules
from fupin.identification import services as cases
from fupin.identification.models import Case, CaseKind, NoticeKind, Step
from fupin.monitoring import services
from fupin.monitoring.models import Channel, MonitoringObject, ObjectKind
from fupin.registry.choices import Status
from fupin.registry.models import Household

HOTLINE = "12317"
VOTES = {"representatives": 35, "present": 29, "votes_for": 27, "votes_against": 1, "votes_abstain": 1}
CHECKLIST = {key: {"ok": True, "note": "演示数据"} for key in case_rules.MONITOR_CHECKLIST}
RISKS = (["illness"], ["disaster", "housing"], ["employment", "income_drop"], ["accident"], ["schooling"],
         ["industry"], ["illness", "medical"])
MEASURES = (("health", "医疗救助", "2000"), ("civil", "临时救助", "1500"), ("labour", "公益岗位", None),
            ("agriculture", "产业帮扶", "3000"), ("education", "教育资助", "1000"))

#: The entry cases to leave at each step today, with the days ago each opens (two days a step, a notice's
#: period for each notice it has passed), and the risk-elimination cases.
ENTRY_STEPS = {Step.ENTRY_VISIT: 3, Step.ENTRY_CHECK: 5, Step.ENTRY_APPRAISAL: 7, Step.ENTRY_TOWNSHIP: 13,
               Step.ENTRY_COUNTY: 15, Step.ENTRY_RECORDED: 22, Step.REJECTED: 5, Step.WITHDRAWN: 5}
CLEAR_START = 22
CLEAR_STEPS = (Step.CLEAR_VISIT, Step.CLEAR_CHECK, Step.CLEAR_APPRAISAL, Step.CLEAR_TOWNSHIP, Step.CLEAR_COUNTY,
               Step.CLEAR_RECORDED)


@dataclass
class MonitoringCasesResult:
    entry: dict[str, int] = field(default_factory=dict)
    clear: dict[str, int] = field(default_factory=dict)
    found_only: int = 0
    overdue: int = 0
    instant: int = 0
    skipped: int = 0


class _Builder:
    def __init__(self, county: Area) -> None:
        self.county = county
        self.today = timezone.localdate()
        self.period = case_rules.notice_min_days(NoticeKind.MONITOR_ENTRY_NOTICE)
        self.result = MonitoringCasesResult()
        self.n = 0

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def candidates(self):
        taken = MonitoringObject.objects.values("household_id")
        return (Household.objects.filter(area_path__startswith=self.county.path, status=Status.EXITED,
                                         synthetic=True).exclude(pk__in=taken)
                .select_related("area").order_by("number").iterator())

    def found(self, household: Household, days_ago: int, *, channel: str = Channel.VISIT) -> MonitoringObject:
        self.n += 1
        return services.object_found(actor=None, household=household, kind=ObjectKind.UNSTABLE,
                                     risk_types=RISKS[self.n % len(RISKS)], channel=channel,
                                     found_on=self.day(days_ago), note="演示数据：走访发现收入下降",
                                     income_12m=Decimal(4200 + 150 * (self.n % 9)))

    def step(self, case: Case, to: str, days_ago: int, opinion: str, **extra: Any) -> Case:
        return cases.case_step(actor=None, case=case, to=to, opinion=opinion, date=self.day(days_ago), **extra)

    def notice(self, kind: str, area: Area, case: Case, starts_ago: int) -> None:
        cases.notice_publish(actor=None, kind=kind, area=area, cases=[case], starts_on=self.day(starts_ago),
                             ends_on=self.day(starts_ago - self.period + 1), hotline=HOTLINE,
                             address=f"{area.name}{'村民委员会' if area.level == 'village' else '乡村振兴局'}",
                             year=self.day(starts_ago).year, synthetic=True)

    def walk(self, kind: str, obj: MonitoringObject, target: str, start_ago: int, **clear: Any) -> Case:
        """Open the procedure ``start_ago`` days ago and take it to ``target``, each step a few days apart,
        notices run out (or, at the last notice step, still running today)."""
        entry = kind == CaseKind.MONITOR_ENTRY
        path = case_rules.PATHS[kind]
        day = start_ago
        if entry:
            case = services.entry_open(actor=None, obj=obj, checklist=CHECKLIST, opinion="入户核实，农户签字承诺",
                                       date=self.day(day), synthetic=True)
        else:
            case = services.clear_open(actor=None, obj=obj, checklist=CHECKLIST, opinion="入户核实，收入稳定",
                                       date=self.day(day), synthetic=True, **clear)
        ending = target in (Step.REJECTED, Step.WITHDRAWN)
        stop = path[1] if ending else target
        county = self.county
        for state in path[1:path.index(stop) + 1]:
            day -= 2
            extra = {"votes": VOTES} if state in case_rules.VOTED_STEPS else {}
            case = self.step(case, state, day, _OPINIONS[path.index(state)], **extra)
            notice_kind = case_rules.NOTICE_BEFORE_LEAVING.get(state)
            if notice_kind and not ending:
                area = case.area if case_rules.NOTICE_LEVEL[notice_kind] == "village" else county
                last = state == target
                # The last notice runs today (started two days ago); an earlier one has run out.
                starts = 2 if last else day
                self.notice(notice_kind, area, case, starts)
                if not last:
                    day -= self.period
        if ending:
            opinion = "数据比对发现近12个月收入高于监测标准" if target == Step.REJECTED else "农户申请撤回"
            case = self.step(case, target, max(day - 1, 0), opinion)
        return case

    def measure(self, obj: MonitoringObject, days_ago: int) -> None:
        sector, category, amount = MEASURES[self.n % len(MEASURES)]
        services.measure_add(actor=None, obj=obj, sector=sector, category=category, date=self.day(days_ago),
                             amount=Decimal(amount) if amount else None, description="演示数据", synthetic=True)


_OPINIONS = ("入户核实", "与民政、医保、残联等部门数据比对无异常", "村民代表会议民主评议通过", "乡镇审核通过",
             "县级审定通过", "公告期满无异议，录入系统")


def build_monitoring_cases(*, county: Area) -> MonitoringCasesResult:
    """Build the demo county's monitoring entry and risk-elimination cases (see the module's docstring)."""
    b = _Builder(county)
    households = b.candidates()
    for target, start in ENTRY_STEPS.items():
        household = next(households, None)
        if household is None:
            return b.result
        with transaction.atomic():
            obj = b.found(household, start + 1)
            if target in (Step.ENTRY_VISIT, Step.ENTRY_TOWNSHIP):
                services.instant_flag(actor=None, obj=obj, on=b.day(start + 1), note="演示数据：突发大病")
                b.measure(obj, start)
                b.result.instant += 1
            b.walk(CaseKind.MONITOR_ENTRY, obj, target, start)
        b.result.entry[target] = 1
    for days_ago, overdue in ((3, False), (45, True)):
        household = next(households, None)
        if household is not None:
            b.found(household, days_ago, channel=Channel.HOTLINE)
            b.result.found_only += 1
            b.result.overdue += overdue
    for target in CLEAR_STEPS:
        while True:
            household = next(households, None)
            if household is None:
                return b.result
            try:
                with transaction.atomic():
                    obj = b.found(household, 330)
                    b.walk(CaseKind.MONITOR_ENTRY, obj, Step.ENTRY_RECORDED, 329)
                    obj.refresh_from_db()
                    b.measure(obj, 290)
                    b.walk(CaseKind.MONITOR_CLEAR, obj, target, CLEAR_START, income_12m=Decimal("9600"),
                           income_above_since=b.day(230), rigid_resolved=True)
            except ValidationError:  # its recorded facts fail a risk-elimination condition: take the next
                b.result.skipped += 1
                continue
            b.result.clear[target] = 1
            break
    return b.result
