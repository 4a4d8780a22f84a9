"""Every write to the monitoring records (ARCHITECTURE habits 1–2): atomic, scope-checked, audited.

``object_found`` is the one door through which a household becomes a monitoring candidate, whatever the
channel (REFERENCE §7: the household applies, a cadre finds it on a visit, a department's warning): the
alerts close through it ("enrolled"), the pages and the API call it, the demo follows it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_update, snapshot
from fupin.registry.models import Household
from fupin.registry.services import _refuse_cancelled

from . import rules
from .models import (
    Alert,
    Channel,
    Measure,
    MonitoringObject,
    ObjectKind,
    ObjectState,
    ReportStatus,
    RiskType,
    Sector,
    SelfReport,
)

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.identification.models import Case


def _date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _open_error(household: Household) -> str:
    return _("户 %(n)s 已是监测对象或正在办理纳入，不能重复登记") % {"n": household.number}


@transaction.atomic
def object_found(*, actor: User | None, household: Household, kind: str, risk_types: Sequence[str], channel: str,
                 found_on: datetime.date, note: str = "", income_12m: Decimal | None = None,
                 alert: Alert | None = None) -> MonitoringObject:
    """A household comes to notice as a possible monitoring object (纳入程序中). The actor must write in the
    household's area; one open episode per household (a second is refused, also under a race)."""
    household = Household.objects.select_for_update().select_related("area").get(pk=household.pk)
    policy.check_write(actor, household.area)
    _refuse_cancelled(household)
    risk_types = [str(r) for r in risk_types]
    unknown = [r for r in risk_types if r not in RiskType.values]
    if not risk_types or unknown:
        raise ValidationError({"risk_types": _("请选择风险类型（%(v)s 不是有效的风险类型）") % {"v": "、".join(unknown)}
                               if unknown else _("至少选择一种风险类型")})
    if len(set(risk_types)) != len(risk_types):
        raise ValidationError({"risk_types": _("风险类型重复")})
    if alert is not None and channel != Channel.WARNING:
        raise ValidationError({"channel": _("由预警转入的监测对象，发现途径应为“部门筛查预警”")})
    if MonitoringObject.objects.filter(household=household, state__in=[ObjectState.PENDING, ObjectState.AT_RISK]).exists():
        raise ValidationError({"household": _open_error(household)})
    if channel not in Channel.values:
        raise ValidationError({"channel": _("未知的发现途径“%(c)s”") % {"c": channel}})
    if found_on > timezone.localdate():
        raise ValidationError({"found_on": _("发现日期 %(d)s 晚于今天") % {"d": _date(found_on)}})
    error = rules.kind_error(household, kind)
    if error:
        raise ValidationError({"kind": error})
    # The monitoring line of the household's area for the year of the application, and the income over
    # the twelve months before it (fupin.monitoring.rules: entered on the visit, else last year's record).
    income = rules.income_12m(household, found_on, income_12m)
    line = rules.monitoring_line(found_on.year, household.area)
    obj = MonitoringObject(household=household, area_path=household.area_path, kind=kind, risk_types=risk_types,
                           channel=channel, found_on=found_on, note=(note or "").strip(), income_12m=income.amount,
                           income_basis=income.basis, line=line.amount if line else None,
                           line_year=line.year if line else None,
                           alert=alert, created_by=actor if getattr(actor, "pk", None) else None)
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a concurrent request registered the same household first
        raise ValidationError({"household": _open_error(household)}) from exc
    audit_create(actor=actor, obj=obj, area_path=household.area_path,
                 summary=_("发现监测对象：%(n)s（%(k)s，%(c)s）") % {
                     "n": household.number, "k": ObjectKind(kind).label, "c": Channel(channel).label})
    return obj


#: The kinds a household not yet in the registry may be found as: never registered poor (REFERENCE §7).
NEW_HOUSEHOLD_KINDS = (ObjectKind.EDGE, ObjectKind.SUDDEN)


