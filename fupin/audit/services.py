"""One named helper per kind of audit event (create, update, delete, status, export, import, reveal,
login, login failed, logout, API token revoked). Called inside the caller's transaction (ARCHITECTURE habit 2).

Code outside fupin.audit calls these helpers, never ``record(kind=...)`` itself, so that each kind's
rows have one shape. The client address comes from fupin.audit.context (set per request by the
middleware, per background job by fupin.jobs.runner) unless the caller passes ``ip``. The one bulk
writer is fupin.sheets.importer's per-object rows (for speed); its summary row comes through
``audit_import``.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from fupin.accounts import policy

from .context import current_ip
from .models import AuditEvent, AuditKind

if TYPE_CHECKING:
    from fupin.accounts.models import ApiToken, User
    from fupin.registry.models import Household

#: Who acted: a user, a name with no account (a username tried, "demo"), or None (the system).
Actor: TypeAlias = "User | str | None"

USER_ENTITY = "accounts.user"


def jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # a file field: its stored name
        return value.name
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):  # a visit's client id (issue 15)
        return str(value)
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


def record(*, kind: str, actor: Actor = None, obj: models.Model | None = None, entity: str = "", entity_id: str = "",
           area_path: str = "", summary: str = "", data: dict | None = None, ip: str | None = None) -> AuditEvent:
    """Write one audit row. For fupin.audit's helpers: elsewhere call the helper named after the kind.

    ``actor`` is a user, a string (a name with no account: a username tried, "demo") or None (the
    system). ``area_path``: the area of what the row concerns; when there is none, the actor's own
    area (``policy.actor_area_path``), so that no row about a user's act is invisible to the
    readers of that user's area (issue 12 item 4)."""
    if obj is not None:
        entity, entity_id = _entity(obj)
    if not area_path and getattr(actor, "pk", None):
        # A row about no particular area (an error sheet downloaded, an import that wrote nothing, a
        # sign-in) belongs to the actor's own area: the county and the auditors of that subtree read it.
        area_path = policy.actor_area_path(actor)
    return AuditEvent.objects.create(
        kind=kind,
        entity=entity,
        entity_id=entity_id,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or ("system" if actor is None else str(actor)),
        ip=ip or current_ip(),
        area_path=area_path,
        summary=summary[:200],
        data=data or {},
    )


def audit_create(*, actor: Actor, obj: models.Model, area_path: str = "", summary: str = "") -> AuditEvent:
    return record(kind=AuditKind.CREATE, actor=actor, obj=obj, area_path=area_path, summary=summary or str(obj),
                  data={"after": snapshot(obj)})


