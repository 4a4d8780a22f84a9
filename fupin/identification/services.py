"""Every write of identification and exit (ARCHITECTURE habit 1): open a case, take a step (forward, back
or refuse) on the workflow engine, hang a notice, record and resolve objections, attach files.

The steps follow the tables of fupin.identification.rules; who may act is the policy's (capabilities
``case_*`` and the write scope); every step is claimed with a conditional UPDATE (of two people approving
one step at once exactly one wins) and writes its CaseEvent and audit row in the same transaction. A step
that changes the household (县确认 → 贫困户; 销号 → 已脱贫; a refused application → 注销) does so through
the registry's household status process in that transaction, so a refusal there undoes the step.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin import workflow
from fupin.accounts import policy
from fupin.areas.models import Area
from fupin.audit.services import audit_create, audit_status, audit_update, snapshot
from fupin.lib import uploads
from fupin.registry.choices import NOT_EXITED_STATUSES, CancelReason, Procedure, Status
from fupin.registry.models import Household

from . import rules
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseKind,
    Notice,
    NoticeEntry,
    Objection,
    ObjectionStatus,
    Origin,
    Step,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from fupin.accounts.models import User
    from fupin.standards.models import Decision

#: The registry procedure each kind of case records its household changes under.
PROCEDURE = {CaseKind.IDENTIFICATION: Procedure.IDENTIFICATION, CaseKind.EXIT: Procedure.EXIT,
             CaseKind.VILLAGE_EXIT: Procedure.EXIT, CaseKind.MONITOR_ENTRY: Procedure.MONITORING,
             CaseKind.MONITOR_CLEAR: Procedure.MONITORING}


def _date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --- the processes ------------------------------------------------------------------------------------


def _history(step: workflow.Step) -> None:
    votes = step.extra.get("votes") or {}

    def vote(name: str) -> int | None:
        value = votes.get(name)
        return int(value) if value not in (None, "") else None

    event = CaseEvent.objects.create(
        case=step.obj, from_step=step.source, to_step=step.target, date=step.date, opinion=step.reason[:500],
        sent_back=rules.is_back(step.source, step.target),
        representatives=vote("representatives"), present=vote("present"), votes_for=vote("votes_for"),
        votes_against=vote("votes_against"), votes_abstain=vote("votes_abstain"),
        checklist=dict(step.extra.get("checklist") or {}),
        actor=step.actor if getattr(step.actor, "pk", None) else None,
        actor_name=getattr(step.actor, "username", "") or "system")
    step.extra["event"] = event


def _audit(step: workflow.Step) -> None:
    case = step.obj
    audit_status(actor=step.actor, obj=case, area_path=case.area_path,
                 summary=_("%(kind)s %(who)s：%(a)s → %(b)s") % {
                     "kind": case.get_kind_display(), "who": _case_name(case),
                     "a": rules.step_label(step.source), "b": rules.step_label(step.target)},
                 data={"step": [step.source, step.target], "opinion": step.reason, "date": step.date.isoformat(),
                       "votes": step.extra.get("votes") or None, "sent_back": rules.is_back(step.source, step.target)})


def _case_name(case: Case) -> str:
    if case.household_id:
        return f"{case.household.number} {case.household.head_name}"
    return case.area.name


def _validate(case: Case) -> None:
    case.full_clean(validate_constraints=False)


def _process(kind: str) -> workflow.Process:
    return workflow.Process(
        name=f"case_{kind}", table=rules.TABLES[kind], model=Case, field="step", area=lambda case: case.area,
        history=_history, audit=_audit, label=rules.step_label, validate=_validate,
        guards=(_date_not_before_last,),
        stale_message=gettext_lazy("该案件已被他人推进到“%(now)s”，请刷新后重试"))


def _date_not_before_last(step: workflow.Step) -> Mapping[str, str] | None:
    if step.date > timezone.localdate():
        return {"date": _("日期 %(d)s 晚于今天") % {"d": _date(step.date)}}
    last = step.obj.events.order_by("-date").values_list("date", flat=True).first()
    if last and step.date < last:
        return {"date": _("日期 %(d)s 早于上一环节的日期 %(l)s") % {"d": _date(step.date), "l": _date(last)}}
    return None


PROCESSES: dict[str, workflow.Process] = {kind: _process(kind) for kind in rules.PATHS}


# --- opening a case -----------------------------------------------------------------------------------


def _village_of(area: Area) -> Area:
    return area.parent if area.level == "group" else area


def _require(actor: User | None, capability: str, message: str) -> None:
    if actor is not None and not policy.can(actor, capability):
        raise PermissionDenied(message)


def _refuse(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


@transaction.atomic
def case_open(*, actor: User | None, kind: str, year: int, reason: str, household: Household | None = None,
              village: Area | None = None, origin: str | None = None, opinion: str = "",
              date: datetime.date | None = None, votes: Mapping[str, Any] | None = None,
              checklist: Mapping[str, Any] | None = None, synthetic: bool = False) -> Case:
    """Open a case: 户申报 / 干部上报 of a household in 申请中 (识别); the democratic appraisal proposing a
    household's exit, refused unless the exit check passes (退出); a township's application for a village's
    exit (贫困村退出). The first step is recorded as the case's first event."""
    if kind not in rules.PATHS:
        raise ValidationError({"kind": _("未知的案件类别“%(k)s”") % {"k": kind}})
    first = rules.PATHS[kind][0]
    day = date or timezone.localdate()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写申请理由")})
    if kind == CaseKind.VILLAGE_EXIT:
        if village is None or village.level != "village":
            raise ValidationError({"area": _("贫困村退出须选择一个行政村")})
        area = village
    else:
        if household is None:
            raise ValidationError({"household": _("请选择贫困户")})
        household = Household.objects.select_for_update().get(pk=household.pk)
        area = _village_of(household.area)
    policy.check_write(actor, area)
    _require(actor, rules.STEP_CAPABILITY[first],
             _("您的角色不能发起“%(k)s”") % {"k": CaseKind(kind).label})
    extra: dict[str, Any] = {}
    decision = None
    if kind == CaseKind.IDENTIFICATION:
        if household.status != Status.APPLYING:
            raise ValidationError({"household": _("户 %(n)s 的状态是“%(s)s”，只有“申请中”的农户可以申报识别") % {
                "n": household.number, "s": household.get_status_display()}})
        origin = origin or Origin.APPLICATION
        if origin not in (Origin.APPLICATION, Origin.CADRE_REPORT, Origin.ADJUSTMENT):
            raise ValidationError({"origin": _("识别案件的来源应为农户申请或干部摸排上报")})
    elif kind in rules.MONITOR_KINDS:
        # Opened by fupin.monitoring.services (entry_open / clear_open), which judges the monitoring object
        # first; here the first step's own rule: 入户核实 with the household's signed consent.
        _refuse(rules.checklist_errors(checklist, first))
        extra["checklist"] = dict(checklist or {})
        origin = origin or Origin.APPLICATION
    elif kind == CaseKind.EXIT:
        _refuse({"household": _("户 %(n)s 的状态是“%(s)s”，只有未脱贫或返贫户可以退出") % {
            "n": household.number, "s": household.get_status_display()}}
            if household.status not in NOT_EXITED_STATUSES else rules.vote_errors(votes))
        extra["votes"] = dict(votes or {})
        decision = exit_decision(actor=actor, household=household, year=year)
        origin = origin or Origin.PROPOSAL
    else:
        from . import villages  # the village-exit rules (incidence thresholds) live beside their pages

        blockers = villages.village_exit_blockers(village, year)
        if blockers:
            raise ValidationError({"area": _("“%(v)s”尚不具备退出条件：%(b)s") % {
                "v": village.name, "b": "；".join(blockers)}})
        origin = origin or Origin.PROPOSAL
    case = Case(kind=kind, household=household, area=area, area_path=household.area_path if household else area.path,
                year=year, origin=origin, step=first, reason=reason.strip()[:300], decision=decision,
                opened_by=actor if getattr(actor, "pk", None) else None, synthetic=synthetic)
    case.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise ValidationError({"household": _("该户（村）已有一件正在办理的“%(k)s”，不能重复发起") % {
            "k": CaseKind(kind).label}}) from exc
    step = workflow.Step(process=PROCESSES[kind], transition=workflow.Transition("", first), actor=actor, obj=case,
                         source="", target=first, reason=(opinion or reason).strip(), date=day,
                         procedure=PROCEDURE[kind], extra=extra)
    if step.date > timezone.localdate():
        raise ValidationError({"date": _("日期 %(d)s 晚于今天") % {"d": _date(step.date)}})
    _history(step)
    audit_create(actor=actor, obj=case, area_path=case.area_path,
                 summary=_("发起%(kind)s：%(who)s（%(step)s）") % {
                     "kind": case.get_kind_display(), "who": _case_name(case), "step": rules.step_label(first)})
    return case