@transaction.atomic
def new_household_found(*, actor: User | None, area: Area, number: str, members: Sequence[dict[str, Any]],
                        household_fields: dict[str, Any], kind: str, risk_types: Sequence[str], channel: str,
                        found_on: datetime.date, note: str = "", income_12m: Decimal | None = None) -> MonitoringObject:
    """A household found for monitoring that is not in the registry yet (a 边缘易致贫户, or a 突发严重困难户
    never registered): registered through the registry's own door for it (``household_create`` with the
    monitoring procedure: 监测对象(风险未消除), its rules and audit rows) and found (``object_found``) in one
    transaction — a refusal by either writes nothing. Member errors keep the registry's row index."""
    from fupin.registry import services as registry_services
    from fupin.registry.choices import Procedure, Status

    if kind not in NEW_HOUSEHOLD_KINDS:
        raise ValidationError({"kind": _("未建档的农户只能登记为边缘易致贫户或突发严重困难户")})
    if found_on > timezone.localdate():
        raise ValidationError({"found_on": _("发现日期 %(d)s 晚于今天") % {"d": _date(found_on)}})
    # 识别年度 of a household that enters the registry through monitoring: the year it was found (as the demo's).
    household_fields = {"identified_year": found_on.year, **household_fields}
    household = registry_services.household_create(
        actor=actor, area=area, number=number, members=members, status=Status.MONITOR_RISK,
        procedure=Procedure.MONITORING, date=found_on,
        reason=_("防返贫监测登记：%(k)s") % {"k": ObjectKind(kind).label}, **household_fields)
    return object_found(actor=actor, household=household, kind=kind, risk_types=risk_types, channel=channel,
                        found_on=found_on, note=note, income_12m=income_12m)


# --- the procedures after object_found (mproc) -------------------------------------------------------------
#
# 纳入 and 风险消除 are cases on the workflow module (fupin.identification: kinds monitor_entry / monitor_clear,
# their tables in fupin.identification.rules); these functions open them after judging the monitoring
# object, and ``case_effect`` (called by fupin.identification.services.apply_household_effect in the step's
# transaction) moves the object and the household's status at 县级审定 or when the case is refused.


def _locked(obj: MonitoringObject) -> MonitoringObject:
    return MonitoringObject.objects.select_for_update().select_related("household", "household__area").get(pk=obj.pk)


def _save(obj: MonitoringObject, fields: list[str]) -> None:
    obj.version += 1
    obj.full_clean(validate_constraints=False)
    obj.save(update_fields=[*fields, "version", "updated_at"])


def _not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("日期 %(d)s 晚于今天") % {"d": _date(day)}})


@transaction.atomic
def instant_flag(*, actor: User | None, obj: MonitoringObject, on: datetime.date | None = None,
                 note: str = "") -> MonitoringObject:
    """即时帮扶 (seed 001: 即时出现、即时标注): flag the household at once, dated, so the sectors help it before
    the procedure ends. Only while it is being enrolled or monitored; a flag is set once."""
    obj = _locked(obj)
    policy.check_write(actor, obj.household.area)
    day = on or timezone.localdate()
    _not_future(day, "instant_on")
    if obj.state not in (ObjectState.PENDING, ObjectState.AT_RISK):
        raise ValidationError({"instant": _("该户状态为“%(s)s”，不能标注即时帮扶") % {"s": obj.get_state_display()}})
    if obj.instant:
        raise ValidationError({"instant": _("该户已于 %(d)s 标注即时帮扶") % {"d": _date(obj.instant_on)}})
    if day < obj.found_on:
        raise ValidationError({"instant_on": _("标注日期不能早于发现日期 %(d)s") % {"d": _date(obj.found_on)}})
    before = snapshot(obj)
    obj.instant, obj.instant_on = True, day
    if note.strip():
        obj.note = (f"{obj.note}；{note.strip()}" if obj.note else note.strip())[:500]
    _save(obj, ["instant", "instant_on", "note"])
    audit_update(actor=actor, obj=obj, before=before, after=snapshot(obj), area_path=obj.household.area_path,
                 summary=_("标注即时帮扶：%(n)s（%(d)s）") % {"n": obj.household.number, "d": _date(day)})
    return obj