def audit_update(*, actor: Actor, obj: models.Model, before: dict, after: dict, area_path: str = "",
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


def audit_delete(*, actor: Actor, obj: models.Model, area_path: str = "", summary: str = "") -> AuditEvent:
    return record(kind=AuditKind.DELETE, actor=actor, obj=obj, area_path=area_path, summary=summary or str(obj),
                  data={"before": snapshot(obj)})


def audit_reveal(*, actor: Actor, household: Household, fields: list[str]) -> AuditEvent:
    """The audit row for 显示完整信息: who looked at which fields of which household, from where
    (the address comes from fupin.audit.middleware). The household page and the API both call this,
    after checking scope (the household comes from the scoped selector) and ``policy.can_reveal``."""
    return record(kind=AuditKind.REVEAL, actor=actor, obj=household, area_path=household.area_path,
                  summary=_("查看完整信息：%(n)s %(name)s") % {"n": household.number, "name": household.head_name},
                  data={"fields": list(fields)})


def audit_reveal_report(*, actor: Actor, report: models.Model, area_path: str, fields: list[str]) -> AuditEvent:
    """显示完整信息 of a 手机端申报 (fupin.monitoring: the applicant's phone, to call before the visit)."""
    return record(kind=AuditKind.REVEAL, actor=actor, obj=report, area_path=area_path,
                  summary=_("查看完整信息：手机端申报 %(r)s") % {"r": getattr(report, "receipt", "")},
                  data={"fields": list(fields)})


def audit_status(*, actor: Actor, obj: models.Model, area_path: str = "", summary: str = "",
                 data: dict | None = None) -> AuditEvent:
    """A status change of ``obj`` (household status, later: cases, monitoring objects): ``data``
    carries the field changes, the reason and the procedure."""
    return record(kind=AuditKind.STATUS, actor=actor, obj=obj, area_path=area_path, summary=summary or str(obj),
                  data=data)


def audit_export(*, actor: Actor, summary: str, obj: models.Model | None = None, entity: str = "", entity_id: str = "",
                 area_path: str = "", data: dict | None = None, ip: str | None = None) -> AuditEvent:
    """Personal data leaving the system: a file downloaded or written (household export, summary
    tables, an error sheet), with what was asked for in ``data``."""
    return record(kind=AuditKind.EXPORT, actor=actor, obj=obj, entity=entity, entity_id=entity_id,
                  area_path=area_path, summary=summary, data=data, ip=ip)


def audit_import(*, actor: Actor, entity: str, summary: str, entity_id: str = "", area_path: str = "",
                 data: dict | None = None, ip: str | None = None) -> AuditEvent:
    """The summary row of a bulk load (a sheet import, the demo data): what was loaded and the counts.
    The rows for each object written come with it (created/updated/status rows)."""
    return record(kind=AuditKind.IMPORT, actor=actor, entity=entity, entity_id=entity_id, area_path=area_path,
                  summary=summary, data=data, ip=ip)


def _area_path(user: User) -> str:
    area = getattr(user, "area", None)
    return getattr(area, "path", "") or ""


def audit_login(*, user: User, summary: str = "", data: dict | None = None, ip: str | None = None) -> AuditEvent:
    """A sign-in (the login page, or an API token issued)."""
    return record(kind=AuditKind.LOGIN, actor=user, entity=USER_ENTITY, entity_id=str(user.pk), ip=ip,
                  area_path=_area_path(user), summary=summary or _("登录成功"),
                  data={"username": user.get_username(), **(data or {})})


def audit_login_failed(*, username: str, user_id: int | None = None, summary: str = "", data: dict | None = None,
                       ip: str | None = None) -> AuditEvent:
    """A refused sign-in. No actor: the trail names the username tried (and the account, when one has
    that name). Never put the password tried in ``data``."""
    return record(kind=AuditKind.LOGIN_FAILED, actor=username or "?", entity=USER_ENTITY if user_id else "",
                  entity_id=str(user_id) if user_id else "", ip=ip, summary=summary or _("登录失败"),
                  data={"username": username, **(data or {})})


def audit_logout(*, user: User, summary: str = "", data: dict | None = None, ip: str | None = None) -> AuditEvent:
    return record(kind=AuditKind.LOGOUT, actor=user, entity=USER_ENTITY, entity_id=str(user.pk), ip=ip,
                  area_path=_area_path(user), summary=summary or _("退出"),
                  data={"username": user.get_username(), **(data or {})})


def audit_token_revoked(*, actor: Actor, token: ApiToken, summary: str = "") -> AuditEvent:
    """An API token revoked by someone other than its user signing out (an administrator): recorded as a
    sign-out of the token's user, done by ``actor``, naming the token by its prefix (never its key)."""
    return record(kind=AuditKind.LOGOUT, actor=actor, entity=USER_ENTITY, entity_id=str(token.user_id),
                  area_path=_area_path(token.user), summary=summary or _("撤销接口令牌"),
                  data={"username": token.user.get_username(), "token": token.prefix,
                        "reason": token.revoked_reason})


#: What an account row in the trail shows: never the password hash, never the phone.
ACCOUNT_FIELDS = ("username", "display_name", "role", "is_active")


def audit_user_created(*, actor: Actor, user: User) -> AuditEvent:
    """An account created by a user manager (/accounts/users/): who made it, its role and area."""
    return record(kind=AuditKind.CREATE, actor=actor, entity=USER_ENTITY, entity_id=str(user.pk),
                  area_path=_area_path(user), summary=_("新建账号 %(u)s") % {"u": user.get_username()},
                  data={"after": {**{f: jsonable(getattr(user, f)) for f in ACCOUNT_FIELDS},
                                  "area": getattr(user.area, "name", "")}})


def audit_user_password_reset(*, actor: Actor, user: User, generated: bool) -> AuditEvent:
    """A password set for someone else by a user manager (never the password itself): ``generated``
    tells a temporary password made by the system from one typed by the manager."""
    how = _("系统生成临时密码") if generated else _("管理员设定")
    return record(kind=AuditKind.UPDATE, actor=actor, entity=USER_ENTITY, entity_id=str(user.pk),
                  area_path=_area_path(user),
                  summary=_("重置账号 %(u)s 的密码（%(how)s，下次登录须修改）") % {"u": user.get_username(), "how": how},
                  data={"changes": {"password": {"before": "", "after": _("已重置")}}})


def audit_user_active(*, actor: Actor, user: User) -> AuditEvent:
    """An account locked (停用) or unlocked (启用) by a user manager."""
    summary = _("启用账号 %(u)s") if user.is_active else _("停用账号 %(u)s")
    return record(kind=AuditKind.UPDATE, actor=actor, entity=USER_ENTITY, entity_id=str(user.pk),
                  area_path=_area_path(user), summary=summary % {"u": user.get_username()},
                  data={"changes": {"is_active": {"before": not user.is_active, "after": user.is_active}}})


def audit_password_changed(*, user: User) -> AuditEvent:
    """A user changed their own password (as they must after a reset)."""
    return record(kind=AuditKind.UPDATE, actor=user, entity=USER_ENTITY, entity_id=str(user.pk),
                  area_path=_area_path(user), summary=_("修改本人密码"),
                  data={"changes": {"password": {"before": "", "after": _("已修改")}}})
