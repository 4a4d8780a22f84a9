"""Audit events as people read them: object names, field labels, choice labels, masked numbers."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from fupin.accounts import policy

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db import models

    from fupin.accounts.models import User

NO_ACCESS = "—（无权查看）"
EXTRA_LABELS = {"reason": _lazy("原因"), "procedure": _lazy("程序"), "members": _lazy("涉及成员"),
                "count": _lazy("条数"), "format": _lazy("格式"),
                "username": _lazy("账号"), "user_agent": _lazy("浏览器")}


@lru_cache(maxsize=64)
def _model(entity: str):
    try:
        return apps.get_model(entity)
    except (LookupError, ValueError):
        return None


def entity_label(entity: str) -> str:
    model = _model(entity) if entity else None
    return str(model._meta.verbose_name) if model else entity


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    for f in model._meta.concrete_fields:
        if f.attname == name or f.name == name:
            return f
    return None


def _display(field: models.Field | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field is not None and field.choices:
        labels = dict(field.flatchoices)
        if isinstance(value, list):
            return "、".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    return str(value)


def change_rows(event: AuditEvent, user: User | AnonymousUser) -> list[dict]:
    """Field-level rows (label, before, after) from an event's data.

    Updates carry ``changes``; creates an ``after`` snapshot and deletes a ``before`` one. Personal
    numbers are masked here as on every page, and health details are hidden from roles that do not
    see them: the trail must not become a way round the household page's masking.
    """
    data = event.data or {}
    model = _model(event.entity) if event.entity else None
    if "changes" in data:
        items = [(k, v.get("before"), v.get("after")) for k, v in data["changes"].items()]
    elif "after" in data:
        items = [(k, None, v) for k, v in data["after"].items() if v not in (None, "", [], False)]
    elif "before" in data:
        items = [(k, v, None) for k, v in data["before"].items() if v not in (None, "", [], False)]
    else:
        items = []
    rows = []
    for name, before, after in items:
        if name in ("id", "version", "updated_at", "created_at"):
            continue
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name
        if not policy.sees(user, name):
            rows.append({"label": label, "before": NO_ACCESS, "after": NO_ACCESS})
            continue
        rows.append({"label": label,
                     "before": _display(field, policy.shown(user, name, before)) if before is not None else "—",
                     "after": _display(field, policy.shown(user, name, after)) if after is not None else "—"})
    return rows


def extra_rows(event: AuditEvent) -> list[dict]:
    """Anything else worth showing (the fields a reveal showed, a status change's from/to)."""
    data = event.data or {}
    out = []
    if event.kind == "reveal" and data.get("fields"):
        model = _model(event.entity)
        names = []
        for name in data["fields"]:
            field = _field(model, name) or _field(_model("registry.member"), name)
            names.append(str(field.verbose_name) if field is not None else name)
        out.append({"label": _("查看的字段"), "value": "、".join(names)})
    for key, value in data.items():
        if key in ("changes", "after", "before", "fields"):
            continue
        out.append({"label": EXTRA_LABELS.get(key, key), "value": _display(None, value) if not isinstance(value, dict) else str(value)})
    return out


def decorate(events: Iterable[AuditEvent], user: User | AnonymousUser) -> list[AuditEvent]:
    """Attach display rows to each event (no queries: everything comes from the event itself)."""
    out = []
    for e in events:
        e.entity_label = entity_label(e.entity)
        e.rows = change_rows(e, user)
        e.extra = extra_rows(e)
        out.append(e)
    return out
