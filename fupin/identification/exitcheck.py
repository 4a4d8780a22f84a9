"""The exit check (REFERENCE §4, "一超两不愁三保障" and 饮水安全; issue 13 item 4).

A household may exit when every criterion of the exit rule set in force at its area for the year holds
(fupin.standards: the national rule set seeded by migration 0002, or a county's or village's own). The
criteria are judged from the recorded facts of the household and each active member (fupin.standards.fields),
never from a flag typed in.

- :func:`exit_check` — one household, each criterion with its reason, grouped as 一超 / 两不愁 / 义务教育 /
  基本医疗 / 住房安全 / 饮水安全, the income, the line used (its area and kind) and the rule set's version.
- :func:`exit_check_rows` — many households in one query (each judged by the rule set in force at its own
  area: fupin.standards.services.area_outcomes), streamed, so a county or a province stays in bounded memory.
- :func:`exit_check_counts` — the counts per conclusion and per failed criterion, as one aggregate query.

Which households: those not yet exited (贫困户(未脱贫) and 返贫, fupin.registry.counts.poor_q), or with
``scope=REGISTER`` every household in the register (回头看: are the exited ones still above the bar?).
When the year has no exit rule set or no poverty line the conclusion is 不可判定 with the reason, never
an error.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.areas.models import Area
from fupin.registry import counts, rules
from fupin.registry.choices import LineKind
from fupin.registry.models import Household, Member, YearlyRecord
from fupin.standards import engine
from fupin.standards import services as standards
from fupin.standards.fields import FIELDS, Facts
from fupin.standards.models import RuleKind, RuleSet

# --- the groups of REFERENCE §4 ------------------------------------------------------------------------

#: The groups a criterion is shown under, in REFERENCE §4's order, and the whitelisted fields
#: (fupin.standards.fields) each group's criteria read. A criterion on any other field (a county may add
#: one) is shown under 其他.
GROUPS: tuple[tuple[str, Any, frozenset[str]], ...] = (
    ("income", gettext_lazy("一超"), frozenset({"per_capita_income", "net_income", "transfer_income"})),
    ("food", gettext_lazy("两不愁"), frozenset({"food_clothing_secure"})),
    ("education", gettext_lazy("义务教育"), frozenset({"any_school_age_child_out_of_school"})),
    ("medical", gettext_lazy("基本医疗"), frozenset({
        "any_member_without_medical_insurance", "any_member_without_serious_illness_insurance",
        "any_member_seriously_ill"})),
    ("housing", gettext_lazy("住房安全"), frozenset({"danger_grade", "house_area", "relocated"})),
    ("water", gettext_lazy("饮水安全"), frozenset({"water_safe", "water_difficulty"})),
)
OTHER = ("other", gettext_lazy("其他"))
#: Criteria read from the members' health (健康状况, a field the privacy policy may hide from a role): their
#: reason (which says whether someone is ill or disabled) is shown only to those who see health.
HEALTH_FIELDS = frozenset({"any_member_seriously_ill", "any_member_disabled"})
_GROUP_OF = {key: (name, label) for name, label, keys in GROUPS for key in keys}


def group_of(field_key: str) -> tuple[str, Any]:
    return _GROUP_OF.get(field_key, OTHER)


# --- conclusions ----------------------------------------------------------------------------------------

EXITABLE = gettext_lazy("可退出")
NOT_EXITABLE = gettext_lazy("不可退出")
UNDECIDED = gettext_lazy("不可判定")
NO_RULES = gettext_lazy("当年无退出标准")
NO_LINE = gettext_lazy("当年无扶贫标准")

#: Which households are checked: those not yet exited (the default) or every one in the register.
POOR, REGISTER = "poor", "register"
SCOPES = {POOR: gettext_lazy("未脱贫户（贫困户(未脱贫)和返贫）"),
          REGISTER: gettext_lazy("全部在册户（含已脱贫户，回头看）")}


def households_in_scope(households: QuerySet[Household], scope: str = POOR) -> QuerySet[Household]:
    """The households the check is about (fupin.registry.counts says what each set counts)."""
    if scope == REGISTER:
        return counts.in_register(households)
    return households.filter(counts.poor_q())


def conclusion_text(exitable: bool | None, problem: str = "") -> str:
    if exitable is None:
        return f"{UNDECIDED}：{problem}"
    return str(EXITABLE if exitable else NOT_EXITABLE)


def undecided_reason(has_rules: bool, has_line: bool) -> str:
    """Why a household cannot be judged for the year ("" when it can): no exit criteria, or no line."""
    if not has_rules:
        return str(NO_RULES)
    if not has_line:
        return str(NO_LINE)
    return ""


# --- one household --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    group: str
    group_label: str
    label: str
    holds: bool
    reason: str
    health: bool = False


@dataclass(frozen=True)
class Group:
    name: str
    label: str
    criteria: list[Criterion]

    @property
    def holds(self) -> bool:
        return all(c.holds for c in self.criteria)


@dataclass(frozen=True)
class ExitCheck:
    """One household's exit check for one year, with its evidence."""

    household: Household
    year: int
    #: True 可退出, False 不可退出, None 不可判定 (``problem`` says why).
    exitable: bool | None
    problem: str
    income: Decimal | None
    line: Decimal | None
    line_area: str  # the area whose line was used ("全国" for the national line), "" when none
    line_kind: str  # 国家扶贫标准 / 省定标准 / 市定标准, "" when none
    ruleset: RuleSet | None
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def conclusion(self) -> str:
        return conclusion_text(self.exitable, self.problem)

    @property
    def failed(self) -> list[str]:
        """The names of the criteria that fail, in the rule set's order."""
        return [c.label for c in self.criteria if not c.holds]

    @property
    def groups(self) -> list[Group]:
        """The criteria under REFERENCE §4's headings, in its order (only the headings the rule set has)."""
        order = [name for name, _label, _keys in GROUPS] + [OTHER[0]]
        by_group: dict[str, list[Criterion]] = {}
        for c in self.criteria:
            by_group.setdefault(c.group, []).append(c)
        return [Group(name, by_group[name][0].group_label, by_group[name]) for name in order if name in by_group]

    @property
    def ruleset_text(self) -> str:
        return ruleset_text(self.ruleset)


