"""REFERENCE §6 data-quality checks, one plain function per rule.

Each rule looks at one household with its active members and its latest yearly record (a
:class:`Subject`) and yields a :class:`Hit` for every 疑点 it sees. The rules read attributes only,
so they work the same on saved rows (``fupin quality check``, the refresh after a form is saved) and
on the importer's unsaved plan (the import preview's 提示): one copy of each rule.

What is *invalid* (an ID number's checksum, a birth date that is not the ID's, a negative amount,
months above 12, two heads, one person in two households) is refused by the registry before it is
stored, so §6.2 (ID numbers) and §6.11 (duplicates) have no rule here; what is *suspicious* is here
and never refuses anything. Thresholds are REFERENCE §6's.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Choices
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.registry.choices import (
    RELATION_SEX,
    Attribute,
    Cause,
    DangerGrade,
    Education,
    Health,
    Labour,
    Relation,
    SchoolStatus,
    Sex,
    Status,
)
from fupin.registry.rules import compulsory_school_age

from .models import Category

if TYPE_CHECKING:
    from fupin.registry.models import Household, Member, YearlyRecord

STUDYING = frozenset(s for s in SchoolStatus.values if s not in (SchoolStatus.NONE, SchoolStatus.PRESCHOOL))
SENIOR_OR_MORE = frozenset({Education.SENIOR, Education.VOCATIONAL, Education.COLLEGE})
ILL = frozenset({Health.CHRONIC, Health.SERIOUS})
NO_LABOUR = frozenset({Labour.NONE, Labour.LOST})
ABLE = frozenset({Labour.NORMAL, Labour.SKILLED})
EXITED = frozenset({Status.EXITED, Status.EXITED_STABLE})
#: Working age for the labour checks: 16 to the retirement age (§6.6).
WORKING_AGES = range(16, 61)
#: Ages for which labour ability must be filled in (§6.3).
LABOUR_FIELD_AGES = range(16, 66)
#: Ages for which student status must be filled in (§6.3).
SCHOOL_FIELD_AGES = range(6, 24)
LAND_PER_HEAD_MU = Decimal(50)
FOREST_PER_HEAD_MU = Decimal(70)
ROAD_DISTANCE_KM = Decimal(50)
PER_CAPITA_MAX = Decimal(100_000)
SEX_VALUES = frozenset(Sex.values)


@dataclass(slots=True)
class Hit:
    """One 疑点 before it is stored: the rule (set by :func:`check`), a Chinese message, the registry
    field it is about (names the form field or the sheet column), the member (None: the household)
    and the values involved (JSON-ready, by registry field name)."""

    message: str
    field: str = ""
    member: Member | None = None
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    rule: str = ""


@dataclass
class Subject:
    """What the rules see: a household, its active members and its latest yearly record (or None)."""

    household: Household
    members: Sequence[Member]
    yearly: YearlyRecord | None = None
    today: datetime.date = dataclasses.field(default_factory=datetime.date.today)
    #: The hits, when the caller already ran the rules on exactly these records (the importer's plan).
    hits: list[Hit] | None = None
    _ages: dict[int, int | None] = dataclasses.field(default_factory=dict, repr=False)

    def age(self, member: Member) -> int | None:
        key = id(member)
        if key not in self._ages:
            b = member.birth_date
            t = self.today
            self._ages[key] = (t.year - b.year - ((t.month, t.day) < (b.month, b.day))
                               if isinstance(b, datetime.date) else None)
        return self._ages[key]

    @property
    def causes(self) -> set[str]:
        h = self.household
        return {h.main_cause, *(h.other_causes or [])} - {""}


#: One rule: the hits it finds in a subject.
RuleCheck = Callable[[Subject], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    category: str
    title: str | Promise
    check: RuleCheck
    #: The finding tells a member's health or disability: shown only to roles that see health details.
    health: bool = False


#: Every rule, by code, in REFERENCE §6's order (the /quality/ page lists them in this order).
RULES: dict[str, Rule] = {}


def rule(code: str, category: str, title: str | Promise, *, health: bool = False) -> Callable[[RuleCheck], RuleCheck]:
    def register(function: RuleCheck) -> RuleCheck:
        assert code not in RULES, code
        RULES[code] = Rule(code, category, title, function, health)
        return function
    return register


def check(subject: Subject, rules: Iterable[Rule] | None = None) -> list[Hit]:
    """Every 疑点 of one household (none for a cancelled household: it is no longer in the register)."""
    if subject.household.status == Status.CANCELLED:
        return []
    out = []
    for r in (RULES.values() if rules is None else rules):
        for hit in r.check(subject):
            hit.rule = r.code
            out.append(hit)
    return out


def _money(value: Decimal | None) -> str:
    return str(value) if value is not None else ""


def _label(choices: type[Choices], value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


# --- §6.1 exited households that do not meet "两不愁三保障" ---------------------------------------


@rule("exit_income_below_line", Category.EXIT, gettext_lazy("已脱贫户人均纯收入未超过扶贫标准"))
def exit_income_below_line(s: Subject) -> Iterator[Hit]:
    y = s.yearly
    if s.household.status in EXITED and y is not None and y.poverty_line is not None \
            and y.per_capita_income <= y.poverty_line:
        yield Hit(_("已脱贫，但 %(y)d 年人均纯收入 %(v)s 元未超过当年扶贫标准 %(l)s 元") % {
            "y": y.year, "v": y.per_capita_income, "l": y.poverty_line}, "per_capita_income",
            values={"year": y.year, "per_capita_income": _money(y.per_capita_income),
                    "poverty_line": _money(y.poverty_line)})


@rule("exit_dropout", Category.EXIT, gettext_lazy("已脱贫户有义务教育阶段失学辍学儿童"))
def exit_dropout(s: Subject) -> Iterator[Hit]:
    if s.household.status not in EXITED:
        return
    for m in s.members:
        if compulsory_school_age(m.birth_date, on=s.today) and m.school_status in (SchoolStatus.NONE, ""):
            age = s.age(m)
            yield Hit(_("已脱贫，但 %(a)d 岁的成员不在校（义务教育阶段）") % {"a": age}, "school_status", m,
                      {"age": age, "school_status": m.school_status})


@rule("exit_dangerous_house", Category.EXIT, gettext_lazy("已脱贫户住房为C级或D级危房"))
def exit_dangerous_house(s: Subject) -> Iterator[Hit]:
    h = s.household
    if h.status in EXITED and h.danger_grade in (DangerGrade.C, DangerGrade.D):
        yield Hit(_("已脱贫，但住房为%(g)s危房") % {"g": _label(DangerGrade, h.danger_grade)}, "danger_grade",
                  values={"danger_grade": h.danger_grade})


@rule("exit_no_house", Category.EXIT, gettext_lazy("已脱贫户住房面积为0"))
def exit_no_house(s: Subject) -> Iterator[Hit]:
    h = s.household
    if h.status in EXITED and h.house_area is not None and Decimal(h.house_area) == 0:
        yield Hit(_("已脱贫，但住房面积为 0（无房）"), "house_area", values={"house_area": _money(h.house_area)})


@rule("exit_unsafe_water", Category.EXIT, gettext_lazy("已脱贫户饮水不安全"))
def exit_unsafe_water(s: Subject) -> Iterator[Hit]:
    h = s.household
    if h.status in EXITED and h.water_safe is False:
        yield Hit(_("已脱贫，但饮水不安全"), "water_safe", values={"water_safe": False})


@rule("exit_ill_uninsured", Category.EXIT, gettext_lazy("已脱贫户患病成员未参加大病保险"), health=True)
def exit_ill_uninsured(s: Subject) -> Iterator[Hit]:
    if s.household.status not in EXITED:
        return
    for m in s.members:
        if m.health in ILL and not m.serious_illness_insurance:
            yield Hit(_("已脱贫，但%(h)s的成员未参加大病保险") % {"h": _label(Health, m.health)},
                      "serious_illness_insurance", m, {"health": m.health, "serious_illness_insurance": False})


# --- §6.3 missing key fields ----------------------------------------------------------------------


@rule("missing_head", Category.MISSING, gettext_lazy("无户主"))
def missing_head(s: Subject) -> Iterator[Hit]:
    if s.members and not any(m.relation == Relation.HEAD for m in s.members):
        yield Hit(_("没有户主"), "relation", values={"members": len(s.members)})


@rule("missing_main_cause", Category.MISSING, gettext_lazy("主要致贫原因缺失"))
def missing_main_cause(s: Subject) -> Iterator[Hit]:
    if not s.household.main_cause:
        yield Hit(_("未填写主要致贫原因"), "main_cause")


@rule("missing_living_conditions", Category.MISSING, gettext_lazy("生产生活条件缺失"))
def missing_living_conditions(s: Subject) -> Iterator[Hit]:
    # The living-condition fields that have no default (a blank choice); the others default to a value.
    h = s.household
    blank = [name for name in ("road_type", "fuel") if not getattr(h, name)]
    if blank:
        labels = "、".join(str(type(h)._meta.get_field(name).verbose_name) for name in blank)
        yield Hit(_("未填写%(f)s") % {"f": labels}, blank[0], values={"fields": blank})


@rule("missing_ethnicity", Category.MISSING, gettext_lazy("民族缺失"))
def missing_ethnicity(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        if not m.ethnicity:
            yield Hit(_("未填写民族"), "ethnicity", m)


@rule("missing_education", Category.MISSING, gettext_lazy("非在校生文化程度缺失"))
def missing_education(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        age = s.age(m)
        if age is not None and age >= 6 and m.school_status in (SchoolStatus.NONE, "") and not m.education:
            yield Hit(_("非在校生应填写文化程度"), "education", m, {"age": age})


@rule("missing_school_status", Category.MISSING, gettext_lazy("6–23岁成员在校生状况缺失"))
def missing_school_status(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        age = s.age(m)
        if age in SCHOOL_FIELD_AGES and not m.school_status:
            yield Hit(_("%(a)d 岁的成员应填写在校生状况") % {"a": age}, "school_status", m, {"age": age})


@rule("missing_health", Category.MISSING, gettext_lazy("健康状况缺失"))
def missing_health(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        if not m.health:
            yield Hit(_("未填写健康状况"), "health", m)


@rule("missing_labour", Category.MISSING, gettext_lazy("16–65岁成员劳动能力缺失"))
def missing_labour(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        age = s.age(m)
        if age in LABOUR_FIELD_AGES and not m.labour and m.school_status not in STUDYING:
            yield Hit(_("%(a)d 岁的成员应填写劳动能力") % {"a": age}, "labour", m, {"age": age})


@rule("missing_disability_certificate", Category.MISSING, gettext_lazy("残疾人无残疾证号"), health=True)
def missing_disability_certificate(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        if m.health == Health.DISABLED and not m.disability_cert_no:
            yield Hit(_("健康状况为残疾，但没有残疾证号"), "disability_cert_no", m, {"health": m.health})


# --- §6.4 causes against the members --------------------------------------------------------------


def _cause_field(s: Subject, cause: str) -> str:
    return "main_cause" if s.household.main_cause == cause else "other_causes"


@rule("cause_illness_nobody_ill", Category.CAUSE, gettext_lazy("因病致贫但无患病成员"), health=True)
def cause_illness_nobody_ill(s: Subject) -> Iterator[Hit]:
    if Cause.ILLNESS in s.causes and not any(m.health in ILL for m in s.members):
        yield Hit(_("致贫原因含“因病”，但家庭成员中没有患病（长期慢性病或大病）的人"),
                  _cause_field(s, Cause.ILLNESS), values={"cause": Cause.ILLNESS})


@rule("cause_disability_nobody_disabled", Category.CAUSE, gettext_lazy("因残致贫但无残疾成员"), health=True)
def cause_disability_nobody_disabled(s: Subject) -> Iterator[Hit]:
    if Cause.DISABILITY in s.causes and not any(m.health == Health.DISABLED for m in s.members):
        yield Hit(_("致贫原因含“因残”，但家庭成员中没有残疾人"), _cause_field(s, Cause.DISABILITY),
                  values={"cause": Cause.DISABILITY})


@rule("cause_schooling_no_student", Category.CAUSE, gettext_lazy("因学致贫但无在校生"))
def cause_schooling_no_student(s: Subject) -> Iterator[Hit]:
    if Cause.SCHOOLING in s.causes and not any(m.school_status in STUDYING for m in s.members):
        yield Hit(_("致贫原因含“因学”，但家庭成员中没有在校生"), _cause_field(s, Cause.SCHOOLING),
                  values={"cause": Cause.SCHOOLING})


# --- §6.5 低保 / 特困 ------------------------------------------------------------------------------


@rule("dibao_household_without_dibao", Category.DIBAO, gettext_lazy("低保户无成员享受低保"))
def dibao_household_without_dibao(s: Subject) -> Iterator[Hit]:
    if s.household.attribute == Attribute.DIBAO and not any(m.on_dibao for m in s.members):
        yield Hit(_("低保贫困户，但没有成员享受低保"), "attribute", values={"attribute": Attribute.DIBAO})


# Apart from the rule above so that the list can tell them apart: the standard import sheet has no
# 低保金 column, so a 低保户 first registered from a sheet shows here until its amounts are entered.
@rule("dibao_amount_zero", Category.DIBAO, gettext_lazy("低保户低保金为0"))
def dibao_amount_zero(s: Subject) -> Iterator[Hit]:
    if s.household.attribute != Attribute.DIBAO:
        return
    on = [m for m in s.members if m.on_dibao]
    if on and not any(m.dibao_amount for m in on):
        yield Hit(_("低保贫困户，但享受低保的成员低保金均为 0"), "dibao_amount", on[0],
                  {"attribute": Attribute.DIBAO, "on_dibao": len(on), "dibao_amount": "0"})


@rule("general_household_on_dibao", Category.DIBAO, gettext_lazy("一般贫困户有成员享受低保"))
def general_household_on_dibao(s: Subject) -> Iterator[Hit]:
    if s.household.attribute == Attribute.GENERAL:
        for m in s.members:
            if m.on_dibao:
                yield Hit(_("一般贫困户，但该成员享受低保"), "on_dibao", m, {"attribute": Attribute.GENERAL})


@rule("tekun_household_able_member", Category.DIBAO, gettext_lazy("特困供养户有16–65岁有劳动能力成员"))
def tekun_household_able_member(s: Subject) -> Iterator[Hit]:
    if s.household.attribute != Attribute.TEKUN:
        return
    for m in s.members:
        age = s.age(m)
        if age in LABOUR_FIELD_AGES and m.labour in ABLE:
            yield Hit(_("特困供养贫困户，但 %(a)d 岁的成员有劳动能力（%(l)s）") % {
                "a": age, "l": _label(Labour, m.labour)}, "labour", m, {"age": age, "labour": m.labour})


@rule("dibao_and_tekun", Category.DIBAO, gettext_lazy("同时享受低保和特困供养"))
def dibao_and_tekun(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        if m.on_dibao and m.on_tekun:
            yield Hit(_("同时享受低保和特困供养"), "on_tekun", m,
                      {"dibao_amount": _money(m.dibao_amount), "tekun_amount": _money(m.tekun_amount)})


# --- §6.6 labour ----------------------------------------------------------------------------------


@rule("labour_healthy_without_labour", Category.LABOUR, gettext_lazy("劳动年龄内健康成员无劳动能力"), health=True)
def labour_healthy_without_labour(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        age = s.age(m)
        if age in WORKING_AGES and m.health == Health.HEALTHY and m.labour in NO_LABOUR \
                and m.school_status not in STUDYING:
            yield Hit(_("%(a)d 岁的健康成员，劳动能力却为“%(l)s”") % {"a": age, "l": _label(Labour, m.labour)},
                      "labour", m, {"age": age, "health": m.health, "labour": m.labour})


# --- §6.7 income ----------------------------------------------------------------------------------


@rule("income_business_without_expense", Category.INCOME, gettext_lazy("有生产经营性收入无生产经营性支出"))
def income_business_without_expense(s: Subject) -> Iterator[Hit]:
    y = s.yearly
    if y is not None and y.business_income and not y.business_expense:
        yield Hit(_("%(y)d 年有生产经营性收入 %(v)s 元，但没有生产经营性支出") % {
            "y": y.year, "v": y.business_income}, "business_expense",
            values={"year": y.year, "business_income": _money(y.business_income)})


@rule("income_per_capita_out_of_range", Category.INCOME, gettext_lazy("人均纯收入不大于0或超过10万元"))
def income_per_capita_out_of_range(s: Subject) -> Iterator[Hit]:
    y = s.yearly
    if y is not None and (y.per_capita_income <= 0 or y.per_capita_income > PER_CAPITA_MAX):
        # Which bound is crossed: "0.00 元，不在 0–100,000 元之间" read as nonsense (0 is in it).
        text = (_("%(y)d 年人均纯收入 %(v)s 元，不大于 0（家庭纯收入为零或负数），请核实各项收入和支出")
                if y.per_capita_income <= 0 else
                _("%(y)d 年人均纯收入 %(v)s 元，超过 100,000 元，请核实各项收入"))
        yield Hit(text % {"y": y.year, "v": y.per_capita_income},
                  "per_capita_income", values={"year": y.year, "per_capita_income": _money(y.per_capita_income)})


# --- §6.8 migrant work ----------------------------------------------------------------------------


@rule("migrant_place_without_months", Category.MIGRANT, gettext_lazy("有务工地点但务工时间为0"))
def migrant_place_without_months(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        if (m.work_status or m.work_place) and not m.work_months:
            yield Hit(_("填写了务工状况或务工地，但务工时间为 0 个月"), "work_months", m,
                      {"work_status": m.work_status, "work_place": m.work_place, "work_months": 0})


@rule("migrant_months_without_place", Category.MIGRANT, gettext_lazy("有务工时间但无务工地点"))
def migrant_months_without_place(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        if m.work_months and not m.work_status:
            yield Hit(_("务工时间 %(n)d 个月，但没有填写务工状况") % {"n": m.work_months}, "work_status", m,
                      {"work_months": m.work_months})


@rule("migrant_without_labour", Category.MIGRANT, gettext_lazy("无劳动能力却外出务工"))
def migrant_without_labour(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        if m.work_status and m.labour in NO_LABOUR:
            yield Hit(_("劳动能力为“%(l)s”，却在务工") % {"l": _label(Labour, m.labour)}, "work_status", m,
                      {"labour": m.labour, "work_status": m.work_status})


@rule("migrant_wage_nobody_working", Category.MIGRANT, gettext_lazy("有工资性收入但无成员务工"))
def migrant_wage_nobody_working(s: Subject) -> Iterator[Hit]:
    y = s.yearly
    if y is not None and y.wage_income and not any(m.work_status for m in s.members):
        yield Hit(_("%(y)d 年有工资性收入 %(v)s 元，但没有成员务工") % {"y": y.year, "v": y.wage_income},
                  "wage_income", values={"year": y.year, "wage_income": _money(y.wage_income)})


@rule("migrant_working_without_wage", Category.MIGRANT, gettext_lazy("有成员务工但无工资性收入"))
def migrant_working_without_wage(s: Subject) -> Iterator[Hit]:
    y = s.yearly
    if y is not None and not y.wage_income and any(m.work_status for m in s.members):
        yield Hit(_("有成员务工，但 %(y)d 年工资性收入为 0") % {"y": y.year}, "wage_income",
                  values={"year": y.year, "wage_income": "0"})


# --- §6.10 logic ----------------------------------------------------------------------------------


@rule("logic_relation_sex", Category.LOGIC, gettext_lazy("与户主关系与性别不符"))
def logic_relation_sex(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        expected = RELATION_SEX.get(m.relation)
        if expected and m.sex in SEX_VALUES and m.sex != expected:
            yield Hit(_("与户主关系“%(r)s”与性别“%(s)s”不符") % {
                "r": _label(Relation, m.relation), "s": _label(Sex, m.sex)}, "relation", m,
                {"relation": m.relation, "sex": m.sex})


@rule("logic_head_spouse_same_sex", Category.LOGIC, gettext_lazy("户主与配偶性别相同"))
def logic_head_spouse_same_sex(s: Subject) -> Iterator[Hit]:
    heads = [m for m in s.members if m.relation == Relation.HEAD]
    if len(heads) != 1 or heads[0].sex not in SEX_VALUES:
        return
    for m in s.members:
        if m.relation == Relation.SPOUSE and m.sex == heads[0].sex:
            yield Hit(_("户主与配偶性别相同"), "sex", m, {"sex": m.sex})


def _per_head(value: Decimal | int | None, s: Subject) -> Decimal | None:
    if not value or not s.members:
        return None
    return (Decimal(value) / len(s.members)).quantize(Decimal("0.01"))


@rule("logic_land_per_head", Category.LOGIC, gettext_lazy("人均耕地超过50亩"))
def logic_land_per_head(s: Subject) -> Iterator[Hit]:
    per = _per_head(s.household.cultivated_land, s)
    if per is not None and per > LAND_PER_HEAD_MU:
        yield Hit(_("人均耕地 %(v)s 亩，超过 50 亩") % {"v": per}, "cultivated_land",
                  values={"cultivated_land": _money(s.household.cultivated_land), "members": len(s.members)})


@rule("logic_forest_per_head", Category.LOGIC, gettext_lazy("人均林地超过70亩"))
def logic_forest_per_head(s: Subject) -> Iterator[Hit]:
    per = _per_head(s.household.forest_land, s)
    if per is not None and per > FOREST_PER_HEAD_MU:
        yield Hit(_("人均林地 %(v)s 亩，超过 70 亩") % {"v": per}, "forest_land",
                  values={"forest_land": _money(s.household.forest_land), "members": len(s.members)})


@rule("logic_road_distance", Category.LOGIC, gettext_lazy("与村主干路距离超过50公里"))
def logic_road_distance(s: Subject) -> Iterator[Hit]:
    d = s.household.road_distance_km
    if d and Decimal(d) > ROAD_DISTANCE_KM:
        yield Hit(_("与村主干路距离 %(v)s 公里，超过 50 公里") % {"v": d}, "road_distance_km",
                  values={"road_distance_km": _money(d)})


@rule("logic_young_senior_education", Category.LOGIC, gettext_lazy("14岁及以下文化程度为高中及以上"))
def logic_young_senior_education(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        age = s.age(m)
        if age is not None and age <= 14 and m.education in SENIOR_OR_MORE:
            yield Hit(_("%(a)d 岁，文化程度却为“%(e)s”") % {"a": age, "e": _label(Education, m.education)},
                      "education", m, {"age": age, "education": m.education})


@rule("logic_adult_primary_pupil", Category.LOGIC, gettext_lazy("20岁及以上仍为小学在校生"))
def logic_adult_primary_pupil(s: Subject) -> Iterator[Hit]:
    for m in s.members:
        age = s.age(m)
        if age is not None and age >= 20 and m.school_status == SchoolStatus.PRIMARY:
            yield Hit(_("%(a)d 岁，仍为小学在校生") % {"a": age}, "school_status", m,
                      {"age": age, "school_status": m.school_status})


#: Rules whose findings tell a member's health or disability (hidden from roles that may not see it).
HEALTH_RULES = frozenset(code for code, r in RULES.items() if r.health)
