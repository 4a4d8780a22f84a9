"""The data of the 户档案 (household record) PDF, as one user may see it.

Everything personal goes through fupin.accounts.policy: ID numbers and phones masked as on the
household page (a printed sheet leaves the system, so it is never the 显示完整信息 view), health
hidden from the roles that may not see it. The template (templates/household_record.typ) only prints
strings; every number and date is formatted here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import policy
from fupin.assistance.selectors import household_pairings

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User
    from fupin.registry.models import Household, Member, YearlyRecord

TEMPLATE = "household_record"

#: The names people know the fields by, for the error when a character cannot be printed.
LABELS = {
    "household.number": gettext_lazy("户编号"),
    "household.head_name": gettext_lazy("户主姓名"),
    "household.area": gettext_lazy("所在区划"),
    "household.address": gettext_lazy("住址"),
    "household.phone": gettext_lazy("联系电话"),
    "members.*.name": gettext_lazy("家庭成员姓名"),
    "members.*.id_number": gettext_lazy("家庭成员证件号码"),
    "members.*.work": gettext_lazy("家庭成员务工状况"),
    "removed.*.name": gettext_lazy("已减员成员姓名"),
    "changes.*.reason": gettext_lazy("状态变更原因"),
    "changes.*.actor": gettext_lazy("状态变更操作人"),
    "pairings.*.cadre": gettext_lazy("帮扶责任人"),
    "printed.by": gettext_lazy("打印人"),
}


def _text(value: Any) -> str:
    return "" if value in (None, "") else str(value)


def _yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _date(value: datetime.date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _member(user: User | AnonymousUser, m: Member, today: datetime.date, sees_health: bool) -> dict[str, Any]:
    health = ""
    if sees_health:
        health = m.get_health_display()
        if m.disability_category and policy.sees(user, "disability_category"):
            health += f"（{m.get_disability_category_display()}{m.get_disability_grade_display()}）"
    work = m.get_work_status_display() if m.work_status else ""
    if m.work_status and m.work_months:
        work += _(" %(n)s个月") % {"n": m.work_months}
    return {
        "name": m.name, "relation": m.get_relation_display(),
        "id_number": _text(policy.shown(user, "id_number", m.id_number)),
        "sex": m.get_sex_display(), "age": str(m.age_on(today)), "ethnicity": m.get_ethnicity_display(),
        "education": m.get_education_display() or "—", "school": m.get_school_status_display() or "—",
        "health": health, "labour": m.get_labour_display() or "—", "work": work or "—",
    }


#: 生产生活条件 printed on the record (the household page shows them all).
LIVING = ("cultivated_land", "house_area", "house_structure", "house_built_year", "danger_grade", "water_safe",
          "water_difficulty", "domestic_power", "road_type", "road_distance_km", "fuel", "sanitary_toilet",
          "in_cooperative", "relocated", "relocation_site")


def labels() -> dict[str, Any]:
    """LABELS and each 生产生活条件 line by its field's name (安置点 …)."""
    household = apps.get_model("registry", "Household")
    return LABELS | {f"living.{i}.value": household._meta.get_field(name).verbose_name
                     for i, name in enumerate(LIVING)}


def living_rows(h: Household, names: tuple[str, ...] = LIVING) -> list[dict[str, str]]:
    """Label and value of each field of ``names`` (LIVING by default; the 明白卡 prints fewer): choices
    by their label, yes/no in words, empty as —."""
    out = []
    for name in names:
        field = h._meta.get_field(name)
        value = getattr(h, name)
        if field.choices and value:
            value = getattr(h, f"get_{name}_display")()
        elif isinstance(value, bool):
            value = _("是") if value else _("否")
        out.append({"label": str(field.verbose_name), "value": _text(value) or "—"})
    return out


def _income(r: YearlyRecord) -> dict[str, str]:
    above = r.above_line
    return {
        "year": str(r.year), "members": str(r.member_count), "wage": _yuan(r.wage_income),
        "business": _yuan(r.business_income), "property": _yuan(r.property_income),
        "transfer": _yuan(r.transfer_income), "expense": _yuan(r.business_expense), "net": _yuan(r.net_income),
        "per_capita": _yuan(r.per_capita_income), "line": _yuan(r.poverty_line),
        "above": "—" if above is None else (_("是") if above else _("否")),
    }


def household_record(*, user: User | AnonymousUser, household: Household,
                     now: datetime.datetime | None = None) -> dict[str, Any]:
    """The 户档案 data of ``household`` (already read through the scoped selector) for ``user``."""
    now = timezone.localtime(now)
    today = now.date()
    members = list(household.members.all())
    sees_health = policy.sees(user, "health")
    sees_reason = policy.sees(user, "reason")
    h = household
    changes = []
    for c in list(household.status_changes.all())[::-1]:  # oldest first, as a record is read
        status = (f"{c.get_from_status_display()} → " if c.from_status else "") + c.get_to_status_display()
        # The reason is free text that can tell of an illness: the policy's health rule
        # (FIELD_GROUPS["health_text"]).
        changes.append({"date": _date(c.date), "status": status, "procedure": c.get_procedure_display(),
                        "reason": c.reason if sees_reason else _("（无权查看）"), "actor": c.actor_name or "—"})
    return {
        "household": {
            "number": h.number, "head_name": h.head_name or "—", "status": h.get_status_display(),
            "area": h.area.full_name(), "address": h.address, "member_count": str(h.member_count),
            "phone": _text(policy.shown(user, "phone", h.phone)), "attribute": h.get_attribute_display(),
            "standard": h.get_standard_display(), "main_cause": h.get_main_cause_display(),
            "other_causes": "、".join(str(c) for c in h.other_cause_labels), "identified_year": _text(h.identified_year),
            "exit_year_planned": _text(h.exit_year_planned), "exit_year": _text(h.exit_year),
            "cancel_reason": h.get_cancel_reason_display() if h.cancel_reason else "",
        },
        "living": living_rows(h),
        "show_health": sees_health,
        "members": [_member(user, m, today, sees_health) for m in members if m.active],
        "removed": [{"name": m.name, "relation": m.get_relation_display(),
                     "reason": m.get_removal_reason_display() or "—", "date": _date(m.removed_on)}
                    for m in members if not m.active],
        "income": [_income(r) for r in list(household.yearly_records.all())[::-1]],
        "changes": changes,
        "pairings": [{"cadre": p.cadre.name, "start": _date(p.start),
                      "end": (_date(p.end) + _(" 止")) if p.end else _("帮扶中")} for p in household_pairings(household=household)],
        "printed": {"by": getattr(user, "display_name", "") or user.get_username(),
                    "at": now.strftime("%Y-%m-%d %H:%M"),
                    "note": _("证件号码、电话已脱敏；请妥善保管，不得外传")},
    }
