"""Who helps (issue 15 item 1, who15): every write to helping units, cadres, work teams, postings, days in
the village, the links of leaders and departments, the thresholds, bulk pairing by village and the
reassignment of a departed cadre's households. Each function is keyword-only, atomic, checks the
actor's capability (``manage_assistance`` / ``assistance_rules``) and write scope (the row's area in their
subtree), calls ``full_clean`` and writes its audit row in the same transaction (ARCHITECTURE habits 1–2).
``actor`` None is the system (the demo, migrations)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_update, snapshot

from .models import (
    AreaLink,
    AssistanceRule,
    Cadre,
    HelpingUnit,
    Pairing,
    PresenceMonth,
    TeamPosting,
    WorkTeam,
)
from .services import pairing_create, pairing_end

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.registry.models import Household


def check_manage(actor: User | None, area: Area) -> None:
    """PermissionDenied without ``manage_assistance``; a ValidationError naming ``area`` outside the
    actor's subtree (the row was found through a scoped read, so nothing is revealed)."""
    if actor is None:
        return
    policy.require(actor, "manage_assistance", _("您的角色不能管理帮扶力量"))
    policy.check_write(actor, area)


def _save(obj: Any, *, actor: User | None, area: Area, summary: str, before: dict | None = None,
          duplicate: str = "") -> Any:
    """full_clean, save (an IntegrityError from a concurrent twin becomes ``duplicate``), audit."""
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(duplicate or _("与已有记录冲突，请刷新后重试")) from exc
    if before is None:
        audit_create(actor=actor, obj=obj, area_path=area.path, summary=summary)
    else:
        audit_update(actor=actor, obj=obj, before=before, after=snapshot(obj), area_path=area.path, summary=summary)
    return obj


def _apply(obj: Any, data: dict[str, Any], fields: Iterable[str]) -> None:
    for name in fields:
        if name in data:
            value = data[name]
            setattr(obj, name, value.strip() if isinstance(value, str) else value)


# --- units -------------------------------------------------------------------------------------------

UNIT_FIELDS = ("name", "kind", "area", "phone", "active", "note")


@transaction.atomic
def unit_save(*, actor: User | None, unit: HelpingUnit | None = None, data: dict[str, Any]) -> HelpingUnit:
    """Create a helping unit (``unit`` None) or change one: name, kind, area, phone, active, note. Both
    the old and the new area must lie in the actor's subtree."""
    if unit is not None:
        unit = HelpingUnit.objects.select_for_update().select_related("area").get(pk=unit.pk)
        check_manage(actor, unit.area)
        before = snapshot(unit)
    else:
        unit, before = HelpingUnit(), None
    _apply(unit, data, UNIT_FIELDS)
    if unit.area_id is None:
        raise ValidationError({"area": _("请选择所属区划")})
    check_manage(actor, unit.area)
    verb = _("新增帮扶单位") if before is None else _("修改帮扶单位")
    return _save(unit, actor=actor, area=unit.area, before=before, summary=f"{verb}：{unit.name}",
                 duplicate=_("该区划已有名为“%(n)s”的帮扶单位") % {"n": unit.name})


# --- cadres ------------------------------------------------------------------------------------------

CADRE_FIELDS = ("name", "unit", "post", "rank", "phone", "area", "user")


def _check_cadre(actor: User | None, cadre: Cadre) -> None:
    if cadre.area_id is None:
        raise ValidationError({"area": _("请选择所属区划")})
    check_manage(actor, cadre.area)
    if cadre.unit_id is not None and actor is not None \
            and not HelpingUnit.objects.filter(policy.helpers_q(actor), pk=cadre.unit_id).exists():
        raise ValidationError({"unit": _("无权选择该帮扶单位")})
    if cadre.user_id is not None:
        user = cadre.user
        policy.check_assignable(user, "be_paired", "user", _("只能关联在用的“帮扶责任人”账号"))
        if actor is not None and not policy.visible_areas(actor).filter(pk=user.area_id).exists():
            raise ValidationError({"user": _("只能关联本辖区的账号")})
        if Cadre.objects.filter(user_id=cadre.user_id).exclude(pk=cadre.pk).exists():
            raise ValidationError({"user": _("账号“%(u)s”已关联其他帮扶干部") % {"u": user.username}})


