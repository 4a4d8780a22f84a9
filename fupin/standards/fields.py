"""The whitelist of what a condition may read (issue 13 item 2): household fields, the year's record and
aggregates over the household's active members. Each field is defined twice, side by side, so the two
cannot drift apart unnoticed: ``value`` reads it from one household's facts (Python, for the reason shown
to a person) and ``expression`` builds it for a queryset of households (SQL, for the bulk answer). The
tests assert both give the same outcome.

Nothing here is free code a county admin writes: an admin picks a field by its key from this table.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Expression, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from fupin.registry.choices import (
    Attribute,
    Cause,
    DangerGrade,
    Health,
    HouseStructure,
    Labour,
    SchoolStatus,
    Status,
)
from fupin.registry.models import Household, Member, YearlyRecord

#: Field types: which operators they take and how a value is read and shown.
MONEY, NUMBER, INTEGER, BOOLEAN, CHOICE = "money", "number", "integer", "boolean", "choice"


@dataclass
class Facts:
    """One household as the single evaluation reads it: the household, its active members, the year's
    record (None when the year has none) and the year's poverty line at its area (None when no line)."""

    household: Household
    members: list[Member]
    record: YearlyRecord | None
    year: int
    poverty_line: Decimal | None


@dataclass(frozen=True)
class Field:
    key: str
    label: Any
    type: str
    value: Callable[[Facts], Any]
    expression: Callable[[int], Expression | F] | MemberAggregate
    choices: tuple[tuple[str, Any], ...] = field(default=())
    unit: str = ""
    #: The YearlyRecord column the field reads ("" for the others): in bulk, engine.annotate reads it from
    #: one LEFT JOIN on the year's record instead of a scalar subquery per reference.
    record_column: str = ""


def _attr(name: str) -> Callable[[Facts], Any]:
    return lambda facts: getattr(facts.household, name)


def _column(name: str) -> Callable[[int], F]:
    return lambda year: F(name)


def _record_attr(name: str) -> Callable[[Facts], Any]:
    return lambda facts: getattr(facts.record, name) if facts.record is not None else None


def _record_column(name: str) -> Callable[[int], Subquery]:
    return lambda year: Subquery(YearlyRecord.objects.filter(household=OuterRef("pk"), year=year).values(name)[:1])


def school_age_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """Compulsory-school age (义务教育阶段) in ``year``: 6 to 15 years old on 31 August, i.e. born after
    31 August of year−16 and on or before 31 August of year−6."""
    return datetime.date(year - 16, 8, 31), datetime.date(year - 6, 8, 31)


def _out_of_school(member: Member, year: int) -> bool:
    after, until = school_age_bounds(year)
    return after < member.birth_date <= until and member.school_status == SchoolStatus.NONE


