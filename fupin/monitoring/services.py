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
