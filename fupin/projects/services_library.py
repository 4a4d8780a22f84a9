"""Every write of the project library (issue 16, life16): propose and edit a project, its lifecycle on the
workflow engine (every step of rules.PATH, 退回 with a reason, 终止 with a reason), beneficiaries picked
from the registry (poor counts derived), contracts, progress reports, and the 行业部门 account's
department. Each write checks the policy, validates, and writes its audit row in the same transaction.

The lifecycle (fupin.projects.rules): a step INTO a stage needs rules.STEP_CAPABILITY[stage]; 退回 (back
to 村级申报, from rules.RETURNABLE) needs the capability of the step the project was waiting for (who
would have taken it next sends it back); 终止 (from rules.CANCELLABLE) the county's (``project_county``),
or the township's while the project has not left the township (村级申报, 乡镇审核). A 行业部门 acts only on
the projects its department leads (policy organisation scope "department"); every other role inside its
subtree (policy.check_write). Guards (each refusal named in Chinese):

* 入库公示 → 已入库: a 项目计划公示 (Disclosure kind PLAN) of the project hung at least ``notice_days``
  (ProjectRule through thresholds_pub16.threshold, default 10) and over by the step's date;
* 竣工验收 → 公告公示完成: the same for a 项目竣工公告 (kind COMPLETION);
* → 实施中: the project's schedule (计划开工、计划完工) and budget are set;
* → 竣工验收: progress at 100 % and the actual completion date (实际完工) recorded;
* → 资产移交: an asset (扶贫项目资产) registered from the project;
* a step's date is not in the future nor before the last step's.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin import workflow
from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_delete, audit_status, audit_update, snapshot
from fupin.lib.money import yuan
from fupin.registry.choices import Status

from .models import (
    Asset,
    Beneficiary,
    Contract,
    DepartmentStaff,
    Disclosure,
    DisclosureKind,
    Project,
    ProjectEvent,
)
from .rules import CANCELLABLE, LEAD_DEPARTMENTS, PATH, RETURNABLE, STEP_CAPABILITY, Stage
from .thresholds_pub16 import threshold

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.assistance.models import HelpingUnit
    from fupin.registry.models import Household

#: The procedure name the workflow records (projects have no registry procedure).
PROCEDURE = "project"
#: Progress reports are ProjectEvent rows whose source and target are the stage they were made in.
PROGRESS = "progress"


def _d(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def stage_label(stage: str) -> str:
    return str(Stage(stage).label)


# --- the notice guards (pub16 provides them at merge: services_disclosures.plan_notice_over ...) ---------


def _notice_over(project: Project, kind: str, on: datetime.date) -> str | None:
    """None when a disclosure of ``kind`` for ``project`` (not withdrawn) hung at least ``notice_days`` and
    is over by ``on``; otherwise why not."""
    days = threshold("notice_days", project.area)
    label = DisclosureKind(kind).label
    shown = list(Disclosure.objects.filter(project=project, kind=kind, withdrawn=False).order_by("starts_on"))
    if not shown:
        return _("尚未发布%(k)s（公示期至少 %(n)s 天）") % {"k": label, "n": days}
    for d in shown:
        if (d.ends_on - d.starts_on).days + 1 >= days and d.ends_on < on:
            return None
    d = shown[-1]
    if (d.ends_on - d.starts_on).days + 1 < days:
        return _("%(k)s公示期 %(a)s 至 %(b)s 不足 %(n)s 天") % {"k": label, "a": _d(d.starts_on), "b": _d(d.ends_on),
                                                         "n": days}
    return _("%(k)s公示期到 %(b)s 才结束，公示期满后方可进入下一环节") % {"k": label, "b": _d(d.ends_on)}


def _external(name: str):  # pragma: no cover - present once pub16's part is merged
    try:
        from . import services_disclosures
    except ImportError:
        return None
    return getattr(services_disclosures, name, None)


def plan_notice_refusal(project: Project, on: datetime.date) -> str | None:
    return _refusal("plan_notice_over", project, DisclosureKind.PLAN, on, _("项目计划公示期未满"))


def completion_notice_refusal(project: Project, on: datetime.date) -> str | None:
    return _refusal("completion_notice_over", project, DisclosureKind.COMPLETION, on, _("项目竣工公告期未满"))


def _refusal(name: str, project: Project, kind: str, on: datetime.date, fallback: str) -> str | None:
    """pub16's guard (services_disclosures) decides; the refusal names why: this module's reason, else
    pub16's ``notice_problem``, else ``fallback`` (a bare False from the guard says nothing)."""
    helper = _external(name)
    if helper is None:
        return _notice_over(project, kind, on)
    answer = helper(project, on)
    if answer is True or answer is None:
        return None
    if isinstance(answer, str):
        return answer
    problem = _external("notice_problem")
    return _notice_over(project, kind, on) or (problem(project, kind, on) if problem else None) or fallback