def exit_decision(*, actor: User | None, household: Household, year: int) -> Decision:
    """Judge ``household`` by the exit criteria in force at its area for ``year`` and keep the decision
    (with the rule version); ValidationError naming every failed criterion when it does not pass."""
    from fupin.standards import services as standards
    from fupin.standards.models import RuleKind

    ruleset = standards.ruleset_for(RuleKind.EXIT, year, household.area)
    if ruleset is None:
        raise ValidationError({"household": _("%(y)d 年没有适用于该地的脱贫退出标准，不能办理退出") % {"y": year}})
    result = standards.evaluate_household(ruleset, household, year)
    if not result.holds:
        raise ValidationError({"household": _("未达到退出标准（%(r)s 第 %(v)d 版）：%(f)s") % {
            "r": ruleset.name, "v": ruleset.version, "f": "；".join(o.reason for o in result.failed)}})
    return standards.decision_record(actor=actor, household=household, ruleset=ruleset, year=year)


# --- taking a step ------------------------------------------------------------------------------------


@transaction.atomic
def case_step(*, actor: User | None, case: Case, to: str, opinion: str, date: datetime.date | None = None,
              votes: Mapping[str, Any] | None = None, checklist: Mapping[str, Any] | None = None,
              expected_version: int | None = None) -> Case:
    """Move ``case`` to ``to`` (forward, back to an earlier step, 不予通过 or 撤回) with the opinion; a
    democratic appraisal carries its vote, 入户查 its checklist. Refused (in Chinese) when the role, the
    scope, the table, the notice period, an objection or the vote says no."""
    return workflow.transition(
        process=PROCESSES[case.kind], actor=actor, obj=case, to=to, reason=opinion, date=date,
        procedure=PROCEDURE[case.kind], procedure_label=lambda p: str(Procedure(p).label),
        expected_version=expected_version,
        extra={"votes": dict(votes) if votes else None, "checklist": dict(checklist) if checklist else None})