def ruleset_text(ruleset: RuleSet | None) -> str:
    if ruleset is None:
        return "—"
    where = ruleset.area.name if ruleset.area_id else _("全国")
    return _("%(name)s（%(where)s，%(year)d 年第 %(v)d 版）") % {
        "name": ruleset.name, "where": where, "year": ruleset.year, "v": ruleset.version}


def line_used(year: int, area_path: str, lines: rules.PovertyLines) -> rules.Line | None:
    """The poverty line of ``year`` at the area (the most specific wins), as PovertyLines answers."""
    return rules.resolve_poverty_line(lines.by_year.get(year, ()), year=year, area_path=area_path)


def exit_check(household: Household, year: int, *, lines: rules.PovertyLines | None = None,
               members: Sequence[Member] | None = None, records: Sequence[YearlyRecord] | None = None) -> ExitCheck:
    """The exit check of one household for ``year``: every criterion of the rule set in force at its area
    with the reason, and the conclusion. ``members`` and ``records``: the household's, when the caller has
    them loaded already (the household page), else they are read."""
    from fupin.registry.services import poverty_lines

    lines = lines or poverty_lines()
    ruleset = standards.ruleset_for(RuleKind.EXIT, year, household.area)
    line = line_used(year, household.area_path, lines)
    line_area = ""
    if line is not None:
        line_area = (Area.objects.filter(path=line.area_path).values_list("name", flat=True).first() or ""
                     if line.area_path else _("全国"))
    if members is None or records is None:
        facts = engine.facts_for(household, year, lines)
    else:
        facts = Facts(household=household, members=[m for m in members if m.active],
                      record=next((r for r in records if r.year == year), None), year=year,
                      poverty_line=lines.amount(year, household.area_path))
    income = facts.record.per_capita_income if facts.record is not None else None
    criteria: list[Criterion] = []
    exitable: bool | None = None
    if ruleset is not None:
        conditions = standards.conditions_of(ruleset)
        result = engine.evaluate(conditions, ruleset.match, facts)
        for condition, outcome in zip(conditions, result.outcomes, strict=True):
            name, label = group_of(condition.field.key)
            criteria.append(Criterion(name, str(label), outcome.label, outcome.holds, outcome.reason,
                                      health=condition.field.key in HEALTH_FIELDS))
        exitable = result.holds
    problem = undecided_reason(ruleset is not None, facts.poverty_line is not None)
    return ExitCheck(household=household, year=year, exitable=None if problem else exitable, problem=problem,
                     income=income, line=facts.poverty_line, line_area=line_area,
                     line_kind=str(LineKind(line.kind).label) if line is not None else "",
                     ruleset=ruleset, criteria=criteria)