# --- the process --------------------------------------------------------------------------------------


def _guard_plan_notice(step: workflow.Step) -> str | None:
    return plan_notice_refusal(step.obj, step.date)


def _guard_completion_notice(step: workflow.Step) -> str | None:
    return completion_notice_refusal(step.obj, step.date)


def _guard_ready_to_implement(step: workflow.Step) -> Mapping[str, str] | None:
    p: Project = step.obj
    missing = {}
    if not p.starts_on or not p.ends_on:
        missing["starts_on"] = _("开工实施前须填写计划开工和计划完工日期")
    if not p.budget:
        missing["budget"] = _("开工实施前须填写总投资")
    return missing or None


def _guard_finished(step: workflow.Step) -> Mapping[str, str] | None:
    p: Project = step.obj
    errors = {}
    if p.progress < 100:
        errors["progress"] = _("形象进度为 %(p)s%%，完工（100%%）后才能验收") % {"p": p.progress}
    if not p.finished_on:
        errors["finished_on"] = _("尚未填报实际完工日期")
    return errors or None


def _guard_asset(step: workflow.Step) -> str | None:
    if not Asset.objects.filter(project=step.obj).exists():
        return _("尚未登记该项目形成的资产（扶贫项目资产），不能移交")
    return None


def _guard_date(step: workflow.Step) -> Mapping[str, str] | None:
    if step.date > timezone.localdate():
        return {"date": _("日期 %(d)s 晚于今天") % {"d": _d(step.date)}}
    last = step.obj.events.exclude(target="").order_by("-on").values_list("on", flat=True).first()
    if last and step.date < last:
        return {"date": _("日期 %(d)s 早于上一环节的日期 %(l)s") % {"d": _d(step.date), "l": _d(last)}}
    return None


def _acts_on(actor: User, project: Project) -> bool:
    """A 行业部门 acts only on the projects its department leads."""
    if policy.acts_for(actor, "department"):
        return project.lead_id is not None and policy.organisation_of(actor) == project.lead_id
    return True


def _may(capability: str | tuple[str, ...]):
    caps = (capability,) if isinstance(capability, str) else capability

    def may(actor: User, project: Project) -> bool:
        return any(policy.can(actor, c) for c in caps) and _acts_on(actor, project)
    return may


def _scope(actor: User | None, project: Project) -> None:
    """Every step's scope check: a 行业部门 within its county on its own department's projects; any other
    role a writer in its subtree (policy.check_write: read-only roles 403, outside the subtree refused)."""
    if actor is None:
        return
    if policy.acts_for(actor, "department"):
        scope = policy.scope_path(actor)
        if scope is None or not project.area.path.startswith(scope) or not _acts_on(actor, project):
            raise ValidationError({"lead": _("该项目不由您的部门牵头，不能办理")})
        return
    if not any(policy.can(actor, c) for c in set(STEP_CAPABILITY.values())):
        raise PermissionDenied(_("当前角色只能查看，不能办理项目"))
    policy.check_write(actor, project.area)


def _history_row(step: workflow.Step) -> ProjectEvent:
    return ProjectEvent(project=step.obj, source=step.source, target=step.target, on=step.date,
                        reason=step.reason[:500], data={k: v for k, v in step.extra.items() if k in ("kind",)},
                        actor=step.actor if getattr(step.actor, "pk", None) else None)


def _history(step: workflow.Step) -> None:
    event = _history_row(step)
    event.save()
    step.extra["event"] = event