def apply_household_effect(step: workflow.Step) -> None:
    """What a step does beyond the case (an effect of every transition; runs in the step's transaction)."""
    from fupin.registry.services import household_status_transition

    case: Case = step.obj
    if rules.is_back(step.source, step.target) or step.target in (Step.REJECTED, Step.WITHDRAWN):
        _strike(case, step.target)
    household = Household.objects.select_for_update().get(pk=case.household_id) if case.household_id else None
    label = rules.step_label(step.target)
    if case.kind == CaseKind.IDENTIFICATION and household is not None:
        if step.target == Step.COUNTY:
            household_status_transition(actor=step.actor, household=household, to_status=Status.POOR,
                                        reason=_("县确认识别为贫困户：%(o)s") % {"o": step.reason},
                                        procedure=Procedure.IDENTIFICATION, date=step.date)
        elif step.target in (Step.REJECTED, Step.WITHDRAWN) and household.status == Status.APPLYING:
            household_status_transition(actor=step.actor, household=household, to_status=Status.CANCELLED,
                                        reason=_("识别%(s)s：%(o)s") % {"s": label, "o": step.reason},
                                        procedure=Procedure.IDENTIFICATION, date=step.date,
                                        cancel_reason=CancelReason.NOT_IDENTIFIED)
    elif case.kind == CaseKind.EXIT and household is not None and step.target == Step.CLOSED:
        # 销号 judges the household again with the criteria in force today: facts may have changed
        # since the appraisal (REFERENCE §4: exit refused when a criterion fails, naming it).
        decision = exit_decision(actor=step.actor, household=household, year=case.year)
        Case.objects.filter(pk=case.pk).update(decision=decision)
        case.decision = decision
        household_status_transition(actor=step.actor, household=household, to_status=Status.EXITED,
                                    reason=_("脱贫退出销号：%(o)s") % {"o": step.reason}, procedure=Procedure.EXIT,
                                    date=step.date, exit_year=case.year)
    elif case.kind == CaseKind.VILLAGE_EXIT and step.target == Step.VILLAGE_EXITED:
        from . import villages

        villages.village_exited(case=case, actor=step.actor, date=step.date)
    elif case.kind in rules.MONITOR_KINDS:
        from fupin.monitoring import services as monitoring  # the monitoring object and its household

        monitoring.case_effect(step)