@transaction.atomic
def cadre_save(*, actor: User | None, cadre: Cadre | None = None, data: dict[str, Any]) -> Cadre:
    """Create a cadre (``cadre`` None) or change one: name, unit, post, rank, phone, area and the linked
    login account (a 帮扶责任人 account of the actor's subtree, not linked to another cadre; optional)."""
    if cadre is not None:
        cadre = Cadre.objects.select_for_update().select_related("area").get(pk=cadre.pk)
        check_manage(actor, cadre.area)
        before = snapshot(cadre)
    else:
        cadre, before = Cadre(), None
    _apply(cadre, data, CADRE_FIELDS)
    _check_cadre(actor, cadre)
    verb = _("新增帮扶干部") if before is None else _("修改帮扶干部")
    return _save(cadre, actor=actor, area=cadre.area, before=before, summary=f"{verb}：{cadre.name}",
                 duplicate=_("该账号已关联其他帮扶干部"))


@transaction.atomic
def cadre_leave(*, actor: User | None, cadre: Cadre, left_on: datetime.date | None) -> Cadre:
    """离岗 (调离/退休) on ``left_on`` (None: back in post). Their open pairings stay open, listed for
    reassignment (``pairings_reassign``) until another cadre takes them: the households are never
    silently left without anyone."""
    cadre = Cadre.objects.select_for_update().select_related("area").get(pk=cadre.pk)
    check_manage(actor, cadre.area)
    before = snapshot(cadre)
    cadre.left_on = left_on
    summary = (_("帮扶干部离岗：%(c)s（%(d)s）") % {"c": cadre.name, "d": left_on} if left_on
               else _("帮扶干部恢复在岗：%(c)s") % {"c": cadre.name})
    return _save(cadre, actor=actor, area=cadre.area, before=before, summary=summary)


# --- work teams, postings, days in the village -----------------------------------------------------


@transaction.atomic
def team_create(*, actor: User | None, village: Area, unit: HelpingUnit | None, start: datetime.date,
                note: str = "") -> WorkTeam:
    """组建驻村工作队 for ``village`` (one open team per village)."""
    check_manage(actor, village)
    if village.level != "village":
        raise ValidationError({"village": _("驻村工作队须派驻到行政村")})
    if WorkTeam.objects.filter(village=village, end__isnull=True).exists():
        raise ValidationError({"village": _("%(v)s 已有在驻的工作队") % {"v": village.name}})
    team = WorkTeam(village=village, unit=unit, start=start, note=(note or "").strip())
    return _save(team, actor=actor, area=village, summary=_("组建驻村工作队：%(v)s") % {"v": village.name},
                 duplicate=_("%(v)s 已有在驻的工作队") % {"v": village.name})


@transaction.atomic
def team_end(*, actor: User | None, team: WorkTeam, end: datetime.date) -> WorkTeam:
    """工作队撤离 on ``end``; its open postings end the same day."""
    team = WorkTeam.objects.select_for_update().select_related("village").get(pk=team.pk)
    check_manage(actor, team.village)
    if team.end is not None:
        raise ValidationError({"end": _("该工作队已于 %(d)s 撤离") % {"d": team.end}})
    for posting in team.postings.filter(end__isnull=True):
        posting_end(actor=actor, posting=posting, end=end)
    before = snapshot(team)
    team.end = end
    return _save(team, actor=actor, area=team.village, before=before,
                 summary=_("驻村工作队撤离：%(v)s") % {"v": team.village.name})


@transaction.atomic
def posting_create(*, actor: User | None, team: WorkTeam, cadre: Cadre, role: str, full_time: bool,
                   start: datetime.date) -> TeamPosting:
    """派驻 ``cadre`` to ``team`` as 第一书记 / 队长 / 队员 from ``start``."""
    team = WorkTeam.objects.select_related("village").get(pk=team.pk)
    check_manage(actor, team.village)
    if team.end is not None:
        raise ValidationError({"team": _("该工作队已撤离")})
    if cadre.left_on is not None and cadre.left_on <= start:
        raise ValidationError({"cadre": _("%(c)s 已于 %(d)s 离岗") % {"c": cadre.name, "d": cadre.left_on}})
    if start < team.start:
        raise ValidationError({"start": _("派驻日期不能早于工作队进驻日期（%(d)s）") % {"d": team.start}})
    posting = TeamPosting(team=team, cadre=cadre, role=role, full_time=full_time, start=start)
    return _save(posting, actor=actor, area=team.village,
                 summary=_("派驻：%(c)s 任 %(v)s %(r)s") % {"c": cadre.name, "v": team.village.name,
                                                        "r": posting.get_role_display()},
                 duplicate=_("%(c)s 已在该工作队") % {"c": cadre.name})