@transaction.atomic
def measure_add(*, actor: User | None, obj: MonitoringObject, sector: str, category: str, date: datetime.date,
                amount: Decimal | None = None, description: str = "", synthetic: bool = False) -> Measure:
    """Record one help given by a sector (帮扶措施台账): while the household is being enrolled (即时帮扶) or
    monitored, dated between its discovery and today."""
    obj = _locked(obj)
    policy.check_write(actor, obj.household.area)
    errors: dict[str, str] = {}
    if obj.state not in (ObjectState.PENDING, ObjectState.AT_RISK):
        errors["object"] = _("该户状态为“%(s)s”，不能再登记帮扶措施") % {"s": obj.get_state_display()}
    if sector not in Sector.values:
        errors["sector"] = _("请选择责任部门")
    if not (category or "").strip():
        errors["category"] = _("请填写措施类型")
    if date > timezone.localdate():
        errors["date"] = _("实施日期 %(d)s 晚于今天") % {"d": _date(date)}
    elif date < obj.found_on:
        errors["date"] = _("实施日期不能早于发现日期 %(d)s") % {"d": _date(obj.found_on)}
    if amount is not None and amount < 0:
        errors["amount"] = _("金额不能为负数")
    if errors:
        raise ValidationError(errors)
    measure = Measure(object=obj, sector=sector, category=category.strip()[:30], description=(description or "").strip()[:300],
                      date=date, amount=amount, actor=actor if getattr(actor, "pk", None) else None,
                      synthetic=synthetic)
    measure.full_clean()
    measure.save()
    audit_create(actor=actor, obj=measure, area_path=obj.household.area_path,
                 summary=_("登记帮扶措施：%(n)s %(s)s %(c)s") % {
                     "n": obj.household.number, "s": measure.get_sector_display(), "c": measure.category})
    return measure


#: The discovery channels that are the household's own application (the others are a cadre's report).
APPLIED_CHANNELS = frozenset({Channel.IN_PERSON, Channel.HOTLINE, Channel.MOBILE})


@transaction.atomic
def entry_open(*, actor: User | None, obj: MonitoringObject, checklist: dict[str, Any], opinion: str,
               date: datetime.date | None = None, income_12m: Decimal | None = None,
               synthetic: bool = False) -> Case:
    """Start 监测对象纳入 with the home visit (入户核实: the checklist, the household's signed consent); the
    12-month income counted on the visit, when given, replaces the one at discovery."""
    from fupin.identification import services as cases
    from fupin.identification.models import CaseKind, Origin

    obj = _locked(obj)
    policy.check_write(actor, obj.household.area)
    day = date or timezone.localdate()
    if obj.state != ObjectState.PENDING:
        raise ValidationError({"object": _("该户状态为“%(s)s”，不能发起纳入程序") % {"s": obj.get_state_display()}})
    if obj.entry_case_id and obj.entry_case.step not in ("rejected", "withdrawn"):
        raise ValidationError({"object": _("该户已有纳入程序在办理中")})
    if day < obj.found_on:
        raise ValidationError({"date": _("入户核实日期不能早于发现日期 %(d)s") % {"d": _date(obj.found_on)}})
    error = rules.kind_error(obj.household, obj.kind)
    if error:
        raise ValidationError({"kind": error})
    case = cases.case_open(actor=actor, kind=CaseKind.MONITOR_ENTRY, year=day.year, household=obj.household,
                           reason=_("%(k)s：%(r)s") % {"k": obj.get_kind_display(), "r": "、".join(
                               str(RiskType(r).label) for r in obj.risk_types)},
                           origin=(Origin.APPLICATION if obj.channel in APPLIED_CHANNELS
                                   else Origin.WARNING if obj.channel == Channel.WARNING else Origin.CADRE_REPORT),
                           opinion=opinion, date=day, checklist=checklist, synthetic=synthetic)
    fields = ["entry_case"]
    obj.entry_case = case
    if income_12m is not None:
        obj.income_12m, obj.income_basis = Decimal(str(income_12m)), "entered"
        fields += ["income_12m", "income_basis"]
    _save(obj, fields)
    return case