def _strike(case: Case, target: str) -> None:
    """Take the case off the notices it no longer belongs on: going back to a step, off every notice of a
    later step; refused or withdrawn, off every notice still running."""
    entries = NoticeEntry.objects.filter(case=case, struck=False)
    if target in (Step.REJECTED, Step.WITHDRAWN):
        entries = entries.filter(notice__ends_on__gte=timezone.localdate())
    else:
        path = rules.PATHS[case.kind]
        later = [kind for state, kind in rules.NOTICE_BEFORE_LEAVING.items()
                 if state in path and path.index(state) > path.index(target)]
        entries = entries.filter(notice__kind__in=later)
    entries.update(struck=True)


# --- notices ------------------------------------------------------------------------------------------


def _live_entries(case: Case, kind: str):
    return NoticeEntry.objects.filter(case=case, struck=False, notice__kind=kind, notice__withdrawn=False)


def notice_blocker(case: Case, state: str) -> str | None:
    """Why ``case`` may not yet leave ``state`` because of its notice (rules.NOTICE_BEFORE_LEAVING), or None."""
    kind = rules.NOTICE_BEFORE_LEAVING.get(state)
    if kind is None:
        return None
    from .models import NoticeKind

    label = NoticeKind(kind).label
    entry = _live_entries(case, kind).select_related("notice").order_by("-notice__ends_on", "-id").first()
    if entry is None:
        return _("尚未发布“%(n)s”，须公示期满后才能进行下一步") % {"n": label}
    notice = entry.notice
    today = timezone.localdate()
    if today <= notice.ends_on:
        return _("“%(n)s”公示期至 %(end)s，期满后（%(next)s起）方可进行下一步") % {
            "n": label, "end": _date(notice.ends_on), "next": _date(notice.ends_on + datetime.timedelta(days=1))}
    objections = Objection.objects.filter(notice=notice).filter(Q(entry=entry) | Q(entry__isnull=True))
    open_count = objections.filter(status=ObjectionStatus.OPEN).count()
    if open_count:
        return _("“%(n)s”有 %(c)d 条异议尚未核查处理，处理完毕后方可进行下一步") % {"n": label, "c": open_count}
    if objections.filter(entry=entry, status=ObjectionStatus.UPHELD).exists():
        return _("“%(n)s”中针对该户的异议经核查成立，须退回重新评议或不予通过") % {"n": label}
    return None


