"""Identification's seven steps on the workflow engine: the full path, who may take which step, the vote's
quorum, the checklist, the notice periods and objections, sending back and refusing."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.identification import services
from fupin.identification.models import CaseEvent, CaseKind, NoticeKind, ObjectionStatus, Step
from fupin.registry.choices import CancelReason, Status

from .helpers import CHECKLIST, VOTES, applicant, clock, open_case, publish, walk_to_township

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(village_user, township_a_user, county_user, township_b_user):
    return {"village": village_user, "township": township_a_user, "county": county_user,
            "outsider": township_b_user}


def test_a_full_round_makes_the_household_poor_and_records_every_step(users, tree):
    household = applicant(tree["village_a1"])
    with clock() as t:
        case, _first = walk_to_township(users, household, t)
        second = publish(users["township"], NoticeKind.SECOND, tree["village_a1"], [case], datetime.date(2026, 3, 10))
        t.shift(datetime.timedelta(days=8))
        case = services.case_step(actor=users["county"], case=case, to=Step.COUNTY, opinion="县扶贫办确认")
        household.refresh_from_db()
        assert household.status == Status.POOR
        publish(users["county"], NoticeKind.COUNTY, tree["county"], [case], datetime.date(2026, 3, 18))
        t.shift(datetime.timedelta(days=8))
        case = services.case_step(actor=users["county"], case=case, to=Step.CITY, opinion="市抽查无误")
    assert second.entries.get().id_masked.count("*") == 8
    steps = list(CaseEvent.objects.filter(case=case).values_list("to_step", flat=True))
    assert steps == [Step.APPLIED, Step.GROUP, Step.VILLAGE, Step.VISITED, Step.TOWNSHIP, Step.COUNTY, Step.CITY]
    vote = CaseEvent.objects.get(case=case, to_step=Step.VILLAGE)
    assert (vote.representatives, vote.present, vote.votes_for) == (30, 24, 20)
    assert household.status_changes.filter(to_status=Status.POOR, procedure="identification").exists()


def test_each_role_acts_only_on_its_own_steps(users, tree):
    household = applicant(tree["village_a1"])
    case = open_case(users["village"], household)
    with pytest.raises(PermissionDenied):
        services.case_step(actor=users["county"], case=case, to=Step.GROUP, opinion="越级")
    with pytest.raises(ValidationError, match="无权"):
        services.case_step(actor=users["outsider"], case=case, to=Step.GROUP, opinion="越界")
    with pytest.raises(ValidationError, match="不能从"):
        services.case_step(actor=users["village"], case=case, to=Step.VILLAGE, opinion="跳步", votes=VOTES)


def test_the_village_vote_needs_two_thirds_present_and_a_majority(users, tree):
    case = open_case(users["village"], applicant(tree["village_a1"]))
    case = services.case_step(actor=users["village"], case=case, to=Step.GROUP, opinion="小组议")
    with pytest.raises(ValidationError, match="三分之二"):
        services.case_step(actor=users["village"], case=case, to=Step.VILLAGE, opinion="评定",
                           votes={"representatives": 30, "present": 19, "votes_for": 19})
    with pytest.raises(ValidationError, match="半数"):
        services.case_step(actor=users["village"], case=case, to=Step.VILLAGE, opinion="评定",
                           votes={"representatives": 30, "present": 20, "votes_for": 10, "votes_against": 10})
    services.case_step(actor=users["village"], case=case, to=Step.VILLAGE, opinion="评定",
                       votes={"representatives": 30, "present": 20, "votes_for": 11})


def test_a_step_waits_for_its_notice_and_its_objections(users, tree):
    household = applicant(tree["village_a1"])
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False) as t:
        case = open_case(users["village"], household)
        case = services.case_step(actor=users["village"], case=case, to=Step.GROUP, opinion="小组议")
        case = services.case_step(actor=users["village"], case=case, to=Step.VILLAGE, opinion="评定", votes=VOTES)
        with pytest.raises(ValidationError, match="尚未发布"):
            services.case_step(actor=users["village"], case=case, to=Step.VISITED, opinion="查", checklist=CHECKLIST)
        with pytest.raises(ValidationError, match="不足规定的 7 天"):
            publish(users["village"], NoticeKind.FIRST, tree["village_a1"], [case], datetime.date(2026, 3, 2), days=6)
        notice = publish(users["village"], NoticeKind.FIRST, tree["village_a1"], [case], datetime.date(2026, 3, 2))
        objection = services.objection_record(actor=users["village"], notice=notice, entry=notice.entries.get(),
                                              content="该户有轿车", raised_by="匿名")
        t.move_to(datetime.datetime(2026, 3, 8, 9, tzinfo=datetime.UTC))  # the last day of the period
        with pytest.raises(ValidationError, match="期满后"):
            services.case_step(actor=users["village"], case=case, to=Step.VISITED, opinion="查", checklist=CHECKLIST)
        t.move_to(datetime.datetime(2026, 3, 9, 9, tzinfo=datetime.UTC))
        with pytest.raises(ValidationError, match="异议"):
            services.objection_record(actor=users["village"], notice=notice, content="过期异议")
        with pytest.raises(ValidationError, match="1 条异议"):
            services.case_step(actor=users["village"], case=case, to=Step.VISITED, opinion="查", checklist=CHECKLIST)
        with pytest.raises(ValidationError, match="入户核查清单未填完"):
            services.objection_resolve(actor=users["village"], objection=objection, status=ObjectionStatus.DISMISSED,
                                       resolution="经核查车辆为农用车")
            services.case_step(actor=users["village"], case=case, to=Step.VISITED, opinion="查", checklist={})
        services.case_step(actor=users["village"], case=case, to=Step.VISITED, opinion="查", checklist=CHECKLIST)


def test_an_upheld_objection_sends_the_case_back_and_strikes_it_from_the_notice(users, tree):
    household = applicant(tree["village_a1"])
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False) as t:
        case = open_case(users["village"], household)
        case = services.case_step(actor=users["village"], case=case, to=Step.GROUP, opinion="小组议")
        case = services.case_step(actor=users["village"], case=case, to=Step.VILLAGE, opinion="评定", votes=VOTES)
        notice = publish(users["village"], NoticeKind.FIRST, tree["village_a1"], [case], datetime.date(2026, 3, 2))
        objection = services.objection_record(actor=users["village"], notice=notice, entry=notice.entries.get(),
                                              content="子女为公务员")
        services.objection_resolve(actor=users["village"], objection=objection, status=ObjectionStatus.UPHELD,
                                   resolution="属实")
        t.move_to(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC))
        with pytest.raises(ValidationError, match="异议经核查成立"):
            services.case_step(actor=users["village"], case=case, to=Step.VISITED, opinion="查", checklist=CHECKLIST)
        case = services.case_step(actor=users["village"], case=case, to=Step.REJECTED, opinion="财政供养人员子女，七不进")
    household.refresh_from_db()
    assert (household.status, household.cancel_reason) == (Status.CANCELLED, CancelReason.NOT_IDENTIFIED)


def test_sending_back_strikes_the_case_from_later_notices(users, tree):
    household = applicant(tree["village_a1"])
    with clock() as t:
        case, first = walk_to_township(users, household, t)
        second = publish(users["township"], NoticeKind.SECOND, tree["village_a1"], [case],
                         datetime.date(2026, 3, 10))
        case = services.case_step(actor=users["county"], case=case, to=Step.VISITED, opinion="材料不全，退回重查")
    assert second.entries.get().struck and not first.entries.get().struck
    assert CaseEvent.objects.filter(case=case, to_step=Step.VISITED, sent_back=True).exists()


def test_a_second_open_case_for_the_household_is_refused(users, tree):
    household = applicant(tree["village_a1"])
    open_case(users["village"], household)
    with pytest.raises(ValidationError, match="正在办理"):
        open_case(users["village"], household)


def test_only_households_applying_may_open_an_identification_case(users, tree):
    poor = applicant(tree["village_a1"])
    with pytest.raises(ValidationError, match="申请中"):
        services.case_open(actor=users["village"], kind=CaseKind.IDENTIFICATION,
                           household=type(poor).objects.filter(pk=poor.pk).update(status=Status.POOR)
                           and type(poor).objects.get(pk=poor.pk), year=2026, reason="x")
