"""Conditions: validated against the whitelist (fupin.standards.fields), evaluated for one household with
a reason for each condition, and compiled into one query over households (issue 13 item 2).

A condition is ``{"field": key, "op": operator, "value": …, "label": "…"}``. A condition whose field has
no value (no record for the year, no poverty line) does not hold, in Python and in SQL alike, except
``is_null``. A rule set's conditions combine by ``match``: all must hold, or any one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from fupin.lib import slices
from fupin.lib.jit import without_jit
from fupin.registry import rules
from fupin.registry.models import Household

from .fields import (
    BOOLEAN,
    CHOICE,
    FIELDS,
    INTEGER,
    MONEY,
    NUMBER,
    POVERTY_LINE,
    POVERTY_LINE_LABEL,
    Facts,
    Field,
    MemberAggregate,
)

#: Memory for each sort and hash of a preview's grouped query (PostgreSQL; the default 4 MB sorts a million
#: households on disk). A preview is run by an admin now and then, not by every request.
PREVIEW_WORK_MEM_MB = 64
#: A slice of household ids, [first, end).
IdRange = tuple[int, int]

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
#: Operator → its sign in a reason.
OPERATORS: dict[str, str] = {
    "eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "in": "属于", "not_in": "不属于",
    "is_true": "为“是”", "is_false": "为“否”", "is_null": "未填报", "not_null": "已填报",
}
#: The operators each field type takes.
TYPE_OPERATORS: dict[str, tuple[str, ...]] = {
    MONEY: (*COMPARISONS, "is_null", "not_null"),
    NUMBER: (*COMPARISONS, "is_null", "not_null"),
    INTEGER: (*COMPARISONS, "in", "not_in", "is_null", "not_null"),
    BOOLEAN: ("is_true", "is_false", "is_null", "not_null"),
    CHOICE: ("eq", "ne", "in", "not_in"),
}
NO_VALUE = frozenset({"is_true", "is_false", "is_null", "not_null"})
LISTS = frozenset({"in", "not_in"})
KEYS = frozenset({"field", "op", "value", "label"})
#: A scoring condition (四看/五看, RuleKind.SCORING) carries its points and its group as well.
SCORING_KEYS = frozenset({"points", "group"})
#: The groups of a scoring scheme (REFERENCE §3 "Quantified scoring"), in their order.
SCORING_GROUPS = ("一看房", "二看粮", "三看劳动力", "四看读书郎", "五看养殖")
#: Points one condition may give: more than 0, at most 100, at most one decimal.
MAX_POINTS = Decimal(100)
#: A number a condition may hold: what the money columns (12 digits, 2 decimals) hold.
LIMIT = Decimal(10) ** 10


@dataclass(frozen=True)
class Condition:
    field: Field
    op: str
    value: Any
    label: str
    #: Scoring only: the points the condition gives when it holds, and its group.
    points: Decimal | None = None
    group: str = ""

    @property
    def name(self) -> str:
        return self.label or str(self.field.label)


@dataclass(frozen=True)
class Outcome:
    index: int
    label: str
    holds: bool
    reason: str


@dataclass(frozen=True)
class Result:
    holds: bool
    outcomes: list[Outcome]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.holds]


# --- validation ---------------------------------------------------------------------------------------


def _where(index: int, raw: Any) -> str:
    label = raw.get("label") if isinstance(raw, dict) else None
    if isinstance(label, str) and label.strip():
        return _("第 %(n)d 条条件（%(l)s）") % {"n": index + 1, "l": label.strip()}
    return _("第 %(n)d 条条件") % {"n": index + 1}


def _number(value: Any, integer: bool) -> Decimal | int | None:
    if isinstance(value, bool):
        return None
    if integer:
        return value if isinstance(value, int) else None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _scalar(spec: Field, op: str, value: Any) -> tuple[Any, str | None]:
    """(parsed value, error) of one operand."""
    if spec.type == CHOICE:
        codes = [c for c, _label in spec.choices]
        if value not in codes:
            names = "、".join(str(label) for _c, label in spec.choices)
            return None, _("“%(v)s”不是“%(f)s”的可选值（可选：%(names)s）") % {
                "v": value, "f": spec.label, "names": names}
        return value, None
    if spec.type == MONEY and value == POVERTY_LINE and op in COMPARISONS:
        return POVERTY_LINE, None
    number = _number(value, spec.type == INTEGER)
    if isinstance(number, Decimal) and (number.as_tuple().exponent < -2 or abs(number) >= LIMIT):
        return None, _("“%(f)s”的比较值“%(v)s”超出范围：最多两位小数，绝对值小于一百亿") % {"f": spec.label, "v": value}
    if number is None:
        kind = _("整数") if spec.type == INTEGER else _("数值")
        extra = _("，或“%(t)s”（当年扶贫标准）") % {"t": POVERTY_LINE} if spec.type == MONEY else ""
        return None, _("“%(f)s”的比较值应为%(k)s%(extra)s，收到的是“%(v)s”") % {
            "f": spec.label, "k": kind, "extra": extra, "v": value}
    return number, None


def _points(raw: dict[str, Any]) -> tuple[Decimal | None, str, str | None]:
    """(points, group, error) of a scoring condition."""
    points = _number(raw.get("points"), integer=False)
    if points is None or not 0 < points <= MAX_POINTS or points.as_tuple().exponent < -1:
        return None, "", _("分值应为大于 0、不超过 100 的数（最多一位小数），收到的是“%(v)s”") % {
            "v": raw.get("points", "")}
    group = raw.get("group")
    if group not in SCORING_GROUPS:
        return None, "", _("分组“%(g)s”不是可选的分组（可选：%(a)s）") % {
            "g": group or "", "a": "、".join(SCORING_GROUPS)}
    return points, group, None


def _parse_one(raw: Any, scoring: bool = False) -> tuple[Condition | None, str | None]:
    if not isinstance(raw, dict):
        return None, _("应为包含字段、运算符和比较值的条目")
    unknown = sorted(set(raw) - (KEYS | SCORING_KEYS if scoring else KEYS))
    if unknown:
        return None, _("含有未知的键：%(k)s") % {"k": "、".join(unknown)}
    condition, error = _parse_plain(raw)
    if condition is None or not scoring:
        return condition, error
    points, group, error = _points(raw)
    if error:
        return None, error
    return replace(condition, points=points, group=group), None


def _parse_plain(raw: dict[str, Any]) -> tuple[Condition | None, str | None]:
    spec = FIELDS.get(raw.get("field"))
    if spec is None:
        return None, _("字段“%(f)s”不在可用字段中") % {"f": raw.get("field", "")}
    op = raw.get("op")
    allowed = TYPE_OPERATORS[spec.type]
    if op not in allowed:
        return None, _("“%(f)s”不能使用运算符“%(o)s”（可用：%(a)s）") % {
            "f": spec.label, "o": OPERATORS.get(op, op), "a": "、".join(OPERATORS[a] for a in allowed)}
    label = raw.get("label", "")
    if not isinstance(label, str) or len(label) > 100:
        return None, _("名称应为不超过 100 字的文字")
    value = raw.get("value")
    if op in NO_VALUE:
        if value not in (None, ""):
            return None, _("运算符“%(o)s”不需要比较值") % {"o": op}
        return Condition(spec, op, None, label.strip()), None
    if op in LISTS:
        if not isinstance(value, list) or not value:
            return None, _("运算符“%(o)s”的比较值应为非空列表") % {"o": op}
        parsed = []
        for item in value:
            one, error = _scalar(spec, op, item)
            if error:
                return None, error
            parsed.append(one)
        return Condition(spec, op, tuple(parsed), label.strip()), None
    one, error = _scalar(spec, op, value)
    if error:
        return None, error
    return Condition(spec, op, one, label.strip()), None


def conditions_errors(conditions: Any, scoring: bool = False) -> list[str]:
    """Every problem of a conditions list, each naming its condition; empty when it is valid. A scoring
    scheme's conditions (``scoring``) must carry their points and group as well."""
    if not isinstance(conditions, list) or not conditions:
        return [_("规则集至少需要一条条件")]
    return list(errors_by_condition(conditions, scoring).values())


