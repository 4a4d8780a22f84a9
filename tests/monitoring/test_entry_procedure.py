"""监测对象纳入 (REFERENCE §7) on the workflow module: visit with signed consent → cross-check → appraisal and a
village notice of at least 5 days → township → county (household → 监测对象(风险未消除), object enrolled in the
same transaction) → announcement → recorded; refusals in Chinese."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.identification import services as cases
from fupin.identification.models import NoticeKind, Step
from fupin.monitoring import services
from fupin.monitoring.models import ObjectKind, ObjectState
from fupin.registry.choices import Status

from .mproc_helpers import CHECKLIST, VOTES, clock, enrol, exited, found, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(village_user, township_a_user, county_user):
    return {"village": village_user, "township": township_a_user, "county": county_user}


def test_a_full_entry_enrols_the_household_and_the_object_together(users, tree):
    household = exited(tree["village_a1"])
    with clock("2026-03-02") as t:
        obj = found(users["village"], household)
        assert obj.line == 6000 and obj.line_year == 2021 and obj.income_basis == "entered"
        case = enrol(users, obj, t, tree)
    obj.refresh_from_db()
    household.refresh_from_db()
    assert case.step == Step.ENTRY_RECORDED
    assert obj.state == ObjectState.AT_RISK and obj.enrolled_on == datetime.date(2026, 3, 7)
    assert household.status == Status.MONITOR_RISK


def test_the_visit_without_the_signed_consent_is_refused(users, tree):
    obj = found(users["village"], exited(tree["village_a1"]))
    checklist = {**CHECKLIST, "consent": {"ok": False, "note": "拒绝签字"}}
    with pytest.raises(ValidationError, match="签字承诺"):
        services.entry_open(actor=users["village"], obj=obj, checklist=checklist, opinion="入户")


def test_a_monitoring_notice_of_four_days_is_refused_and_five_suffice(users, tree):
    with clock("2026-03-02"):
        obj = found(users["village"], exited(tree["village_a1"]))
        case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户")
        case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_CHECK, opinion="比对")
        case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_APPRAISAL, opinion="评议", votes=VOTES)
        with pytest.raises(ValidationError, match="不足规定的 5 天"):
            publish(users["village"], NoticeKind.MONITOR_ENTRY_NOTICE, case.area, [case], datetime.date(2026, 3, 2), days=4)
        notice = publish(users["village"], NoticeKind.MONITOR_ENTRY_NOTICE, case.area, [case], datetime.date(2026, 3, 2))
    assert notice.days == 5


def test_the_township_may_not_review_before_the_notice_ends(users, tree):
    with clock("2026-03-02") as t:
        obj = found(users["village"], exited(tree["village_a1"]))
        case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户")
        case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_CHECK, opinion="比对")
        case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_APPRAISAL, opinion="评议", votes=VOTES)
        with pytest.raises(ValidationError, match="尚未发布"):
            cases.case_step(actor=users["township"], case=case, to=Step.ENTRY_TOWNSHIP, opinion="审核")
        publish(users["village"], NoticeKind.MONITOR_ENTRY_NOTICE, case.area, [case], datetime.date(2026, 3, 2))
        t.shift(datetime.timedelta(days=4))
        with pytest.raises(ValidationError, match="期满后"):
            cases.case_step(actor=users["township"], case=case, to=Step.ENTRY_TOWNSHIP, opinion="审核")


def test_the_appraisal_needs_the_quorum(users, tree):
    obj = found(users["village"], exited(tree["village_a1"]))
    case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户")
    case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_CHECK, opinion="比对")
    with pytest.raises(ValidationError, match="三分之二"):
        cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_APPRAISAL, opinion="评议",
                        votes={**VOTES, "present": 10, "votes_for": 8, "votes_against": 0, "votes_abstain": 0})


def test_a_step_may_not_be_skipped(users, tree):
    obj = found(users["village"], exited(tree["village_a1"]))
    case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户")
    with pytest.raises(ValidationError, match="不能从“入户核实”变更为“乡镇审核”"):
        cases.case_step(actor=users["county"], case=case, to=Step.ENTRY_TOWNSHIP, opinion="越级")


def test_the_township_may_not_take_the_villages_appraisal(users, tree):
    obj = found(users["village"], exited(tree["village_a1"]))
    case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户")
    case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_CHECK, opinion="比对")
    with pytest.raises(PermissionDenied):
        cases.case_step(actor=users["township"], case=case, to=Step.ENTRY_APPRAISAL, opinion="评议", votes=VOTES)


def test_refusing_the_entry_leaves_the_object_not_enrolled_and_the_household_as_it_was(users, tree):
    household = exited(tree["village_a1"])
    obj = found(users["village"], household)
    case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户")
    case = cases.case_step(actor=users["village"], case=case, to=Step.REJECTED, opinion="比对发现收入高于标准")
    obj.refresh_from_db()
    household.refresh_from_db()
    assert obj.state == ObjectState.NOT_ENROLLED and household.status == Status.EXITED
    # A new episode may start once the last is over.
    assert found(users["village"], household).pk != obj.pk


def test_a_case_sent_back_is_struck_from_its_notice(users, tree):
    with clock("2026-03-02"):
        obj = found(users["village"], exited(tree["village_a1"]))
        case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户")
        case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_CHECK, opinion="比对")
        case = cases.case_step(actor=users["village"], case=case, to=Step.ENTRY_APPRAISAL, opinion="评议", votes=VOTES)
        notice = publish(users["village"], NoticeKind.MONITOR_ENTRY_NOTICE, case.area, [case], datetime.date(2026, 3, 2))
        cases.case_step(actor=users["township"], case=case, to=Step.ENTRY_CHECK, opinion="退回重新比对")
    assert notice.entries.get().struck


def test_withdrawing_leaves_the_object_not_enrolled(users, tree):
    obj = found(users["village"], exited(tree["village_a1"]))
    case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户")
    cases.case_step(actor=users["village"], case=case, to=Step.WITHDRAWN, opinion="农户撤回申请")
    obj.refresh_from_db()
    assert obj.state == ObjectState.NOT_ENROLLED


def test_an_edge_household_must_never_have_been_poor(users, tree):
    with pytest.raises(ValidationError, match="从未建档立卡"):
        found(users["village"], exited(tree["village_a1"]), kind=ObjectKind.EDGE)


def edge_household(village):
    """A household never registered poor, entered by the registry's monitoring door (Procedure.MONITORING)."""
    from fupin.registry.choices import Procedure
    from tests import factories

    return factories.household(village, status=Status.MONITOR_RISK, procedure=Procedure.MONITORING,
                               identified_year=2026, date=datetime.date(2026, 1, 2))


