"""The demo county carries open identification and exit cases at every step, notices running today with
their entries masked, objections open and resolved — all made through the real services, by their rules,
and all marked synthetic (fupin.demo.cases)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from fupin.accounts import policy
from fupin.demo.cases import DEMO, summary_lines
from fupin.demo.loader import load_demo
from fupin.identification import rules, selectors
from fupin.identification.models import (
    Case,
    CaseEvent,
    CaseKind,
    Notice,
    NoticeEntry,
    NoticeKind,
    Objection,
    ObjectionStatus,
    Step,
)
from fupin.registry.choices import CancelReason, Status
from fupin.registry.models import Household, Member, PovertyLine, YearlyRecord
from fupin.standards.models import RuleKind, RuleSet

from .conftest import SEED, SMALL

TODAY = datetime.date(2026, 6, 15)
YEAR = TODAY.year

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), \
            override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.timezone(datetime.timedelta(
                hours=8))), tick=False), \
            transaction.atomic():
        yield load_demo(households=SMALL, seed=SEED)
        transaction.set_rollback(True)


#: The monitoring procedures' states (issue 14): the demo's monitoring cases are built after issue 13's.
MONITOR_STEPS = {step for kind in rules.MONITOR_KINDS for step in rules.PATHS[kind]}


def issue13_cases():
    return Case.objects.exclude(kind__in=rules.MONITOR_KINDS)


def test_every_step_of_identification_and_exit_has_a_case(demo):
    for kind, extra in ((CaseKind.IDENTIFICATION, (Step.REJECTED, Step.WITHDRAWN)), (CaseKind.EXIT, ())):
        for step in (*rules.PATHS[kind], *extra):
            assert Case.objects.filter(kind=kind, step=step, year=YEAR).exists(), (kind, step)
    assert 40 <= issue13_cases().count() <= 80
    townships = set(issue13_cases().values_list("area__parent__name", flat=True))
    assert len(townships) == 3  # one village in each of the three poor townships


def test_households_are_where_their_cases_put_them(demo):
    def statuses(kind, *steps):
        return set(Household.objects.filter(cases__kind=kind, cases__step__in=steps).values_list("status", flat=True))

    ident = CaseKind.IDENTIFICATION
    assert statuses(ident, Step.APPLIED, Step.GROUP, Step.VILLAGE, Step.VISITED, Step.TOWNSHIP) == {Status.APPLYING}
    assert statuses(ident, Step.COUNTY, Step.CITY) == {Status.POOR}
    refused = Household.objects.filter(cases__kind=ident, cases__step__in=[Step.REJECTED, Step.WITHDRAWN])
    assert {(h.status, h.cancel_reason) for h in refused} == {(Status.CANCELLED, CancelReason.NOT_IDENTIFIED)}
    assert statuses(CaseKind.EXIT, Step.PROPOSED, Step.AGREED, Step.REVIEWED) == {Status.RETURNED}
    closed = Household.objects.filter(cases__kind=CaseKind.EXIT, cases__step=Step.CLOSED)
    assert {(h.status, h.exit_year) for h in closed} == {(Status.EXITED, YEAR)}
    # Every exit case carries the decision of this year's (demo) exit criteria, and the record it read.
    for case in Case.objects.filter(kind=CaseKind.EXIT).select_related("decision__ruleset"):
        assert case.decision.passed and case.decision.year == YEAR and case.decision.ruleset.year == YEAR
        record = YearlyRecord.objects.get(household=case.household, year=YEAR)
        assert record.poverty_line == 4000 and record.per_capita_income > record.poverty_line


def test_the_steps_obey_the_rules_people_do(demo):
    for notice in Notice.objects.all():
        assert notice.days >= rules.notice_min_days(notice.kind) and notice.starts_on <= TODAY
    for event in CaseEvent.objects.select_related("case"):
        assert event.date <= TODAY
        if event.to_step in rules.VOTED_STEPS:
            assert not rules.vote_errors({f: getattr(event, f) for f in (
                "representatives", "present", "votes_for", "votes_against", "votes_abstain")})
        if event.to_step == Step.VISITED:
            assert not rules.checklist_errors(event.checklist)
        # A forward step out of a notice's state came after that notice had run its full period.
        kind = rules.NOTICE_BEFORE_LEAVING.get(event.from_step)
        if kind and rules.PATHS_INDEX.get((event.from_step, event.to_step)) == "forward":
            notice = Notice.objects.get(kind=kind, entries__case=event.case)
            assert event.date > notice.ends_on
    for case in Case.objects.all():
        dates = list(case.events.order_by("created_at", "id").values_list("date", flat=True))
        assert dates == sorted(dates)


def test_notices_run_today_with_every_entry_masked(demo):
    running = list(selectors.running_notices(TODAY))
    assert {n.kind for n in running} == {NoticeKind.FIRST, NoticeKind.SECOND, NoticeKind.COUNTY,
                                         NoticeKind.EXIT_NOTICE, NoticeKind.EXIT_ANNOUNCEMENT,
                                         # 防返贫监测 (issue 14, fupin.demo.monitoring_cases)
                                         NoticeKind.MONITOR_ENTRY_NOTICE, NoticeKind.MONITOR_ENTRY_ANNOUNCEMENT,
                                         NoticeKind.MONITOR_CLEAR_NOTICE, NoticeKind.MONITOR_CLEAR_ANNOUNCEMENT}
    entries = [entry for notice in running for entry in notice.listed]
    assert entries
    for entry in entries:
        household = NoticeEntry.objects.get(pk=entry.pk).case.household
        head = Member.objects.get(household=household, relation="head", active=True)
        assert entry.id_masked == policy.mask_id(head.id_number) and entry.id_masked.count("*") == 8
        printed = " ".join(str(getattr(entry, f)) for f in ("name", "id_masked", "village", "group", "reason"))
        assert head.id_number not in printed and head.id_number[6:14] not in printed


def test_objections_are_open_upheld_and_dismissed(demo):
    counts = {s: Objection.objects.filter(status=s).count() for s in ObjectionStatus.values}
    assert counts == {ObjectionStatus.OPEN: 3, ObjectionStatus.UPHELD: 3, ObjectionStatus.DISMISSED: 3}
    for objection in Objection.objects.select_related("notice", "entry__case"):
        notice, case = objection.notice, objection.entry.case
        assert notice.starts_on <= objection.received_on <= notice.ends_on
        if objection.status == ObjectionStatus.OPEN:
            assert notice.ends_on >= TODAY and case.step == Step.VILLAGE  # the case waits for it
        elif objection.status == ObjectionStatus.UPHELD:
            assert case.step == Step.REJECTED and objection.resolution and objection.resolved_on
        else:
            assert case.step == Step.VISITED and objection.resolved_on <= case.events.get(to_step=Step.VISITED).date


def test_everything_made_is_marked_synthetic(demo):
    assert not Case.objects.filter(synthetic=False).exists()
    assert not Notice.objects.filter(synthetic=False).exists()
    assert not Objection.objects.filter(synthetic=False).exists()
    assert not Household.objects.filter(synthetic=False).exists()
    line = PovertyLine.objects.get(year=YEAR, kind="national")  # the generator also wrote the monitoring line
    assert DEMO in line.note and "2020" in line.note and line.area.level == "county"
    ruleset = RuleSet.objects.get(kind=RuleKind.EXIT, year=YEAR)
    national = RuleSet.objects.filter(kind=RuleKind.EXIT, year=2020, area=None).latest("version")
    assert DEMO in ruleset.name and ruleset.area == line.area and ruleset.conditions == national.conditions


def test_the_summary_counts_the_cases_and_shows_the_refused_exit(demo):
    result = demo.cases
    assert sum(result.steps.values()) == issue13_cases().count()
    assert result.notices_running == len([n for n in selectors.running_notices(TODAY)
                                          if rules.NOTICE_STEP[n.kind] not in MONITOR_STEPS])
    assert len(result.refused) == 1 and "未达到退出标准" in result.refused[0]
    text = "\n".join(summary_lines(result))
    for step in (*rules.PATHS[CaseKind.IDENTIFICATION], *rules.PATHS[CaseKind.EXIT]):
        assert rules.step_label(step) in text
    assert f"正在公示的公示公告 {result.notices_running} 份" in text and "异议待处理 3 条" in text
    assert result.refused[0] in text and "演示数据" in text


def test_every_step_of_the_monitoring_procedures_has_a_case(demo):
    """fupin.demo.monitoring_cases (issue 14, mproc): entry and risk elimination at every step, on exited
    households, the objects and the households where the steps put them."""
    from fupin.monitoring.models import MonitoringObject

    for kind, extra in ((CaseKind.MONITOR_ENTRY, (Step.REJECTED, Step.WITHDRAWN)), (CaseKind.MONITOR_CLEAR, ())):
        for step in (*rules.PATHS[kind], *extra):
            assert Case.objects.filter(kind=kind, step=step).exists(), (kind, step)
    at_risk = MonitoringObject.objects.filter(state="at_risk").select_related("household")
    assert at_risk and {o.household.status for o in at_risk} == {Status.MONITOR_RISK}
    cleared = MonitoringObject.objects.filter(state="cleared").select_related("household")
    assert cleared and {o.household.status for o in cleared} == {Status.MONITOR_CLEARED}
    assert MonitoringObject.objects.filter(instant=True, measures__isnull=False).exists()