# --- many households: one query --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExitRow:
    """One household's line of the list and of the export."""

    household_id: int
    number: str
    head_name: str
    township: str
    village: str
    member_count: int
    income: Decimal | None
    line: Decimal | None
    exitable: bool | None
    problem: str
    failed: tuple[str, ...]
    ruleset_id: int | None
    ruleset_name: str
    ruleset_version: int | None

    @property
    def conclusion(self) -> str:
        return conclusion_text(self.exitable, self.problem)

    @property
    def failed_text(self) -> str:
        return "；".join(self.failed)


INCOME = "std_f_per_capita_income"
LINE_OK = "std_line_ok"
_FLAG = re.compile(r"^r(\d+)_c(\d+)$")
#: A condition no row meets (a real SQL condition, unlike ``pk__in=[]``, so it may sit in a CASE or a filter).
NOTHING = Q(pk__isnull=True)


@dataclass
class Judged:
    """The households of a check as one annotated query, with what is needed to read its rows."""

    queryset: QuerySet[Household]
    year: int
    rulesets: dict[int, RuleSet]
    flags: dict[int, list[str]]  # rule set id → its condition flags (r{id}_c{i}), in order
    labels: dict[int, list[str]]  # rule set id → its condition names, in order
    lines: rules.PovertyLines
    area: Area | None

    def line(self, area_path: str) -> Decimal | None:
        return self.lines.amount(self.year, area_path)

    @property
    def all_flags(self) -> list[str]:
        return [name for names in self.flags.values() for name in names]

    def decide(self, ruleset_id: int | None, has_line: bool, row: dict[str, Any]) -> tuple[
            bool | None, str, tuple[str, ...]]:
        """(exitable, problem, failed criteria) of one row from its rule set's condition flags, combined
        as the rule set says (engine.evaluate's rule): the SQL computes each condition once."""
        ruleset = self.rulesets.get(ruleset_id) if ruleset_id is not None else None
        problem = undecided_reason(ruleset is not None, has_line)
        if ruleset is None:
            return None, problem, ()
        values = [bool(row[flag]) for flag in self.flags[ruleset.pk]]
        failed = tuple(label for label, v in zip(self.labels[ruleset.pk], values, strict=True) if not v)
        if problem:
            return None, problem, failed
        return (all if ruleset.match == "all" else any)(values), "", failed


def _line_q(lines: rules.PovertyLines, year: int) -> Q | None:
    """The households whose area has a poverty line for ``year``; None when every area has one."""
    paths = {line.area_path for line in lines.by_year.get(year, ()) if line.kind != LineKind.MONITORING}
    if "" in paths:
        return None
    q = NOTHING
    for path in paths:
        q |= Q(area_path__startswith=path)
    return q


def judge(households: QuerySet[Household], year: int, *, area: Area | None = None, scope: str = POOR,
          lines: rules.PovertyLines | None = None) -> Judged:
    """``households`` (already scoped to the user) in the check's scope, inside ``area``, annotated with the
    rule set in force at each one's area (``std_ruleset``), its answer (``std_holds``), each condition
    (``r{id}_c{i}``), whether the area has a line (``std_line_ok``) and the year's per-capita income: still
    one query (fupin.standards.services)."""
    from fupin.registry.services import poverty_lines

    lines = lines or poverty_lines()
    base = households_in_scope(households, scope).annotate(**{INCOME: FIELDS["per_capita_income"].expression(year)})
    qs = standards.area_outcomes(RuleKind.EXIT, year, area, households=base, lines=lines)
    line_q = _line_q(lines, year)
    qs = qs.annotate(**{LINE_OK: Value(True) if line_q is None else Case(
        When(line_q, then=Value(True)), default=Value(False), output_field=BooleanField())})
    flags: dict[int, list[tuple[int, str]]] = {}
    for name in qs.query.annotations:
        if match := _FLAG.match(name):
            flags.setdefault(int(match[1]), []).append((int(match[2]), name))
    rulesets = RuleSet.objects.select_related("area").in_bulk(list(flags))
    ordered = {pk: [name for _i, name in sorted(names)] for pk, names in flags.items()}
    labels = {pk: [c.name for c in standards.conditions_of(r)] for pk, r in rulesets.items()}
    return Judged(queryset=qs, year=year, rulesets=rulesets, flags=ordered, labels=labels, lines=lines, area=area)


