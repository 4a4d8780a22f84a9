"""Every write to the registry: named, keyword-only, atomic, audited (ARCHITECTURE habits 1–2).

Views, the admin, the CLI, imports, the demo generator and tests all go through these functions.
Errors are ``django.core.exceptions.ValidationError`` with a Chinese message per field.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin import workflow
from fupin.accounts import policy
from fupin.areas.models import PATH_LENGTH, Area, Level
from fupin.audit.services import audit_create, audit_status, audit_update, jsonable
from fupin.audit.services import snapshot as _full_snapshot
from fupin.lib import idnumber, pinyin
from fupin.lib.paths import common_prefix

from . import rules
from .choices import LineKind, Procedure, Relation, Status
from .models import Household, Member, PovertyLine, YearlyRecord

if TYPE_CHECKING:
    from fupin.accounts.models import User

HOUSEHOLD_EDITABLE = {f.name for f in Household._meta.concrete_fields if f.editable} - {"id", "created_at",
                                                                                         "updated_at"}
MEMBER_EDITABLE = {f.name for f in Member._meta.concrete_fields if f.editable} - {"id", "household", "created_at",
                                                                                  "updated_at"}
YEARLY_EDITABLE = {"member_count", "wage_income", "business_income", "property_income", "transfer_income",
                   "business_expense", "food_clothing_secure", "education_secure", "medical_secure",
                   "housing_secure", "water_secure", "note"}


class StaleVersion(Exception):
    """Someone else saved the record since it was read (optimistic locking)."""


#: Bookkeeping columns that change on every save; left out of field-level audit so that a save that
#: changes nothing writes no audit row (audit_update's contract) and real changes are not buried.
AUDIT_NOISE = {"updated_at", "version"}


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The audit snapshot, minus bookkeeping, with decimals at their column's scale: 80.5 typed in and
    80.50 read back are the same value, not a change to record."""
    out = _full_snapshot(obj)
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if isinstance(f, models.DecimalField) and isinstance(value, decimal.Decimal) and value.is_finite():
            try:
                out[f.attname] = str(value.quantize(decimal.Decimal(1).scaleb(-f.decimal_places)))
            except decimal.InvalidOperation:
                pass  # too many digits: full_clean() refuses it
    return {k: v for k, v in out.items() if k not in AUDIT_NOISE}


class MemberError(ValidationError):
    """A member of a household being registered is refused: ``index`` is the member's place in the
    list given (0 the first), so that a form or an API answer can put the error at that member."""

    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(error)
        self.index = index


def _reject_unknown(data: Mapping[str, Any], allowed: set[str], what: str) -> None:
    """Derived and bookkeeping fields (net income, version, head name ...) are never typed in; the error names
    each offending field, like every other error of the services."""
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({field: _("%(what)s的“%(field)s”不能直接填写或修改") % {"what": what, "field": field}
                               for field in sorted(unknown)})


def _active_elsewhere(id_number: str, exclude_member_id: int | None = None) -> Member | None:
    """An active member who is the same person: the same 18-digit number, or a 残疾人证 number (those 18
    digits + 2 or 4) for it. The database enforces the same through citizen_id; asking first gives
    the cadre a message that names the other household."""
    citizen = rules.citizen_id(id_number)
    if len(citizen) != 18:
        return None
    qs = Member.objects.filter(active=True, citizen_id=citizen).select_related("household")
    if exclude_member_id:
        qs = qs.exclude(pk=exclude_member_id)
    return qs.first()


def _duplicate_person_error(other: Member, actor: User | None) -> ValidationError:
    """The other household is named only to an actor who may see it (no existence oracle across areas)."""
    seen = other.household_id in policy.household_ids_seen(actor, [other.household_id])
    return ValidationError({"id_number": rules.person_elsewhere_error(
        other.id_number, other.household.number if seen else None)})


