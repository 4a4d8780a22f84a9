"""The project lifecycle (issue 16, life16): every transition of rules.PATH, who may take each, the guards,
退回 and 终止 with reasons, the history rows and the audit rows. One test per behaviour."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin import workflow
from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.projects import services_library as lib
from fupin.projects.models import DisclosureKind, Project, ProjectEvent
from fupin.projects.rules import CANCELLABLE, PATH, RETURNABLE, Stage
from tests import factories

from .conftest import DAY, disclose, walk

pytestmark = pytest.mark.django_db


def test_table_has_every_forward_step_return_and_cancel():
    table = lib.PROCESS.table
    for a, b in zip(PATH, PATH[1:], strict=False):
        assert table.find(a, b) is not None, (a, b)
    assert {s for s in Stage.values if table.find(s, Stage.PROPOSED)} == set(RETURNABLE)
    assert {s for s in Stage.values if table.find(s, Stage.CANCELLED)} == set(CANCELLABLE)
    assert table.targets(Stage.CANCELLED) == frozenset() and table.targets(Stage.OPERATING) == frozenset()
    assert table.find(Stage.PROPOSED, Stage.APPRAISED) is None  # no skipping


def test_proposal_records_first_event_and_audit(project, roads):
    assert project.stage == Stage.PROPOSED and project.lead == roads  # seed 000's lead by category
    assert list(project.events.values_list("source", "target")) == [("", Stage.PROPOSED)]
    assert AuditEvent.objects.filter(kind=AuditKind.CREATE, entity="projects.project", entity_id=str(project.pk)).exists()


def test_the_whole_path_writes_history_and_audit(project):
    project = walk(project, Stage.OPERATING)
    steps = [(e.source, e.target) for e in project.events.order_by("at", "id") if e.source != e.target]
    assert steps == [("", Stage.PROPOSED), *zip(PATH, PATH[1:], strict=False)]
    audits = AuditEvent.objects.filter(kind=AuditKind.STATUS, entity_id=str(project.pk))
    assert audits.count() == len(PATH) - 1
    assert project.accepted_on == DAY and project.started_on == DAY and project.stage_on == DAY


def test_each_step_needs_its_role(project, tree, township_a_user, county_user, village_user, department_user):
    # 乡镇审核: the township, not the village nor the county
    with pytest.raises(PermissionDenied):
        lib.project_step(actor=village_user, project=project, to=Stage.TOWNSHIP_REVIEWED, reason="ok", date=DAY)
    with pytest.raises(PermissionDenied):
        lib.project_step(actor=county_user, project=project, to=Stage.TOWNSHIP_REVIEWED, reason="ok", date=DAY)
    project = lib.project_step(actor=township_a_user, project=project, to=Stage.TOWNSHIP_REVIEWED, reason="ok", date=DAY)
    # 部门论证: the lead department (not a registry writer) may; the township may not
    with pytest.raises(PermissionDenied):
        lib.project_step(actor=township_a_user, project=project, to=Stage.APPRAISED, reason="ok", date=DAY)
    project = lib.project_step(actor=department_user, project=project, to=Stage.APPRAISED, reason="论证通过", date=DAY)
    # 县级审定: the county only
    with pytest.raises(PermissionDenied):
        lib.project_step(actor=department_user, project=project, to=Stage.APPROVED, reason="ok", date=DAY)
    project = lib.project_step(actor=county_user, project=project, to=Stage.APPROVED, reason="审定", date=DAY)
    assert project.events.last().actor == county_user


def test_read_only_roles_are_refused(project, tree):
    leader = factories.user("leader", Role.LEADER, tree["county"])
    with pytest.raises(PermissionDenied):
        lib.project_step(actor=leader, project=project, to=Stage.TOWNSHIP_REVIEWED, reason="ok", date=DAY)


def test_township_outside_its_subtree_is_refused(project, township_b_user):
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=township_b_user, project=project, to=Stage.TOWNSHIP_REVIEWED, reason="ok", date=DAY)
    assert "area" in e.value.message_dict
    assert Project.objects.get(pk=project.pk).stage == Stage.PROPOSED


def test_department_acts_only_on_projects_it_leads(project, tree, water):
    project = walk(project, Stage.TOWNSHIP_REVIEWED)
    other = factories.user("dept_water", Role.DEPARTMENT, tree["county"])
    from fupin.projects.models import DepartmentStaff

    DepartmentStaff.objects.create(user=other, department=water)
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=other, project=project, to=Stage.APPRAISED, reason="ok", date=DAY)
    assert "不由您的部门牵头" in str(e.value)


def test_library_refused_before_plan_notice(project):
    project = walk(project, Stage.NOTICE)
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=None, project=project, to=Stage.LIBRARY, reason="ok", date=DAY)
    assert "尚未发布项目计划公示" in str(e.value)


def test_library_refused_while_notice_runs_or_too_short(project):
    project = walk(project, Stage.NOTICE)
    disclose(project, DisclosureKind.PLAN, DAY - datetime.timedelta(days=5), 10)  # ends DAY+4
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=None, project=project, to=Stage.LIBRARY, reason="ok", date=DAY)
    assert "才结束" in str(e.value)
    project.disclosures.all().delete()
    disclose(project, DisclosureKind.PLAN, DAY - datetime.timedelta(days=30), 7)  # over, but 7 < 10 days
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=None, project=project, to=Stage.LIBRARY, reason="ok", date=DAY)
    assert "不足 10 天" in str(e.value)


def test_notice_days_as_data(project, tree):
    from fupin.projects.models import ProjectRule

    ProjectRule.objects.create(area=tree["county"], key="notice_days", value=5)
    project = walk(project, Stage.NOTICE)
    disclose(project, DisclosureKind.PLAN, DAY - datetime.timedelta(days=30), 7)
    assert lib.project_step(actor=None, project=project, to=Stage.LIBRARY, reason="ok", date=DAY).stage == Stage.LIBRARY


def test_implementation_needs_schedule_and_budget(project):
    project = walk(project, Stage.PLANNED)
    Project.objects.filter(pk=project.pk).update(starts_on=None)
    project.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=None, project=project, to=Stage.IMPLEMENTING, reason="开工", date=DAY)
    assert "starts_on" in e.value.message_dict


def test_acceptance_needs_completion(project):
    project = walk(project, Stage.IMPLEMENTING)
    lib.progress_report(actor=None, project=project, progress=60, on=DAY)
    project.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=None, project=project, to=Stage.ACCEPTED, reason="验收", date=DAY)
    assert "progress" in e.value.message_dict and "finished_on" in e.value.message_dict


def test_announcement_refused_before_completion_notice_over(project):
    project = walk(project, Stage.ACCEPTED)
    disclose(project, DisclosureKind.COMPLETION, DAY - datetime.timedelta(days=3), 10)
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=None, project=project, to=Stage.ANNOUNCED, reason="公告完成", date=DAY)
    assert "项目竣工公告" in str(e.value)


def test_hand_over_needs_an_asset(project):
    project = walk(project, Stage.ANNOUNCED)
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=None, project=project, to=Stage.HANDED_OVER, reason="移交", date=DAY)
    assert "资产" in str(e.value)


def test_return_needs_reason_and_goes_back_to_village(project, county_user):
    project = walk(project, Stage.APPRAISED)
    with pytest.raises(ValidationError) as e:
        lib.project_return(actor=county_user, project=project, reason=" ", date=DAY)
    assert "reason" in e.value.message_dict
    project = lib.project_return(actor=county_user, project=project, reason="投资估算不实，请重报", date=DAY)
    assert project.stage == Stage.PROPOSED
    event = project.events.last()
    assert (event.source, event.target, event.reason) == (Stage.APPRAISED, Stage.PROPOSED, "投资估算不实，请重报")
    assert AuditEvent.objects.filter(kind=AuditKind.STATUS, entity_id=str(project.pk), data__kind="back").exists()


def test_return_by_the_next_steps_role_only(project, township_a_user):
    project = walk(project, Stage.TOWNSHIP_REVIEWED)
    # the township took the step: sending it back is the appraiser's (department or county), not the township's
    with pytest.raises(PermissionDenied):
        lib.project_return(actor=township_a_user, project=project, reason="撤回", date=DAY)


def test_return_refused_after_library(project):
    project = walk(project, Stage.LIBRARY)
    with pytest.raises(ValidationError):
        lib.project_return(actor=None, project=project, reason="重报", date=DAY)


def test_cancel_with_reason_and_final(project, county_user):
    project = walk(project, Stage.IMPLEMENTING)
    with pytest.raises(ValidationError):
        lib.project_cancel(actor=county_user, project=project, reason="", date=DAY)
    project = lib.project_cancel(actor=county_user, project=project, reason="选址变更，项目取消", date=DAY)
    assert project.stage == Stage.CANCELLED
    with pytest.raises(ValidationError):
        lib.project_step(actor=None, project=project, to=Stage.ACCEPTED, reason="x", date=DAY)


def test_cancel_refused_after_acceptance(project):
    project = walk(project, Stage.ACCEPTED)
    with pytest.raises(ValidationError):
        lib.project_cancel(actor=None, project=project, reason="取消", date=DAY)


def test_township_may_cancel_only_while_it_holds_the_project(project, township_a_user):
    assert lib.project_cancel(actor=township_a_user, project=project, reason="不符合条件", date=DAY).stage == Stage.CANCELLED


def test_stale_copy_is_a_conflict(project):
    stale = Project.objects.get(pk=project.pk)
    lib.project_step(actor=None, project=project, to=Stage.TOWNSHIP_REVIEWED, reason="ok", date=DAY)
    with pytest.raises(workflow.Conflict):
        lib.project_step(actor=None, project=stale, to=Stage.TOWNSHIP_REVIEWED, reason="ok", date=DAY)
    assert ProjectEvent.objects.filter(project=project, target=Stage.TOWNSHIP_REVIEWED).count() == 1


def test_step_date_not_before_last_nor_future(project):
    with pytest.raises(ValidationError) as e:
        lib.project_step(actor=None, project=project, to=Stage.TOWNSHIP_REVIEWED, reason="ok",
                         date=DAY - datetime.timedelta(days=60))
    assert "早于上一环节" in str(e.value)
    with pytest.raises(ValidationError):
        lib.project_step(actor=None, project=project, to=Stage.TOWNSHIP_REVIEWED, reason="ok",
                         date=datetime.date.today() + datetime.timedelta(days=2))


def test_actions_offered_match_roles(project, township_a_user, county_user, department_user, village_user):
    assert lib.actions_for(township_a_user, project) == {"forward": True, "back": False, "cancel": True}
    assert lib.actions_for(village_user, project)["forward"] is False
    project = walk(project, Stage.TOWNSHIP_REVIEWED)
    assert lib.actions_for(department_user, project) == {"forward": True, "back": True, "cancel": False}
    assert lib.actions_for(county_user, project) == {"forward": True, "back": True, "cancel": True}


def test_replay_checks_each_step_by_the_engines_rule_and_writes_nothing(project, township_a_user, county_user,
                                                                         department_user):
    """workflow.replay (the demo's bulk path, through lib.project_replay): the table, the actor's capability and
    scope, one step after the other, on the object in memory — the version counted, nothing written."""
    with pytest.raises(ValidationError):  # no skipping 乡镇审核
        lib.project_replay(project=project, steps=[(county_user, Stage.APPRAISED, "ok", DAY)])
    with pytest.raises(PermissionDenied):  # 乡镇审核 is the township's
        lib.project_replay(project=project, steps=[(county_user, Stage.TOWNSHIP_REVIEWED, "ok", DAY)])
    assert project.stage == Stage.PROPOSED and project.version == 0
    events = lib.project_replay(project=project, steps=[(township_a_user, Stage.TOWNSHIP_REVIEWED, "同意", DAY),
                                                        (department_user, Stage.APPRAISED, "", DAY)])
    assert [(e.source, e.target, e.actor, e.reason, e.pk) for e in events] == [
        (Stage.PROPOSED, Stage.TOWNSHIP_REVIEWED, township_a_user, "同意", None),
        (Stage.TOWNSHIP_REVIEWED, Stage.APPRAISED, department_user, "部门论证", None)]
    assert project.stage == Stage.APPRAISED and project.version == 2 and project.stage_on == DAY
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.version, stored.events.count()) == (Stage.PROPOSED, 0, 1)
