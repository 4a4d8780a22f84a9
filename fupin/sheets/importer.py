"""Import of the standard flat sheet: plan (parse, validate, compare with the registry), then apply.

Two steps, so that the web page can show what will change before anything is written:

* ``plan_import(table, actor=..., area=...)`` reads every row, groups the rows into households by
  户编号, validates each household with the registry's own rules (the models' ``full_clean``, the
  services' invariants: one head, one active household per person, the status machine, scope) and
  the REFERENCE §6 rules of fupin.quality (提示, never refusals), and compares it with what the
  registry holds. Nothing is written. Each problem names the sheet row and column.
* ``apply_plan(plan, actor=..., mode=...)`` writes the households that are new or changed, in bulk,
  in one transaction, with an audit event per created or changed object that names the file, and
  stores the §6 findings of the households written (fupin.quality, in bulk).
  ``mode="valid"`` imports the valid households and refuses the others; ``mode="all"`` writes
  nothing unless every household is valid. A crash or cancel inside leaves the database as it was.

Rules (documented for users in the template's 填写说明 sheet):

* keys: a household is matched by 户编号, a member by the 18-digit citizen number within it;
* area: 区划代码 (12-digit village or 15-digit group) or the township and village names, with the
  村民小组 as written by hand ("3组", "第三村民小组", "三社" …) found under the village;
* an empty cell means "not given": a new record takes the default, an existing one keeps its value,
  so a partly filled township sheet never wipes data; a column that is absent is not touched at all;
* household columns may be filled on one row of the household only (or on every row); rows that
  differ do not refuse the household: when the registry's value is on some rows and one new value on
  the others, the new value wins (a cadre changed one row); otherwise the first row's value wins; the
  preview notes it (a 提示 naming the rows and the values);
* a sheet needs only the keys (户编号, 证件号码): a partial sheet updates the columns it has; a new
  household or member needs the REQUIRED columns;
* members in the registry but missing from the sheet are reported, never deleted (减员 is a
  procedure with a reason, done in the system);
* 户状态 moves along the status machine (an import is recorded as procedure 数据导入); 注销 needs a
  reason and is done in the system;
* 帮扶责任人 columns are read and shown, not imported (pairings are managed in the system).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin import workflow
from fupin.accounts import policy
from fupin.areas.models import Area, Level
from fupin.areas.rules import group_key
from fupin.audit.context import current_ip
from fupin.audit.models import AuditEvent, AuditKind
from fupin.audit.services import audit_import, jsonable
from fupin.lib import idnumber, pinyin
from fupin.lib.bulk import BulkWriter, bulk_method, reserve_ids
from fupin.lib.gcpause import gc_paused
from fupin.quality import rules as quality_rules
from fupin.quality import services as quality_services
from fupin.quality.models import Source
from fupin.registry import rules
from fupin.registry.choices import Procedure, Relation, Status
from fupin.registry.models import Household, Member, StatusChange, YearlyRecord
from fupin.registry.services import HOUSEHOLD_STATUS_PROCESS, fill_from_id, poverty_lines

from . import cells
from .columns import AREA, BY_HEADER, COLUMNS, HOUSEHOLD, INFO, MEMBER, REQUIRED, YEARLY, Column
from .reader import Table

if TYPE_CHECKING:
    from fupin.accounts.models import User

_M = TypeVar("_M", bound=models.Model)
_T = TypeVar("_T")

ERROR = "error"
WARNING = "warning"
CHUNK = 900  # stays under SQLite's bound-parameter limit in IN (...) lookups

HEADER_OF: dict[tuple[str, str], str] = {(c.target, c.field): c.header for c in COLUMNS}
MEMBER_HEADER = {c.field: c.header for c in COLUMNS if c.target == MEMBER}
HOUSEHOLD_HEADER = {c.field: c.header for c in COLUMNS if c.target == HOUSEHOLD}
YEARLY_HEADER = {c.field: c.header for c in COLUMNS if c.target == YEARLY}
INCOME_FIELDS = ("wage_income", "business_income", "property_income", "transfer_income", "business_expense")
SHARED_TARGETS = (HOUSEHOLD, AREA, YEARLY, INFO)


class ImportCancelled(Exception):
    """The user pressed 取消 (or the job was stopped): nothing was written."""


class ImportRefused(Exception):
    """mode="all" and some household is invalid: nothing was written."""


@dataclass
class Problem:
    row: int | None  # the sheet's row number (None: about the whole file or household)
    header: str | None  # the column's standard header (None: the whole row)
    message: str
    number: str = ""  # 户编号
    level: str = ERROR


@dataclass
class MemberPlan:
    row: int
    values: dict[str, Any]
    obj: Member | None = None
    existing: Member | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)  # fields whose cell did not parse (reported at the cell)
    #: The ID number parsed once, when the file's people are looked up (None: missing or invalid). The
    #: parser's cache holds 250,000 numbers: a larger file would parse each number again later.
    id_info: idnumber.IdInfo | None = None

    @property
    def citizen_id(self) -> str:
        return self.obj.citizen_id if self.obj is not None else ""


@dataclass
class HouseholdPlan:
    number: str
    rows: list[int]
    values: dict[str, Any] = field(default_factory=dict)  # household fields given in the sheet
    area_values: dict[str, Any] = field(default_factory=dict)
    yearly_values: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    existing: Household | None = None
    obj: Household | None = None
    area: Area | None = None
    members: list[MemberPlan] = field(default_factory=list)
    missing: list[Member] = field(default_factory=list)  # in the registry, not in the sheet
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    status_change: tuple[str, str] | None = None
    yearly: YearlyRecord | None = None
    yearly_existing: bool = False
    yearly_changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)  # household fields whose cell did not parse
    #: Shared columns filled differently on the household's rows: (target, field, header) → [(row, value)]
    #: of every row that filled it, resolved by _resolve_differences once the registry's record is known.
    differing: dict[tuple[str, str, str], list[tuple[int, Any]]] = field(default_factory=dict)
    #: REFERENCE §6 疑点 found on the planned records (fupin.quality.rules), stored after writing.
    hits: list[quality_rules.Hit] | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def new_members(self) -> list[MemberPlan]:
        return [m for m in self.members if m.existing is None]

    @property
    def changed_members(self) -> list[MemberPlan]:
        return [m for m in self.members if m.existing is not None and m.changes]

    @property
    def action(self) -> str:
        if not self.valid:
            return "refused"
        if self.existing is None:
            return "create"
        if self.changes or self.status_change or self.new_members or self.changed_members or self.yearly_changes \
                or (self.yearly is not None and not self.yearly_existing):
            return "update"
        return "unchanged"

    def add(self, row: int | None, header: str | None, message: str, level: str = ERROR) -> None:
        self.problems.append(Problem(row, header, str(message), self.number, level))


@dataclass
class Plan:
    filename: str
    table: Table
    households: list[HouseholdPlan]
    problems: list[Problem]  # rows that belong to no household, and notes about the file
    actor_name: str = ""

    @property
    def valid(self) -> bool:
        return all(h.valid for h in self.households) and not any(p.level == ERROR for p in self.problems)

    def all_problems(self) -> list[Problem]:
        out = list(self.problems)
        for h in self.households:
            out.extend(h.problems)
        return sorted(out, key=lambda p: (p.row or 0, p.level != ERROR))

    def counts(self) -> dict[str, int]:
        c: defaultdict[str, int] = defaultdict(int)
        for h in self.households:
            c[h.action] += 1
            if h.valid:
                c["members_new"] += len(h.new_members)
                c["members_changed"] += len(h.changed_members)
                c["members_missing"] += len(h.missing)
        problems = self.all_problems()
        c["rows"] = len(self.table.rows)
        c["households"] = len(self.households)
        c["error_rows"] = len({p.row for p in problems if p.level == ERROR and p.row})
        c["errors"] = sum(1 for p in problems if p.level == ERROR)
        c["warnings"] = sum(1 for p in problems if p.level == WARNING)
        return dict(c)


# ---------------------------------------------------------------------------------------------------
# Planning


def _chunks(items: list[_T], size: int = CHUNK) -> Iterator[list[_T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _same(a: Any, b: Any) -> bool:
    """Equal as registry values: 1.5 == 1.50, None == "" for optional text, lists by content."""
    if a == b:
        return True
    if isinstance(a, Decimal | int | float) and isinstance(b, Decimal | int | float) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return Decimal(str(a)) == Decimal(str(b))
    if a in (None, "") and b in (None, ""):
        return True
    return a == b


def cell_label(column: Column, value: Any) -> str:
    """A parsed value as the sheet writes it: the Chinese label of a code (never "returned"), 是/否."""
    from .export import SEPARATOR, choice_labels

    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    labels = choice_labels(column.choices) if column.choices is not None else {}
    if isinstance(value, list):
        return SEPARATOR.join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return labels.get(str(value), str(value))


class _Areas:
    """The areas an import may write to (the actor's subtree, narrowed by --area), by code and by names.

    Statistical codes stop at the village, and sheets write the 村民小组 by hand ("3组", "第三村民小组",
    "三社" …): groups are found under their village by :func:`fupin.areas.rules.group_key`, villages by
    their name (under the township's name when the sheet gives it)."""

    def __init__(self, actor: User | None, restrict: Area | None) -> None:
        # Only the actor's subtree is loaded (a county's areas, not the province's); whether a row may
        # be written there is the access policy's decision (``inside``).
        self.actor = actor
        scope = policy.scope_path(actor) if actor is not None else ""
        self.scope = scope
        self.restrict = restrict
        prefix = restrict.path if restrict is not None else (scope or "")
        if scope is None:
            areas = []
        else:
            areas = list(Area.objects.filter(path__startswith=prefix).only("id", "code", "name", "level", "path",
                                                                           "parent_id"))
            ancestors = rules.path_prefixes(prefix)[:-1] if prefix else []
            areas += list(Area.objects.filter(path__in=ancestors).only("id", "code", "name", "level", "path",
                                                                       "parent_id"))
        self.by_id = {a.id: a for a in areas}
        self.by_code = {a.code: a for a in areas if a.path.startswith(prefix)}
        #: village id → its groups in code order; (village id, group key) → the groups with that key.
        self.groups: dict[int, list[Area]] = defaultdict(list)
        self.group_keys: dict[tuple[int, str], list[Area]] = defaultdict(list)
        #: (township name key, village name key) → villages; village name key → villages.
        self.villages: dict[tuple[str, str], list[Area]] = defaultdict(list)
        self.villages_anywhere: dict[str, list[Area]] = defaultdict(list)
        for a in sorted(self.by_code.values(), key=lambda a: a.code):
            if a.level == Level.GROUP:
                self.groups[a.parent_id].append(a)
                self.group_keys[(a.parent_id, group_key(a.name))].append(a)
            elif a.level == Level.VILLAGE:
                township = self.by_id.get(a.parent_id)
                self.villages[(cells.key(township.name) if township else "", cells.key(a.name))].append(a)
                self.villages_anywhere[cells.key(a.name)].append(a)

    def names(self, area: Area) -> dict[str, str]:
        out = {"county": "", "township": "", "village": "", "group": ""}
        node = area
        while node is not None:
            if node.level in out:
                out[node.level] = node.name
            node = self.by_id.get(node.parent_id)
        return out

    def inside(self, area: Area) -> bool:
        if self.restrict is not None and not area.path.startswith(self.restrict.path):
            return False
        return policy.in_write_scope(self.actor, area)

    def villages_named(self, township: str, village: str) -> list[Area]:
        if township:
            return self.villages.get((cells.key(township), cells.key(village)), [])
        return self.villages_anywhere.get(cells.key(village), [])


def _parse_rows(table: Table) -> tuple[list[tuple[int, dict[str, Any]]], dict[int, list[Problem]]]:
    """Every mapped cell through its parser; the failures as problems of that row and column."""
    parsers = [(column.header, cells.parser(column)) for column in table.columns.values()]
    parsed: list[tuple[int, dict[str, Any]]] = []
    problems: dict[int, list[Problem]] = defaultdict(list)
    for row in table.rows:
        raw_values = row.values
        values: dict[str, Any] = {}
        for header, parse in parsers:
            raw = raw_values.get(header)
            if raw is None:
                continue
            try:
                value = parse(raw)
            except cells.CellError as exc:
                problems[row.number].append(Problem(row.number, header, exc.message))
                values[header] = _BAD
                continue
            if value is not None:
                values[header] = value
        parsed.append((row.number, values))
    return parsed, problems


class _Bad:
    """A cell that did not parse (its problem is reported once, at the cell)."""

    def __repr__(self) -> str:
        return "<bad cell>"


_BAD = _Bad()


def _take_shared(plan: HouseholdPlan, number_row: int, values: dict[str, Any],
                 shared: list[tuple[str, str, str]], first_row: dict[tuple[str, str], int]) -> None:
    """A row's household, area, yearly and info cells into the household's plan: the first value of each
    column is kept; the rows that differ from it are kept aside (plan.differing) to be resolved later."""
    number = plan.number
    buckets = {HOUSEHOLD: plan.values, AREA: plan.area_values, YEARLY: plan.yearly_values, INFO: plan.info}
    for header, name, target in shared:
        value = values.get(header)
        if value is None:
            continue
        if value is _BAD:
            if target == HOUSEHOLD:
                plan.bad.add(name)
            continue
        bucket = buckets[target]
        if name in bucket:
            differing = plan.differing.get((target, name, header))
            if differing is not None:
                differing.append((number_row, value))
            elif not _same(bucket[name], value):
                plan.differing[(target, name, header)] = [(first_row[(number, header)], bucket[name]),
                                                          (number_row, value)]
        else:
            bucket[name] = value
            first_row[(number, header)] = number_row


def _group(parsed: list[tuple[int, dict[str, Any]]], row_problems: dict[int, list[Problem]],
           plan_problems: list[Problem]) -> list[HouseholdPlan]:
    by_number: dict[str, HouseholdPlan] = {}
    shared = [(c.header, c.field, c.target) for c in COLUMNS if c.target in SHARED_TARGETS]
    member_columns = [(c.header, c.field) for c in COLUMNS if c.target == MEMBER]
    first_row: dict[tuple[str, str], int] = {}
    for number_row, values in parsed:
        number = values.get("户编号")
        if number in (None, _BAD):
            if number is None:
                plan_problems.append(Problem(number_row, "户编号", _("缺少户编号：每行都要填写所在户的户编号")))
            plan_problems.extend(row_problems.get(number_row, []))
            continue
        plan = by_number.get(number)
        if plan is None:
            plan = by_number[number] = HouseholdPlan(number=number, rows=[])
        plan.rows.append(number_row)
        for p in row_problems.get(number_row, []):
            p.number = number
            plan.problems.append(p)
        _take_shared(plan, number_row, values, shared, first_row)
        member_values, bad = {}, set()
        for header, attr in member_columns:
            value = values.get(header)
            if value is _BAD:
                bad.add(attr)
            elif value is not None:
                member_values[attr] = value
        plan.members.append(MemberPlan(row=number_row, values=member_values, bad=bad))
    return list(by_number.values())


def _load_existing(plans: list[HouseholdPlan]) -> tuple[dict[str, Household], dict[int, list[Member]],
                                                        dict[str, Member]]:
    numbers = [p.number for p in plans]
    households: dict[str, Household] = {}
    for chunk in _chunks(numbers):
        for h in Household.objects.filter(number__in=chunk).select_related("area"):
            households[h.number] = h
    members: dict[int, list[Member]] = defaultdict(list)
    ids = [h.pk for h in households.values()]
    for chunk in _chunks(ids):
        for m in Member.objects.filter(household_id__in=chunk, active=True).order_by("pk"):
            members[m.household_id].append(m)
    # People not already in their own household of the file: are they active in another one?
    known = {m.citizen_id: m.household_id for ms in members.values() for m in ms}
    citizens: set[str] = set()
    for p in plans:
        own = households[p.number].pk if p.number in households else None
        for m in p.members:
            number = m.values.get("id_number")
            if isinstance(number, str):
                try:
                    m.id_info = idnumber.parse(number)
                except idnumber.IdNumberError:
                    continue
                citizen = m.id_info.citizen_id
                if own is None or known.get(citizen) != own:
                    citizens.add(citizen)
    elsewhere: dict[str, Member] = {}
    for chunk in _chunks(sorted(citizens)):
        for m in Member.objects.filter(citizen_id__in=chunk, active=True).select_related("household"):
            elsewhere[m.citizen_id] = m
    return households, members, elsewhere


def _validation_messages(exc: ValidationError, headers: dict[str, str]) -> list[tuple[str | None, str | None, str]]:
    """(field name or None, its column's header or None, message) of each error."""
    out: list[tuple[str | None, str | None, str]] = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                field_name = None if name == "__all__" else name
                out.append((field_name, headers.get(name), message))
    else:
        out.extend((None, None, m) for m in exc.messages)
    return out


def _resolve_area(plan: HouseholdPlan, areas: _Areas, first_row: int) -> None:
    """The household's area from 区划代码 (12-digit village or 15-digit group code) or from the names,
    then the 村民小组 as written by hand under that village; the names given must agree with it."""
    given = plan.area_values
    code = given.get("code")
    group_text = given.get("group", "")
    area = None
    if code:
        area = areas.by_code.get(code)
        if area is None:
            plan.add(first_row, "区划代码", _("区划代码 %(c)s 不存在或不在您的管辖范围内") % {"c": code})
            return
    elif given.get("village"):
        matches = areas.villages_named(given.get("township", ""), given["village"])
        if len(matches) != 1:
            where = "".join(given.get(k, "") for k in ("township", "village"))
            plan.add(first_row, "行政村", _("找不到唯一的行政村“%(w)s”（或不在您的管辖范围内），请填写区划代码")
                     % {"w": where} if not matches else
                     _("“%(w)s”对应多个行政村，请填写区划代码") % {"w": where})
            return
        area = matches[0]
    if area is None:
        if plan.existing is None:
            plan.add(first_row, "区划代码", _("新户必须填写区划代码，或乡镇、行政村名称"))
        return
    if area.level not in (Level.VILLAGE, Level.GROUP):
        plan.add(first_row, "区划代码", _("贫困户必须登记到行政村或村民小组，%(c)s 是%(l)s") % {
            "c": area.code, "l": area.get_level_display()})
        return
    if area.level == Level.VILLAGE:
        if group_text:
            area = _resolve_group(plan, areas, area, group_text, first_row)
            if area is None:
                return
        elif plan.existing is not None and plan.existing.area.parent_id == area.id:
            area = plan.existing.area  # the group was not given: the household stays in its group
    names = areas.names(area)
    for key, header in (("county", "县"), ("township", "乡镇"), ("village", "行政村")):
        if given.get(key) and cells.key(given[key]) != cells.key(names[key]):
            plan.add(first_row, header, _("%(h)s“%(g)s”与区划代码 %(c)s（%(n)s）不一致") % {
                "h": header, "g": given[key], "c": area.code, "n": names[key] or _("无")})
    if group_text and area.level == Level.GROUP and group_key(group_text) != group_key(area.name):
        plan.add(first_row, "村民小组", _("村民小组“%(g)s”与区划代码 %(c)s（%(n)s）不一致") % {
            "g": group_text, "c": area.code, "n": area.name})
    plan.area = area


def _resolve_group(plan: HouseholdPlan, areas: _Areas, village: Area, text: str, first_row: int) -> Area | None:
    """The village's group written as ``text``; None (and an error naming the village's groups) when
    there is no such group. A village with no groups in the system keeps the household (a warning)."""
    groups = areas.groups.get(village.id, [])
    if not groups:
        plan.add(first_row, "村民小组", _("%(v)s（%(c)s）在系统中没有村民小组，本户登记到村；如需登记到组，"
                                      "请先在系统管理中添加该村的村民小组") % {"v": village.name, "c": village.code},
                 WARNING)
        return village
    found = areas.group_keys.get((village.id, group_key(text)), [])
    if len(found) == 1:
        return found[0]
    listed = "、".join(g.name for g in groups[:30]) + ("……" if len(groups) > 30 else "")
    if found:
        plan.add(first_row, "村民小组", _("村民小组“%(g)s”在%(v)s（%(c)s）对应多个小组：%(list)s；请填写 15 位区划代码")
                 % {"g": text, "v": village.name, "c": village.code, "list": "、".join(g.name for g in found)})
    else:
        plan.add(first_row, "村民小组", _("%(v)s（%(c)s）没有村民小组“%(g)s”；该村的村民小组有：%(list)s")
                 % {"g": text, "v": village.name, "c": village.code, "list": listed})
    return None


def _resolve_differences(plan: HouseholdPlan, existing: Household | None) -> None:
    """A shared column filled differently on the household's rows does not refuse the household: when
    the registry's value is on some rows and one other value on the rest, that change wins (the cadre
    corrected one row of the household and not the others); otherwise the first row's value. A 提示
    at the winning row says which rows said what."""
    buckets = {HOUSEHOLD: plan.values, AREA: plan.area_values, YEARLY: plan.yearly_values, INFO: plan.info}
    for (target, name, header), seen in plan.differing.items():
        column = BY_HEADER[header]
        distinct: list[tuple[Any, list[int]]] = []
        for row, value in seen:
            for known, rows in distinct:
                if _same(known, value):
                    rows.append(row)
                    break
            else:
                distinct.append((value, [row]))
        winner, rows = distinct[0]
        why = _("以第一行为准")
        if target == HOUSEHOLD and existing is not None:
            changed = [d for d in distinct if not _same(d[0], getattr(existing, name))]
            if len(changed) == 1:
                winner, rows = changed[0]
                why = _("其他行与系统中的值相同，按改动的值导入")
        buckets[target][name] = winner
        said = "；".join(_("第 %(rows)s 行为“%(v)s”") % {"rows": "、".join(str(r) for r in rs),
                                                     "v": cell_label(column, v)} for v, rs in distinct)
        plan.add(rows[0], header, _("同一户各行的“%(h)s”不一致（%(said)s）：%(why)s，导入“%(v)s”；"
                                    "如不对，请改正表中该户各行后重新导入") % {
            "h": header, "said": said, "why": why, "v": cell_label(column, winner)}, WARNING)


def _require_columns(plan: HouseholdPlan, present: frozenset[str], first_row: int) -> None:
    """A new household needs the REQUIRED household columns, a partial sheet notwithstanding (an existing
    one keeps its values for the columns the sheet does not have)."""
    for column in REQUIRED:
        if column.target == HOUSEHOLD and column.header not in present:
            plan.add(first_row, column.header, _("户 %(n)s 是新户，须填写“%(h)s”，但表中没有这一列；"
                                                 "请加上该列，或只导入已登记的户") % {"n": plan.number, "h": column.header})
            plan.bad.add(column.field)  # reported here, not once more as a blank field


def _plan_household(plan: HouseholdPlan, *, existing: Household | None, members: list[Member],
                    elsewhere: dict[str, Member], areas: _Areas, lines: rules.PovertyLines,
                    yearly_existing: dict[tuple[int, int], YearlyRecord],
                    present: frozenset[str] = frozenset(c.header for c in COLUMNS),
                    village_codes: frozenset[str] = frozenset()) -> None:
    first_row = plan.rows[0]
    plan.existing = existing
    _resolve_differences(plan, existing)
    if existing is None:
        _require_columns(plan, present, first_row)
    if plan.yearly_values.keys() - {"year"} and "year" not in plan.yearly_values:
        plan.add(first_row, "年度", _("填写了收入或支出，请填写所属年度"))
    if existing is not None and not areas.inside(existing.area):
        seen = existing.pk in policy.household_ids_seen(areas.actor, [existing.pk])
        plan.add(first_row, "户编号", rules.number_taken_error(plan.number, seen=seen))
        return
    _resolve_area(plan, areas, first_row)
    if plan.area is None:
        plan.area = existing.area if existing is not None else None
    if plan.area is None:
        return
    if existing is None:
        error = rules.number_prefix_error(plan.number, area_path=plan.area.path,
                                          prefix_is_village=plan.number[:rules.STATISTICAL_CODE_WIDTH] in village_codes)
        if error:
            plan.add(first_row, "户编号", error)
    hh = plan.obj = _plan_record(plan, existing, first_row)
    seen = _plan_members(plan, members, elsewhere, areas.actor, present)
    _plan_heads(plan, hh, [m for m in members if m.citizen_id not in seen], first_row)
    _compare_household(plan, hh, existing)
    _plan_yearly(plan, hh, lines, yearly_existing, first_row)
    _suspicious(plan, hh, first_row)
    if existing is not None and rules.is_closed(existing.status) and plan.action != "unchanged":
        plan.add(first_row, None, rules.closed_error(plan.number))


def _plan_record(plan: HouseholdPlan, existing: Household | None, first_row: int) -> Household:
    """The household: a copy of the registry's record (or a new one) with the sheet's values on top,
    its status moved as the sheet says, validated when anything differs."""
    if existing is not None:
        hh = _clone(existing)
        hh.other_causes = list(existing.other_causes or [])
    else:
        hh = _new(Household)
        hh.number = plan.number
        hh.other_causes = []  # the field's default is a fresh list
    hh.area = plan.area
    hh.area_path = plan.area.path
    status = plan.values.get("status")
    if plan.values.get("cancel_reason") and (status or (existing.status if existing else "")) != Status.CANCELLED:
        del plan.values["cancel_reason"]  # a reason without 注销 means nothing
    for name, value in plan.values.items():
        if name != "status":
            setattr(hh, name, value)
    _plan_status(plan, hh, existing, status, first_row)
    if existing is None or plan.status_change or any(
            not _same(getattr(existing, name), getattr(hh, name)) for name in plan.values):
        try:
            _validate(hh, plan.values.keys() | ({"area"} if existing is None else set()), new=existing is None,
                      skip=plan.bad)
        except ValidationError as exc:
            _add_invalid(plan, first_row, exc, HOUSEHOLD_HEADER | {"area": "区划代码"})
    return hh


def _plan_status(plan: HouseholdPlan, hh: Household, existing: Household | None, status: str | None,
                 first_row: int) -> None:
    """户状态 of the sheet on ``hh``: a new household's initial status, or a step of the status machine."""
    if existing is None:
        # A sheet carries households over from an earlier register (or the national system) with the
        # status they have there (rules.INITIAL_STATUSES for 数据导入: any but 注销); the history starts
        # with one 数据导入 row.
        hh.status = status or Status.POOR
        error = rules.initial_status_error(hh.status, Procedure.IMPORT)
        if error:
            plan.add(first_row, "户状态", error)
    elif status is not None and status != existing.status:
        error = rules.transition_error(existing.status, status, procedure=Procedure.IMPORT)
        if error:
            plan.add(first_row, "户状态", error)
            return
        hh.status = status
        plan.status_change = (existing.status, status)
        values = rules.step_values(status, date=timezone.localdate(), exit_year=plan.values.get("exit_year"))
        for name, value in values.items():
            setattr(hh, name, value)


def _plan_members(plan: HouseholdPlan, members: list[Member], elsewhere: dict[str, Member],
                  actor: User | None, present: frozenset[str]) -> dict[str, int]:
    """The sheet's members, matched by citizen number with the household's ``members`` in the registry:
    each one's record, changes and problems. Returns {citizen number: sheet row} of those the sheet names."""
    current = {m.citizen_id: m for m in members}
    own = plan.existing.pk if plan.existing is not None else None
    seen: dict[str, int] = {}
    for mp in plan.members:
        citizen = mp.id_info.citizen_id if mp.id_info is not None else ""
        old = current.get(citizen) if citizen else None
        mp.existing = old
        obj = _clone(old) if old is not None else _new(Member)
        if old is None and citizen:
            for column in REQUIRED:
                if column.target == MEMBER and column.header not in present:
                    plan.add(mp.row, column.header, _("新成员须填写“%(h)s”，但表中没有这一列；请加上该列") % {
                        "h": column.header})
                    mp.bad.add(column.field)
        for name, value in mp.values.items():
            setattr(obj, name, value)
        if citizen:
            obj.id_number = mp.id_info.number  # 15 digits upgraded, x → X: as clean() stores it
        unfilled = fill_from_id(obj)
        if old is not None:
            mp.changes = _changes(old, obj, mp.values)
        if "id_number" in mp.bad:
            pass  # the unreadable ID number is the one thing to fix: what follows from it is not checked
        elif old is None or mp.changes:
            try:
                _validate(obj, mp.values.keys() - set(unfilled), new=old is None, skip=[*unfilled, *mp.bad, "household"])
            except ValidationError as exc:
                _add_invalid(plan, mp.row, exc, MEMBER_HEADER)
        mp.obj = obj
        if citizen:
            if citizen in seen:
                plan.add(mp.row, "证件号码", rules.repeated_person_error(seen[citizen]))
            seen[citizen] = mp.row
            other = elsewhere.get(citizen)
            if old is None and other is not None and other.household_id != own:
                # The other household is named only to those who may see it (no oracle across areas).
                seen_other = other.household_id in policy.household_ids_seen(actor, [other.household_id])
                plan.add(mp.row, "证件号码", rules.person_elsewhere_error(
                    other.id_number, other.household.number if seen_other else None))
    return seen


def _plan_heads(plan: HouseholdPlan, hh: Household, missing: list[Member], first_row: int) -> None:
    """The registry's members the sheet leaves out (kept, with a warning), then one head among those who
    stay, and the 户主姓名 column naming that head; the household's head name and member count."""
    plan.missing = missing
    for m in missing:
        plan.add(first_row, None, _("成员 %(name)s（%(id)s）在系统中、但不在表中：未删除；如需减员请在系统中办理")
                 % {"name": m.name, "id": policy.mask_id(m.id_number)}, WARNING)
    staying = [*missing, *(mp.obj for mp in plan.members if mp.obj is not None)]
    heads = [m for m in staying if m.relation == Relation.HEAD]
    head_error = rules.head_count_error(m.relation for m in staying)
    if head_error:
        missing_head = [m for m in missing if m.relation == Relation.HEAD]
        if missing_head and len(heads) > 1:
            plan.add(first_row, "与户主关系", _("表中户主与系统中的户主 %(name)s 不同，而原户主不在表中：请在表中写明原户主的新关系，"
                                            "或在系统中办理更换户主") % {"name": missing_head[0].name})
        else:
            plan.add(first_row, "与户主关系", head_error)
    elif plan.info.get("head_name") and plan.info["head_name"] != heads[0].name:
        plan.add(first_row, "户主姓名", _("户主姓名“%(a)s”与户主成员“%(b)s”不一致") % {
            "a": plan.info["head_name"], "b": heads[0].name})
    hh.member_count = len(staying)
    existing = plan.existing
    hh.head_name = heads[0].name if len(heads) == 1 else (existing.head_name if existing else "")
    hh.head_name_pinyin = pinyin.sort_key(hh.head_name)


def _add_invalid(plan: HouseholdPlan, row: int, exc: ValidationError, headers: dict[str, str]) -> None:
    """The messages of a failed validation as errors of ``row``, each at its field's column."""
    for name, header, message in _validation_messages(exc, headers):
        if header is None and name is not None:
            # A field the sheet has no column for (计划脱贫年度 …): say where to change it.
            message = _("%(m)s（“%(f)s”不在导入表中，请在户页面修改）") % {"m": message, "f": _field_label(name)}
        plan.add(row, header, message)


def _field_label(name: str) -> str:
    for model in (Household, Member, YearlyRecord):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - not this model's field
            continue
    return name


def _changes(before: models.Model, after: models.Model, names: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    """{name: (before, after)} of the fields ``names`` that differ between two records."""
    changes = {}
    for name in names:
        old, new = getattr(before, name), getattr(after, name)
        if not _same(old, new):
            changes[name] = (old, new)
    return changes


#: Registry fields a §6 rule may name that have no column in the standard sheet: the column the
#: cadre looks at instead (the per-capita income follows from the income columns).
_NEAREST_COLUMN = {"dibao_amount": "是否享受低保", "tekun_amount": "是否特困供养", "work_place": "务工状况",
                   "per_capita_income": "工资性收入"}


def _suspicious(plan: HouseholdPlan, hh: Household, first_row: int) -> None:
    """REFERENCE §6's 疑点 as 提示 (WARNING) at the member's row and the column of the field: the same
    rules that store the findings after the import (fupin.quality.rules), on the planned records."""
    rows = {id(mp.obj): mp.row for mp in plan.members if mp.obj is not None}
    members = [mp.obj for mp in plan.members if mp.obj is not None] + plan.missing
    plan.hits = quality_rules.check(quality_rules.Subject(hh, members, plan.yearly, timezone.localdate()))
    for hit in plan.hits:
        row = rows.get(id(hit.member), first_row) if hit.member is not None else first_row
        plan.add(row, _column_of(hit), hit.message, WARNING)


def _column_of(hit: quality_rules.Hit) -> str | None:
    """The sheet column a §6 hit is about (its field's column, or the nearest one the sheet has)."""
    if hit.member is not None:
        header = MEMBER_HEADER.get(hit.field)
    else:
        header = HOUSEHOLD_HEADER.get(hit.field) or YEARLY_HEADER.get(hit.field) or MEMBER_HEADER.get(hit.field)
    return header or _NEAREST_COLUMN.get(hit.field)


def _clone(obj: _M) -> _M:
    """A detached copy of a model instance (cheaper than building one from its field values, or than
    copy.copy(), which goes through Model.__getstate__)."""
    twin = obj.__class__.__new__(obj.__class__)
    twin.__dict__ = obj.__dict__.copy()
    state = twin._state = ModelState()
    state.db, state.adding = obj._state.db, obj._state.adding
    state.fields_cache = dict(obj._state.fields_cache)
    return twin


_PROTOTYPES: dict[type[models.Model], models.Model] = {}


def _new(model: type[_M]) -> _M:
    """A new, unsaved instance with the field defaults: a clone of one built once per model (Model.__init__
    with its defaults and init signals costs more than the rest of a member's check). The only mutable
    default (Household.other_causes) is replaced by the caller."""
    prototype = _PROTOTYPES.get(model)
    if prototype is None:
        prototype = _PROTOTYPES[model] = model()
    return _clone(prototype)


_REQUIRED: dict[type[models.Model], list[str]] = {}


def _required(model: type[models.Model]) -> list[str]:
    if model not in _REQUIRED:
        _REQUIRED[model] = [f.name for f in model._meta.concrete_fields
                            if f.editable and not f.blank and not f.has_default() and not f.primary_key]
    return _REQUIRED[model]


def _validate(obj: models.Model, names: Iterable[str], *, new: bool, skip: Iterable[str] = ()) -> None:
    """The model's field validation for the fields the sheet gave (and, for a new record, the required
    ones), then its clean(). The cell parsers already produced values of the right type from the
    field's choices, so Field.clean()'s conversion and choice check are not repeated: on a county's
    sheet that alone took a minute. Raises ValidationError keyed by field name, like full_clean()."""
    errors: dict[str, list[ValidationError]] = {}
    meta = obj._meta
    wanted = set(names) | (set(_required(type(obj))) if new else set())
    for name in wanted - set(skip):
        f = meta.get_field(name)
        value = getattr(obj, f.attname)
        if value is None and not f.null:
            errors[name] = [f.error_messages["null"]]
            continue
        if value in f.empty_values:
            if not f.blank:
                errors[name] = [f.error_messages["blank"]]
            continue
        if f.is_relation:
            continue
        if f.validators:
            try:
                f.run_validators(value)
            except ValidationError as exc:
                errors[name] = exc.error_list
    try:
        obj.clean()
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _compare_household(plan: HouseholdPlan, hh: Household, existing: Household | None) -> None:
    if existing is None:
        return
    names = list(plan.values) + ["area", "head_name", "member_count"]
    if "exit_year" not in names and plan.status_change:
        names.append("exit_year")
    plan.changes = {}
    for name in names:
        attname = "area_id" if name == "area" else name
        before, after = getattr(existing, attname), getattr(hh, attname)
        if not _same(before, after):
            plan.changes[name] = (before, after)


def _plan_yearly(plan: HouseholdPlan, hh: Household, lines: rules.PovertyLines,
                 yearly_existing: dict[tuple[int, int], YearlyRecord], first_row: int) -> None:
    year = plan.yearly_values.get("year")
    incomes = {k: v for k, v in plan.yearly_values.items() if k != "year"}
    if not incomes:
        return
    if year is None:
        return  # reported at the start
    error = rules.income_year_error(year, identified_year=hh.identified_year)
    if error:
        plan.add(first_row, YEARLY_HEADER["year"], error)
        return
    old = yearly_existing.get((plan.existing.pk, year)) if plan.existing is not None else None
    if old is not None:
        rec = _clone(old)
    else:
        rec = _new(YearlyRecord)
        rec.year, rec.member_count = year, max(hh.member_count, 1)
    for name, value in incomes.items():
        setattr(rec, name, value)
    # The line in force when the record is written, as yearly_record_save() takes it (for a record that
    # exists too: a line corrected since is a change the import writes and audits).
    rec.poverty_line = lines.amount(year, hh.area.path)
    try:
        _validate(rec, incomes.keys(), new=old is None, skip=["household"])
    except ValidationError as exc:
        _add_invalid(plan, first_row, exc, YEARLY_HEADER)
        return
    rec.derive()
    plan.yearly = rec
    plan.yearly_existing = old is not None
    if old is not None:
        plan.yearly_changes.update(_changes(old, rec, incomes))
        if old.poverty_line != rec.poverty_line:
            plan.yearly_changes["poverty_line"] = (old.poverty_line, rec.poverty_line)


@gc_paused()
def plan_import(table: Table, *, actor: User | None = None, area: Area | None = None,
                progress: Callable[[int, int], None] | None = None) -> Plan:
    """Read, validate and compare; write nothing. ``actor`` None is the system (the CLI without --user)."""
    problems: list[Problem] = []
    if actor is not None and not (actor.is_superuser or policy.can_write(actor)):
        problems.append(Problem(None, None, _("当前角色只能查看，不能导入数据")))
    areas = _Areas(actor, area)
    if area is not None and areas.scope is not None and not area.path.startswith(areas.scope):
        problems.append(Problem(None, None, _("区划 %(c)s 不在您的管辖范围内") % {"c": area.code}))
        areas.scope = None
    if areas.scope is None and not problems:
        problems.append(Problem(None, None, _("您的账号没有管辖区划，不能导入")))
    parsed, row_problems = _parse_rows(table)
    plans = _group(parsed, row_problems, problems)
    if problems and any(p.row is None for p in problems):
        for plan in plans:  # the whole file is refused: say so once, at the file
            plan.problems.append(Problem(None, None, problems[0].message, plan.number))
        return Plan(table.filename, table, plans, problems)
    present = frozenset(c.header for c in table.columns.values())
    existing, members, elsewhere = _load_existing(plans)
    yearly_existing = _load_yearly(plans, existing)
    village_codes = _village_prefixes([p.number for p in plans if p.number not in existing])
    lines = poverty_lines()
    # The same person in two households of the file.
    first_seen: dict[str, tuple[str, int]] = {}
    for i, plan in enumerate(plans):
        _plan_household(plan, existing=existing.get(plan.number), members=members.get(
            existing[plan.number].pk, []) if plan.number in existing else [], elsewhere=elsewhere, areas=areas,
            lines=lines, yearly_existing=yearly_existing, present=present, village_codes=village_codes)
        for mp in plan.members:
            citizen = mp.citizen_id
            if not citizen:
                continue
            if citizen in first_seen and first_seen[citizen][0] != plan.number:
                number, row = first_seen[citizen]
                plan.add(mp.row, "证件号码", _("此人在表中出现在两户：户 %(a)s（第 %(r)d 行）和本户") % {"a": number, "r": row})
            else:
                first_seen.setdefault(citizen, (plan.number, mp.row))
        if progress and i % 500 == 0:
            progress(i, len(plans))
    if progress:
        progress(len(plans), len(plans))
    return Plan(table.filename, table, plans, problems)


def _village_prefixes(numbers: list[str]) -> frozenset[str]:
    """The villages' codes among the first 12 digits of new households' numbers (rules.number_prefix_error),
    looked up across the whole registry: a number may start with a village outside the user's scope."""
    width = rules.STATISTICAL_CODE_WIDTH
    prefixes = sorted({n[:width] for n in numbers if n.isdigit() and len(n) > width})
    found: set[str] = set()
    for chunk in _chunks(prefixes):
        found.update(Area.objects.filter(code__in=chunk, level=Level.VILLAGE).values_list("code", flat=True))
    return frozenset(found)


def _load_yearly(plans: list[HouseholdPlan], existing: dict[str, Household]) -> dict[tuple[int, int], YearlyRecord]:
    wanted: dict[int, set[int]] = defaultdict(set)
    for plan in plans:
        year = plan.yearly_values.get("year")
        if isinstance(year, int) and plan.number in existing:
            wanted[year].add(existing[plan.number].pk)
    out = {}
    for year, ids in wanted.items():
        for chunk in _chunks(sorted(ids)):
            for rec in YearlyRecord.objects.filter(year=year, household_id__in=chunk):
                out[(rec.household_id, year)] = rec
    return out


# ---------------------------------------------------------------------------------------------------
# Applying


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_missing: int = 0
    status_changes: int = 0
    yearly_created: int = 0
    yearly_updated: int = 0
    audit_events: int = 0
    findings: int = 0  # REFERENCE §6 疑点 stored for the households written (fupin.quality)

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class _Audit:
    """The import's audit events, written in bulk at the end (same rows as fupin.audit.services writes)."""

    def __init__(self, actor: User | None, filename: str, ip: str | None) -> None:
        self.actor_id = actor.pk if getattr(actor, "pk", None) else None
        self.actor_name = getattr(actor, "username", "") or "system"
        self.ip = ip or current_ip()
        self.filename = filename
        self.now = timezone.now()
        self.rows: list[dict[str, Any]] = []

    def add(self, kind: str, obj: models.Model, area_path: str, summary: str, data: dict[str, Any]) -> None:
        data["source"] = self.filename
        self.rows.append({"kind": kind, "entity": obj._meta.label_lower, "entity_id": str(obj.pk),
                          "actor_id": self.actor_id, "actor_name": self.actor_name, "at": self.now, "ip": self.ip,
                          "area_path": area_path, "summary": summary[:200], "data": data})

    def changes(self, changes: dict[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
        return {k: {"before": jsonable(b), "after": jsonable(a)} for k, (b, a) in changes.items()}

    def flush(self) -> int:
        method = bulk_method()
        if method == "bulk_create":
            AuditEvent.objects.bulk_create([AuditEvent(**row) for row in self.rows], batch_size=1000)
        else:
            for row, pk in zip(self.rows, reserve_ids(AuditEvent, len(self.rows)), strict=True):
                row["id"] = pk
            BulkWriter(method, {"audit": AuditEvent}).write("audit", self.rows)
        return len(self.rows)


_SNAPSHOTS: dict[type[models.Model], list[tuple[str, Callable[[Any], str] | None]]] = {}


def _snapshot(obj: models.Model) -> dict[str, Any]:
    """fupin.audit.services.snapshot() for the import's many objects: the JSON conversion of each field
    is decided once per model, not once per value."""
    model = type(obj)
    plan = _SNAPSHOTS.get(model)
    if plan is None:
        plan = _SNAPSHOTS[model] = []
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DecimalField):
                conv = str
            elif isinstance(f, models.DateField):  # DateTimeField too
                conv = _isoformat
            else:
                conv = None
            plan.append((f.attname, conv))
    values = obj.__dict__
    return {name: (conv(values[name]) if conv is not None and values[name] is not None else values[name])
            for name, conv in plan}


_ISO: dict[tuple[datetime.date, datetime.tzinfo | None], str] = {}


def _isoformat(value: datetime.date) -> str:
    """An import stamps every record with the same few timestamps and dates: each is formatted once."""
    key = (value, getattr(value, "tzinfo", None))  # equal instants in two zones print differently
    text = _ISO.get(key)
    if text is None:
        if len(_ISO) > 10_000:
            _ISO.clear()
        text = _ISO[key] = value.isoformat()
    return text


def _insert(objs: list[models.Model]) -> None:
    """INSERT new rows fast (COPY on PostgreSQL, executemany on SQLite), with primary keys reserved
    first so that the caller's objects carry them; Django's bulk_create on other databases. The
    objects' field values are final (timestamps set by the caller)."""
    if not objs:
        return
    model = type(objs[0])
    method = bulk_method()
    if method == "bulk_create":
        model.objects.bulk_create(objs, batch_size=500)
        return
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
    BulkWriter(method, {"rows": model}).write("rows", [obj.__dict__ for obj in objs])


def _check(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise ImportCancelled


@gc_paused()
def apply_plan(plan: Plan, *, actor: User | None = None, mode: str = "valid", progress: Callable[[int, int], None] | None = None,
               cancel: Callable[[], bool] | None = None, ip: str | None = None) -> ImportResult:
    """Write the plan. ``mode``: "valid" (refuse invalid households, import the rest) or "all" (all or nothing)."""
    if mode not in ("valid", "all"):
        raise ValueError(mode)
    if any(p.level == ERROR and p.row is None for p in plan.problems):
        raise ImportRefused(plan.problems[0].message)
    if mode == "all" and not plan.valid:
        raise ImportRefused(_("有 %(n)d 处错误，按“全部有效才导入”的要求，未导入任何数据") % {
            "n": plan.counts().get("errors", 0)})
    result = ImportResult()
    todo = []
    for h in plan.households:
        action = h.action
        if action == "refused":
            result.refused += 1
        elif action == "unchanged":
            result.unchanged += 1
            result.members_missing += len(h.missing)
        else:
            todo.append(h)
    total = max(len(todo), 1)
    done = 0
    audit = _Audit(actor, plan.filename, ip)
    today = timezone.localdate()
    reason = _("导入文件 %(f)s") % {"f": plan.filename}
    actor_obj = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            for batch in _chunks(todo, 1000):
                _check(cancel)
                _write_batch(batch, result, audit, actor_obj, today, reason)
                done += len(batch)
                if progress:
                    progress(done, total)
            _check(cancel)
            result.findings = _store_findings(todo)
            result.audit_events = audit.flush() + 1  # and the summary row:
            audit_import(actor=actor, entity="sheets.file", area_path=_common_path(todo), ip=audit.ip,
                         summary=_("导入 %(f)s：新增 %(c)d 户，修改 %(u)d 户，未变 %(s)d 户，拒绝 %(r)d 户") % {
                             "f": plan.filename, "c": result.created, "u": result.updated,
                             "s": result.unchanged, "r": result.refused},
                         data={"source": plan.filename, "mode": mode, "result": result.as_dict()})
    except IntegrityError as exc:
        raise ImportRefused(_("导入期间数据被他人修改（%(e)s），未导入任何数据，请重新预览后再导入") % {"e": exc}) from exc
    return result


def _store_findings(written: list[HouseholdPlan]) -> int:
    """The §6 findings of the households just written, from the records in hand (no reload): each
    household with its members (those of the sheet and those kept) and its latest yearly record."""
    if not written:
        return 0
    latest = quality_services.latest_yearly([h.obj.pk for h in written if h.existing is not None])
    today = timezone.localdate()
    subjects = []
    for h in written:
        yearly = latest.get(h.obj.pk, h.yearly) if h.existing is not None else h.yearly
        # The plan's hits were found on these very records, unless a later year than the sheet's is
        # the household's latest: then the rules run again on that year.
        hits = h.hits if yearly is h.yearly or (yearly is not None and h.yearly is not None
                                                and yearly.year == h.yearly.year) else None
        subjects.append(quality_rules.Subject(h.obj, [mp.obj for mp in h.members] + h.missing, yearly, today,
                                              hits=hits))
    counts = quality_services.refresh_findings([s.household.pk for s in subjects], source=Source.IMPORT,
                                               subjects=subjects)
    return sum(counts.values())


def _common_path(plans: list[HouseholdPlan]) -> str:
    return rules.common_path(h.obj.area_path for h in plans if h.obj is not None)


def _write_batch(batch: list[HouseholdPlan], result: ImportResult, audit: _Audit, actor: User | None,
                 today: datetime.date, reason: str) -> None:
    now = timezone.now()
    _write_households(batch, now)
    _write_members(batch, now)
    _write_status_history(batch, audit, actor, today, reason, now)
    result.status_changes += sum(1 for h in batch if h.status_change)
    _write_yearly(batch, now)
    _audit_batch(batch, result, audit)


def _refuse_stale(model: type[Household] | type[Member], read: list[tuple[int, int, str]]) -> None:
    """Refuse the whole import when a record it changes was saved by someone else after the check.

    ``read``: (primary key, version as the check read it, household number). The rows are locked
    (PostgreSQL) until the import commits, so nobody can slip in between this test and the write: an
    import writes only over what it read, and a version only ever goes up (issue 11, finding 1)."""
    if not read:
        return
    current = dict(model.objects.select_for_update().filter(pk__in=[pk for pk, _v, _n in read])
                   .values_list("pk", "version"))
    stale = sorted({number for pk, version, number in read if current.get(pk) != version})
    if stale:
        raise ImportRefused(_("检查之后，户 %(n)s 的信息已被他人修改，未导入任何数据；请重新上传检查后再导入")
                            % {"n": "、".join(stale[:10]) + ("等" if len(stale) > 10 else "")})


def _bulk_update_each(objs_fields: list[tuple[Household | Member | YearlyRecord, frozenset[str]]],
                      always: set[str]) -> None:
    """Update each record's own changed columns only (grouped by the set of columns, one bulk update a
    group): a column the sheet did not change is never written back from the check's read."""
    groups: dict[frozenset[str], list] = defaultdict(list)
    for obj, fields in objs_fields:
        groups[fields].append(obj)
    for fields, objs in groups.items():
        type(objs[0]).objects.bulk_update(objs, sorted(fields | always), batch_size=500)


def _write_households(batch: list[HouseholdPlan], now: datetime.datetime) -> None:
    """New households inserted (primary keys come back), changed ones updated with a new version."""
    new = [h for h in batch if h.existing is None]
    old = [h for h in batch if h.existing is not None]
    _refuse_stale(Household, [(h.existing.pk, h.existing.version, h.number) for h in old
                              if h.changes or h.status_change])
    for h in new:
        h.obj.created_at = h.obj.updated_at = now
    _insert([h.obj for h in new])
    changed = []
    for h in old:
        if h.changes:
            h.obj.pk = h.existing.pk
            h.obj.version = h.existing.version + 1
            h.obj.updated_at = now
            changed.append((h.obj, frozenset(h.changes)))
    # Status changes are claimed first, as workflow.transition() claims one: a household whose status
    # someone changed since the import was checked stops the whole import (nothing is written).
    moved = workflow.claim_many(process=HOUSEHOLD_STATUS_PROCESS, steps=[
        (h.existing.pk, *h.status_change) for h in old if h.status_change])
    if moved:
        numbers = sorted(h.number for h in old if h.existing.pk in set(moved))
        raise ImportRefused(_("导入期间户 %(n)s 的状态已被他人变更，未导入任何数据，请重新预览后再导入") % {
            "n": "、".join(numbers[:10])})
    _bulk_update_each(changed, {"version", "updated_at", "area_path", "head_name_pinyin"})


def _write_members(batch: list[HouseholdPlan], now: datetime.datetime) -> None:
    """New members inserted, changed ones updated; a head who stops being head is written first, so
    one-head-per-household holds throughout."""
    new_members = []
    updates: list[MemberPlan] = []
    _refuse_stale(Member, [(mp.existing.pk, mp.existing.version, h.number) for h in batch for mp in h.members
                           if mp.existing is not None and mp.changes])
    for h in batch:
        for mp in h.members:
            mp.obj.household_id = h.obj.pk
            if mp.existing is None:
                mp.obj.created_at = mp.obj.updated_at = now
                new_members.append(mp.obj)
            elif mp.changes:
                mp.obj.pk = mp.existing.pk
                mp.obj.version = mp.existing.version + 1
                mp.obj.updated_at = now
                updates.append(mp)
    head_moves = [mp for mp in updates if "relation" in mp.changes]
    head_moves.sort(key=lambda mp: mp.obj.relation == Relation.HEAD)  # old heads step down first
    for mp in head_moves:
        mp.obj.save(update_fields=[*mp.changes, "version", "updated_at"])
    _bulk_update_each([(mp.obj, frozenset(mp.changes)) for mp in updates if "relation" not in mp.changes],
                      {"version", "updated_at", "citizen_id", "id_kind"})
    _insert(new_members)


def _write_status_history(batch: list[HouseholdPlan], audit: _Audit, actor: User | None, today: datetime.date,
                          reason: str, now: datetime.datetime) -> None:
    """Status history: the first row of a new household, and changes made by the sheet."""
    rows = []
    for h in batch:
        if h.existing is None:
            rows.append(StatusChange(household_id=h.obj.pk, from_status="", to_status=h.obj.status, date=today,
                                     reason=reason[:200], procedure=Procedure.IMPORT, member_count=h.obj.member_count,
                                     actor=actor, actor_name=audit.actor_name, created_at=now))
        elif h.status_change:
            rows.append(StatusChange(household_id=h.obj.pk, from_status=h.status_change[0],
                                     to_status=h.status_change[1], date=today, reason=reason[:200],
                                     procedure=Procedure.IMPORT, member_count=h.obj.member_count, actor=actor,
                                     actor_name=audit.actor_name, created_at=now))
    _insert(rows)


def _write_yearly(batch: list[HouseholdPlan], now: datetime.datetime) -> None:
    """The yearly records of the sheet's year: new ones inserted, changed ones updated."""
    new_years, changed_years = [], []
    for h in batch:
        if h.yearly is None:
            continue
        h.yearly.household_id = h.obj.pk
        h.yearly.updated_at = now
        if not h.yearly_existing:
            h.yearly.created_at = now
            new_years.append(h.yearly)
        elif h.yearly_changes:
            changed_years.append((h.yearly, frozenset(h.yearly_changes)))
    _insert(new_years)
    _bulk_update_each(changed_years, {"net_income", "per_capita_income", "poverty_line", "updated_at"})


def _audit_batch(batch: list[HouseholdPlan], result: ImportResult, audit: _Audit) -> None:
    """The audit trail: one event per created or changed object, naming the file; the counts of the result."""
    for h in batch:
        path = h.obj.area_path
        if h.existing is None:
            result.created += 1
            audit.add(AuditKind.CREATE, h.obj, path, _("导入登记贫困户 %(n)s（%(p)d 人）") % {
                "n": h.number, "p": h.obj.member_count}, {"after": _snapshot(h.obj)})
        else:
            result.updated += 1
            if h.changes:
                audit.add(AuditKind.STATUS if h.status_change else AuditKind.UPDATE, h.obj, path,
                          _("导入修改贫困户 %(n)s") % {"n": h.number}, {"changes": audit.changes(h.changes)})
        for mp in h.members:
            if mp.existing is None:
                result.members_created += 1
                audit.add(AuditKind.CREATE, mp.obj, path, _("%(n)s 导入成员 %(name)s") % {
                    "n": h.number, "name": mp.obj.name}, {"after": _snapshot(mp.obj)})
            elif mp.changes:
                result.members_updated += 1
                audit.add(AuditKind.UPDATE, mp.obj, path, _("%(n)s 导入修改成员 %(name)s") % {
                    "n": h.number, "name": mp.obj.name}, {"changes": audit.changes(mp.changes)})
        result.members_missing += len(h.missing)
        if h.yearly is not None and not h.yearly_existing:
            result.yearly_created += 1
            audit.add(AuditKind.CREATE, h.yearly, path, _("%(n)s 导入 %(y)d 年度收入") % {
                "n": h.number, "y": h.yearly.year}, {"after": _snapshot(h.yearly)})
        elif h.yearly_changes:
            result.yearly_updated += 1
            audit.add(AuditKind.UPDATE, h.yearly, path, _("%(n)s 导入修改 %(y)d 年度收入") % {
                "n": h.number, "y": h.yearly.year}, {"changes": audit.changes(h.yearly_changes)})
