"""One helper per kind of audit event. Called inside the caller's transaction (ARCHITECTURE habit 2)."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .models import AuditEvent, AuditKind

# The request being served, when there is one, so that services can record the client address
# without every call site passing it through. Set by fupin.audit.middleware.
_current = {"ip": None}


def set_request_ip(ip: str | None) -> None:
    _current["ip"] = ip


def jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Field values of a model instance, as JSON-friendly data (foreign keys by id)."""
    out = {}
    for f in obj._meta.concrete_fields:
        out[f.attname] = jsonable(getattr(obj, f.attname))
    return out


def _entity(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def record(*, kind: str, actor=None, obj: models.Model | None = None, entity: str = "", entity_id: str = "",
           area_path: str = "", summary: str = "", data: dict | None = None, ip: str | None = None) -> AuditEvent:
    if obj is not None:
        entity, entity_id = _entity(obj)
    return AuditEvent.objects.create(
        kind=kind,
        entity=entity,
        entity_id=entity_id,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or ("system" if actor is None else str(actor)),
        ip=ip or _current["ip"],
        area_path=area_path,
        summary=summary[:200],
        data=data or {},
    )


def audit_create(*, actor, obj: models.Model, area_path: str = "", summary: str = "") -> AuditEvent:
    return record(kind=AuditKind.CREATE, actor=actor, obj=obj, area_path=area_path, summary=summary or str(obj),
                  data={"after": snapshot(obj)})


def audit_update(*, actor, obj: models.Model, before: dict, after: dict, area_path: str = "",
                 summary: str = "") -> AuditEvent | None:
    """Field-level before/after; nothing is written when nothing changed."""
    changes = {
        key: {"before": jsonable(before.get(key)), "after": jsonable(after.get(key))}
        for key in after
        if jsonable(before.get(key)) != jsonable(after.get(key))
    }
    if not changes:
        return None
    return record(kind=AuditKind.UPDATE, actor=actor, obj=obj, area_path=area_path, summary=summary or str(obj),
                  data={"changes": changes})


def audit_delete(*, actor, obj: models.Model, area_path: str = "", summary: str = "") -> AuditEvent:
    return record(kind=AuditKind.DELETE, actor=actor, obj=obj, area_path=area_path, summary=summary or str(obj),
                  data={"before": snapshot(obj)})


def audit_reveal(*, actor, household, fields: list[str]) -> AuditEvent:
    """The audit row for 显示完整信息: who looked at which fields of which household, from where
    (the address comes from fupin.audit.middleware). The household page and the API both call this,
    after checking scope (the household comes from the scoped selector) and ``policy.can_reveal``."""
    return record(kind=AuditKind.REVEAL, actor=actor, obj=household, area_path=household.area_path,
                  summary=_("查看完整信息：%(n)s %(name)s") % {"n": household.number, "name": household.head_name},
                  data={"fields": list(fields)})
