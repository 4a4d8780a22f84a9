"""Every write to the monitoring records (ARCHITECTURE habits 1–2): atomic, scope-checked, audited.

``object_found`` is the one door through which a household becomes a monitoring candidate, whatever the
channel (REFERENCE §7: the household applies, a cadre finds it on a visit, a department's warning): the
alerts close through it ("enrolled"), the pages and the API call it, the demo follows it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create
from fupin.registry.models import Household
from fupin.registry.services import _refuse_cancelled

from .models import Alert, Channel, MonitoringObject, ObjectKind, ObjectState, RiskType

if TYPE_CHECKING:
    from fupin.accounts.models import User


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
    obj = MonitoringObject(household=household, area_path=household.area_path, kind=kind, risk_types=risk_types,
                           channel=channel, found_on=found_on, note=(note or "").strip(), income_12m=income_12m,
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
