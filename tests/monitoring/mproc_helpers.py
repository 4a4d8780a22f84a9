"""Monitoring objects walked through the entry and risk-elimination procedures with the real services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine

from fupin.identification import services as cases
from fupin.identification.models import NoticeKind, Step
from fupin.monitoring import services
from fupin.monitoring.models import Channel, ObjectKind
from fupin.registry.choices import Labour, Status
from tests.standards.helpers import adult
from tests.standards.helpers import household as household_with

VOTES = {"representatives": 30, "present": 24, "votes_for": 20, "votes_against": 2, "votes_abstain": 2}
CHECKLIST = {key: {"ok": True, "note": ""} for key in ("situation", "income", "expenses", "consent")}
HOTLINE = {"hotline": "0874-8212345", "address": "村委会"}


def clock(start: str = "2026-03-02"):
    return time_machine.travel(datetime.datetime.fromisoformat(start + "T09:00+08:00"), tick=False)


def exited(village, *, labour: str = Labour.NORMAL):
    """An exited household whose 2020 facts meet 两不愁三保障 and water (the seeded national criteria)."""
    members = [adult(labour=labour), adult("spouse", "2", labour=labour)]
    return household_with(village, members=members, income="12000", people=2, year=2020, status=Status.EXITED,
                          identified_year=2015, exit_year=2019)


def found(actor, household, *, kind=ObjectKind.UNSTABLE, day: datetime.date | None = None, income="5000"):
    return services.object_found(actor=actor, household=household, kind=kind, risk_types=["illness"],
                                 channel=Channel.VISIT, found_on=day or datetime.date.today(),
                                 income_12m=Decimal(income) if income is not None else None)


def publish(actor, kind, area, case_list, start: datetime.date, days: int = 5):
    return cases.notice_publish(actor=actor, kind=kind, area=area, cases=case_list, starts_on=start,
                                ends_on=start + datetime.timedelta(days=days - 1), **HOTLINE)


def enrol(users: dict, obj, t, tree) -> object:
    """入户核实 → … → 公告录入 with both notices run out; ``t`` the running clock. Returns the case."""
    case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户核实，农户签字承诺")
    case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_CHECK, opinion="数据比对无异常")
    case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_APPRAISAL, opinion="评议通过", votes=VOTES)
    publish(users["village"], NoticeKind.MONITOR_ENTRY_NOTICE, case.area, [case], datetime.date.today())
    t.shift(datetime.timedelta(days=5))
    case = cases.case_step(actor=users["township"], case=case, to=Step.ENTRY_TOWNSHIP, opinion="乡镇审核通过")
    case = cases.case_step(actor=users["county"], case=case, to=Step.ENTRY_COUNTY, opinion="县级审定纳入")
    publish(users["county"], NoticeKind.MONITOR_ENTRY_ANNOUNCEMENT, tree["county"], [case], datetime.date.today())
    t.shift(datetime.timedelta(days=5))
    return cases.case_step(actor=users["county"], case=case, to=Step.ENTRY_RECORDED, opinion="公告期满录入")
