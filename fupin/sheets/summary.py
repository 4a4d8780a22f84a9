"""Summary tables by area (汇总表): for each child area of a root, households and people, by status,
by main cause of poverty, by 贫困户属性, and the incomes of one year.

Everything is read through the scoped selectors (``household_scope``, ``policy.household_q``,
``area_children``, ``poor_people_by_year``) and grouped in the database by the prefix of
``area_path`` of the children's length: one grouped query for the registry tables, one for the
year's incomes, one for the year-end poor population, whatever the number of areas.

Counting rules are those of the overview (``county_overview`` / ``area_summary``): 注销 households
count nowhere but in the status table's 注销 column; people are a household's active members
(``member_count``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import xlsxwriter
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.areas.models import PATH_LENGTH, Area, Level
from fupin.areas.selectors import area_children, area_list
from fupin.monitoring.selectors import poor_people_by_year
from fupin.registry import counts, rules
from fupin.registry.choices import NOT_EXITED_STATUSES, Attribute, Cause, Status
from fupin.registry.models import YearlyRecord
from fupin.registry.selectors import household_scope

from .export import choice_labels
from .formulas import neutralise

if TYPE_CHECKING:
    from fupin.accounts.models import User

#: Row key of households registered directly at the root's level (e.g. at a village that has
#: groups, when the root is the village): they belong to no child but count in the total.
DIRECT = "__direct__"
CENT = Decimal("0.01")


@dataclass
class SummaryRow:
    code: str
    name: str
    values: list


@dataclass
class SummaryTable:
    key: str
    title: str  # also the sheet name (≤ 31 characters)
    headers: list[str]  # value columns, after 区划代码 and 区划名称
    rows: list[SummaryRow]
    total: list
    # Columns that are not sums (a ratio): their total is computed, not added up.
    derived: dict[int, Callable[[list], object]] = field(default_factory=dict, repr=False)
    note: str = ""

    def column(self, header: str) -> list:
        i = self.headers.index(header)
        return [r.values[i] for r in self.rows]


def summary_tables(user: User, root: Area, year: int | None = None) -> list[SummaryTable]:
    """The summary tables of ``root``'s children as ``user`` sees them (404 when root is outside the
    user's scope). ``year``: the year of the income table; None is the last complete year
    (rules.default_report_year), never a year inferred from the data: the same five tables whatever
    the records hold."""
    if not area_list(user=user).filter(pk=root.pk).exists():
        raise Http404
    children = list(area_children(user=user, area=root))
    length = _prefix_length(root, children)
    order = [(c.path, c.code, c.name) for c in children]
    paths = {c.path for c in children}

    def key_of(prefix: str) -> str:
        return prefix if prefix in paths else DIRECT

    households = household_scope(user).filter(area_path__subtree=root.path)
    # One grouped query feeds the four registry tables.
    grouped = (
        households.annotate(prefix=Substr("area_path", 1, length))
        .values("prefix", "status", "main_cause", "attribute")
        .annotate(households=Count("id"), people=Sum("member_count"))
        .order_by()
    )
    status_labels = choice_labels(Status)
    cause_labels = choice_labels(Cause)
    attribute_labels = choice_labels(Attribute)
    basic, by_status, by_cause, by_attribute = _registry_counts(
        grouped, key_of, list(status_labels), list(cause_labels), list(attribute_labels))

    direct_name = _("直接登记在%(area)s的户") % {"area": root.name}

    def table(key: str, title: str, headers: list[str], data: dict[str, list], note: str = "",
              derived: dict[int, Callable[[list], object]] | None = None,
              zero: list | None = None) -> SummaryTable:
        width = len(headers)
        zero = zero if zero is not None else [0] * width
        rows = [SummaryRow(code, name, list(data.get(path, zero))) for path, code, name in order]
        if data.get(DIRECT):
            rows.append(SummaryRow(root.code, direct_name, list(data[DIRECT])))
        total = [sum(r.values[i] for r in rows) for i in range(width)]
        for i, compute in (derived or {}).items():
            for r in rows:
                r.values[i] = compute(r.values)
            total[i] = compute(total)
        return SummaryTable(key=key, title=title, headers=headers, rows=rows, total=total, note=note,
                            derived=derived or {})

    def pairs(labels: dict[str, str]) -> list[str]:
        out = []
        for label in labels.values():
            out += [_("%(label)s户数") % {"label": label}, _("%(label)s人数") % {"label": label}]
        return out

    live_note = _("%(households)s；人数为%(people)s。") % {"households": counts.NOTES["households"],
                                                         "people": counts.NOTES["people"]}
    tables = [
        table("households", _("户数与人口"),
              [_("户数"), _("人数"), _("未脱贫户数"), _("未脱贫人数"), _("已脱贫户数"), _("已脱贫人数")], basic,
              note=live_note + f'{counts.NOTES["poor"]}；{counts.NOTES["exited"]}。'),
        table("status", _("按户状态"), pairs(status_labels), by_status,
              note=_("当前户状态，含已注销的户；人数为在户家庭成员数。")),
        table("cause", _("按主要致贫原因"), pairs(cause_labels), by_cause, note=live_note),
        table("attribute", _("按贫困户属性"), pairs(attribute_labels), by_attribute, note=live_note),
    ]

    tables.append(_income_table(user, root, rules.default_report_year() if year is None else year, length, key_of,
                                table))
    return tables


def _prefix_length(root: Area, children: list[Area]) -> int:
    """The length of the children's paths: the prefix of ``area_path`` that names a household's child."""
    if children:
        return len(children[0].path)
    return PATH_LENGTH[Level(root.level)] if root.level in Level.values else len(root.path)


def _registry_counts(grouped: Iterable[dict], key_of: Callable[[str], str], statuses: list[str],
                     causes: list[str], attributes: list[str]) -> tuple[dict[str, list[int]], ...]:
    """The four registry tables' rows (basic, by status, by cause, by attribute), each row key → values,
    added up from the grouped query's rows (households and people per prefix, status, cause, attribute)."""
    basic: dict[str, list[int]] = {}
    by_status: dict[str, list[int]] = {}
    by_cause: dict[str, list[int]] = {}
    by_attribute: dict[str, list[int]] = {}
    for row in grouped:
        key = key_of(row["prefix"])
        h, p = row["households"], row["people"] or 0
        s = by_status.setdefault(key, [0] * (2 * len(statuses)))
        i = statuses.index(row["status"]) if row["status"] in statuses else None
        if i is not None:
            s[2 * i] += h
            s[2 * i + 1] += p
        if not counts.counts_in_register(row["status"]):
            continue
        b = basic.setdefault(key, [0] * 6)
        b[0] += h
        b[1] += p
        if row["status"] in NOT_EXITED_STATUSES:
            b[2] += h
            b[3] += p
        elif row["status"] in counts.EXITED_STATUSES:
            b[4] += h
            b[5] += p
        if row["main_cause"] in causes:
            c = by_cause.setdefault(key, [0] * (2 * len(causes)))
            j = causes.index(row["main_cause"])
            c[2 * j] += h
            c[2 * j + 1] += p
        if row["attribute"] in attributes:
            a = by_attribute.setdefault(key, [0] * (2 * len(attributes)))
            j = attributes.index(row["attribute"])
            a[2 * j] += h
            a[2 * j + 1] += p
    return basic, by_status, by_cause, by_attribute


