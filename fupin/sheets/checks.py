"""REFERENCE §6 data-quality checks that can be decided from one household, for the import.

The registry's own rules (ID numbers, birth date and sex against the ID, relation against sex, one
head, other cause ≠ main cause, months 0–12 with a status, 低保金 without 低保 …) are errors: the
models refuse them. What is left here are the national data-cleaning rules' *疑点* (suspicious
records): true facts can trigger them, so they are reported as 提示 for a cadre to verify, and do not
stop the import. The checks across households (§6.11 duplicates) are errors in the importer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.registry.choices import Attribute, Cause, Education, Health, Labour, Relation, SchoolStatus, Sex

STUDYING = {s for s in SchoolStatus.values if s not in (SchoolStatus.NONE, SchoolStatus.PRESCHOOL)}
SENIOR_OR_MORE = {Education.SENIOR, Education.VOCATIONAL, Education.COLLEGE}
ILL = {Health.CHRONIC, Health.SERIOUS}


def _age(member, today: datetime.date) -> int | None:
    b = member.birth_date
    if not isinstance(b, datetime.date):
        return None
    return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


def household_checks(household, member_plans, missing, yearly) -> Iterator[tuple[int | None, str | None, str]]:
    """(sheet row or None for the household's first row, column header, message) for each 疑点."""
    today = timezone.localdate()
    rows = [(mp.row, mp.obj) for mp in member_plans if mp.obj is not None] + [(None, m) for m in missing]
    people = [m for _r, m in rows]
    causes = {household.main_cause, *(household.other_causes or [])}

    # §6.4 causes against the members
    if Cause.ILLNESS in causes and not any(m.health in ILL for m in people):
        yield None, "主要致贫原因", _("致贫原因含“因病”，但家庭成员中没有患病（长期慢性病或大病）的人")
    if Cause.DISABILITY in causes and not any(m.health == Health.DISABLED for m in people):
        yield None, "主要致贫原因", _("致贫原因含“因残”，但家庭成员中没有残疾人")
    if Cause.SCHOOLING in causes and not any(m.school_status in STUDYING for m in people):
        yield None, "主要致贫原因", _("致贫原因含“因学”，但家庭成员中没有在校生")

    # §6.5 低保 / 特困
    if household.attribute == Attribute.DIBAO and not any(m.on_dibao for m in people):
        yield None, "贫困户属性", _("低保贫困户，但没有成员享受低保")
    if household.attribute == Attribute.GENERAL and any(m.on_dibao for m in people):
        yield None, "贫困户属性", _("一般贫困户，但有成员享受低保")

    heads = [m for m in people if m.relation == Relation.HEAD]
    spouses = [m for m in people if m.relation == Relation.SPOUSE]
    if heads and spouses and heads[0].sex in Sex.values and spouses[0].sex == heads[0].sex:
        row = next(r for r, m in rows if m is spouses[0])
        yield row, "性别", _("户主与配偶性别相同")

    for row, m in rows:
        if row is None:
            continue
        age = _age(m, today)
        # §6.3 missing key fields
        if m.health == Health.DISABLED and not m.disability_cert_no:
            yield row, "残疾证号", _("健康状况为残疾，但没有残疾证号")
        if age is not None and 16 <= age <= 65 and not m.labour and m.school_status not in STUDYING:
            yield row, "劳动能力", _("16–65 岁的成员应填写劳动能力")
        if age is not None and age >= 6 and m.school_status in (SchoolStatus.NONE, "") and not m.education:
            yield row, "文化程度", _("非在校生应填写文化程度")
        # §6.6 labour
        if age is not None and 16 <= age <= 60 and m.health == Health.HEALTHY and m.labour in (
                Labour.NONE, Labour.LOST) and m.school_status not in STUDYING:
            yield row, "劳动能力", _("劳动年龄内的健康成员，劳动能力却为“%(l)s”") % {"l": Labour(m.labour).label}
        # §6.8 migrant work
        if m.work_status and m.labour in (Labour.NONE, Labour.LOST):
            yield row, "务工状况", _("无劳动能力却在外务工")
        # §6.10 logic
        if age is not None and age <= 14 and m.education in SENIOR_OR_MORE:
            yield row, "文化程度", _("14 岁及以下，文化程度却为高中及以上")
        if age is not None and age >= 20 and m.school_status == SchoolStatus.PRIMARY:
            yield row, "在校生状况", _("20 岁及以上仍为小学在校生")

    n = max(len(people), 1)
    if household.cultivated_land and Decimal(household.cultivated_land) / n > 50:
        yield None, "耕地面积", _("人均耕地超过 50 亩")
    if household.forest_land and Decimal(household.forest_land) / n > 70:
        yield None, "林地面积", _("人均林地超过 70 亩")
    if household.road_distance_km and Decimal(household.road_distance_km) > 50:
        yield None, "与村主干路距离", _("与村主干路距离超过 50 公里")

    # §6.7 / §6.8 income
    if yearly is not None:
        if yearly.business_income and not yearly.business_expense:
            yield None, "生产经营性支出", _("有生产经营性收入，但没有生产经营性支出")
        if yearly.per_capita_income <= 0 or yearly.per_capita_income > 100000:
            yield None, "工资性收入", _("人均纯收入 %(v)s 元，不在 0–100,000 元之间") % {"v": yearly.per_capita_income}
        working = any(m.work_status for m in people)
        if yearly.wage_income and not working:
            yield None, "工资性收入", _("有工资性收入，但没有成员务工")
        if working and not yearly.wage_income:
            yield None, "工资性收入", _("有成员务工，但工资性收入为 0")
