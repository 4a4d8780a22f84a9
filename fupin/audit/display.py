"""Audit events as people read them: object names, field labels, choice labels, masked numbers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import policy

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db import models

    from fupin.accounts.models import User
    from fupin.registry.models import Household, Member, YearlyRecord

NO_ACCESS = "—（无权查看）"
EXTRA_LABELS = {"reason": gettext_lazy("原因"), "procedure": gettext_lazy("程序"), "members": gettext_lazy("涉及成员"),
                "count": gettext_lazy("条数"), "format": gettext_lazy("格式"),
                "username": gettext_lazy("账号"), "user_agent": gettext_lazy("浏览器")}


@lru_cache(maxsize=64)
def _model(entity: str):
    try:
        return apps.get_model(entity)
    except (LookupError, ValueError):
        return None


ENTITY_LABELS = {"sheets.file": gettext_lazy("导入文件"), "sheets.job": gettext_lazy("文件"), "demo": gettext_lazy("演示数据")}


def entity_label(entity: str) -> str:
    if entity in ENTITY_LABELS:
        return str(ENTITY_LABELS[entity])
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


def extra_rows(event: AuditEvent, user: User | AnonymousUser | None = None) -> list[dict]:
    """Anything else worth showing (the fields a reveal showed, a file's name, what an export asked
    for, an import's counts), each under a Chinese label, values by their Chinese names: never a key
    in English or a Python dict."""
    data = event.data or {}
    out = []
    if event.kind == "reveal" and data.get("fields"):
        out.append({"label": _("查看的字段"), "value": "、".join(_field_label(name) for name in data["fields"])})
    for key, value in data.items():
        if key in ("changes", "after", "before", "fields") or key in _NOT_SHOWN:
            continue
        if event.kind not in SIGN_IN_KINDS and not policy.sees(user, key):
            # A status change's reason is free text that may name an illness: the health rule.
            out.append({"label": _key_label(key), "value": NO_ACCESS})
            continue
        out.append({"label": _key_label(key), "value": _value_text(event, key, value)})
    return out


# --- names of people and objects ---------------------------------------------------------------------

#: Labels of the keys the helpers' callers put in ``data`` (fupin.audit.services' callers).
EXTRA_LABELS.update({
    "source": gettext_lazy("文件"), "file": gettext_lazy("文件"), "mode": gettext_lazy("导入方式"), "result": gettext_lazy("结果"),
    "filters": gettext_lazy("筛选条件"), "masked": gettext_lazy("号码遮蔽"), "rows": gettext_lazy("行数"), "area": gettext_lazy("区划"),
    "area_code": gettext_lazy("区划"), "year": gettext_lazy("年度"), "via": gettext_lazy("方式"), "token": gettext_lazy("令牌前缀"),
    "locked_minutes": gettext_lazy("锁定分钟数"), "synthetic": gettext_lazy("合成演示数据"), "seed": gettext_lazy("随机种子"),
    "scale": gettext_lazy("规模"), "counties": gettext_lazy("县"), "method": gettext_lazy("写入方式"),
    "accounts_created": gettext_lazy("新建账号"), "first_exits": gettext_lazy("首次脱贫户数（按年）"),
    "reexits": gettext_lazy("再次脱贫户数（按年）"), "returns": gettext_lazy("返贫户数（按年）"), "statuses": gettext_lazy("户状态"),
    "counts": gettext_lazy("条数"), "q": gettext_lazy("搜索"), "sort": gettext_lazy("排序"), "status": gettext_lazy("户状态"),
    "attribute": gettext_lazy("贫困户属性"), "cause": gettext_lazy("主要致贫原因"), "identified_year": gettext_lazy("识别年度"),
    "exit_year": gettext_lazy("脱贫年度"), "household": gettext_lazy("户"), "member": gettext_lazy("成员"), "yearly": gettext_lazy("年度记录"),
    "change": gettext_lazy("状态变更"), "designation": gettext_lazy("区划称号"), "cadre_phones": gettext_lazy("帮扶责任人电话"),
    "cadre_names": gettext_lazy("帮扶责任人"),
    # An import's result (fupin.sheets.importer.ImportResult)
    "created": gettext_lazy("新增户"), "updated": gettext_lazy("修改户"), "unchanged": gettext_lazy("未变户"), "refused": gettext_lazy("拒绝户"),
    "members_created": gettext_lazy("新增成员"), "members_updated": gettext_lazy("修改成员"), "findings": gettext_lazy("数据质量疑点"),
    "members_missing": gettext_lazy("表中缺少的成员"), "yearly_created": gettext_lazy("新增年度记录"),
    "yearly_updated": gettext_lazy("修改年度记录"),
    "audit_events": gettext_lazy("审计记录"), "status_changes": gettext_lazy("状态变更"), "yearly_records": gettext_lazy("年度记录"),
})
#: Codes a sign-in row carries as its reason.
SIGN_IN_REASONS = {"user": gettext_lazy("用户退出"), "idle": gettext_lazy("闲置超时"), "credentials": gettext_lazy("账号或密码错误"),
                   "logout": gettext_lazy("用户退出"), "admin": gettext_lazy("管理员撤销"), "password": gettext_lazy("密码已修改"),
                   "deactivated": gettext_lazy("账号已停用"), "api": gettext_lazy("接口")}
_HOUSEHOLD = "registry.household"
#: Kinds whose ``reason`` is a code of the sign-in (用户退出, 闲置超时 …), not free text.
SIGN_IN_KINDS = frozenset({"login", "login_failed", "logout"})
#: Keys of nested data that say nothing to a reader (the list's sort order).
_NOT_SHOWN = {"sort", "method"}


def _field_label(name: str) -> str:
    for entity in (_HOUSEHOLD, "registry.member", "registry.yearlyrecord"):
        field = _field(_model(entity), name)
        if field is not None:
            return str(field.verbose_name)
    return str(EXTRA_LABELS.get(name, name))


def _key_label(key: str) -> str:
    label = EXTRA_LABELS.get(key)
    if label is None:
        # Counts by status ({"exited": 8751, …}) are keyed by the status's code.
        label = dict(_field(_model(_HOUSEHOLD), "status").flatchoices).get(key)
    return str(label) if label is not None else _field_label(key)


def _value_text(event: AuditEvent, key: str, value: Any) -> str:
    """One value of ``data`` in words: choices by label, booleans 是/否, dicts as 标签：值 pairs."""
    if isinstance(value, dict):
        parts = [f"{_key_label(str(k))}：{_value_text(event, str(k), v)}" for k, v in value.items()
                 if v not in (None, "", [], {}) and k not in _NOT_SHOWN]
        return "；".join(parts) or "—"
    if key == "reason" and event.kind in SIGN_IN_KINDS and isinstance(value, str):
        if value.startswith("locked_"):
            return _("失败次数过多，已锁定")
        return str(SIGN_IN_REASONS.get(value, value))
    if key == "mode" and event.kind == "import":
        from fupin.sheets.models import ImportMode

        return str(dict(ImportMode.choices).get(value, value))
    if key == "via":
        return str(SIGN_IN_REASONS.get(value, value))
    field = _field(_model(_HOUSEHOLD), key) or _field(_model("registry.statuschange"), key)
    if key in ("status", "statuses") and isinstance(value, str):
        field = _field(_model(_HOUSEHOLD), "status")
    return _display(field, value)


def _household_name(number: str, head: str) -> str:
    return f"{number} {head}".strip()


def _member_name(name: str, number: str) -> str:
    return _("%(name)s（户 %(n)s）") % {"name": name, "n": number}


def _record_name(year: int, number: str) -> str:
    return _("户 %(n)s 的 %(y)s 年度记录") % {"n": number, "y": year}


def household_names(household: Household, members: Iterable[Member], records: Iterable[YearlyRecord]
                    ) -> dict[tuple[str, str], str]:
    """The names of a household's objects already loaded by its page (for ``decorate(known=…)``)."""
    names = {(_HOUSEHOLD, str(household.pk)): _household_name(household.number, household.head_name)}
    names.update({("registry.member", str(m.pk)): _member_name(m.name, household.number) for m in members})
    names.update({("registry.yearlyrecord", str(r.pk)): _record_name(r.year, household.number) for r in records})
    return names


def _names_of(entity: str, ids: set[str]) -> dict[str, str]:
    """{id: name} for the objects of one entity on a page: one query."""
    pks = [i for i in ids if i.isdigit()] if entity != "sheets.job" else list(ids)
    if not pks:
        return {}
    if entity == _HOUSEHOLD:
        rows = _model(entity).objects.filter(pk__in=pks).values_list("pk", "number", "head_name")
        return {str(pk): _household_name(number, head) for pk, number, head in rows}
    if entity == "registry.member":
        rows = _model(entity).objects.filter(pk__in=pks).values_list("pk", "name", "household__number")
        return {str(pk): _member_name(name, n) for pk, name, n in rows}
    if entity == "registry.yearlyrecord":
        rows = _model(entity).objects.filter(pk__in=pks).values_list("pk", "year", "household__number")
        return {str(pk): _record_name(y, n) for pk, y, n in rows}
    if entity == "sheets.job":
        from fupin.jobs.models import Job

        rows = Job.objects.filter(pk__in=_uuids(pks)).values_list("pk", "filename")
        return {str(pk): f for pk, f in rows}
    model = _model(entity)
    if model is None:
        return {}
    return {str(obj.pk): str(obj) for obj in model._default_manager.select_related().filter(pk__in=pks)}


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    out = []
    for v in values:
        try:
            out.append(uuid.UUID(v))
        except ValueError:
            continue
    return out


def _name_without_object(event: AuditEvent) -> str | None:
    """Entities with no table row: the file an import read, the demo data."""
    data = event.data or {}
    if event.entity == "sheets.file":
        return str(data.get("source") or event.entity_id)
    if event.entity == "demo":
        return _("合成演示数据")
    if event.entity == "sheets.job" and data.get("file"):
        return str(data["file"])
    return None


def object_names(events: list[AuditEvent], known: dict[tuple[str, str], str] | None = None
                 ) -> dict[tuple[str, str], str]:
    """{(entity, id): name} for the events' objects: one query per kind of object not in ``known``."""
    names = dict(known or {})
    wanted: dict[str, set[str]] = {}
    for e in events:
        if e.entity and e.entity_id and (e.entity, e.entity_id) not in names \
                and _name_without_object(e) is None:
            wanted.setdefault(e.entity, set()).add(e.entity_id)
    for entity, ids in wanted.items():
        names.update({(entity, k): v for k, v in _names_of(entity, ids).items()})
    return names


def actor_label(event: AuditEvent) -> str:
    """The person who acted, by name (姓名, else the account), or 系统 / 演示数据."""
    if event.actor_id is not None and event.actor is not None:
        return str(event.actor)
    if event.actor_name == "system":
        return _("系统")
    if event.actor_name == "demo":
        return _("演示数据生成")
    return event.actor_name or "—"


def decorate(events: Iterable[AuditEvent], user: User | AnonymousUser,
             known: dict[tuple[str, str], str] | None = None) -> list[AuditEvent]:
    """Attach display rows and names to each event. Names of objects come from one query per kind of
    object on the page, minus those the caller already knows (``known``: {(entity, id): name})."""
    events = list(events)
    names = object_names(events, known)
    for e in events:
        e.entity_label = entity_label(e.entity)
        e.object_name = _name_without_object(e) or names.get((e.entity, e.entity_id)) or (
            _("%(what)s（已删除）") % {"what": e.entity_label} if e.entity else "")
        e.actor_label = actor_label(e)
        e.rows = change_rows(e, user)
        e.extra = extra_rows(e, user)
    return events