def _refresh_household_summary(household: Household) -> None:
    """Keep the denormalised head name and member count in step with the members."""
    active = household.members.filter(active=True)
    head = active.filter(relation=Relation.HEAD).first()
    household.head_name = head.name if head else ""
    household.head_name_pinyin = pinyin.sort_key(household.head_name)
    household.member_count = active.count()
    Household.objects.filter(pk=household.pk).update(head_name=household.head_name,
                                                     head_name_pinyin=household.head_name_pinyin,
                                                     member_count=household.member_count)


def _common_area(a: str, b: str) -> str:
    """The path of the deepest area holding both areas (by path)."""
    shared = common_prefix([a, b])
    return max((shared[:n] for n in PATH_LENGTH.values() if n <= len(shared)), key=len, default="")


def _refuse_cancelled(household: Household) -> None:
    """A cancelled (注销) household is closed: its record stays as it was, for the history."""
    if rules.is_closed(household.status):
        raise ValidationError(rules.closed_error(household.number))


def _require_one_head(household: Household) -> None:
    error = rules.head_count_error(household.members.filter(active=True).values_list("relation", flat=True))
    if error:
        raise ValidationError({"relation": error})


def _build_member(household: Household, data: Mapping[str, Any], actor: User | None) -> Member:
    _reject_unknown(data, MEMBER_EDITABLE, _("家庭成员"))
    member = Member(household=household, **data)
    _clean_member(member, actor)
    return member


def fill_from_id(member: Member) -> list[str]:
    """Sex and birth date left blank are read from the ID number (Member.clean compares them when given).

    Returns the blank fields that could not be filled because the ID number is unreadable: they are not
    reported as missing, since the one thing to fix is the ID number, and they follow from it."""
    blank = [name for name in ("sex", "birth_date") if getattr(member, name) in (None, "")]
    if not blank:
        return []
    try:
        info = idnumber.parse(member.id_number or "")
    except idnumber.IdNumberError:
        return blank  # Member.clean() reports the ID number
    member.sex = member.sex or info.sex
    if member.birth_date is None or member.birth_date == "":
        member.birth_date = info.birth_date
    return []


def _clean_member(member: Member, actor: User | None) -> None:
    """The friendly checks first, so that the error names the field and the other household, then the
    model's own. (The database constraint's message, from full_clean, would only say "约束 … 是无效的".)"""
    unfilled = fill_from_id(member)
    other = _active_elsewhere(member.id_number or "", exclude_member_id=member.pk)
    if other is not None:
        raise _duplicate_person_error(other, actor)
    member.full_clean(exclude=["household", *unfilled])


def _other_head(member: Member) -> Member | None:
    return (Member.objects.filter(household_id=member.household_id, active=True, relation=Relation.HEAD)
            .exclude(pk=member.pk).first())


def _save_member(member: Member, actor: User | None) -> None:
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        # The database constraints are the last word when two writers race. Ask the database which
        # invariant broke: the error text differs by backend (SQLite names the columns, not the constraint).
        if member.active and member.relation == Relation.HEAD and _other_head(member) is not None:
            raise ValidationError({"relation": _("每户只能有一名户主")}) from exc
        other = _active_elsewhere(member.id_number, exclude_member_id=member.pk) if member.active else None
        if other is not None:
            raise _duplicate_person_error(other, actor) from exc
        raise