def _entry_values(case: Case, heads: Mapping[int, str], incomes: Mapping[tuple[int, int], Any]) -> dict[str, Any]:
    """What the paper shows of ``case`` (``heads``: {household id: the head's ID number}; ``incomes``:
    {(household id, year): 人均纯收入}), masked. The reason printed is never the free text a cadre typed
    (it may describe an illness, and a notice hangs in public): for an application the causes of poverty
    as categories (因病、缺劳力), for an exit the income and the criteria met; a village's exit prints its case's
    reason (about the village, not a person)."""
    if case.household_id is None:
        # A village on a village-exit notice: the printed "group" column is its township.
        township = case.area.parent.name if case.area.parent_id else ""
        return {"name": case.area.name, "members": None, "id_masked": "", "village": case.area.name,
                "group": township, "reason": case.reason}
    household = case.household
    head_id = heads.get(household.pk, "")
    area = household.area
    group = area.name if area.level == "group" else ""
    if case.kind in rules.MONITOR_KINDS:
        from fupin.monitoring import rules as monitoring_rules  # risk types as categories, never free text

        reason = monitoring_rules.notice_reason(case)
    elif case.kind == CaseKind.EXIT:
        income = incomes.get((household.pk, case.year))
        reason = (_("人均纯收入 %(i)s 元，“两不愁三保障”和饮水安全达标") % {"i": f"{income:,.2f}"} if income is not None
                  else _("达到“一超两不愁三保障”退出标准"))
    else:
        reason = "、".join([household.get_main_cause_display(), *household.other_cause_labels])
    return {"name": household.head_name, "members": household.member_count,
            "id_masked": policy.mask_id(head_id), "village": case.area.name, "group": group,
            "reason": reason}