def _audit(step: workflow.Step) -> None:
    p: Project = step.obj
    audit_status(actor=step.actor, obj=p, area_path=p.area_path,
                 summary=_("项目 %(c)s：%(a)s → %(b)s") % {"c": p.code, "a": stage_label(step.source),
                                                        "b": stage_label(step.target)},
                 data={"stage": [step.source, step.target], "reason": step.reason, "date": step.date.isoformat(),
                       "kind": step.extra.get("kind", "forward")})


def _validate(project: Project) -> None:
    project.full_clean(validate_constraints=False)


def _table() -> workflow.Table:
    steps = []
    guards: dict[str, tuple] = {
        Stage.LIBRARY: (_guard_plan_notice,),
        Stage.IMPLEMENTING: (_guard_ready_to_implement,),
        Stage.ACCEPTED: (_guard_finished,),
        Stage.ANNOUNCED: (_guard_completion_notice,),
        Stage.HANDED_OVER: (_guard_asset,),
    }
    for source, target in zip(PATH, PATH[1:], strict=False):
        steps.append(workflow.Transition(source, target, may=_may(STEP_CAPABILITY[target]),
                                         guards=guards.get(target, ())))
    for source in RETURNABLE:
        steps.append(workflow.Transition(source, Stage.PROPOSED, may=_may(return_capability(source))))
    for source in CANCELLABLE:
        caps = ("project_county", "project_township") if source in (Stage.PROPOSED, Stage.TOWNSHIP_REVIEWED) \
            else ("project_county",)
        steps.append(workflow.Transition(source, Stage.CANCELLED, may=_may(caps)))
    return workflow.Table(states=Stage.values, transitions=steps)


def return_capability(source: str) -> str:
    """退回 from ``source``: the capability of the step the project was waiting for."""
    return STEP_CAPABILITY[PATH[PATH.index(source) + 1]]


PROCESS = workflow.Process(
    name="project_stage", table=_table(), model=Project, field="stage", area=lambda p: p.area,
    history=_history, history_row=_history_row, audit=_audit, label=stage_label, validate=_validate,
    guards=(_guard_date,), scope=_scope, stale_message=gettext_lazy("该项目已被他人推进到“%(now)s”，请刷新后重试"))


def next_stage(stage: str) -> str | None:
    if stage not in PATH or stage == PATH[-1]:
        return None
    return PATH[PATH.index(stage) + 1]


def actions_for(user: User, project: Project) -> dict[str, bool]:
    """Which of 推进 / 退回 / 终止 ``user`` may offer on the project's page (the service checks again)."""
    out = {"forward": False, "back": False, "cancel": False}
    if policy.role_of(user) is None:
        return out
    try:
        _scope(user, project)
    except (PermissionDenied, ValidationError):
        return out
    for kind, target in (("forward", next_stage(project.stage)), ("back", Stage.PROPOSED),
                         ("cancel", Stage.CANCELLED)):
        t = PROCESS.table.find(project.stage, target) if target else None
        out[kind] = bool(t and t.may(user, project))
    return out


def _step_values(project: Project, to: str, day: datetime.date) -> dict[str, Any]:
    values: dict[str, Any] = {"stage_on": day}
    if to == Stage.IMPLEMENTING and not project.started_on:
        values["started_on"] = day
    if to == Stage.ACCEPTED:
        values["accepted_on"] = day
    return values


def planned_step(*, actor: User | None, project: Project, to: str, reason: str,
                 date: datetime.date | None = None) -> workflow.Planned:
    """One step of the lifecycle as :func:`project_step` hands it to the engine (reason, values, kind)."""
    day = date or timezone.localdate()
    kind = "back" if to == Stage.PROPOSED else "cancel" if to == Stage.CANCELLED else "forward"
    if kind != "forward" and not (reason or "").strip():
        raise ValidationError({"reason": _("退回或终止必须注明原因") if kind == "back" else _("终止项目必须注明原因")})
    return workflow.Planned(to=to, actor=actor, date=day, reason=(reason or "").strip() or stage_label(to),
                            values=_step_values(project, to, day), extra={"kind": kind})


def project_step(*, actor: User | None, project: Project, to: str, reason: str, date: datetime.date | None = None,
                 expected_version: int | None = None) -> Project:
    """Take one step of the project's lifecycle: forward along rules.PATH, 退回 (to 村级申报) or 终止."""
    step = planned_step(actor=actor, project=project, to=to, reason=reason, date=date)
    return workflow.transition(process=PROCESS, actor=actor, obj=project, to=to, reason=step.reason, date=step.date,
                               procedure=PROCEDURE, values=step.values, expected_version=expected_version,
                               extra=step.extra)