@transaction.atomic
def household_create(*, actor: User | None, area: Area, number: str, members: Iterable[Mapping[str, Any]],
                     status: str = Status.POOR, reason: str = "", date: datetime.date | None = None,
                     procedure: str = Procedure.REGISTRATION, **fields: Any) -> Household:
    """Register a household with its members (exactly one 户主) in one step. The status it may start in
    depends on the procedure that brings it in (rules.INITIAL_STATUSES)."""
    policy.check_write(actor, area)
    _reject_unknown(fields, HOUSEHOLD_EDITABLE - {"number", "area", "status"}, _("贫困户"))
    error = rules.initial_status_error(status, procedure)
    if error:
        raise ValidationError({"status": error})
    members = list(members)
    if not members:
        raise ValidationError({"members": _("至少要登记一名家庭成员（户主）")})
    error = rules.head_count_error(m.get("relation") for m in members)
    if error:
        raise ValidationError({"relation": error})
    repeated = rules.repeats(rules.citizen_id(m.get("id_number") or "") for m in members)
    if repeated:
        raise MemberError(min(repeated), ValidationError({"id_number": rules.repeated_person_error()}))

    household = Household(area=area, area_path=area.path, number=(number or "").strip(), status=status, **fields)
    _check_number(household, actor)
    household.full_clean()
    date = date or timezone.localdate()
    error = rules.status_date_error(date, identified_year=household.identified_year)
    if error:
        raise ValidationError({"date": error})
    household.save()
    built = []
    for index, data in enumerate(members):
        try:
            member = _build_member(household, data, actor)
            _save_member(member, actor)
        except ValidationError as exc:
            raise MemberError(index, exc) from exc
        built.append(member)
    _refresh_household_summary(household)
    _status_row(household, "", status, actor=actor, reason=reason or _("建档立卡登记"), date=date,
                procedure=procedure)
    audit_create(actor=actor, obj=household, area_path=household.area_path,
                 summary=_("登记贫困户 %(n)s（%(p)d 人）") % {"n": household.number, "p": len(built)})
    for member in built:
        audit_create(actor=actor, obj=member, area_path=household.area_path,
                     summary=_("登记成员 %(name)s") % {"name": member.name})
    return household


def _check_number(household: Household, actor: User | None) -> None:
    """The 户编号's own rules before the model's (whose duplicate message names nothing): one already used
    links to that household for an actor who may see it, and a number that starts with a village's code
    starts with the household's own village's."""
    number = household.number
    other = Household.objects.filter(number=number).exclude(pk=household.pk).only("pk", "head_name").first()
    if other is not None:
        seen = other.pk in policy.household_ids_seen(actor, [other.pk])
        raise ValidationError({"number": rules.number_duplicate_error(
            number, url=reverse("household_detail", kwargs={"pk": other.pk}) if seen else None,
            head_name=other.head_name)})
    prefix = number[:rules.STATISTICAL_CODE_WIDTH]
    error = rules.number_prefix_error(number, area_path=household.area_path, prefix_is_village=(
        number.isdigit() and Area.objects.filter(code=prefix, level=Level.VILLAGE).exists()))
    if error:
        raise ValidationError({"number": error})


def _unchanged_fields(obj: Household, changed: set[str]) -> list[str]:
    """The fields ``full_clean`` need not check again when only ``changed`` were set: they were valid
    when saved, and the database holds the constraints. A constraint that reads a changed field keeps
    all the fields it reads (exit_year ≥ identified_year is checked when either changed); the model's
    ``clean()`` runs whatever is excluded. Each check constraint costs three queries (a savepoint and
    a SELECT), and an unchanged foreign key or unique number one each: an API PATCH of two fields sent
    41 of them (issue 11's load)."""
    groups = []
    for constraint in obj._meta.constraints:
        if getattr(constraint, "expressions", None):
            return []  # an expression's fields are not listed: check everything
        condition = getattr(constraint, "condition", None)
        groups.append({*getattr(constraint, "fields", ()), *(condition.referenced_base_fields if condition else ())})
    keep, grown = set(changed), True
    while grown:  # until no constraint links a kept field to another
        grown = False
        for fields in groups:
            if fields & keep and not fields <= keep:
                keep |= fields
                grown = True
    return [field.name for field in obj._meta.fields if field.name not in keep]


def _bump_version(obj: Household | Member, expected_version: int | None) -> None:
    """Optimistic locking: the row is only written if nobody saved it since ``expected_version``."""
    model = type(obj)
    if expected_version is not None:
        updated = model.objects.filter(pk=obj.pk, version=expected_version).update(version=F("version") + 1)
        if not updated:
            raise StaleVersion
        obj.version = expected_version + 1
    else:
        model.objects.filter(pk=obj.pk).update(version=F("version") + 1)
        obj.version += 1