def _income_table(user: User, root: Area, year: int, length: int, key_of: Callable[[str], str],
                  table: Callable[..., SummaryTable]) -> SummaryTable:
    records = (
        YearlyRecord.objects.filter(policy.household_q(user), household__area_path__subtree=root.path, year=year)
        .annotate(prefix=Substr("household__area_path", 1, length))
        .values("prefix")
        .annotate(households=Count("id"), people=Sum("member_count"), net=Sum("net_income"),
                  below=Count("id", filter=Q(poverty_line__isnull=False, per_capita_income__lte=F("poverty_line"))))
        .order_by()
    )
    zero = [0, 0, Decimal("0"), Decimal("0"), 0, 0, 0]
    data: dict[str, list] = {}
    for r in records:
        row = data.setdefault(key_of(r["prefix"]), list(zero))
        row[0] += r["households"]
        row[1] += r["people"] or 0
        row[2] += r["net"] or Decimal("0")
        row[4] += r["below"]
    year_end = poor_people_by_year(user=user, root=root, prefix_length=length)
    for prefix, years in year_end.items():
        figures = years.get(year)
        if figures and (figures["households"] or figures["people"]):
            row = data.setdefault(key_of(prefix), list(zero))
            row[5] += figures["households"]
            row[6] += figures["people"]

    def per_capita(values: list) -> Decimal:
        return (Decimal(values[2]) / values[1]).quantize(CENT) if values[1] else Decimal("0")

    return table(
        "income", _("%(year)s年度收入") % {"year": year},
        [_("有年度记录户数"), _("计算人口"), _("家庭纯收入合计（元）"), _("人均纯收入（元）"),
         _("人均纯收入未超过扶贫标准户数"), _("年末未脱贫户数"), _("年末未脱贫人数")],
        data, derived={3: per_capita}, zero=zero,
        note=_("人均纯收入 = 家庭纯收入合计 / 计算人口；年末未脱贫户数、人数按状态历史推算（含当年注销前的状态）。"),
    )


