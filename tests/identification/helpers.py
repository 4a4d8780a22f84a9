"""A case walked through its steps with the real services, for the tests of later steps."""

from __future__ import annotations

import datetime

import time_machine

from fupin.identification import services
from fupin.identification.models import CaseKind, NoticeKind, Step
from fupin.registry.choices import Status
from tests import factories

VOTES = {"representatives": 30, "present": 24, "votes_for": 20, "votes_against": 2, "votes_abstain": 2}
CHECKLIST = {key: {"ok": True, "note": ""} for key in
             ("housing", "grain", "labour", "schooling", "assets", "registries", "consent")}
HOTLINE = {"hotline": "0874-8212345", "address": "村委会"}


def applicant(village, year: int = 2026):
    return factories.household(village, status=Status.APPLYING, identified_year=year,
                               date=datetime.date(year, 1, 2))


def open_case(actor, household, year: int = 2026):
    return services.case_open(actor=actor, kind=CaseKind.IDENTIFICATION, household=household, year=year,
                              reason="因病致贫，无劳动力")


def publish(actor, kind: str, area, cases, start: datetime.date, days: int = 7):
    return services.notice_publish(actor=actor, kind=kind, area=area, cases=cases, starts_on=start,
                                   ends_on=start + datetime.timedelta(days=days - 1), **HOTLINE)


def walk_to_township(users: dict, household, t, start: str = "2026-03-02"):
    """户申报 → … → 逐级核 with the first notice run out, the clock ``t`` (time_machine, started at
    ``start``) moved on past it; returns (case, first notice)."""
    case = open_case(users["village"], household)
    case = services.case_step(actor=users["village"], case=case, to=Step.GROUP, opinion="小组议通过")
    case = services.case_step(actor=users["village"], case=case, to=Step.VILLAGE, opinion="村民代表会议评定通过",
                              votes=VOTES)
    first = publish(users["village"], NoticeKind.FIRST, case.area, [case], datetime.date.fromisoformat(start))
    t.shift(datetime.timedelta(days=8))
    case = services.case_step(actor=users["township"], case=case, to=Step.VISITED, opinion="入户核实",
                              checklist=CHECKLIST)
    case = services.case_step(actor=users["township"], case=case, to=Step.TOWNSHIP, opinion="乡镇审核通过")
    return case, first


def clock(start: str = "2026-03-02"):
    return time_machine.travel(datetime.datetime.fromisoformat(start + "T09:00+08:00"), tick=False)