def project_replay(*, project: Project, steps: Iterable[tuple[User | None, str, str, datetime.date]]) -> list[ProjectEvent]:
    """A bulk writer's past path of ``project`` (the demo county's, before its row is written): each
    (actor, to, reason, date) built as :func:`project_step` builds it and checked by the engine's rule
    (workflow.replay: table, capability, scope); ``project`` left at the last step with its version counted.
    Returns the history rows, unsaved. The guards are not asked: the caller's data meets them."""
    out = []
    for actor, to, reason, day in steps:
        (step,) = workflow.replay(process=PROCESS, obj=project, procedure=PROCEDURE,
                                  steps=[planned_step(actor=actor, project=project, to=to, reason=reason, date=day)])
        out.append(PROCESS.history_row(step))
    return out


def project_return(*, actor: User | None, project: Project, reason: str, date: datetime.date | None = None,
                   expected_version: int | None = None) -> Project:
    """退回: back to 村级申报 for the village to correct and submit again, with the reason."""
    return project_step(actor=actor, project=project, to=Stage.PROPOSED, reason=reason, date=date,
                        expected_version=expected_version)


def project_cancel(*, actor: User | None, project: Project, reason: str, date: datetime.date | None = None,
                   expected_version: int | None = None) -> Project:
    """终止: the project is cancelled, with the reason; money already paid stays on the record."""
    return project_step(actor=actor, project=project, to=Stage.CANCELLED, reason=reason, date=date,
                        expected_version=expected_version)


# --- propose and edit ---------------------------------------------------------------------------------

#: The fields a proposal and an edit write (besides area and lead).
FIELDS = ("name", "category", "nature", "site", "implementer", "tasks", "year", "starts_on", "ends_on",
          "finished_on", "budget", "financing", "households", "people", "targets", "participation", "mechanism")
#: Once in the library (已入库 and after), only these may still change (schedule, actual dates, counts).
LATE_FIELDS = frozenset({"implementer", "starts_on", "ends_on", "finished_on", "households", "people",
                         "targets", "participation", "mechanism", "financing"})
#: Editable while the village has it (or it was sent back) and during the reviews.
EARLY = frozenset(PATH[: PATH.index(Stage.LIBRARY)])


def default_lead(category: str, area: Area) -> HelpingUnit | None:
    """The lead department of seed 000 for ``category`` among the county's helping units (by name)."""
    from fupin.assistance.models import HelpingUnit

    name = LEAD_DEPARTMENTS.get(category)
    if not name:
        return None
    paths = [area.path[:n] for n in range(1, len(area.path) + 1)]
    units = HelpingUnit.objects.filter(name=name, area__path__in=paths).select_related("area")
    return max(units, key=lambda u: len(u.area.path), default=None)


def _code(area: Area, year: int) -> str:
    prefix = f"XM{year}{area.code[:12]}"
    n = Project.objects.filter(code__startswith=prefix).count() + 1
    while Project.objects.filter(code=f"{prefix}{n:03d}").exists():
        n += 1
    return f"{prefix}{n:03d}"


def _clean_targets(targets: Any) -> list[dict[str, str]]:
    if not targets:
        return []
    if not isinstance(targets, list):
        raise ValidationError({"targets": _("绩效目标格式不正确")})
    out = []
    for t in targets:
        row = {k: str((t or {}).get(k, "")).strip() for k in ("indicator", "unit", "target", "actual")}
        if row["indicator"]:
            out.append(row)
    return out


def _check_lead(lead: HelpingUnit | None, area: Area) -> None:
    if lead is not None and not area.path.startswith(lead.area.path) and not lead.area.path.startswith(area.path[:6]):
        raise ValidationError({"lead": _("牵头部门“%(u)s”不属于项目所在县") % {"u": lead.name}})