def errors_by_condition(conditions: list[Any], scoring: bool = False) -> dict[int, str]:
    """{index: the problem of that condition, naming it} (the editor shows each at its row)."""
    errors = {}
    for index, raw in enumerate(conditions):
        _condition, error = _parse_one(raw, scoring)
        if error:
            errors[index] = f"{_where(index, raw)}：{error}"
    return errors


def parse_conditions(conditions: Any, scoring: bool = False) -> list[Condition]:
    errors = conditions_errors(conditions, scoring)
    if errors:
        raise ValidationError(errors)
    return [c for c, _e in (_parse_one(raw, scoring) for raw in conditions) if c is not None]


# --- one household ------------------------------------------------------------------------------------


def _fmt(value: Any, spec: Field) -> str:
    if value is None:
        return _("未填报")
    if spec.type == BOOLEAN:
        return _("是") if value else _("否")
    if spec.type == CHOICE:
        return next((str(label) for code, label in spec.choices if code == value), str(value))
    if isinstance(value, Decimal):
        text = f"{int(value):,}" if value == value.to_integral_value() else f"{value:,.2f}"
    else:
        text = f"{value:,}"
    return f"{text} {spec.unit}".rstrip()


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt,
    "ge": operator.ge, "in": lambda a, e: a in e, "not_in": lambda a, e: a not in e,
}