@transaction.atomic
def clear_open(*, actor: User | None, obj: MonitoringObject, checklist: dict[str, Any], opinion: str,
               income_12m: Decimal, income_above_since: datetime.date, rigid_resolved: bool,
               date: datetime.date | None = None, synthetic: bool = False) -> Case:
    """Start 风险消除 with the home visit: what the visit found (the 12-month income, the date since which it
    has stayed above the line, whether the rigid expenses are resolved) is kept on the object, and REFERENCE
    §7's conditions must all hold (the refusal names each failing one); 县级审定 judges them again."""
    from fupin.identification import services as cases
    from fupin.identification.models import CaseKind, Origin

    obj = _locked(obj)
    policy.check_write(actor, obj.household.area)
    day = date or timezone.localdate()
    _not_future(day, "date")
    if obj.state != ObjectState.AT_RISK:
        raise ValidationError({"object": _("该户状态为“%(s)s”，只有“风险未消除”的监测对象可以办理风险消除") % {
            "s": obj.get_state_display()}})
    if obj.clear_case_id and obj.clear_case.step not in ("rejected", "withdrawn"):
        raise ValidationError({"object": _("该户已有风险消除程序在办理中")})
    if income_above_since > day:
        raise ValidationError({"income_above_since": _("收入稳定超过监测标准的起始日期晚于核实日期")})
    before = snapshot(obj)
    obj.clear_income_12m = Decimal(str(income_12m))
    obj.income_above_since, obj.rigid_resolved = income_above_since, bool(rigid_resolved)
    check = rules.clear_check(obj, day)
    if not check.holds:
        raise ValidationError({"object": check.refusal})
    case = cases.case_open(actor=actor, kind=CaseKind.MONITOR_CLEAR, year=day.year, household=obj.household,
                           reason=_("风险消除：%(k)s") % {"k": obj.get_kind_display()}, origin=Origin.PROPOSAL,
                           opinion=opinion, date=day, checklist=checklist, synthetic=synthetic)
    obj.clear_case = case
    _save(obj, ["clear_case", "clear_income_12m", "income_above_since", "rigid_resolved"])
    audit_update(actor=actor, obj=obj, before=before, after=snapshot(obj), area_path=obj.household.area_path,
                 summary=_("风险消除入户核实：%(n)s") % {"n": obj.household.number})
    return case


def case_effect(step: Any) -> None:
    """The monitoring object's and the household's side of a monitoring case's step (in its transaction):
    县级审定 of an entry enrols the household (监测对象(风险未消除), state 风险未消除, enrolled_on); of a
    risk elimination clears it (the conditions judged again on that day, 监测对象(风险已消除), cleared_on);
    an entry refused or withdrawn leaves the object 未纳入."""
    from fupin.identification.models import CaseKind, Step
    from fupin.registry.choices import CancelReason, Procedure, Status
    from fupin.registry.services import household_status_transition

    case = step.obj
    field = "entry_case" if case.kind == CaseKind.MONITOR_ENTRY else "clear_case"
    obj = MonitoringObject.objects.select_for_update().filter(**{field: case}).first()
    if obj is None:
        return
    household = Household.objects.select_for_update().get(pk=case.household_id)
    before = snapshot(obj)
    if case.kind == CaseKind.MONITOR_ENTRY and step.target == Step.ENTRY_COUNTY:
        if household.status != Status.MONITOR_RISK:
            household_status_transition(actor=step.actor, household=household, to_status=Status.MONITOR_RISK,
                                        reason=_("县级审定纳入防返贫监测：%(o)s") % {"o": step.reason},
                                        procedure=Procedure.MONITORING, date=step.date)
        obj.state, obj.enrolled_on = ObjectState.AT_RISK, step.date
        _save(obj, ["state", "enrolled_on"])
    elif case.kind == CaseKind.MONITOR_ENTRY and step.target in (Step.REJECTED, Step.WITHDRAWN):
        obj.state = ObjectState.NOT_ENROLLED
        _save(obj, ["state"])
        # A household registered only for this application (边缘易致贫户 entered by Procedure.MONITORING, never
        # enrolled) leaves the registry's monitoring status with it, as a refused identification does.
        if household.status == Status.MONITOR_RISK and not MonitoringObject.objects.filter(
                household=household, enrolled_on__isnull=False).exists():
            household_status_transition(actor=step.actor, household=household, to_status=Status.CANCELLED,
                                        reason=_("监测对象纳入%(s)s：%(o)s") % {"s": Step(step.target).label,
                                                                           "o": step.reason},
                                        procedure=Procedure.MONITORING, date=step.date,
                                        cancel_reason=CancelReason.NOT_IDENTIFIED)
    elif case.kind == CaseKind.MONITOR_CLEAR and step.target == Step.CLEAR_COUNTY:
        check = rules.clear_check(obj, step.date)
        if not check.holds:
            raise ValidationError({"object": check.refusal})
        household_status_transition(actor=step.actor, household=household, to_status=Status.MONITOR_CLEARED,
                                    reason=_("县级审定风险消除：%(o)s") % {"o": step.reason},
                                    procedure=Procedure.MONITORING, date=step.date)
        obj.state, obj.cleared_on = ObjectState.CLEARED, step.date
        _save(obj, ["state", "cleared_on"])
    else:
        return
    audit_update(actor=step.actor, obj=obj, before=before, after=snapshot(obj), area_path=obj.household.area_path,
                 summary=_("监测对象 %(n)s：%(s)s") % {"n": household.number, "s": obj.get_state_display()})


