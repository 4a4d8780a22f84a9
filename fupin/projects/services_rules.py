"""Writes of the thresholds of issue 16 (rules.RULE_DEFAULTS as ProjectRule rows, the 规则与阈值 page).

``rule_set`` gives an area (None: 全国) its own value of a key; ``rule_clear`` removes it, so the area
follows the level above again. Who may set which area is the policy's (``policy.check_rule_area``: a
系统管理员 any area of their subtree and 全国, a county office its own county only). Each write is atomic
(the area's row locked) and audited in its transaction with the value in force before and after — the
value the alerts, the disclosures and the lifecycle's notice guards read (thresholds_pub16.threshold).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_delete, audit_update

from .models import ProjectRule
from .rules import RULE_DEFAULTS, RULE_LABELS, RULE_RANGES
from .thresholds_pub16 import segments, threshold, value_for

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area


def area_name(area: Area | None) -> str:
    return area.name if area is not None else _("全国")


def check_value(key: str, value: object) -> int:
    """``value`` as an integer in the key's range, else a ValidationError naming the field ``value``."""
    if key not in RULE_DEFAULTS:
        raise ValidationError({"key": _("没有名为“%(k)s”的规则") % {"k": key}})
    low, high = RULE_RANGES[key]
    label = RULE_LABELS[key]
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"value": _("“%(f)s”须为整数（%(lo)s 至 %(hi)s 天），“%(v)s”不是") % {
            "f": label, "lo": low, "hi": high, "v": value}}) from None
    if not low <= number <= high:
        raise ValidationError({"value": _("“%(f)s”须在 %(lo)s 至 %(hi)s 天之间，%(v)s 不在此范围") % {
            "f": label, "lo": low, "hi": high, "v": number}})
    return number


def _summary(key: str, area: Area | None, before: int, after: int | str) -> str:
    return _("规则“%(f)s”（%(a)s）：%(b)s → %(n)s") % {"f": RULE_LABELS[key], "a": area_name(area), "b": before,
                                                    "n": after}


@transaction.atomic
def rule_set(*, actor: User | None, key: str, area: Area | None, value: object) -> ProjectRule:
    """Give ``area`` (None: 全国) its own ``value`` of ``key``; audited old → new (the values in force)."""
    value = check_value(key, value)
    policy.check_rule_area(actor, area)
    row = ProjectRule.objects.select_for_update().filter(key=key, area=area).first()
    before_in_force = threshold(key, area)
    before_own = row.value if row is not None else None
    if row is not None and row.value == value:
        return row
    now = timezone.now()
    who = actor if getattr(actor, "pk", None) else None
    if row is None:
        row = ProjectRule.objects.create(key=key, area=area, value=value, changed_by=who, changed_at=now)
    else:
        row.value, row.changed_by, row.changed_at = value, who, now
        row.save(update_fields=["value", "changed_by", "changed_at"])
    audit_update(actor=actor, obj=row, before={"value": before_in_force, "own": before_own},
                 after={"value": value, "own": value}, area_path=area.path if area is not None else "",
                 summary=_summary(key, area, before_in_force, value))
    return row


@transaction.atomic
def rule_clear(*, actor: User | None, key: str, area: Area | None) -> int:
    """Remove ``area``'s own value of ``key``: the area follows the level above (or the default) again.
    Returns the value now in force; audited (a delete row with the value before and after)."""
    if key not in RULE_DEFAULTS:
        raise ValidationError({"key": _("没有名为“%(k)s”的规则") % {"k": key}})
    policy.check_rule_area(actor, area)
    row = ProjectRule.objects.select_for_update().filter(key=key, area=area).first()
    if row is None:
        raise ValidationError({"value": _("“%(f)s”在%(a)s没有单独设置，无需恢复") % {
            "f": RULE_LABELS[key], "a": area_name(area)}})
    before = row.value
    path = area.path if area is not None else ""
    segs = [(prefix, v) for prefix, v in segments(key) if prefix != path] if area is not None else \
        [*segments(key)[:-1], ("", RULE_DEFAULTS[key])]
    after = value_for(path, segs)
    audit_delete(actor=actor, obj=row, area_path=path,
                 summary=_summary(key, area, before, after) + _("（取消本级设置，沿用上级）"))
    row.delete()
    return after