def evaluate_condition(condition: Condition, facts: Facts, index: int = 0) -> Outcome:
    spec, op = condition.field, condition.op
    actual = spec.value(facts)
    expected = condition.value
    if expected == POVERTY_LINE:
        expected = facts.poverty_line
    if op == "is_null":
        holds = actual is None
    elif op == "not_null":
        holds = actual is not None
    elif op in ("is_true", "is_false"):
        holds = actual is (op == "is_true")
    else:
        holds = actual is not None and expected is not None and _COMPARE[op](actual, expected)
    reason = _reason(condition, actual, expected, holds)
    return Outcome(index=index, label=condition.name, holds=holds, reason=reason)


def _reason(condition: Condition, actual: Any, expected: Any, holds: bool) -> str:
    spec, op = condition.field, condition.op
    verdict = _("符合") if holds else _("不符合")
    if op in NO_VALUE:
        return _("%(f)s：%(a)s（应%(o)s）：%(v)s") % {
            "f": spec.label, "a": _fmt(actual, spec), "o": OPERATORS[op], "v": verdict}
    if condition.value == POVERTY_LINE:
        shown = _("%(t)s %(x)s") % {"t": POVERTY_LINE_LABEL, "x": _fmt(expected, spec)} if expected is not None \
            else _("当年无扶贫标准")
    elif op in LISTS:
        shown = "、".join(_fmt(v, spec) for v in expected)
    else:
        shown = _fmt(expected, spec)
    # "人均纯收入 2,776 元（应 > 当年标准 4,000 元）：不符合" — written as a bare comparison it read as a false
    # statement ("2,776 元 > 4,000 元") whenever the condition failed.
    return _("%(f)s %(a)s（应 %(o)s %(e)s）：%(v)s") % {
        "f": spec.label, "a": _fmt(actual, spec), "o": OPERATORS[op], "e": shown, "v": verdict}


def facts_for(household: Household, year: int, lines: rules.PovertyLines | None = None) -> Facts:
    """Read one household's facts for ``year`` (its active members, the year's record, the line)."""
    from fupin.registry.services import poverty_lines

    lines = lines or poverty_lines()
    return Facts(household=household, members=list(household.members.filter(active=True)),
                 record=household.yearly_records.filter(year=year).first(), year=year,
                 poverty_line=lines.amount(year, household.area_path))


def evaluate(conditions: Sequence[Condition], match: str, facts: Facts) -> Result:
    outcomes = [evaluate_condition(c, facts, i) for i, c in enumerate(conditions)]
    combine = all if match == "all" else any
    return Result(holds=combine(o.holds for o in outcomes), outcomes=outcomes)