@transaction.atomic
def posting_end(*, actor: User | None, posting: TeamPosting, end: datetime.date) -> TeamPosting:
    """召回 a posted cadre on ``end``."""
    posting = TeamPosting.objects.select_for_update().select_related("team__village", "cadre").get(pk=posting.pk)
    check_manage(actor, posting.team.village)
    if posting.end is not None:
        raise ValidationError({"end": _("该派驻已于 %(d)s 结束") % {"d": posting.end}})
    before = snapshot(posting)
    posting.end = end
    return _save(posting, actor=actor, area=posting.team.village, before=before,
                 summary=_("召回：%(c)s（%(v)s）") % {"c": posting.cadre.name, "v": posting.team.village.name})


@transaction.atomic
def presence_save(*, actor: User | None, team: WorkTeam, month: datetime.date,
                  days: dict[int, int | None]) -> list[PresenceMonth]:
    """Record the days in the village of ``month`` (any day of it) for the team's postings: ``days`` maps
    a posting id to its days (None: no record). All or nothing; one audit row for the team and month
    with every change (the sheet is entered as one form)."""
    team = WorkTeam.objects.select_related("village").get(pk=team.pk)
    check_manage(actor, team.village)
    month = month.replace(day=1)
    postings = {p.pk: p for p in team.postings.select_related("cadre")}
    existing = {r.posting_id: r for r in
                PresenceMonth.objects.select_for_update().filter(posting__team=team, month=month)}
    saved, changes = [], {}
    for posting_id, value in days.items():
        posting = postings.get(posting_id)
        if posting is None:
            raise ValidationError(_("派驻记录 %(p)s 不属于该工作队") % {"p": posting_id})
        row = existing.get(posting_id)
        if value is None:
            if row is not None:
                changes[posting.cadre.name] = [row.days, None]
                row.delete()
            continue
        if posting.start > _month_end(month) or (posting.end is not None and posting.end < month):
            raise ValidationError({"days": _("%(c)s %(m)s 不在派驻期内") % {"c": posting.cadre.name,
                                                                       "m": f"{month:%Y-%m}"}})
        if row is None:
            row = PresenceMonth(posting=posting, month=month, days=value)
        elif row.days == value:
            saved.append(row)
            continue
        changes[posting.cadre.name] = [row.days if row.pk else None, value]
        row.days = value
        try:
            row.full_clean()
        except ValidationError as exc:
            raise ValidationError({"days": _("%(c)s：%(e)s") % {"c": posting.cadre.name,
                                                               "e": "；".join(exc.messages)}}) from exc
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:  # another user entered the same month first
            raise ValidationError(_("%(c)s %(m)s 的天数刚被他人登记，请刷新后重试") % {
                "c": posting.cadre.name, "m": f"{month:%Y-%m}"}) from exc
        saved.append(row)
    if changes:
        audit_update(actor=actor, obj=team, before={}, after={"month": f"{month:%Y-%m}", "days": changes},
                     area_path=team.village.path,
                     summary=_("驻村天数：%(v)s %(m)s") % {"v": team.village.name, "m": f"{month:%Y-%m}"})
    return saved


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


# --- links of leaders and departments ---------------------------------------------------------------


@transaction.atomic
def link_create(*, actor: User | None, area: Area, start: datetime.date, cadre: Cadre | None = None,
                unit: HelpingUnit | None = None, note: str = "") -> AreaLink:
    """挂钩: a leader (``cadre``) or a department (``unit``) linked to a township or village of the actor's
    subtree from ``start``."""
    check_manage(actor, area)
    link = AreaLink(cadre=cadre, unit=unit, area=area, start=start, note=(note or "").strip())
    holder = cadre or unit
    if cadre is not None and cadre.left_on is not None and cadre.left_on <= start:
        raise ValidationError({"cadre": _("%(c)s 已于 %(d)s 离岗") % {"c": cadre.name, "d": cadre.left_on}})
    if AreaLink.objects.filter(cadre=cadre, unit=unit, area=area, end__isnull=True).exists():
        raise ValidationError({"area": _("%(h)s 已挂钩 %(a)s") % {"h": holder, "a": area.name}})
    return _save(link, actor=actor, area=area, summary=_("挂钩联系：%(h)s → %(a)s") % {"h": holder, "a": area.name},
                 duplicate=_("%(h)s 已挂钩 %(a)s") % {"h": holder, "a": area.name})