def test_an_unstable_household_must_have_exited(users, tree):
    with pytest.raises(ValidationError, match="只适用于已脱贫户"):
        found(users["village"], edge_household(tree["village_a1"]))


def test_an_edge_household_refused_leaves_the_registry_as_its_refused_application_would(users, tree):
    with clock("2026-03-02"):
        household = edge_household(tree["village_a1"])
        obj = found(users["village"], household, kind=ObjectKind.EDGE)
        case = services.entry_open(actor=users["village"], obj=obj, checklist=CHECKLIST, opinion="入户")
        cases.case_step(actor=users["village"], case=case, to=Step.REJECTED, opinion="收入高于监测标准")
    household.refresh_from_db()
    assert household.status == Status.CANCELLED


def test_a_poor_household_is_not_monitored(users, tree):
    from tests import factories

    with pytest.raises(ValidationError, match="不能纳入防返贫监测"):
        found(users["village"], factories.household(tree["village_a1"]), kind=ObjectKind.SUDDEN)


def test_the_income_falls_back_to_last_years_record_when_none_is_entered(users, tree):
    from fupin.registry import services as registry

    household = exited(tree["village_a1"])
    registry.yearly_record_save(actor=None, household=household, year=2025, data={"member_count": 2,
                                                                                  "wage_income": 9000})
    with clock("2026-03-02"):
        obj = found(users["village"], household, income=None)
    assert obj.income_12m == 4500 and obj.income_basis == "record"