# --- the public mobile application (手机端申报) --------------------------------------------------------------


def _ip_hash(ip: str) -> str:
    import hashlib

    from django.conf import settings

    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()


def _receipt() -> str:
    import secrets

    day = timezone.localdate()
    return f"JC{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


@transaction.atomic
def self_report_submit(*, name: str, phone: str, village: Area, situation: str, ip: str) -> SelfReport:
    """A household's application from the public page: kept with a receipt number for the village's cadre
    to visit. At most FUPIN_MONITOR_APPLY_PER_HOUR per sender and hour (the page has no login)."""
    from django.conf import settings

    from fupin.registry import rules as registry_rules

    errors: dict[str, str] = {}
    name, phone, situation = (name or "").strip(), (phone or "").strip(), (situation or "").strip()
    if not name:
        errors["name"] = _("请填写姓名")
    phone_error = registry_rules.phone_error(phone) if phone else _("请填写联系电话")
    if phone_error:
        errors["phone"] = phone_error
    if village is None or village.level != "village":
        errors["village"] = _("请选择所在村")
    if len(situation) < 4:
        errors["situation"] = _("请简要说明家庭遇到的困难")
    if errors:
        raise ValidationError(errors)
    key = _ip_hash(ip or "")
    since = timezone.now() - datetime.timedelta(hours=1)
    limit = int(getattr(settings, "MONITOR_APPLY_PER_HOUR", 5))
    if SelfReport.objects.filter(ip_hash=key, submitted_at__gte=since).count() >= limit:
        raise ValidationError(_("提交过于频繁，请一小时后再试，或拨打 12317 热线申报"), code="rate_limited")
    for _attempt in range(5):
        report = SelfReport(receipt=_receipt(), name=name[:50], phone=phone[:20], village=village,
                            area_path=village.path, situation=situation[:500], ip_hash=key)
        report.full_clean(exclude=["ip_hash"])
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:  # the receipt number was taken: draw another
            continue
        audit_create(actor=None, obj=report, area_path=village.path,
                     summary=_("手机端申报：%(r)s（%(v)s）") % {"r": report.receipt, "v": village.name})
        return report
    raise ValidationError(_("暂时无法生成回执编号，请稍后再试"))


@transaction.atomic
def self_report_found(*, actor: User | None, report: SelfReport, household: Household, kind: str,
                      risk_types: Sequence[str], found_on: datetime.date, note: str = "",
                      income_12m: Decimal | None = None) -> MonitoringObject:
    """The cadre visited the applicant and registers the household (object_found, channel 手机端申报)."""
    report = SelfReport.objects.select_for_update().select_related("village").get(pk=report.pk)
    policy.check_write(actor, report.village)
    if report.status != ReportStatus.NEW:
        raise ValidationError(_("回执 %(r)s 已办理（%(s)s）") % {"r": report.receipt, "s": report.get_status_display()})
    if not household.area_path.startswith(report.area_path):
        raise ValidationError({"household": _("户 %(n)s 不在申报的村内") % {"n": household.number}})
    obj = object_found(actor=actor, household=household, kind=kind, risk_types=risk_types, channel=Channel.MOBILE,
                       found_on=found_on, note=note or _("手机端申报，回执 %(r)s") % {"r": report.receipt},
                       income_12m=income_12m)
    before = snapshot(report)
    report.status, report.object, report.handled_on = ReportStatus.FOUND, obj, found_on
    report.handled_by = actor if getattr(actor, "pk", None) else None
    report.save()
    audit_update(actor=actor, obj=report, before=before, after=snapshot(report), area_path=report.area_path,
                 summary=_("手机端申报 %(r)s 已走访，登记为监测对象") % {"r": report.receipt})
    return obj