@transaction.atomic
def link_end(*, actor: User | None, link: AreaLink, end: datetime.date) -> AreaLink:
    """解除挂钩 on ``end`` (the link stays in the history)."""
    link = AreaLink.objects.select_for_update(of=("self",)).select_related("area", "cadre", "unit").get(pk=link.pk)
    check_manage(actor, link.area)
    if link.end is not None:
        raise ValidationError({"end": _("该挂钩已于 %(d)s 解除") % {"d": link.end}})
    before = snapshot(link)
    link.end = end
    return _save(link, actor=actor, area=link.area, before=before,
                 summary=_("解除挂钩：%(h)s → %(a)s") % {"h": link.holder, "a": link.area.name})


# --- thresholds --------------------------------------------------------------------------------------


@transaction.atomic
def rule_set(*, actor: User | None, key: str, area: Area | None, value: int, note: str = "") -> AssistanceRule:
    """Set the threshold ``key`` for ``area``'s subtree (None: everywhere, the system administrator's).
    Only ``assistance_rules`` roles, for their own area or one below it; audited with before/after."""
    if actor is not None:
        policy.require(actor, "assistance_rules", _("只有县级管理员可以修改帮扶规则"))
        scope = policy.scope_path(actor)
        if scope is None or (area is None and scope != "") or (area is not None and not area.path.startswith(scope)):
            raise ValidationError({"area": _("无权设置该区划的帮扶规则")})
    rule = AssistanceRule.objects.select_for_update().filter(key=key, area=area).first()
    before = snapshot(rule) if rule is not None else None
    if rule is None:
        rule = AssistanceRule(key=key, area=area)
    rule.value, rule.note = value, (note or "").strip()
    rule.updated_by = actor
    where = area.name if area is not None else _("全国默认")
    return _save(rule, actor=actor, area=area or _Root(), before=before,
                 summary=_("帮扶规则：%(k)s = %(v)s（%(a)s）") % {"k": rule.get_key_display(), "v": value, "a": where})


class _Root:
    """The area of a national row, for the audit (seen by the whole tree)."""

    path = ""


# --- pairings: bulk by village, reassignment ---------------------------------------------------------


@transaction.atomic
def pairings_bulk_create(*, actor: User | None, cadre: Cadre, village: Area, households: Iterable[Household],
                         start: datetime.date) -> list[Pairing]:
    """Pair ``cadre`` with many households of one village in one step: all or nothing (one refused
    household — outside the village or the scope, cancelled, already paired with this cadre — and no
    pairing is written; the error names its number). Each pairing is written by ``pairing_create`` and
    so gets its own audit row: a household's trail then shows its own pairing, as for a single one, and
    the audit stays one shape (the rows are few: a village has tens of households, not thousands)."""
    check_manage(actor, village)
    households = list(households)
    if not households:
        raise ValidationError({"households": _("请至少选择一户")})
    made = []
    for household in households:
        if not household.area_path.startswith(village.path):
            raise ValidationError({"households": _("户 %(n)s 不属于 %(v)s") % {"n": household.number, "v": village.name}})
        try:
            made.append(pairing_create(actor=actor, cadre=cadre, household=household, start=start))
        except ValidationError as exc:
            raise ValidationError({"households": _("户 %(n)s：%(e)s") % {
                "n": household.number, "e": "；".join(exc.messages)}}) from exc
    return made


@transaction.atomic
def pairings_reassign(*, actor: User | None, pairings: Iterable[Pairing], to_cadre: Cadre,
                      on: datetime.date) -> list[Pairing]:
    """Hand ``pairings`` (usually a departed cadre's) to ``to_cadre`` in one step: each old pairing ends
    on ``on`` and a new one with ``to_cadre`` starts on ``on`` (no day without a cadre, no day with
    two). All or nothing; each end and each start is audited (by pairing_end / pairing_create)."""
    pairings = list(pairings)
    if not pairings:
        raise ValidationError({"pairings": _("请至少选择一条结对")})
    made = []
    for old in pairings:
        if old.cadre_id == to_cadre.pk:
            raise ValidationError({"cadre": _("新的帮扶责任人与原责任人相同")})
        if on < old.start:
            raise ValidationError({"on": _("交接日期不能早于原结对日期（户 %(n)s，%(d)s）") % {
                "n": old.household.number, "d": old.start}})
        pairing_end(actor=actor, pairing=old, end=on, note=_("转交 %(c)s") % {"c": to_cadre.name})
        try:
            made.append(pairing_create(actor=actor, cadre=to_cadre, household=old.household, start=on,
                                       note=_("接替 %(c)s") % {"c": old.cadre.name}))
        except ValidationError as exc:
            raise ValidationError({"cadre": _("户 %(n)s：%(e)s") % {
                "n": old.household.number, "e": "；".join(exc.messages)}}) from exc
    return made
