"""Every write of 一户一策 (issue 15 item 3): plans, their measures, the measure catalogue. Atomic,
scope-checked, audited (ARCHITECTURE habits 1–2).

**Optimistic locking.** A plan and its measures are one document: every write names the plan version the
writer read (``version``) and bumps it with a conditional UPDATE; a write over a version someone else
saved meanwhile raises fupin.registry.services.StaleVersion (the pages answer 409 with a Chinese message,
the API's error handler already maps it). So two cadres editing one plan never lose each other's change.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_update, snapshot
from fupin.registry.services import StaleVersion, _refuse_cancelled

from .models import CatalogueMeasure, MeasureStatus, Pairing, Plan, PlanMeasure

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.registry.models import Household

#: The fields of a measure a writer sets (the plan, catalogue link and status have their own services).
MEASURE_FIELDS = ("category", "name", "cause", "unit", "cadre", "planned_on", "funds", "result")
CATALOGUE_FIELDS = ("category", "name", "causes", "description", "area", "active")


def _bump(plan: Plan, version: int) -> None:
    """The conditional UPDATE of optimistic locking: the plan is at ``version`` or StaleVersion."""
    if not Plan.objects.filter(pk=plan.pk, version=version).update(version=F("version") + 1,
                                                                  updated_at=timezone.now()):
        raise StaleVersion
    plan.version = version + 1


def _check(actor: User | None, household: Household) -> None:
    policy.check_household_work(actor, household, "plan")
    _refuse_cancelled(household)


@transaction.atomic
def plan_create(*, actor: User | None, household: Household, year: int, note: str = "") -> Plan:
    """一户一策: the household's plan for ``year`` (one per year; a second one is refused by name)."""
    _check(actor, household)
    this_year = timezone.localdate().year
    if not 2014 <= year <= this_year + 1:
        raise ValidationError({"year": _("年度应在 2014 至 %(y)s 之间") % {"y": this_year + 1}})
    exists = ValidationError({"year": _("户 %(n)s 已有 %(y)s 年度帮扶计划") % {"n": household.number, "y": year}})
    if Plan.objects.filter(household=household, year=year).exists():
        raise exists
    plan = Plan(household=household, year=year, note=(note or "").strip(),
                created_by=actor if getattr(actor, "pk", None) else None)
    plan.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # two writers created the same plan at once: the constraint decides
        raise exists from exc
    audit_create(actor=actor, obj=plan, area_path=household.area_path,
                 summary=_("制定帮扶计划：%(n)s %(y)s 年") % {"n": household.number, "y": year})
    return plan


@transaction.atomic
def plan_update(*, actor: User | None, plan: Plan, version: int, note: str) -> Plan:
    """帮扶思路 of the plan."""
    plan = Plan.objects.select_related("household__area").get(pk=plan.pk)
    _check(actor, plan.household)
    before = snapshot(plan)
    _bump(plan, version)
    plan.note = (note or "").strip()
    plan.full_clean(validate_unique=False, validate_constraints=False)
    plan.save(update_fields=["note"])
    audit_update(actor=actor, obj=plan, before={**before, "version": plan.version}, after=snapshot(plan),
                 area_path=plan.household.area_path,
                 summary=_("修改帮扶计划：%(n)s %(y)s 年") % {"n": plan.household.number, "y": plan.year})
    return plan


def _default_cadre(household: Household) -> Any:
    pairing = Pairing.objects.ongoing().filter(household=household).select_related("cadre").order_by("start", "id").first()
    return pairing.cadre if pairing is not None else None


def _clean_measure(measure: PlanMeasure) -> None:
    if isinstance(measure.funds, Decimal) and measure.funds != measure.funds.quantize(Decimal("0.01")):
        raise ValidationError({"funds": _("资金精确到分（两位小数）")})
    measure.full_clean()


@transaction.atomic
def measure_add(*, actor: User | None, plan: Plan, version: int, catalogue: CatalogueMeasure | None = None,
                **fields: Any) -> PlanMeasure:
    """Add a measure to the plan: from the catalogue (its category and name unless given) or written in.
    Without a cadre, the household's 帮扶责任人 (its first ongoing pairing) and their unit; without a date,
    the end of the plan's year."""
    plan = Plan.objects.select_related("household__area").get(pk=plan.pk)
    household = plan.household
    _check(actor, household)
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields {sorted(unknown)}")
    if catalogue is not None:
        fields.setdefault("category", catalogue.category)
        fields.setdefault("name", catalogue.name)
    if fields.get("cadre") is None:
        fields["cadre"] = _default_cadre(household)
    if fields.get("unit") is None and fields["cadre"] is not None:
        fields["unit"] = fields["cadre"].unit
    if fields.get("planned_on") is None:
        fields["planned_on"] = datetime.date(plan.year, 12, 31)
    fields["funds"] = fields.get("funds") if fields.get("funds") is not None else Decimal("0")
    _bump(plan, version)
    measure = PlanMeasure(plan=plan, catalogue=catalogue, **{k: v for k, v in fields.items() if v is not None})
    _clean_measure(measure)
    measure.save()
    audit_create(actor=actor, obj=measure, area_path=household.area_path,
                 summary=_("帮扶计划增加措施：%(n)s %(y)s 年 · %(m)s") % {"n": household.number, "y": plan.year,
                                                                  "m": measure.name})
    return measure


