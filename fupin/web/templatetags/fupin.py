from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import template
from django.forms import BoundField
from django.template import Context
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fupin.accounts import policy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User
    from fupin.registry.models import Household, Member, YearlyRecord

register = template.Library()

STATUS_CLASS = {
    "applying": "b-grey", "poor": "b-red", "exited": "b-green", "exited_stable": "b-teal",
    "returned": "b-orange", "cancelled": "b-dark", "monitor_risk": "b-amber", "monitor_cleared": "b-blue",
}


@register.simple_tag(takes_context=True)
def shown(context: Context, field: str, value: Any) -> Any:
    """``{% shown "id_number" m.id_number %}``: the value as the policy lets the page's user see it —
    whole, masked, or "无权查看" — taking the page's ``revealed`` flag (显示完整信息) into account."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    out = policy.shown(user, field, value, revealed=bool(context.get("revealed")))
    if out is None:
        return _("—（无权查看）")
    return out


@register.simple_tag
def status_badge(household_or_status: Household | str, label: str | None = None) -> SafeString:
    status = getattr(household_or_status, "status", household_or_status)
    if label is None:
        label = household_or_status.get_status_display() if hasattr(household_or_status, "get_status_display") \
            else status
    return format_html('<span class="badge {}">{}</span>', STATUS_CLASS.get(status, "b-grey"), label)


@register.filter
def yuan(value: Decimal | float | str | None) -> str:
    """12345.6 → 12,345.60"""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def thousands(value: int | str | None) -> str:
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"


@register.filter
def pct(value: float | Decimal | None, digits: int | str = 2) -> str:
    if value is None:
        return "—"
    return f"{value:.{int(digits)}f}%"


@register.filter
def yesno_cn(value: object) -> str:
    if value is None:
        return "—"
    return _("是") if value else _("否")


@register.filter
def field_value(form_field: BoundField) -> Any:
    """A bound field's display value on a read-only page (choice label, 是/否, or the value)."""
    form = form_field.form
    instance = getattr(form, "instance", None)
    name = form_field.name
    if instance is not None and hasattr(instance, f"get_{name}_display"):
        return getattr(instance, f"get_{name}_display")() or "—"
    value = getattr(instance, name, None) if instance is not None else form_field.value()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value in (None, ""):
        return "—"
    return value


@register.simple_tag(takes_context=True)
def sort_link(context: Context, key: str | None, label: str) -> str:
    if not key:
        return label
    current = context.get("sort", "number")
    query = context.get("sort_query", "")
    new = f"-{key}" if current == key else key
    arrow = " ▲" if current == key else (" ▼" if current == f"-{key}" else "")
    href = f"?{query}&sort={new}" if query else f"?sort={new}"
    return format_html('<a href="{}" class="sort">{}{}</a>', href, label, arrow)


@register.simple_tag(takes_context=True)
def filter_fields(context: Context) -> list[tuple[str, str]]:
    """The list's current filters as (name, value) pairs, without the page: the hidden fields of the
    导出 Excel form (an export starts a job, so it is a POST with the CSRF token, never a link). Built
    from the request that rendered the results, so it follows every htmx refresh of the filters."""
    return [(name, value) for name, values in context["request"].GET.lists() if name != "page"
            for value in values]


@register.filter
def age(member: Member, day: datetime.date) -> int:
    return member.age_on(day)


GUARANTEES = [
    ("food_clothing_secure", "不愁吃穿"),
    ("education_secure", "义务教育"),
    ("medical_secure", "基本医疗"),
    ("housing_secure", "住房安全"),
    ("water_secure", "饮水安全"),
]


@register.simple_tag
def guarantee_marks(record: YearlyRecord) -> SafeString:
    """✔ / ✘ / – for the five "两不愁三保障" and water indicators, each with its name on hover."""
    marks = []
    for field, label in GUARANTEES:
        value = getattr(record, field)
        symbol, cls = ("–", "g-none") if value is None else (("✔", "g-yes") if value else ("✘", "g-no"))
        marks.append((cls, _(label), symbol))
    return format_html_join("", '<span class="g {}" title="{}">{}</span>', marks)


@register.filter
def can(user: User | AnonymousUser, what: str) -> bool:
    """``{% if user|can:"read_audit" %}``: a capability of fupin.accounts.policy."""
    return policy.can(user, what)


@register.filter
def sees(user: User | AnonymousUser, field: str) -> bool:
    """``{% if user|sees:"health" %}``: whether the policy shows the field to the user at all."""
    return policy.sees(user, field)


@register.simple_tag
def report_year_select(name: str = "year", css: str = "input") -> SafeString:
    """A <select> of the years a report may be asked for (registry.rules.report_years), the last
    complete year selected (rules.default_report_year): exports never infer the year from the data."""
    from fupin.registry import rules

    default = rules.default_report_year()
    options = format_html_join("", '<option value="{}"{}>{}</option>', (
        (y, " selected" if y == default else "", _("%(y)d 年") % {"y": y}) for y in rules.report_years()))
    return format_html('<select name="{}" class="{}" style="width:auto;padding:3px 6px;font-size:13px" '
                       'aria-label="{}" title="{}">{}</select>', name, css,
                       _("收入年度"), _("收入各列的年度，默认上一个完整年度"), options)
