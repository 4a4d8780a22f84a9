"""How a finding's values read on the page: each registry field by its label, coded values by their
names, and personal fields as the policy shows them to the user (masked or hidden)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import policy
from fupin.registry.models import Household, Member, YearlyRecord

from .rules import RULES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

    from .models import Finding

#: Values that are no registry field.
OTHER_LABELS = {"year": gettext_lazy("年度"), "members": gettext_lazy("家庭人口"),
                "fields": gettext_lazy("未填写的项目"), "poverty_line": gettext_lazy("贫困线")}


#: Value names that stand for a registry field under another name.
ALIASES = {"cause": "main_cause"}


def _field(name: str) -> models.Field | None:
    name = ALIASES.get(name, name)
    for model in (Household, Member, YearlyRecord):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _text(field: models.Field | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        # "fields": the names of the fields left blank
        return "、".join(str(f.verbose_name) if (f := _field(str(v))) is not None else str(v) for v in value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def value_rows(finding: Finding, user: User | AnonymousUser) -> list[tuple[str, str]]:
    """(label, value) for each value that raised the finding, as the user may see it."""
    rows = []
    for name, value in (finding.values or {}).items():
        field = _field(name)
        label = str(field.verbose_name) if field is not None else str(OTHER_LABELS.get(name, name))
        if not policy.sees(user, name):
            continue
        rows.append((label, _text(field, policy.shown(user, name, value))))
    return rows


def rule_title(finding: Finding) -> str:
    rule = RULES.get(finding.rule)
    return str(rule.title) if rule is not None else finding.rule