@transaction.atomic
def notice_publish(*, actor: User | None, kind: str, area: Area, cases: Iterable[Case], starts_on: datetime.date,
                   ends_on: datetime.date, hotline: str, address: str, year: int | None = None,
                   synthetic: bool = False) -> Notice:
    """Hang a notice of ``kind`` in ``area`` listing ``cases`` (each in the step the kind follows, inside the
    area, on no other live notice of the kind). The printed values are stored masked with the entries."""
    if kind not in rules.NOTICE_STEP:
        raise ValidationError({"kind": _("未知的公示类别“%(k)s”") % {"k": kind}})
    from .models import NoticeKind

    label = NoticeKind(kind).label
    policy.check_write(actor, area)
    _require(actor, rules.NOTICE_CAPABILITY[kind], _("您的角色不能发布“%(n)s”") % {"n": label})
    errors: dict[str, list[str]] = {}
    if area.level != rules.NOTICE_LEVEL[kind]:
        errors.setdefault("area", []).append(_("“%(n)s”应在%(level)s发布，“%(a)s”不是") % {
            "n": label, "level": {"village": _("行政村"), "township": _("乡镇"), "county": _("县")}[
                rules.NOTICE_LEVEL[kind]], "a": area.name})
    days = (ends_on - starts_on).days + 1
    minimum = rules.notice_min_days(kind)
    if ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("结束日期早于开始日期"))
    elif days < minimum:
        errors.setdefault("ends_on", []).append(_("公示期为 %(d)d 天，不足规定的 %(m)d 天") % {"d": days, "m": minimum})
    if actor is not None and starts_on < timezone.localdate():
        errors.setdefault("starts_on", []).append(_("开始日期不能早于今天"))
    if not (hotline or "").strip():
        errors.setdefault("hotline", []).append(_("请填写异议受理电话"))
    if not (address or "").strip():
        errors.setdefault("address", []).append(_("请填写异议受理地址"))
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the outer join (a village exit case
    # has no household).
    cases = list(Case.objects.select_for_update(of=("self",)).filter(pk__in=[c.pk for c in cases])
                 .select_related("household", "household__area", "area")
                 .order_by("area__path", "household__number", "id"))
    if not cases:
        errors.setdefault("cases", []).append(_("公示名单为空"))
    state = rules.NOTICE_STEP[kind]
    # One query each for the cases already on a live notice of the kind and for the heads' ID numbers.
    listed = set(NoticeEntry.objects.filter(case__in=cases, struck=False, notice__kind=kind, notice__withdrawn=False)
                 .values_list("case_id", flat=True))
    for case in cases:
        who = _case_name(case)
        if case.step != state:
            errors.setdefault("cases", []).append(_("%(w)s 当前环节为“%(s)s”，不能列入“%(n)s”（应在“%(t)s”环节）") % {
                "w": who, "s": case.get_step_display(), "n": label, "t": rules.step_label(state)})
        elif not case.area_path.startswith(area.path):
            errors.setdefault("cases", []).append(_("%(w)s 不在“%(a)s”范围内") % {"w": who, "a": area.name})
        elif case.pk in listed:
            errors.setdefault("cases", []).append(_("%(w)s 已在另一份“%(n)s”上") % {"w": who, "n": label})
    if errors:
        raise ValidationError(errors)
    notice = Notice(kind=kind, area=area, area_path=area.path, year=year or cases[0].year, starts_on=starts_on,
                    ends_on=ends_on, hotline=hotline.strip(), address=address.strip(),
                    published_by=actor if getattr(actor, "pk", None) else None, synthetic=synthetic)
    notice.full_clean()
    notice.save()
    from fupin.registry.models import Member, YearlyRecord

    heads = dict(Member.objects.filter(household_id__in=[c.household_id for c in cases if c.household_id],
                                       active=True, relation="head").values_list("household_id", "id_number"))
    incomes = {(h, y): v for h, y, v in YearlyRecord.objects.filter(
        household_id__in=[c.household_id for c in cases if c.kind == CaseKind.EXIT],
        year__in={c.year for c in cases}).values_list("household_id", "year", "per_capita_income")}
    NoticeEntry.objects.bulk_create([NoticeEntry(notice=notice, case=case, position=i,
                                                 **_entry_values(case, heads, incomes))
                                     for i, case in enumerate(cases, start=1)])
    audit_create(actor=actor, obj=notice, area_path=area.path,
                 summary=_("发布%(n)s：%(a)s，%(c)d 户，%(s)s至%(e)s") % {
                     "n": label, "a": area.name, "c": len(cases), "s": _date(starts_on), "e": _date(ends_on)})
    return notice


@transaction.atomic
def notice_withdraw(*, actor: User | None, notice: Notice, reason: str) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    policy.check_write(actor, notice.area)
    _require(actor, rules.NOTICE_CAPABILITY[notice.kind], _("您的角色不能撤销该公示"))
    if not (reason or "").strip():
        raise ValidationError({"withdrawn_reason": _("撤销公示须注明原因")})
    if notice.withdrawn:
        raise ValidationError(_("该公示已撤销"))
    before = snapshot(notice)
    notice.withdrawn, notice.withdrawn_reason = True, reason.strip()[:200]
    notice.save(update_fields=["withdrawn", "withdrawn_reason"])
    audit_update(actor=actor, obj=notice, before=before, after=snapshot(notice), area_path=notice.area_path,
                 summary=_("撤销公示：%(n)s") % {"n": notice})
    return notice


@transaction.atomic
def objection_record(*, actor: User | None, notice: Notice, content: str, received_on: datetime.date | None = None,
                     entry: NoticeEntry | None = None, raised_by: str = "", contact: str = "",
                     synthetic: bool = False) -> Objection:
    """Record an objection received during the notice period (by telephone, letter or in person)."""
    policy.check_write(actor, notice.area if entry is None else entry.case.area)
    received_on = received_on or timezone.localdate()
    errors: dict[str, str] = {}
    if not (content or "").strip():
        errors["content"] = _("请填写异议内容")
    if notice.withdrawn:
        errors["notice"] = _("该公示已撤销，不再受理异议")
    if received_on > timezone.localdate():
        errors["received_on"] = _("受理日期晚于今天")
    elif not notice.starts_on <= received_on <= notice.ends_on:
        errors["received_on"] = _("异议须在公示期内（%(s)s至%(e)s）提出，%(d)s 不在期内") % {
            "s": _date(notice.starts_on), "e": _date(notice.ends_on), "d": _date(received_on)}
    if entry is not None and entry.notice_id != notice.pk:
        errors["entry"] = _("所涉对象不在该公示上")
    if errors:
        raise ValidationError(errors)
    objection = Objection(notice=notice, entry=entry, received_on=received_on, raised_by=raised_by.strip()[:50],
                          contact=contact.strip()[:30], content=content.strip()[:1000],
                          recorded_by=actor if getattr(actor, "pk", None) else None, synthetic=synthetic)
    objection.full_clean()
    objection.save()
    audit_create(actor=actor, obj=objection, area_path=notice.area_path,
                 summary=_("登记异议：%(n)s%(w)s") % {"n": notice, "w": f"（{entry.name}）" if entry else ""})
    return objection


@transaction.atomic
def objection_resolve(*, actor: User | None, objection: Objection, status: str, resolution: str,
                      date: datetime.date | None = None) -> Objection:
    """Close an objection after the re-check by the level that decided (the notice's publisher)."""
    objection = Objection.objects.select_for_update().select_related("notice").get(pk=objection.pk)
    notice = objection.notice
    policy.check_write(actor, notice.area)
    _require(actor, rules.NOTICE_CAPABILITY[notice.kind], _("异议须由作出决定的层级核查处理"))
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError(_("该异议已处理（%(s)s）") % {"s": objection.get_status_display()})
    if status not in (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED):
        raise ValidationError({"status": _("请选择“异议成立”或“异议不成立”")})
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("请填写核查处理意见")})
    day = date or timezone.localdate()
    if day > timezone.localdate() or day < objection.received_on:
        raise ValidationError({"resolved_on": _("办结日期应在受理日期与今天之间")})
    before = snapshot(objection)
    objection.status, objection.resolution, objection.resolved_on = status, resolution.strip()[:1000], day
    objection.resolved_by = actor if getattr(actor, "pk", None) else None
    objection.save()
    audit_update(actor=actor, obj=objection, before=before, after=snapshot(objection), area_path=notice.area_path,
                 summary=_("异议办结（%(s)s）：%(n)s") % {"s": objection.get_status_display(), "n": notice})
    return objection