# --- in bulk: one query ---------------------------------------------------------------------------------

LINE_ANNOTATION = "std_line"
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)


def line_expression(year: int, lines: rules.PovertyLines) -> Case:
    """The year's line at each household's area as one CASE over the area path: the deepest area that has
    a line first, else the national one — the answer of PovertyLines.amount for every household."""
    paths = sorted({line.area_path for line in lines.by_year.get(year, ()) if line.area_path}, key=len, reverse=True)
    national = lines.amount(year, "")
    whens = [When(area_path__startswith=p, then=Value(lines.amount(year, p), output_field=MONEY_FIELD))
             for p in paths]
    return Case(*whens, default=Value(national, output_field=MONEY_FIELD), output_field=MONEY_FIELD)


def with_record(queryset: QuerySet[Household], year: int, ids: IdRange | None = None) -> tuple[QuerySet[Household], str]:
    """``queryset`` with the year's record as one LEFT JOIN (at most one per household: unique on household
    and year), and the relation's name: ``F(f"{name}__per_capita_income")`` reads a column of it. A scalar
    subquery per reference would look the record up again for each column and each mention. With ``ids``
    (a slice of households, see grouped_answers) the join reads only those households' records."""
    name = f"std_record_{year}"
    if name not in queryset.query._filtered_relations:
        condition = Q(yearly_records__year=year)
        if ids is not None:
            condition &= Q(yearly_records__household_id__gte=ids[0], yearly_records__household_id__lt=ids[1])
        queryset = queryset.annotate(**{name: FilteredRelation("yearly_records", condition=condition)})
    return queryset, name


def field_expression(condition: Condition, year: int, record: str) -> Any:
    """The condition's field in SQL: a record column through the join ``record`` (with_record), else the
    field's own expression."""
    column = condition.field.record_column
    return F(f"{record}__{column}") if column else condition.field.expression(year)


def _name(condition: Condition) -> str:
    return f"std_f_{condition.field.key}"