#: What a row reads. Not ``std_holds``: the answer is combined from the flags in Python, so that each
#: condition's SQL runs once a row (an annotation used twice is computed twice).
ROW_FIELDS = ("pk", "number", "head_name", "area_path", "member_count", INCOME, "std_ruleset")


def area_names(area: Area | None) -> dict[str, str]:
    """Township and village names by path, of the areas the households lie in (one query)."""
    from fupin.areas.models import Level

    areas = Area.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
    if area is not None:
        areas = areas.filter(Q(path__startswith=area.path) | Q(path__in=rules.path_prefixes(area.path)))
    return dict(areas.values_list("path", "name"))


def read_rows(judged: Judged, rows: Iterable[dict[str, Any]], names: dict[str, str]) -> Iterator[ExitRow]:
    """ExitRow of each row of ``row_values(judged)``."""
    for row in rows:
        ruleset = judged.rulesets.get(row["std_ruleset"])
        path = row["area_path"]
        line = judged.line(path)
        exitable, problem, failed = judged.decide(row["std_ruleset"], line is not None, row)
        yield ExitRow(household_id=row["pk"], number=row["number"], head_name=row["head_name"],
                      township=names.get(path[:9], ""), village=names.get(path[:12], ""),
                      member_count=row["member_count"], income=row[INCOME], line=line,
                      exitable=exitable, problem=problem, failed=failed,
                      ruleset_id=ruleset.pk if ruleset else None, ruleset_name=ruleset.name if ruleset else "",
                      ruleset_version=ruleset.version if ruleset else None)


def row_values(judged: Judged, queryset: QuerySet[Household] | None = None) -> QuerySet[Household, dict[str, Any]]:
    """The rows to read (``queryset``: judged.queryset filtered), by 户编号 as the household list."""
    queryset = judged.queryset if queryset is None else queryset
    return queryset.order_by("number").values(*ROW_FIELDS, *judged.all_flags)


@contextmanager
def without_jit() -> Iterator[None]:
    """A transaction in which PostgreSQL does not JIT-compile: the check's query has many expressions and a
    high cost estimate, and on the demo county JIT spent ~2 s compiling to run a 0.3 s query (EXPLAIN
    ANALYZE). Other databases: just the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def exit_check_rows(households: QuerySet[Household], year: int, *, area: Area | None = None, scope: str = POOR,
                    lines: rules.PovertyLines | None = None, chunk_size: int = 2000) -> Iterator[ExitRow]:
    """Every household of ``households`` in the check's scope (inside ``area``), checked for ``year``:
    one query, streamed in chunks (memory stays bounded however many households), by 户编号."""
    judged = judge(households, year, area=area, scope=scope, lines=lines)
    names = area_names(area)
    with without_jit():
        yield from read_rows(judged, row_values(judged).iterator(chunk_size=chunk_size), names)


# --- the counts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    total: int
    exitable: int
    not_exitable: int
    undecided: dict[str, int]  # reason → households
    failed: list[tuple[str, int]]  # criterion → 不可退出 households failing it, in the rule sets' order

    @property
    def undecided_total(self) -> int:
        return sum(self.undecided.values())


def exit_check_counts(judged: Judged) -> Counts:
    """How many households are 可退出, 不可退出 (and how many fail each criterion), 不可判定: one query,
    grouped by rule set, line and the conditions' outcomes (a few dozen groups however many households)."""
    with without_jit():
        groups = list(judged.queryset.order_by().values("std_ruleset", LINE_OK, *judged.all_flags).annotate(
            std_n=Count("pk")))
    total = yes = no = 0
    undecided: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for group in groups:
        n = group["std_n"]
        total += n
        exitable, problem, names = judged.decide(group["std_ruleset"], bool(group[LINE_OK]), group)
        if exitable is None:
            undecided[problem] += n
        elif exitable:
            yes += n
        else:
            no += n
            for name in names:
                failed[name] += n
    order: list[str] = []
    for pk in sorted(judged.labels):
        order += [label for label in judged.labels[pk] if label not in order]
    return Counts(total=total, exitable=yes, not_exitable=no, undecided=dict(undecided),
                  failed=[(label, failed[label]) for label in order])