@transaction.atomic
def household_update(*, actor: User | None, household: Household, data: Mapping[str, Any],
                     expected_version: int | None = None) -> Household:
    """Change household fields (not status: see household_change_status). Audited field by field."""
    _reject_unknown(data, HOUSEHOLD_EDITABLE - {"status", "cancel_reason"}, _("贫困户"))
    household = Household.objects.select_for_update().get(pk=household.pk)
    policy.check_write(actor, household.area)
    _refuse_cancelled(household)
    before = snapshot(household)
    was_at = household.area_path
    for key, value in data.items():
        setattr(household, key, value)
    if "area" in data:
        policy.check_write(actor, household.area)
        household.area_path = household.area.path
    if "number" in data:
        household.number = (household.number or "").strip()
        _check_number(household, actor)
    household.full_clean(exclude=_unchanged_fields(household, {*data, "area_path"} if "area" in data else set(data)))
    if household.identified_year != before.get("identified_year"):
        error = rules.identified_year_error(
            household.identified_year,
            first_income_year=household.yearly_records.aggregate(y=models.Min("year"))["y"],
            first_change=household.status_changes.aggregate(d=models.Min("date"))["d"])
        if error:
            raise ValidationError({"identified_year": error})
    _bump_version(household, expected_version)
    household.save()
    # A move concerns both villages: the row belongs to their common area (the dashboards' rollups of
    # every area it overlaps are recomputed, fupin.monitoring.rollups).
    where = household.area_path if household.area_path == was_at else _common_area(was_at, household.area_path)
    audit_update(actor=actor, obj=household, before=before, after=snapshot(household),
                 area_path=where, summary=_("修改贫困户 %(n)s") % {"n": household.number})
    return household



@transaction.atomic
def households_correct(*, actor: User | None, households: Iterable[Household], versions: Mapping[int, int],
                       field: str, value: Any) -> list[Household]:
    """批量更正: set one field (rules.BATCH_FIELDS) to one value on every household given, each as
    ``household_update`` does (scope checked, audited per household). All or nothing: a household
    someone saved since the list was read (its version differs from ``versions``) or one the value does
    not fit stops the batch, the error naming the household, and nothing is written. Households that
    already have the value are left as they are. Returns the households changed."""
    error = rules.batch_field_error(field)
    if error:
        raise ValidationError({"field": error})
    households = list(households)
    if not households:
        raise ValidationError(_("请先勾选要更正的户"))
    if len(households) > rules.BATCH_LIMIT:
        raise ValidationError(_("一次最多更正 %(n)d 户") % {"n": rules.BATCH_LIMIT})
    changed = []
    for household in sorted(households, key=lambda h: h.pk):
        if household.pk not in versions:
            raise ValidationError(_("户 %(n)s 缺少版本号，请刷新后重试") % {"n": household.number})
        try:
            current = Household.objects.get(pk=household.pk)
            if current.version != versions[household.pk]:
                raise StaleVersion
            if getattr(current, field) == value:
                continue
            changed.append(household_update(actor=actor, household=current, data={field: value},
                                            expected_version=versions[household.pk]))
        except StaleVersion as exc:
            raise ValidationError(_("户 %(n)s 已被他人修改，请刷新后重试；本次没有修改任何户")
                                  % {"n": household.number}) from exc
        except ValidationError as exc:
            raise ValidationError(_("户 %(n)s：%(m)s；本次没有修改任何户")
                                  % {"n": household.number, "m": "；".join(exc.messages)}) from exc
    return changed


def household_change_status(*, actor: User | None, household: Household, to_status: str, reason: str,
                            date: datetime.date | None = None, procedure: str = Procedure.CORRECTION,
                            cancel_reason: str = "", exit_year: int | None = None,
                            expected_version: int | None = None) -> Household:
    """A status change made by hand (the web form, the API): 信息更正, 动态调整 or 防返贫监测
    (rules.MANUAL_PROCEDURES). The other procedures' changes are recorded by their own services through
    household_status_transition. ``household`` is the copy the user acted on: when someone else changed
    the status since, the change is refused (workflow.Conflict) rather than made on top of theirs."""
    error = rules.manual_procedure_error(procedure)
    if error:
        raise ValidationError({"procedure": error})
    return household_status_transition(actor=actor, household=household, to_status=to_status, reason=reason,
                                       date=date, procedure=procedure, cancel_reason=cancel_reason,
                                       exit_year=exit_year, expected_version=expected_version)