def condition_q(condition: Condition) -> Q:
    """The condition as a WHERE clause over the annotations made by annotate()."""
    name, op, value = _name(condition), condition.op, condition.value
    if op == "is_null":
        return Q(**{f"{name}__isnull": True})
    if op == "not_null":
        return Q(**{f"{name}__isnull": False})
    if op in ("is_true", "is_false"):
        return Q(**{name: op == "is_true"})
    operand = F(LINE_ANNOTATION) if value == POVERTY_LINE else value
    present = Q(**{f"{name}__isnull": False})
    if op == "ne":
        return present & ~Q(**{name: operand})
    if op == "not_in":
        return present & ~Q(**{f"{name}__in": operand})
    lookup = {"eq": "exact", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte", "in": "in"}[op]
    return Q(**{f"{name}__{lookup}": operand})


def annotate_fields(queryset: QuerySet[Household], conditions: Sequence[Condition], year: int,
                    lines: rules.PovertyLines | None = None, *, join_members: bool = False,
                    ids: IdRange | None = None) -> QuerySet[Household]:
    """``queryset`` with each condition's field (``std_f_<key>``) and, where a condition compares with the
    line, the year's line: what condition_q() reads. With ``join_members`` the member fields are COUNTs
    over the joined members (the query then groups by household) rather than a subquery per household."""
    from fupin.registry.services import poverty_lines

    lines = lines or poverty_lines()
    present = set(queryset.query.annotations)
    annotations: dict[str, Any] = {}
    if any(c.value == POVERTY_LINE for c in conditions) and LINE_ANNOTATION not in present:
        annotations[LINE_ANNOTATION] = line_expression(year, lines)
    record = ""
    if any(c.field.record_column and _name(c) not in present for c in conditions):
        queryset, record = with_record(queryset, year, ids)
    members = "members"
    if join_members and ids is not None:
        # The slice's members only, so that PostgreSQL reads that range of the members' household index
        # (a range on the households alone does not carry over to the joined tables).
        members = "std_members"
        queryset = queryset.annotate(std_members=FilteredRelation("members", condition=Q(
            members__household_id__gte=ids[0], members__household_id__lt=ids[1])))
    for condition in conditions:
        if _name(condition) not in present:
            expression = condition.field.expression
            if join_members and isinstance(expression, MemberAggregate):
                counted = expression.aggregate(year, members)
                value = GreaterThan(counted, Value(0)) if expression.exists else counted
                annotations.setdefault(_name(condition), value)
            else:
                annotations.setdefault(_name(condition), field_expression(condition, year, record))
    return queryset.annotate(**annotations)


def _combined(qs: Sequence[Q], match: str) -> Q:
    combined = Q()
    for q in qs:
        combined = (combined & q) if match == "all" else (combined | q)
    return combined


def annotate(queryset: QuerySet[Household], conditions: Sequence[Condition], match: str, year: int,
             lines: rules.PovertyLines | None = None, prefix: str = "std", *,
             join_members: bool = False, ids: IdRange | None = None) -> QuerySet[Household]:
    """``queryset`` with ``std_c0`` … (each condition, true/false) and ``std_holds`` (the rule set's
    answer): one query however many households. Another ``prefix`` lets a second rule set of the same
    year be annotated on the same queryset (the field values and the line are shared)."""
    queryset = annotate_fields(queryset, conditions, year, lines, join_members=join_members, ids=ids)
    qs = [condition_q(c) for c in conditions]
    flags = {f"{prefix}_c{i}": Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
             for i, q in enumerate(qs)}
    flags[f"{prefix}_holds"] = Case(When(_combined(qs, match), then=Value(True)), default=Value(False),
                                    output_field=BooleanField())
    return queryset.annotate(**flags)


@dataclass(frozen=True)
class Preview:
    """What an edit would change among the households: how many the rule holds for now and after, and
    how many move each way."""

    total: int
    before: int
    after: int
    gained: int
    lost: int


def test_key(condition: Condition) -> tuple:
    """What a condition tests (field, operator, value), whatever its label, points or group."""
    return (condition.field.key, condition.op, repr(condition.value))


def _grouped_sql(queryset: QuerySet[Household], distinct: Sequence[Condition], year: int,
                 lines: rules.PovertyLines | None, ids: IdRange | None) -> tuple[str, Sequence[Any]]:
    """The SQL of grouped_answers over ``queryset`` (or the slice ``ids`` of it): the answers of every
    distinct test and how many households gave them."""
    flags = [f"t_c{i}" for i in range(len(distinct))]
    if ids is not None:
        queryset = queryset.filter(pk__gte=ids[0], pk__lt=ids[1])
    if any(isinstance(c.field.expression, MemberAggregate) for c in distinct):
        # Member fields: one pass over the joined members grouped by household (each household's answers),
        # then those grouped by answers — two levels of GROUP BY, the outer one written here around the
        # ORM's inner query. As subqueries per household the member tests were evaluated one household at a
        # time, each field again for every test that reads it (--scale 100: 17.7 s for 四看's preview).
        inner = (annotate(queryset, distinct, "any", year, lines, prefix="t", join_members=True, ids=ids)
                 .order_by().values(*flags))
        sql, params = inner.query.sql_with_params()
        columns = ", ".join(connection.ops.quote_name(f) for f in flags)
        return f"SELECT {columns}, COUNT(*) FROM ({sql}) answers GROUP BY {columns}", params
    grouped = (annotate(queryset, distinct, "any", year, lines, prefix="t", ids=ids).order_by().values_list(*flags)
               .annotate(n=Count("pk")))
    return grouped.query.sql_with_params()


def grouped_answers(queryset: QuerySet[Household], condition_sets: Sequence[Sequence[Condition]], year: int,
                    lines: rules.PovertyLines | None = None) -> Iterable[tuple[list[tuple[bool, ...]], int]]:
    """One query: the households of ``queryset`` grouped by their answers to every distinct test of the
    given condition lists (a test two lists share is evaluated once per household), yielding for each
    group the answers of each list's conditions, in order, and how many households gave them. A few
    hundred groups at most, however many households: the bulk of the work stays in the database.

    On PostgreSQL, outside a transaction, a large queryset is cut into slices of household ids run side by
    side on their own connections in one shared snapshot (fupin.lib.slices): the grouping by household
    otherwise runs in one process (a merge join under one GROUP BY), leaving the other cores idle
    (--scale 100, 四看: 5.4 s in one query, 2.5 s in two slices on two cores)."""
    tests: dict[tuple, tuple[int, Condition]] = {}
    for conditions in condition_sets:
        for condition in conditions:
            tests.setdefault(test_key(condition), (len(tests), condition))
    distinct = [c for _i, c in tests.values()]
    member_fields = any(isinstance(c.field.expression, MemberAggregate) for c in distinct)
    # The member grouping sorts and hashes a million households: more than PostgreSQL's default 4 MB.
    work_mem = PREVIEW_WORK_MEM_MB if member_fields else None
    counts: dict[tuple, int] = {}
    ranges = slices.id_ranges(queryset) if slices.available() else None
    if ranges:
        results = slices.run_in_snapshot([_grouped_sql(queryset, distinct, year, lines, r) for r in ranges],
                                         work_mem_mb=work_mem)
        rows = [row for result in results for row in result]
    else:
        sql, params = _grouped_sql(queryset, distinct, year, lines, None)
        # Without JIT: PostgreSQL would spend seconds compiling what runs in a fraction of that.
        with without_jit(work_mem_mb=work_mem), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    for *answers, n in rows:
        key = tuple(bool(a) for a in answers)
        counts[key] = counts.get(key, 0) + n
    for answers, n in counts.items():
        yield [tuple(answers[tests[test_key(c)][0]] for c in conditions) for conditions in condition_sets], n


def combine(match: str, answers: Iterable[bool]) -> bool:
    return all(answers) if match == "all" else any(answers)


def preview(queryset: QuerySet[Household], old: tuple[Sequence[Condition], str],
            new: tuple[Sequence[Condition], str], year: int, lines: rules.PovertyLines | None = None) -> Preview:
    """Compare two versions of a rule set (each (conditions, match)) over ``queryset`` in one query
    (grouped_answers: each distinct test once per household, five filtered counts would repeat both
    rule sets' whole expressions five times)."""
    counts = {"total": 0, "before": 0, "after": 0, "gained": 0, "lost": 0}
    for (old_answers, new_answers), n in grouped_answers(queryset, [old[0], new[0]], year, lines):
        was, now = combine(old[1], old_answers), combine(new[1], new_answers)
        counts["total"] += n
        counts["before"] += n if was else 0
        counts["after"] += n if now else 0
        counts["gained"] += n if now and not was else 0
        counts["lost"] += n if was and not now else 0
    return Preview(**counts)


def holding(queryset: QuerySet[Household], conditions: Sequence[Condition], match: str, year: int,
            lines: rules.PovertyLines | None = None) -> QuerySet[Household]:
    """The households of ``queryset`` for which the rule set holds (one query). The conditions go into the
    WHERE clause itself, not through a CASE flag: there PostgreSQL turns a member test (NOT EXISTS over
    the members) into one anti-join over the members table instead of an index probe per household
    (at --scale 100, a million probes)."""
    return annotate_fields(queryset, conditions, year, lines).filter(
        _combined([condition_q(c) for c in conditions], match))


def outcomes_by_household(queryset: QuerySet[Household], conditions: Sequence[Condition], match: str, year: int,
                          lines: rules.PovertyLines | None = None) -> dict[int, tuple[bool, tuple[bool, ...]]]:
    """{household id: (holds, (each condition …))} in one query."""
    names = [f"std_c{i}" for i in range(len(conditions))]
    rows: Iterable[tuple[Any, ...]] = annotate(queryset, conditions, match, year, lines).values_list(
        "pk", "std_holds", *names)
    return {row[0]: (bool(row[1]), tuple(bool(v) for v in row[2:])) for row in rows}
