"""The structured condition editor (each condition a row: field, operator, value, label; for a scoring
scheme also points and group) and the small forms of the standards pages. The rows are read into the
conditions list the engine validates (fupin.standards.engine.conditions_errors); its errors name the
condition, in Chinese."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from fupin.registry.choices import LineKind
from fupin.web.forms import StyledMixin

from .engine import LISTS, NO_VALUE, SCORING_GROUPS, TYPE_OPERATORS
from .fields import CHOICE, FIELDS, INTEGER, MONEY, POVERTY_LINE
from .models import Match, RuleKind

#: The operators as a county admin reads them.
OP_LABELS: dict[str, Any] = {
    "eq": _("等于"), "ne": _("不等于"), "lt": _("小于"), "le": _("小于或等于"), "gt": _("大于"),
    "ge": _("大于或等于"), "in": _("属于其中之一"), "not_in": _("不属于其中任何一个"), "is_true": _("为“是”"),
    "is_false": _("为“否”"), "is_null": _("未填报"), "not_null": _("已填报"),
}
ROW = re.compile(r"^c-([A-Za-z0-9]{1,16})-field$")
SPLIT = re.compile(r"[,，、\s]+")


@dataclass
class Row:
    """One condition row of the editor, as shown."""

    token: str
    field: str = ""
    op: str = ""
    value: str = ""
    values: list[str] = dc_field(default_factory=list)
    label: str = ""
    points: str = ""
    group: str = ""
    line: bool = False
    error: str = ""

    @property
    def spec(self):  # noqa: ANN201 - fields.Field or None
        return FIELDS.get(self.field)

    @property
    def operators(self) -> list[tuple[str, Any]]:
        spec = self.spec
        return [(op, OP_LABELS[op]) for op in TYPE_OPERATORS[spec.type]] if spec else []

    @property
    def widget(self) -> str:
        """none, choice, choices (several), list (integers), money, number."""
        spec = self.spec
        if spec is None or self.op in NO_VALUE:
            return "none"
        if self.op in LISTS:
            return "choices" if spec.type == CHOICE else "list"
        if spec.type == CHOICE:
            return "choice"
        return "money" if spec.type == MONEY else "number"


def new_token() -> str:
    return secrets.token_hex(4)


def field_choices() -> list[tuple[str, Any]]:
    return [(key, spec.label) for key, spec in FIELDS.items()]


def row_from_condition(raw: dict[str, Any]) -> Row:
    row = Row(token=new_token(), field=str(raw.get("field", "")), op=str(raw.get("op", "")),
              label=str(raw.get("label", "")), points=str(raw.get("points", "")), group=str(raw.get("group", "")))
    value = raw.get("value")
    if isinstance(value, list):
        row.values = [str(v) for v in value]
        row.value = "、".join(row.values)
    elif value == POVERTY_LINE:
        row.line = True
    elif value is not None:
        row.value = str(value)
    return row


def row_from_data(data: QueryDict, token: str, follow: bool = False) -> Row:
    """A row as posted, or (``follow``) as the editor sends it when its field or operator changed: then a
    new field keeps its operator only if the field's type takes it. A posted row is taken as it is (the
    engine names what is wrong)."""
    get = lambda name: (data.get(f"c-{token}-{name}") or "").strip()  # noqa: E731
    row = Row(token=token, field=get("field"), op=get("op"), value=get("value"),
              values=data.getlist(f"c-{token}-values"), label=get("label"), points=get("points"),
              group=get("group"), line=get("line") == "1")
    spec = row.spec
    if follow and spec is not None and row.op not in TYPE_OPERATORS[spec.type]:
        row.op = TYPE_OPERATORS[spec.type][0]
    if row.op in LISTS and not row.values and row.value:
        row.values = [v for v in SPLIT.split(row.value) if v]
    return row


def rows_from_post(data: QueryDict) -> list[Row]:
    """The rows in the order they were posted (a removed row is simply not posted)."""
    tokens = [m.group(1) for key in data for m in [ROW.match(key)] if m]
    return [row_from_data(data, t) for t in tokens]


def _integer(text: str) -> int | str:
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def condition_of(row: Row, scoring: bool) -> dict[str, Any]:
    """The conditions-list entry of a row, for the engine to check."""
    spec = row.spec
    out: dict[str, Any] = {"field": row.field, "op": row.op}
    if spec is not None and row.op not in NO_VALUE:
        if row.op in LISTS:
            values = row.values if spec.type == CHOICE else [v for v in SPLIT.split(row.value) if v]
            out["value"] = [_integer(v) for v in values] if spec.type == INTEGER else values
        elif spec.type == MONEY and row.line:
            out["value"] = POVERTY_LINE
        elif spec.type == INTEGER:
            out["value"] = _integer(row.value)
        else:
            out["value"] = row.value
    out["label"] = row.label
    if scoring:
        out["points"] = row.points
        out["group"] = row.group
    return out


def conditions_of_rows(rows: list[Row], scoring: bool) -> list[dict[str, Any]]:
    """The conditions list; points are stored as numbers once the engine accepted them."""
    return [condition_of(r, scoring) for r in rows]


def stored(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Points as numbers (an int when whole) for storage."""
    out = []
    for c in conditions:
        c = dict(c)
        if "points" in c:
            points = Decimal(str(c["points"]))
            c["points"] = int(points) if points == points.to_integral_value() else float(points)
        out.append(c)
    return out


GROUP_CHOICES = [(g, g) for g in SCORING_GROUPS]


class AreaChoiceMixin:
    """An ``area`` choice among the areas the user may set standards for ("" is 全国, offered to a global
    administrator only); ``area_object()`` the chosen Area or None."""

    def set_areas(self, areas: list | None) -> None:
        self.areas = {("" if a is None else str(a.pk)): a for a in (areas or [])}
        self.fields["area"].choices = [(key, _("全国") if a is None else f"{a.name}（{a.code}）")
                                       for key, a in self.areas.items()]

    def clean_area(self) -> str:
        value = self.cleaned_data.get("area", "")
        if value not in self.areas:
            raise forms.ValidationError(_("请选择您可设置标准的区划"))
        return value

    def area_object(self):  # noqa: ANN201 - Area or None
        return self.areas.get(self.cleaned_data.get("area", ""))


class RuleSetForm(AreaChoiceMixin, StyledMixin, forms.Form):
    """The head of a rule set: on creation its kind, year and area as well."""

    kind = forms.ChoiceField(label=_("类别"), choices=RuleKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    area = forms.ChoiceField(label=_("适用区划"), required=False)
    name = forms.CharField(label=_("名称"), max_length=100)
    match = forms.ChoiceField(label=_("判定方式"), choices=Match.choices)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, areas: list | None = None, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            self.set_areas(areas)
        else:
            for name in ("kind", "year", "area"):
                del self.fields[name]


class LineForm(AreaChoiceMixin, StyledMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类别"), choices=LineKind.choices)
    area = forms.ChoiceField(label=_("适用区划"), required=False)
    amount = forms.DecimalField(label=_("标准（元/人·年）"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, areas: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_areas(areas)