def household_status_transition(*, actor: User | None, household: Household, to_status: str, reason: str,
                                procedure: str, date: datetime.date | None = None, cancel_reason: str = "",
                                exit_year: int | None = None, expected_version: int | None = None) -> Household:
    """One step of the household status machine, recorded as ``procedure``: the entry for the services
    of the procedures that own their steps (贫困识别, 脱贫退出 …); pages and the API call
    household_change_status. History and audit are written in the step's transaction."""
    day = date or timezone.localdate()
    return workflow.transition(
        process=HOUSEHOLD_STATUS_PROCESS, actor=actor, obj=household, to=to_status, reason=reason, date=day,
        procedure=procedure, procedure_label=rules.procedure_label, expected_version=expected_version,
        values=rules.step_values(to_status, date=day, cancel_reason=cancel_reason, exit_year=exit_year))


def _status_row(household: Household, from_status: str, to_status: str, *, actor: User | None, reason: str,
                date: datetime.date, procedure: str) -> None:
    household.status_changes.create(
        from_status=from_status, to_status=to_status, date=date, reason=reason[:200], procedure=procedure,
        member_count=household.member_count,
        actor=actor if getattr(actor, "pk", None) else None, actor_name=getattr(actor, "username", "") or "system",
    )


def _status_history(step: workflow.Step) -> None:
    _status_row(step.obj, step.source, step.target, actor=step.actor, reason=step.reason, date=step.date,
                procedure=step.procedure)


def _status_date_in_order(step: workflow.Step) -> dict[str, str] | None:
    """The step's date by rules.status_date_error: not in the future, not before the household was
    identified, not before its latest status change."""
    household = step.obj
    previous = household.status_changes.order_by("-date").values_list("date", flat=True).first()
    error = rules.status_date_error(step.date, identified_year=household.identified_year, previous=previous)
    return {"date": error} if error else None


def _audit_status_change(step: workflow.Step) -> None:
    """The audit row of a status change (one place: every household status step comes through here)."""
    household = step.obj
    audit_status(actor=step.actor, obj=household, area_path=household.area_path,
                 summary=_("%(n)s：%(a)s → %(b)s") % {"n": household.number, "a": rules.status_label(step.source),
                                                    "b": rules.status_label(step.target)},
                 data={"changes": {k: {"before": jsonable(b), "after": jsonable(a)}
                                   for k, (b, a) in step.changes.items()},
                       "reason": step.reason, "procedure": step.procedure})


#: The household status as a workflow process: the table is the registry's rule (rules.HOUSEHOLD_STATUS);
#: the history row (StatusChange) and the audit row are written here.
HOUSEHOLD_STATUS_PROCESS = workflow.Process(
    name="household_status", table=rules.HOUSEHOLD_STATUS, model=Household, field="status",
    area=lambda household: household.area, history=_status_history, audit=_audit_status_change,
    label=rules.status_label, guards=(_status_date_in_order,), stale_message=gettext_lazy("该户状态已被他人变更（现为“%(now)s”），请刷新后重试"),
)


@transaction.atomic
def member_add(*, actor: User | None, household: Household, data: Mapping[str, Any]) -> Member:
    household = Household.objects.select_for_update().get(pk=household.pk)
    policy.check_write(actor, household.area)
    _refuse_cancelled(household)
    if data.get("relation") == Relation.HEAD and household.members.filter(active=True, relation=Relation.HEAD).exists():
        raise ValidationError({"relation": _("该户已有户主；如需更换户主，请先把原户主改为其他关系")})
    member = _build_member(household, data, actor)
    _save_member(member, actor)
    _refresh_household_summary(household)
    audit_create(actor=actor, obj=member, area_path=household.area_path,
                 summary=_("%(n)s 增加成员 %(name)s") % {"n": household.number, "name": member.name})
    return member