@transaction.atomic
def self_report_dismiss(*, actor: User | None, report: SelfReport, note: str) -> SelfReport:
    report = SelfReport.objects.select_for_update().select_related("village").get(pk=report.pk)
    policy.check_write(actor, report.village)
    if report.status != ReportStatus.NEW:
        raise ValidationError(_("回执 %(r)s 已办理（%(s)s）") % {"r": report.receipt, "s": report.get_status_display()})
    if not (note or "").strip():
        raise ValidationError({"handled_note": _("请填写走访情况和不纳入的理由")})
    before = snapshot(report)
    report.status, report.handled_note, report.handled_on = ReportStatus.DISMISSED, note.strip()[:300], timezone.localdate()
    report.handled_by = actor if getattr(actor, "pk", None) else None
    report.save()
    audit_update(actor=actor, obj=report, before=before, after=snapshot(report), area_path=report.area_path,
                 summary=_("手机端申报 %(r)s 经走访不纳入") % {"r": report.receipt})
    return report
# --- 目标任务 (targets), the dashboards' (dash) -------------------------------------------------------------

if TYPE_CHECKING:
    from fupin.areas.models import Area


@transaction.atomic
def target_set(*, actor: User | None, area: Area, year: int, values: dict[str, str | Decimal | int | None]) -> int:
    """Set an area's targets for a year: {kind: value}; an empty value removes that target. Returns how
    many changed. County administrators (capability ``edit_targets``) inside their subtree; a value that
    is not a non-negative number is refused naming its target, and nothing is written."""
    from fupin.audit.services import audit_delete, audit_update

    from .models import Target, TargetKind

    policy.require(actor, "edit_targets", _("您的角色不能修改目标任务"))
    policy.check_write(actor, area)
    errors: dict[str, str] = {}
    parsed: dict[str, Decimal | None] = {}
    for kind, raw in values.items():
        if kind not in TargetKind.values:
            errors[kind] = _("未知的目标指标：%s") % kind
            continue
        text = "" if raw is None else str(raw).strip().replace(",", "")
        if not text:
            parsed[kind] = None
            continue
        try:
            number = Decimal(text)
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite() or number < 0:
            errors[kind] = _("%(k)s：“%(v)s”不是有效的非负数") % {"k": TargetKind(kind).label, "v": text}
        else:
            parsed[kind] = number
    if errors:
        raise ValidationError(errors)
    existing = {t.kind: t for t in Target.objects.select_for_update().filter(area=area, year=year)}
    changed = 0
    for kind, number in parsed.items():
        target = existing.get(kind)
        if number is None:
            if target is not None:
                audit_delete(actor=actor, obj=target, area_path=area.path,
                             summary=_("删除目标任务：%(a)s %(y)s 年 %(k)s") % {
                                 "a": area.name, "y": year, "k": TargetKind(kind).label})
                target.delete()
                changed += 1
            continue
        if target is not None and target.value == number:
            continue
        before = {"value": str(target.value)} if target is not None else {}
        target = target or Target(area=area, year=year, kind=kind)
        target.value = number
        target.updated_by = actor if getattr(actor, "pk", None) else None
        target.full_clean()
        target.save()
        audit_update(actor=actor, obj=target, before=before, after={"value": str(number)}, area_path=area.path,
                     summary=_("目标任务：%(a)s %(y)s 年 %(k)s = %(v)s") % {
                         "a": area.name, "y": year, "k": TargetKind(kind).label, "v": number})
        changed += 1
    return changed