# --- attachments --------------------------------------------------------------------------------------

#: What a case may carry: photos and scanned signed forms, recognised by their first bytes (the name and
#: the browser's claimed type are not trusted; fupin.lib.uploads holds the one check).
SIGNATURES = uploads.IMAGES_AND_PDF


@transaction.atomic
def attachment_add(*, actor: User | None, case: Case, upload: UploadedFile, event: CaseEvent | None = None) -> Attachment:
    policy.check_write(actor, case.area)
    checked = uploads.check_upload(upload, signatures=SIGNATURES,
                                   refused=_("“%(n)s”不是 JPG、PNG 图片或 PDF 扫描件，不能上传"))
    name, kind = checked.name, (checked.content_type, checked.extension)
    if event is not None and event.case_id != case.pk:
        raise ValidationError({"event": _("该环节不属于本案件")})
    attachment = Attachment(case=case, event=event, name=name, content_type=kind[0], extension=kind[1],
                            size=upload.size, sha256=checked.sha256,
                            uploaded_by=actor if getattr(actor, "pk", None) else None)
    attachment.file.save(f"{attachment.sha256}{attachment.extension}", upload, save=False)
    attachment.save()
    audit_create(actor=actor, obj=attachment, area_path=case.area_path,
                 summary=_("上传附件“%(n)s”：%(c)s") % {"n": name, "c": _case_name(case)})
    return attachment