@transaction.atomic
def project_create(*, actor: User | None, area: Area, name: str, category: str, year: int, lead: HelpingUnit | None = None,
                   code: str = "", on: datetime.date | None = None, synthetic: bool = False, **fields: Any) -> Project:
    """村级申报: a new project of the library at 村级申报 (its first event recorded, dated ``on``: today)."""
    policy.check_action(actor, "project_propose", area)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown project fields {sorted(unknown)}")
    if lead is None:
        lead = default_lead(category, area)
    _check_lead(lead, area)
    fields["targets"] = _clean_targets(fields.get("targets"))
    if "budget" in fields and fields["budget"] is not None:
        fields["budget"] = yuan(fields["budget"])
    fields = {k: v for k, v in fields.items() if v is not None}
    today = on or timezone.localdate()
    if today > timezone.localdate():
        raise ValidationError({"on": _("日期 %(d)s 晚于今天") % {"d": _d(today)}})
    project = Project(area=area, name=(name or "").strip(), category=category, year=year, lead=lead,
                      code=(code or "").strip() or _code(area, year), stage=Stage.PROPOSED, stage_on=today,
                      created_by=actor if getattr(actor, "pk", None) else None, synthetic=synthetic, **fields)
    if Project.objects.filter(code=project.code).exists():
        raise ValidationError({"code": _("项目编号 %(c)s 已存在") % {"c": project.code}})
    project.full_clean()
    project.save()
    ProjectEvent.objects.create(project=project, source="", target=Stage.PROPOSED, on=today, reason=_("村级申报"),
                                actor=actor if getattr(actor, "pk", None) else None)
    audit_create(actor=actor, obj=project, area_path=project.area_path,
                 summary=_("项目申报：%(c)s %(n)s") % {"c": project.code, "n": project.name})
    return project


def _check_edit(actor: User | None, project: Project) -> None:
    if actor is None:
        return
    if policy.acts_for(actor, "department"):
        _scope(actor, project)
        policy.require(actor, "project_implement", _("您的角色不能修改项目"))
        return
    policy.check_action(actor, "project_propose", project.area)


@transaction.atomic
def project_update(*, actor: User | None, project: Project, expected_version: int | None = None,
                   **changes: Any) -> Project:
    """Edit a project's fields. Before 已入库 everything of FIELDS (and the lead); from then on the
    schedule, actual dates, counts and targets only; never once 已终止."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_edit(actor, project)
    if expected_version is not None and project.version != expected_version:
        raise workflow.Conflict(_("该记录刚被他人修改过，请刷新后重试"))
    if project.stage == Stage.CANCELLED:
        raise ValidationError({"stage": _("项目已终止，不能修改")})
    allowed = set(FIELDS) | {"lead", "area"} if project.stage in EARLY else set(LATE_FIELDS)
    locked = sorted(k for k in changes if k not in allowed and getattr(project, k) != changes[k])
    if locked:
        names = "、".join(str(Project._meta.get_field(k).verbose_name) for k in locked)
        raise ValidationError({locked[0]: _("项目已入库，不能再修改：%(f)s") % {"f": names}})
    if "area" in changes:
        policy.check_action(actor, "project_propose", changes["area"])
    if "targets" in changes:
        changes["targets"] = _clean_targets(changes["targets"])
    if changes.get("budget") is not None:
        changes["budget"] = yuan(changes["budget"])
    before = snapshot(project)
    for k, v in changes.items():
        setattr(project, k, v)
    if "lead" in changes:
        _check_lead(project.lead, project.area)
    project.full_clean()
    project.version += 1
    project.save()
    audit_update(actor=actor, obj=project, before=before, after=snapshot(project), area_path=project.area_path,
                 summary=_("修改项目：%(c)s") % {"c": project.code})
    return project


# --- beneficiaries ------------------------------------------------------------------------------------


def _derive_counts(project: Project) -> None:
    """受益贫困户数 / 受益贫困人口数 from the named beneficiaries; 受益户数/人数 never below them."""
    agg = project.beneficiaries.aggregate(n=Sum("people"))
    poor = project.beneficiaries.count()
    people = agg["n"] or 0
    Project.objects.filter(pk=project.pk).update(
        poor_households=poor, poor_people=people,
        households=max(project.households, poor), people=max(project.people, people))
    project.refresh_from_db()


def _check_beneficiary_write(actor: User | None, project: Project) -> None:
    """Beneficiaries are named by the village, township or county (registry writers, in their subtree)."""
    if project.stage == Stage.CANCELLED:
        raise ValidationError({"household": _("项目已终止，不能修改受益户")})
    policy.check_action(actor, "project_propose", project.area)


@transaction.atomic
def beneficiaries_add(*, actor: User | None, project: Project, households: Iterable[Household], note: str = ""
                      ) -> list[Beneficiary]:
    """Name registered households of the project's site as its beneficiaries (people: the household's
    member count). A household outside the site, cancelled (注销), or already listed is refused, named."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_beneficiary_write(actor, project)
    added = []
    errors = []
    listed = set(project.beneficiaries.values_list("household_id", flat=True))
    for h in households:
        if not h.area_path.startswith(project.area_path):
            errors.append(_("户 %(n)s 不在项目建设地点（%(a)s）内") % {"n": h.number, "a": project.area.name})
        elif h.status == Status.CANCELLED:
            errors.append(_("户 %(n)s 已注销，不能列为受益户") % {"n": h.number})
        elif h.pk in listed:
            errors.append(_("户 %(n)s 已是该项目的受益户") % {"n": h.number})
        else:
            b = Beneficiary(project=project, household=h, people=h.member_count, note=(note or "").strip()[:200])
            b.full_clean(validate_constraints=False)
            b.save()
            listed.add(h.pk)
            added.append(b)
    if errors:
        raise ValidationError({"household": errors})
    _derive_counts(project)
    for b in added:
        audit_create(actor=actor, obj=b, area_path=project.area_path,
                     summary=_("项目 %(c)s 受益户：%(n)s %(h)s") % {"c": project.code, "n": b.household.number,
                                                              "h": b.household.head_name})
    return added