def _locked_measure(measure: PlanMeasure) -> PlanMeasure:
    return PlanMeasure.objects.select_related("plan__household__area").get(pk=measure.pk)


@transaction.atomic
def measure_update(*, actor: User | None, measure: PlanMeasure, version: int, **fields: Any) -> PlanMeasure:
    """Change a measure's fields (what, cause, unit, cadre, date, funds, result)."""
    measure = _locked_measure(measure)
    household = measure.plan.household
    _check(actor, household)
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields {sorted(unknown)}")
    before = snapshot(measure)
    _bump(measure.plan, version)
    for name, value in fields.items():
        setattr(measure, name, value)
    _clean_measure(measure)
    measure.save()
    audit_update(actor=actor, obj=measure, before=before, after=snapshot(measure), area_path=household.area_path,
                 summary=_("修改帮扶措施：%(n)s · %(m)s") % {"n": household.number, "m": measure.name})
    return measure


@transaction.atomic
def measure_set_status(*, actor: User | None, measure: PlanMeasure, version: int, status: str,
                       done_on: datetime.date | None = None, result: str | None = None) -> PlanMeasure:
    """Move a measure to ``status``. 已完成 needs its done date (not in the future); leaving 已完成 clears it."""
    measure = _locked_measure(measure)
    household = measure.plan.household
    _check(actor, household)
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("未知的措施状态")})
    if status == MeasureStatus.DONE:
        if done_on is None:
            raise ValidationError({"done_on": _("已完成的措施须填写完成日期")})
        if done_on > timezone.localdate():
            raise ValidationError({"done_on": _("完成日期不能晚于今天")})
    before = snapshot(measure)
    _bump(measure.plan, version)
    measure.status = status
    measure.done_on = done_on if status == MeasureStatus.DONE else None
    if result is not None:
        measure.result = result.strip()
    _clean_measure(measure)
    measure.save(update_fields=["status", "done_on", "result"])
    audit_update(actor=actor, obj=measure, before=before, after=snapshot(measure), area_path=household.area_path,
                 summary=_("帮扶措施%(s)s：%(n)s · %(m)s") % {"s": MeasureStatus(status).label, "n": household.number,
                                                          "m": measure.name})
    return measure


# --- the catalogue (帮扶措施目录) ----------------------------------------------------------------------


def _check_catalogue(actor: User | None, area: Area | None) -> None:
    if actor is None:
        return
    if not policy.can(actor, "manage_catalogue"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("您的角色只能查看措施目录，不能修改"))
    if not policy.may_manage_catalogue(actor, area):
        raise ValidationError({"area": _("无权设置该区划（%(a)s）的措施目录") % {
            "a": area.name if area is not None else _("全部区划")}})


@transaction.atomic
def catalogue_create(*, actor: User | None, category: str, name: str, causes: list[str], description: str = "",
                     area: Area | None = None, active: bool = True) -> CatalogueMeasure:
    _check_catalogue(actor, area)
    measure = CatalogueMeasure(category=category, name=(name or "").strip(), causes=list(causes),
                               description=(description or "").strip(), area=area, active=active)
    measure.full_clean()
    measure.save()
    audit_create(actor=actor, obj=measure, area_path=area.path if area is not None else "",
                 summary=_("新增帮扶措施目录：%(m)s") % {"m": measure})
    return measure


@transaction.atomic
def catalogue_update(*, actor: User | None, measure: CatalogueMeasure, **fields: Any) -> CatalogueMeasure:
    """Edit a catalogue measure (also 停用 with active=False: the plans that chose it keep it)."""
    measure = CatalogueMeasure.objects.select_for_update().get(pk=measure.pk)
    _check_catalogue(actor, measure.area)
    unknown = set(fields) - set(CATALOGUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown catalogue fields {sorted(unknown)}")
    if "area" in fields:
        _check_catalogue(actor, fields["area"])
    before = snapshot(measure)
    for name, value in fields.items():
        setattr(measure, name, value.strip() if isinstance(value, str) else value)
    measure.full_clean()
    measure.save()
    audit_update(actor=actor, obj=measure, before=before, after=snapshot(measure),
                 area_path=measure.area.path if measure.area is not None else "",
                 summary=_("修改帮扶措施目录：%(m)s") % {"m": measure})
    return measure
