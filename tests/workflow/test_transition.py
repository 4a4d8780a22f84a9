"""fupin.workflow: who may, guards, effects, history and audit in one transaction, and the claim that
gives one of two people acting at once a clear refusal instead of a second change."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin import workflow
from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import rules, services
from fupin.registry.choices import CancelReason, Procedure, Status
from fupin.registry.models import Household, StatusChange
from tests import factories

pytestmark = pytest.mark.django_db


def trail(household) -> tuple[list, list]:
    history = list(StatusChange.objects.filter(household=household).order_by("id")
                   .values_list("from_status", "to_status"))
    audit = list(AuditEvent.objects.filter(kind=AuditKind.STATUS, entity_id=str(household.pk))
                 .values_list("data__changes__status__after", flat=True))
    return history, audit


def move(actor, household, to, **kwargs):
    kwargs.setdefault("reason", "测试")
    if to == Status.CANCELLED:
        kwargs.setdefault("cancel_reason", CancelReason.MERGED)
    return services.household_change_status(actor=actor, household=household, to_status=to, **kwargs)


# --- the claim ---------------------------------------------------------------------------------------


def test_of_two_stale_copies_the_first_moves_and_the_second_is_refused(tree, county_user, township_a_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    mine = Household.objects.get(pk=household.pk)
    theirs = Household.objects.get(pk=household.pk)  # both read 贫困户(未脱贫), version 1

    move(county_user, mine, Status.EXITED)
    with pytest.raises(workflow.Conflict) as info:
        move(township_a_user, theirs, Status.CANCELLED)

    assert info.value.messages == ["该户状态已被他人变更（现为“已脱贫(享受政策)”），请刷新后重试"]
    fresh = Household.objects.get(pk=household.pk)
    assert (fresh.status, fresh.version, fresh.cancel_reason) == (Status.EXITED, 2, "")
    assert trail(household) == ([("", Status.POOR), (Status.POOR, Status.EXITED)], [Status.EXITED])
    assert theirs.status == Status.POOR  # the refused caller's copy is left as it was read


def test_the_same_step_twice_is_refused_the_second_time(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    first, second = Household.objects.get(pk=household.pk), Household.objects.get(pk=household.pk)
    move(county_user, first, Status.EXITED)
    with pytest.raises(workflow.Conflict):
        move(county_user, second, Status.EXITED)
    assert StatusChange.objects.filter(household=household, to_status=Status.EXITED).count() == 1


def test_a_stale_version_is_refused_even_when_the_status_is_unchanged(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    services.household_update(actor=county_user, household=household, data={"address": "新地址"})
    with pytest.raises(workflow.Conflict) as info:
        move(county_user, household, Status.EXITED, expected_version=1)
    assert "刚被他人修改过" in info.value.messages[0]
    assert Household.objects.get(pk=household.pk).status == Status.POOR


def test_a_successful_step_leaves_the_callers_copy_as_written(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    other = Household.objects.get(pk=household.pk)
    services.household_update(actor=county_user, household=other, data={"address": "别人改的地址"})
    move(county_user, household, Status.EXITED, date=datetime.date(2019, 11, 2))  # status still 贫困户: claimed
    assert (household.status, household.exit_year, household.version) == (Status.EXITED, 2019, 3)
    assert household.address == "别人改的地址"  # the row as it is, not the stale copy
    event = AuditEvent.objects.get(kind=AuditKind.STATUS, entity_id=str(household.pk))
    assert set(event.data["changes"]) == {"status", "exit_year"}  # only what the step wrote


# --- the checks before the claim --------------------------------------------------------------------------


def test_a_read_only_role_may_take_no_step(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    leader = factories.user("leader", Role.LEADER, tree["county"])
    with pytest.raises(PermissionDenied):
        move(leader, household, Status.EXITED)
    assert trail(household) == ([("", Status.POOR)], [])


def test_a_writer_outside_the_area_may_take_no_step(tree, county_user, township_b_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    with pytest.raises(ValidationError) as info:
        move(township_b_user, household, Status.EXITED)
    assert "area" in info.value.message_dict


def _toy_process(**transition) -> workflow.Process:
    """The household status with one step of our own (poor → exited) carrying may/guards/effects."""
    table = workflow.Table(states=Status.values,
                           transitions=[workflow.Transition(Status.POOR, Status.EXITED, **transition)])
    return workflow.Process(name="toy", table=table, model=Household, area=lambda h: h.area,
                            history=services.HOUSEHOLD_STATUS_PROCESS.history,
                            audit=services.HOUSEHOLD_STATUS_PROCESS.audit, label=rules.status_label,
                            stale_message="已被他人变更为%(now)s")


def step(process, actor, household, **kwargs):
    kwargs.setdefault("values", {"exit_year": 2019})  # an exited household keeps its 实际脱贫年度
    return workflow.transition(process=process, actor=actor, obj=household, to=Status.EXITED, reason="测试",
                               procedure=Procedure.CORRECTION, **kwargs)


def test_who_may_is_a_capability_name_or_a_callable(tree, county_user, village_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    county_only = _toy_process(may=lambda actor, obj: actor.role == Role.COUNTY)
    with pytest.raises(PermissionDenied, match="不能把状态从“贫困户\\(未脱贫\\)”变更为"):
        step(county_only, village_user, household)
    step(_toy_process(may="write"), village_user, household)
    assert household.status == Status.EXITED


def test_a_guard_refuses_with_its_message_and_nothing_is_written(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    before = trail(household)

    def quorum(s: workflow.Step):
        return None if s.extra.get("votes", 0) >= 2 else {"votes": "到会代表不足三分之二"}

    process = _toy_process(guards=(quorum, lambda s: None))
    with pytest.raises(ValidationError) as info:
        step(process, county_user, household, extra={"votes": 1})
    assert info.value.message_dict == {"votes": ["到会代表不足三分之二"]}
    assert trail(household) == before and household.status == Status.POOR
    step(process, county_user, household, extra={"votes": 2})
    assert household.status == Status.EXITED


def test_effects_run_after_the_change_inside_the_transaction(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    seen = []

    def note(s: workflow.Step):
        seen.append((Household.objects.get(pk=s.obj.pk).status, StatusChange.objects.filter(
            household=s.obj, to_status=s.target).count()))

    step(_toy_process(effects=(note,)), county_user, household)
    assert seen == [(Status.EXITED, 1)]  # the state and its history row were already written

    other = factories.household(tree["village_a1"], actor=county_user)

    def boom(s: workflow.Step):
        raise ValidationError("效果失败")

    with pytest.raises(ValidationError):
        step(_toy_process(effects=(boom,)), county_user, other)
    assert Household.objects.get(pk=other.pk).status == Status.POOR  # undone with the step
    assert trail(other) == ([("", Status.POOR)], [])


def test_a_step_may_be_limited_to_some_procedures(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    process = _toy_process(procedures=frozenset({Procedure.EXIT}))
    with pytest.raises(ValidationError) as info:
        step(process, county_user, household)  # 信息更正
    assert info.value.message_dict["status"] == ["“correction”不能把状态从“贫困户(未脱贫)”变更为“已脱贫(享受政策)”"]


def test_a_table_refuses_duplicate_or_unknown_steps():
    with pytest.raises(ValueError, match="duplicate"):
        workflow.Table(states=["a", "b"], transitions=[workflow.Transition("a", "b"), workflow.Transition("a", "b")])
    with pytest.raises(ValueError, match="unknown"):
        workflow.Table(states=["a"], transitions=[workflow.Transition("a", "z")])


# --- the bulk path's claim ---------------------------------------------------------------------------------


def test_claim_many_moves_what_is_still_at_its_source_and_names_the_rest(tree, county_user):
    a = factories.household(tree["village_a1"], actor=county_user)
    b = factories.household(tree["village_a1"], actor=county_user)
    move(county_user, Household.objects.get(pk=b.pk), Status.EXITED)  # someone else moved b
    lost = workflow.claim_many(process=services.HOUSEHOLD_STATUS_PROCESS,
                               steps=[(a.pk, Status.POOR, Status.EXITED), (b.pk, Status.POOR, Status.EXITED)])
    assert lost == [b.pk]
    assert Household.objects.get(pk=a.pk).status == Status.EXITED