@transaction.atomic
def beneficiary_remove(*, actor: User | None, beneficiary: Beneficiary) -> None:
    """Take a household off the list — refused once money of the project reached it: a subsidy batch's line or
    a share of the income of the project's assets (what was paid stays traceable to the list it was paid by)."""
    from .models import IncomeShare, SubsidyLine

    project = Project.objects.select_for_update().get(pk=beneficiary.project_id)
    _check_beneficiary_write(actor, project)
    number = beneficiary.household.number
    if SubsidyLine.objects.filter(batch__project=project, household_id=beneficiary.household_id).exists():
        raise ValidationError({"household": _("户 %(n)s 已列入该项目的补助批次，不能移出受益户") % {"n": number}})
    if IncomeShare.objects.filter(income__asset__project=project, household_id=beneficiary.household_id).exists():
        raise ValidationError({"household": _("户 %(n)s 已分得该项目资产的收益，不能移出受益户") % {"n": number}})
    audit_delete(actor=actor, obj=beneficiary, area_path=project.area_path,
                 summary=_("项目 %(c)s 移出受益户：%(n)s") % {"c": project.code, "n": beneficiary.household.number})
    beneficiary.delete()
    _derive_counts(project)


# --- contracts and progress ---------------------------------------------------------------------------

#: Contracts are signed once the project is chosen into the plan (procurement) until acceptance.
CONTRACT_STAGES = frozenset({Stage.PLANNED, Stage.IMPLEMENTING})


def _check_implement(actor: User | None, project: Project) -> None:
    if actor is None:
        return
    policy.require(actor, "project_implement", _("您的角色不能登记项目实施情况"))
    _scope(actor, project)