def _decided_q() -> Q:
    return Q(std_ruleset__isnull=False, **{LINE_OK: True})


def failed_q(judged: Judged, label: str) -> Q:
    """The 不可退出 households failing the criterion named ``label`` (under whichever rule set judged them)."""
    q = NOTHING
    for pk, labels in judged.labels.items():
        for flag, name in zip(judged.flags[pk], labels, strict=True):
            if name == label:
                q |= Q(std_ruleset=pk, **{flag: False})
    return q & _decided_q() & Q(std_holds=False)


def filtered_count(counts: Counts, conclusion: str, failed: str) -> int:
    """How many rows ``conclusion_q`` and ``failed_q`` leave, read from the counts (no second scan)."""
    if failed:
        return dict(counts.failed).get(failed, 0) if conclusion in ("", "no") else 0
    return {"yes": counts.exitable, "no": counts.not_exitable, "undecided": counts.undecided_total}.get(
        conclusion, counts.total)


def conclusion_q(judged: Judged, conclusion: str) -> Q:
    """The households of one conclusion: "yes" 可退出, "no" 不可退出, "undecided" 不可判定."""
    if conclusion == "yes":
        return _decided_q() & Q(std_holds=True)
    if conclusion == "no":
        return _decided_q() & Q(std_holds=False)
    return ~_decided_q()


# --- the file (the command's --out and the page's download) ---------------------------------------------

#: The columns of the exported list. No ID number: the list names households, not people.
COLUMNS = (gettext_lazy("户编号"), gettext_lazy("户主"), gettext_lazy("乡镇"), gettext_lazy("村"),
           gettext_lazy("家庭人口"), gettext_lazy("人均纯收入"), gettext_lazy("扶贫标准"), gettext_lazy("结论"),
           gettext_lazy("未达标项"), gettext_lazy("规则集"), gettext_lazy("版本"))
CSV, XLSX = "csv", "xlsx"


def row_cells(row: ExitRow) -> list[Any]:
    return [row.number, row.head_name, row.township, row.village, row.member_count, row.income, row.line,
            row.conclusion, row.failed_text, row.ruleset_name, row.ruleset_version]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):  # yuan with two decimals on every database
        return f"{value:.2f}"
    return value


def write_csv(rows: Iterable[ExitRow], out: IO[str]) -> int:
    """The rows as CSV on a text stream opened with encoding utf-8-sig (Excel reads the BOM); the count."""
    writer = csv.writer(out)
    writer.writerow([str(c) for c in COLUMNS])
    n = 0
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row_cells(row)])
        n += 1
    return n


def write_xlsx(rows: Iterable[ExitRow], out: str | IO[bytes], *, title: str = "") -> int:
    """The rows as one sheet (xlsxwriter's constant_memory: each row leaves memory once written); the count."""
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    try:
        sheet = book.add_worksheet(str(_("退出核查")))
        bold = book.add_format({"bold": True, "bg_color": "#eef2f7", "border": 1})
        money = book.add_format({"num_format": "#,##0.00"})
        widths = (18, 10, 12, 14, 9, 12, 10, 22, 48, 34, 6)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        first = 0
        if title:
            sheet.write_string(0, 0, title)
            first = 1
        for col, name in enumerate(COLUMNS):
            sheet.write_string(first, col, str(name), bold)
        sheet.freeze_panes(first + 1, 0)
        n = 0
        for n, row in enumerate(rows, 1):
            r = first + n
            cells = row_cells(row)
            for col, value in enumerate(cells):
                if value is None or value == "":
                    continue
                if isinstance(value, Decimal):
                    sheet.write_number(r, col, float(value), money)
                elif isinstance(value, int):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(value))
    finally:
        book.close()
    return n