def _any_member(test: Callable[[Member, int], bool]) -> Callable[[Facts], bool]:
    return lambda facts: any(test(m, facts.year) for m in facts.members)


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` (over Member) with every lookup read through the household's ``prefix`` relation."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    out.children = [_prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}__{child[0]}", child[1])
                    for child in q.children]
    return out


@dataclass(frozen=True)
class MemberAggregate:
    """A field over the household's active members, from one Q over Member: whether any member matches
    (``exists``) or how many do. Called with the year it is the correlated subquery (EXISTS / COUNT) the
    per-row queries use; ``aggregate(year)`` is the same as a COUNT over the joined members, for a query
    that groups by household and reads every member once (engine.grouped_answers)."""

    q: Callable[[int], Q]
    exists: bool

    def __call__(self, year: int) -> Expression:
        matching = Member.objects.filter(self.q(year), household=OuterRef("pk"), active=True)
        if self.exists:
            return Exists(matching)
        counted = matching.order_by().values("household").annotate(n=Count("pk")).values("n")[:1]
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    def aggregate(self, year: int) -> Count:
        return Count("members", filter=Q(members__active=True) & _prefixed(self.q(year), "members"))


def _exists_member(q: Callable[[int], Q]) -> MemberAggregate:
    return MemberAggregate(q, exists=True)


def _school_q(year: int) -> Q:
    after, until = school_age_bounds(year)
    return Q(birth_date__gt=after, birth_date__lte=until, school_status=SchoolStatus.NONE)


#: 劳动力 as the scoring counts it: aged 16 to 60 at the end of the year, healthy, of normal or skilled labour.
WORKING_AGE = (16, 60)
ABLE_LABOUR = (Labour.NORMAL, Labour.SKILLED)
#: 在校生 (a schooling cost): any school status but none and pre-school.
NOT_STUDYING = (SchoolStatus.NONE, SchoolStatus.PRESCHOOL)


def _able_labour(member: Member, year: int) -> bool:
    return (WORKING_AGE[0] <= year - member.birth_date.year <= WORKING_AGE[1]
            and member.health == Health.HEALTHY and member.labour in ABLE_LABOUR)


def _able_labour_q(year: int) -> Q:
    return Q(birth_date__gte=datetime.date(year - WORKING_AGE[1], 1, 1),
             birth_date__lte=datetime.date(year - WORKING_AGE[0], 12, 31),
             health=Health.HEALTHY, labour__in=ABLE_LABOUR)


def _count_members(test: Callable[[Member, int], bool]) -> Callable[[Facts], int]:
    return lambda facts: sum(1 for m in facts.members if test(m, facts.year))


def _count_members_sql(q: Callable[[int], Q]) -> MemberAggregate:
    return MemberAggregate(q, exists=False)


FIELDS: dict[str, Field] = {f.key: f for f in [
    # The year's record (年度收入与保障)
    Field("per_capita_income", _("人均纯收入"), MONEY, _record_attr("per_capita_income"),
          _record_column("per_capita_income"), record_column="per_capita_income", unit="元"),
    Field("net_income", _("家庭纯收入"), MONEY, _record_attr("net_income"), _record_column("net_income"),
          record_column="net_income", unit="元"),
    Field("transfer_income", _("转移性收入"), MONEY, _record_attr("transfer_income"),
          _record_column("transfer_income"), record_column="transfer_income", unit="元"),
    Field("food_clothing_secure", _("不愁吃、不愁穿"), BOOLEAN, _record_attr("food_clothing_secure"),
          _record_column("food_clothing_secure"), record_column="food_clothing_secure"),
    # The household (REFERENCE §1)
    Field("status", _("户状态"), CHOICE, _attr("status"), _column("status"), choices=tuple(Status.choices)),
    Field("attribute", _("贫困户属性"), CHOICE, _attr("attribute"), _column("attribute"),
          choices=tuple(Attribute.choices)),
    Field("main_cause", _("主要致贫原因"), CHOICE, _attr("main_cause"), _column("main_cause"),
          choices=tuple(Cause.choices)),
    Field("member_count", _("家庭人口"), INTEGER, _attr("member_count"), _column("member_count"), unit="人"),
    Field("house_area", _("住房面积"), NUMBER, _attr("house_area"), _column("house_area"), unit="平方米"),
    Field("danger_grade", _("危房等级"), CHOICE, _attr("danger_grade"), _column("danger_grade"),
          choices=(("", _("非危房/未评定")), *DangerGrade.choices)),
    Field("water_safe", _("饮水是否安全"), BOOLEAN, _attr("water_safe"), _column("water_safe")),
    Field("water_difficulty", _("饮水是否困难"), BOOLEAN, _attr("water_difficulty"), _column("water_difficulty")),
    Field("domestic_power", _("是否通生活用电"), BOOLEAN, _attr("domestic_power"), _column("domestic_power")),
    Field("relocated", _("是否易地扶贫搬迁户"), BOOLEAN, _attr("relocated"), _column("relocated")),
    Field("cultivated_land", _("耕地面积"), NUMBER, _attr("cultivated_land"), _column("cultivated_land"), unit="亩"),
    Field("house_structure", _("房屋结构"), CHOICE, _attr("house_structure"), _column("house_structure"),
          choices=(("", _("未填报")), *HouseStructure.choices)),
    # 七不进 facts recorded on the household (REFERENCE §3 negative list)
    Field("vehicle_price", _("机动车购置价（不含农用车）"), NUMBER, _attr("vehicle_price"), _column("vehicle_price"),
          unit="元"),
    Field("urban_property", _("在城镇有商品房、自建房或门面"), BOOLEAN, _attr("urban_property"),
          _column("urban_property")),
    Field("operating_business", _("成员有登记并经营的市场主体"), BOOLEAN, _attr("operating_business"),
          _column("operating_business")),
    Field("large_scale_operation", _("规模种养殖或雇工经营"), BOOLEAN, _attr("large_scale_operation"),
          _column("large_scale_operation")),
    Field("registered_not_resident", _("户在人不在（空挂户）"), BOOLEAN, _attr("registered_not_resident"),
          _column("registered_not_resident")),
    Field("false_information", _("提供虚假信息"), BOOLEAN, _attr("false_information"), _column("false_information")),
    # Aggregates over the active members (在户成员)
    Field("any_member_without_medical_insurance", _("有成员未参加基本医疗保险"), BOOLEAN,
          _any_member(lambda m, y: not m.medical_insurance),
          _exists_member(lambda y: Q(medical_insurance=False))),
    Field("any_member_without_serious_illness_insurance", _("有成员未参加大病保险"), BOOLEAN,
          _any_member(lambda m, y: not m.serious_illness_insurance),
          _exists_member(lambda y: Q(serious_illness_insurance=False))),
    Field("any_member_seriously_ill", _("有成员患大病"), BOOLEAN,
          _any_member(lambda m, y: m.health == Health.SERIOUS), _exists_member(lambda y: Q(health=Health.SERIOUS))),
    Field("any_member_disabled", _("有成员残疾"), BOOLEAN,
          _any_member(lambda m, y: m.health == Health.DISABLED), _exists_member(lambda y: Q(health=Health.DISABLED))),
    Field("any_school_age_child_out_of_school", _("有义务教育阶段适龄儿童未在校"), BOOLEAN,
          _any_member(_out_of_school), _exists_member(_school_q)),
    Field("any_member_on_dibao", _("有成员享受低保"), BOOLEAN,
          _any_member(lambda m, y: m.on_dibao), _exists_member(lambda y: Q(on_dibao=True))),
    Field("any_member_public_servant", _("有成员为财政供养人员"), BOOLEAN,
          _any_member(lambda m, y: m.public_servant), _exists_member(lambda y: Q(public_servant=True))),
    Field("any_member_village_official", _("有成员为村委会成员"), BOOLEAN,
          _any_member(lambda m, y: m.village_official), _exists_member(lambda y: Q(village_official=True))),
    Field("labour_count", _("劳动力人数（16–60 岁、健康、普通或技能劳动力）"), INTEGER,
          _count_members(_able_labour), _count_members_sql(_able_labour_q), unit="人"),
    Field("student_count", _("在校生人数（学前除外）"), INTEGER,
          _count_members(lambda m, y: m.school_status not in NOT_STUDYING),
          _count_members_sql(lambda y: ~Q(school_status__in=NOT_STUDYING)), unit="人"),
]}

#: The special value of a money condition that means "the year's poverty line at the household's area"
#: (the most specific line wins: fupin.registry.rules.PovertyLines).
POVERTY_LINE = "@poverty_line"
POVERTY_LINE_LABEL = _("当年标准")