@transaction.atomic
def contract_create(*, actor: User | None, project: Project, number: str, party: str, amount: Decimal | str,
                    signed_on: datetime.date, procurement: str = "", synthetic: bool = False) -> Contract:
    """A procurement result (合同) of a project in 纳入年度计划 or 实施中. The contracts of a project may
    not add up to more than its budget."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_implement(actor, project)
    if project.stage not in CONTRACT_STAGES:
        raise ValidationError({"number": _("项目处于“%(s)s”，纳入年度计划后、验收前才能签订合同") % {
            "s": project.get_stage_display()}})
    amount = yuan(amount)
    signed = project.contracts.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    if project.budget and signed + amount > project.budget:
        raise ValidationError({"amount": _("合同金额合计 %(t)s 元将超过项目总投资 %(b)s 元") % {
            "t": f"{signed + amount:,.2f}", "b": f"{project.budget:,.2f}"}})
    contract = Contract(project=project, number=(number or "").strip(), party=(party or "").strip(),
                        procurement=(procurement or "").strip(), amount=amount, signed_on=signed_on,
                        synthetic=synthetic)
    if Contract.objects.filter(project=project, number=contract.number).exists():
        raise ValidationError({"number": _("合同编号 %(n)s 已登记") % {"n": contract.number}})
    contract.full_clean()
    contract.save()
    audit_create(actor=actor, obj=contract, area_path=project.area_path,
                 summary=_("项目 %(c)s 合同：%(n)s %(p)s") % {"c": project.code, "n": contract.number,
                                                         "p": contract.party})
    return contract


@transaction.atomic
def progress_report(*, actor: User | None, project: Project, progress: int, on: datetime.date, note: str = "",
                    finished_on: datetime.date | None = None) -> ProjectEvent:
    """形象进度: a progress report of a project 实施中 (never backwards; 100 % with the completion date)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = {"progress": project.progress, "finished_on": project.finished_on}
    event = progress_replay(actor=actor, project=project, progress=progress, on=on, note=note, finished_on=finished_on)
    project.save(update_fields=["progress", "finished_on", "version", "updated_at"])
    event.save()
    audit_update(actor=actor, obj=project, before=before,
                 after={"progress": project.progress, "finished_on": project.finished_on},
                 area_path=project.area_path, summary=_("项目 %(c)s 进度 %(p)s%%") % {"c": project.code, "p": progress})
    return event


def progress_replay(*, actor: User | None, project: Project, progress: int, on: datetime.date, note: str = "",
                    finished_on: datetime.date | None = None) -> ProjectEvent:
    """A progress report checked as :func:`progress_report` checks it and made on ``project`` in memory
    (形象进度, 实际完工, the version counted); returns its event row, unsaved. progress_report saves both;
    a bulk writer (the demo county, with :func:`project_replay`) writes them with the rest of its rows."""
    _check_implement(actor, project)
    if project.stage != Stage.IMPLEMENTING:
        raise ValidationError({"progress": _("只有实施中的项目可以填报进度")})
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("形象进度应在 0 到 100 之间")})
    if progress < project.progress:
        raise ValidationError({"progress": _("形象进度不能低于上次填报的 %(p)s%%") % {"p": project.progress}})
    if on > timezone.localdate():
        raise ValidationError({"on": _("日期 %(d)s 晚于今天") % {"d": _d(on)}})
    if progress == 100 and not (finished_on or project.finished_on):
        finished_on = on
    project.progress = progress
    if finished_on:
        project.finished_on = finished_on
    project.version += 1
    return ProjectEvent(project=project, source=project.stage, target=project.stage, on=on,
                        reason=(note or "").strip()[:500] or _("进度填报"), data={"kind": PROGRESS, "progress": progress},
                        actor=actor if getattr(actor, "pk", None) else None)


# --- 行业部门 accounts --------------------------------------------------------------------------------


@transaction.atomic
def department_staff_set(*, actor: User | None, user: User, department: HelpingUnit) -> DepartmentStaff:
    """Give a 行业部门 account its department (a helping unit of the account's county)."""
    if actor is not None:
        policy.require(actor, "manage_users", _("您的角色不能管理账号"))
    if not policy.can(user, "be_department_staff"):
        raise ValidationError({"user": _("账号 %(u)s 不是行业部门角色") % {"u": user.username}})
    area = getattr(user, "area", None)
    if area is None or not area.path.startswith(department.area.path[: len(area.path)]) \
            and not department.area.path.startswith(area.path):
        raise ValidationError({"department": _("部门“%(d)s”不属于账号所在县") % {"d": department.name}})
    if actor is not None:
        policy.check_action(actor, "manage_users", department.area)
    row = DepartmentStaff.objects.filter(user=user).first()
    before = {"department": row.department_id} if row else {}
    if row is None:
        row = DepartmentStaff.objects.create(user=user, department=department)
        audit_create(actor=actor, obj=row, area_path=department.area.path,
                     summary=_("行业部门账号 %(u)s → %(d)s") % {"u": user.username, "d": department.name})
    else:
        row.department = department
        row.save()
        audit_update(actor=actor, obj=row, before=before, after={"department": department.pk},
                     area_path=department.area.path,
                     summary=_("行业部门账号 %(u)s → %(d)s") % {"u": user.username, "d": department.name})
    return row