@transaction.atomic
def member_update(*, actor: User | None, member: Member, data: Mapping[str, Any],
                  expected_version: int | None = None) -> Member:
    _reject_unknown(data, MEMBER_EDITABLE, _("家庭成员"))
    member = Member.objects.select_for_update().select_related("household__area").get(pk=member.pk)
    household = member.household
    policy.check_write(actor, household.area)
    _refuse_cancelled(household)
    if not member.active:
        raise ValidationError(_("已减员的成员不能修改"))
    before = snapshot(member)
    for key, value in data.items():
        setattr(member, key, value)
    if member.relation == Relation.HEAD and _other_head(member) is not None:
        raise ValidationError({"relation": _("该户已有户主；如需更换户主，请使用“更换户主”")})
    _clean_member(member, actor)
    _bump_version(member, expected_version)
    _save_member(member, actor)
    _require_one_head(household)
    _refresh_household_summary(household)
    audit_update(actor=actor, obj=member, before=before, after=snapshot(member), area_path=household.area_path,
                 summary=_("%(n)s 修改成员 %(name)s") % {"n": household.number, "name": member.name})
    return member


@transaction.atomic
def household_set_head(*, actor: User | None, household: Household, member: Member,
                       old_head_relation: str) -> Household:
    """Make ``member`` the head; the old head takes ``old_head_relation`` (e.g. 配偶 after the head died)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    policy.check_write(actor, household.area)
    _refuse_cancelled(household)
    # Read the member again: the caller's copy may predate a removal.
    member = Member.objects.select_for_update().filter(pk=member.pk).first() or member
    if member.household_id != household.pk or not member.active:
        raise ValidationError({"member": _("新户主必须是本户的在户成员")})
    if old_head_relation == Relation.HEAD:
        raise ValidationError({"relation": _("原户主需要改为户主以外的关系")})
    old = household.members.filter(active=True, relation=Relation.HEAD).first()
    if old is not None and old.pk != member.pk:
        # The old head's new relation must be a known code. One that contradicts the sex (之母 for a
        # man) is a REFERENCE §6.10 疑点, as on every other write: saved, and found by the quality
        # checks (save(), not update(), so that they hear of it), never refused here.
        if old_head_relation not in Relation.values:
            raise ValidationError({"relation": _("请为原户主选择与户主的关系")})
        before = snapshot(old)
        old.relation = old_head_relation
        old.version = F("version") + 1
        old.save(update_fields=["relation", "version", "updated_at"])
        old.refresh_from_db()
        audit_update(actor=actor, obj=old, before=before, after=snapshot(old), area_path=household.area_path)
    before = snapshot(member)
    Member.objects.filter(pk=member.pk).update(relation=Relation.HEAD, version=F("version") + 1)
    member.refresh_from_db()
    audit_update(actor=actor, obj=member, before=before, after=snapshot(member), area_path=household.area_path,
                 summary=_("%(n)s 更换户主为 %(name)s") % {"n": household.number, "name": member.name})
    _require_one_head(household)
    _refresh_household_summary(household)
    # The head (name) is part of the household's record: whoever read it before the change holds a
    # stale version now, and an If-Match given for the next head change or edit says so.
    _bump_version(household, None)
    return household


@transaction.atomic
def member_remove(*, actor: User | None, member: Member, reason: str,
                  date: datetime.date | None = None) -> Member:
    """减员: the member leaves the household but keeps their history, with a reason (REFERENCE §2)."""
    from .choices import RemovalReason

    member = Member.objects.select_for_update().select_related("household__area").get(pk=member.pk)
    household = member.household
    policy.check_write(actor, household.area)
    _refuse_cancelled(household)
    if reason not in RemovalReason.values:
        raise ValidationError({"removal_reason": _("请选择减员原因")})
    if not member.active:
        raise ValidationError(_("该成员已经减员"))
    if member.relation == Relation.HEAD and household.members.filter(active=True).count() > 1:
        raise ValidationError({"relation": _("户主减员前请先指定新户主")})
    before = snapshot(member)
    member.active = False
    member.removal_reason = reason
    member.removed_on = date or timezone.localdate()
    member.save()
    _refresh_household_summary(household)
    audit_update(actor=actor, obj=member, before=before, after=snapshot(member), area_path=household.area_path,
                 summary=_("%(n)s 成员 %(name)s 减员（%(r)s）") % {
                     "n": household.number, "name": member.name, "r": RemovalReason(reason).label})
    return member


def poverty_line_for(year: int, area: Area | None, kind: str | None = None) -> PovertyLine | None:
    """The line for the year at ``area`` by rules.resolve_poverty_line (the deepest area on the
    household's path, else national); only the candidate lines are read."""
    prefixes = rules.path_prefixes(area.path) if area is not None else []
    candidates = (PovertyLine.objects.filter(year=year).filter(Q(area__isnull=True) | Q(area__path__in=prefixes))
                  .annotate(area_path=F("area__path")))
    return rules.resolve_poverty_line(candidates, year=year, area_path=area.path if area else "", kind=kind)


def poverty_lines() -> rules.PovertyLines:
    """Every line, for writers of many yearly records at once (the importer, the demo): the same answer
    as poverty_line_for() without a query per record."""
    return rules.PovertyLines(
        rules.Line(year=year, kind=kind, amount=amount, area_path=path or "")
        for year, kind, amount, path in PovertyLine.objects.values_list("year", "kind", "amount", "area__path"))


@transaction.atomic
def yearly_record_save(*, actor: User | None, household: Household, year: int,
                       data: Mapping[str, Any]) -> YearlyRecord:
    """Create or correct one year's record; other years are untouched. Derived values are computed."""
    _reject_unknown(data, YEARLY_EDITABLE, _("年度收入"))
    # Read the household again (and lock it): the caller's copy may predate a member change, and its
    # member_count is this year's default head count.
    household = Household.objects.select_for_update().select_related("area").get(pk=household.pk)
    policy.check_write(actor, household.area)
    _refuse_cancelled(household)
    error = rules.income_year_error(year, identified_year=household.identified_year)
    if error:
        raise ValidationError({"year": error})
    rec = YearlyRecord.objects.select_for_update().filter(household=household, year=year).first()
    created = rec is None
    if created:
        rec = YearlyRecord(household=household, year=year, member_count=household.member_count or 1)
    before = snapshot(rec) if not created else {}
    for key, value in data.items():
        setattr(rec, key, value)
    line = poverty_line_for(year, household.area)
    rec.poverty_line = line.amount if line else None
    # full_clean first: it turns typed text into Decimals, which derive() then adds up.
    rec.full_clean(exclude=["household"])
    rec.derive()
    rec.save()
    if created:
        audit_create(actor=actor, obj=rec, area_path=household.area_path,
                     summary=_("%(n)s 登记 %(y)d 年度收入") % {"n": household.number, "y": year})
    else:
        audit_update(actor=actor, obj=rec, before=before, after=snapshot(rec), area_path=household.area_path,
                     summary=_("%(n)s 修改 %(y)d 年度收入") % {"n": household.number, "y": year})
    return rec


@transaction.atomic
def poverty_line_set(*, actor: User | None, year: int, amount: decimal.Decimal | int | str,
                     kind: str = "national", area: Area | None = None, note: str = "") -> PovertyLine:
    if kind == LineKind.MONITORING:
        # REFERENCE §7: at least 1.5 × that year's poverty line (the rule is the monitoring app's).
        from fupin.monitoring.rules import line_floor_error

        error = line_floor_error(year, amount, area)
        if error:
            raise ValidationError({"amount": error})
    line = PovertyLine.objects.select_for_update().filter(year=year, kind=kind, area=area).first()
    if line is None:
        # Validated before the INSERT, so a bad amount is a ValidationError, not an IntegrityError.
        line = PovertyLine(year=year, kind=kind, area=area, amount=amount, note=note)
        line.full_clean()
        line.save()
        audit_create(actor=actor, obj=line)
        return line
    before = snapshot(line)
    line.amount = amount
    line.note = note or line.note
    line.full_clean()  # turns typed text into a Decimal, so the comparison below is by value
    if snapshot(line) != before:
        line.save()
        audit_update(actor=actor, obj=line, before=before, after=snapshot(line))
    return line