def report_year_choices(user: User, root: Area | None = None) -> list[tuple[int, str]]:
    """The years a report may be asked for (rules.report_years), latest first, each labelled with the
    number of households in ``root`` (default: the user's whole scope) that have a record of it — to
    help choose, not to choose: the default stays rules.default_report_year()."""
    records = YearlyRecord.objects.filter(policy.household_q(user))
    if root is not None:
        records = records.filter(household__area_path__subtree=root.path)
    counts = dict(records.values_list("year").annotate(n=Count("id")).order_by())
    return [(y, _("%(y)d 年（%(n)s 户有记录）") % {"y": y, "n": f"{counts[y]:,}"} if counts.get(y)
             else _("%(y)d 年（无记录）") % {"y": y}) for y in rules.report_years()]


def export_summary(tables: list[SummaryTable], out: str | Path | BinaryIO) -> None:
    """One sheet per table: 区划代码, 区划名称 and the table's columns, one row per area, a bold 合计 row,
    and the table's note below."""
    workbook = xlsxwriter.Workbook(str(out) if isinstance(out, Path) else out,
                                   {"strings_to_numbers": False, "strings_to_formulas": False})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "align": "center", "valign": "vcenter"})
    text = workbook.add_format({"num_format": "@", "border": 1})
    cell = workbook.add_format({"border": 1})
    integer = workbook.add_format({"border": 1, "num_format": "#,##0"})
    money = workbook.add_format({"border": 1, "num_format": "#,##0.00"})
    bold_text = workbook.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"})
    bold_integer = workbook.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "num_format": "#,##0"})
    bold_money = workbook.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "num_format": "#,##0.00"})
    note_format = workbook.add_format({"italic": True, "font_color": "#595959"})
    used: set[str] = set()
    for t in tables:
        name = _sheet_name(t.title, used)
        ws = workbook.add_worksheet(name)
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 22)
        ws.set_column(2, 1 + len(t.headers), 12)
        ws.set_row(0, 36)
        ws.freeze_panes(1, 2)
        for col, h in enumerate([_("区划代码"), _("区划名称"), *t.headers]):
            ws.write_string(0, col, h, header)
        for r, row in enumerate(t.rows, start=1):
            ws.write_string(r, 0, row.code, text)
            ws.write_string(r, 1, neutralise(row.name), cell)  # names of 村民小组 come from imported sheets
            for c, v in enumerate(row.values, start=2):
                ws.write_number(r, c, float(v), money if isinstance(v, Decimal) else integer)
        last = len(t.rows) + 1
        ws.write_string(last, 0, "", bold_text)
        ws.write_string(last, 1, _("合计"), bold_text)
        for c, v in enumerate(t.total, start=2):
            ws.write_number(last, c, float(v), bold_money if isinstance(v, Decimal) else bold_integer)
        if t.note:
            ws.write_string(last + 2, 0, t.note, note_format)
    workbook.close()


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}_{n}"
        n += 1
    used.add(name)
    return name
