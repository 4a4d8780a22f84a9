"""fupin.quality.rules: each REFERENCE §6 rule fires on the record it describes and on nothing else.

The rules read attributes only, so these tests use unsaved model instances (no database)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest

from fupin.quality.rules import RULES, Subject, check
from fupin.registry.choices import (
    Attribute,
    Cause,
    DangerGrade,
    Education,
    Health,
    Labour,
    Relation,
    SchoolStatus,
    Status,
)
from fupin.registry.models import Household, Member, YearlyRecord

TODAY = datetime.date(2020, 6, 30)


def person(relation: str, sex: str, age: int, **fields) -> Member:
    m = Member(relation=relation, sex=sex, birth_date=datetime.date(TODAY.year - age, 1, 1), name=relation,
               education=Education.JUNIOR, labour=Labour.NORMAL)
    for name, value in fields.items():
        setattr(m, name, value)
    return m


def clean() -> Subject:
    """A household that no rule questions: a working head, his wife, a pupil; income above the line."""
    h = Household(number="H1", area_path="530324100201", main_cause=Cause.SKILLS, other_causes=[Cause.FUNDS],
                  attribute=Attribute.GENERAL, status=Status.POOR, road_type="cement", fuel="firewood",
                  house_area=Decimal("90"), cultivated_land=Decimal("6"), forest_land=Decimal("3"),
                  road_distance_km=Decimal("1.5"), identified_year=2014)
    members = [
        person(Relation.HEAD, "1", 40, work_status="outside", work_months=8),
        person(Relation.SPOUSE, "2", 38, education=Education.PRIMARY),
        person(Relation.SON, "1", 10, education=Education.PRIMARY, school_status=SchoolStatus.PRIMARY, labour=""),
    ]
    y = YearlyRecord(year=2019, member_count=3, wage_income=Decimal("15000"), business_income=Decimal("3000"),
                     business_expense=Decimal("800"), poverty_line=Decimal("3218"))
    y.derive()
    return Subject(h, members, y, TODAY)


def head(s: Subject) -> Member:
    return s.members[0]


def wife(s: Subject) -> Member:
    return s.members[1]


def child(s: Subject) -> Member:
    return s.members[2]


def exited(s: Subject) -> None:
    s.household.status = Status.EXITED


def income(s: Subject, **values) -> None:
    for name, value in values.items():
        setattr(s.yearly, name, Decimal(value))
    s.yearly.derive()


#: One way to raise each rule, applied to ``clean()``. The table and RULES are kept in step below.
CASES: dict[str, Callable[[Subject], None]] = {
    "exit_income_below_line": lambda s: (exited(s), income(s, wage_income="3000", business_income="0")),
    "exit_dropout": lambda s: (exited(s), setattr(child(s), "school_status", SchoolStatus.NONE)),
    "exit_dangerous_house": lambda s: (exited(s), setattr(s.household, "danger_grade", DangerGrade.D)),
    "exit_no_house": lambda s: (exited(s), setattr(s.household, "house_area", Decimal("0"))),
    "exit_unsafe_water": lambda s: (exited(s), setattr(s.household, "water_safe", False)),
    "exit_ill_uninsured": lambda s: (exited(s), setattr(wife(s), "health", Health.SERIOUS),
                                     setattr(wife(s), "serious_illness_insurance", False)),
    "missing_head": lambda s: setattr(head(s), "relation", Relation.OTHER),
    "missing_main_cause": lambda s: setattr(s.household, "main_cause", ""),
    "missing_living_conditions": lambda s: setattr(s.household, "fuel", ""),
    "missing_ethnicity": lambda s: setattr(wife(s), "ethnicity", ""),
    "missing_education": lambda s: setattr(wife(s), "education", ""),
    "missing_school_status": lambda s: setattr(child(s), "school_status", ""),
    "missing_health": lambda s: setattr(wife(s), "health", ""),
    "missing_labour": lambda s: setattr(wife(s), "labour", ""),
    "missing_disability_certificate": lambda s: setattr(wife(s), "health", Health.DISABLED),
    "cause_illness_nobody_ill": lambda s: setattr(s.household, "main_cause", Cause.ILLNESS),
    "cause_disability_nobody_disabled": lambda s: setattr(s.household, "other_causes", [Cause.DISABILITY]),
    "cause_schooling_no_student": lambda s: (setattr(s.household, "main_cause", Cause.SCHOOLING),
                                             setattr(child(s), "school_status", SchoolStatus.PRESCHOOL)),
    "dibao_household_without_dibao": lambda s: setattr(s.household, "attribute", Attribute.DIBAO),
    "dibao_amount_zero": lambda s: (setattr(s.household, "attribute", Attribute.DIBAO),
                                    setattr(wife(s), "on_dibao", True)),
    "general_household_on_dibao": lambda s: setattr(wife(s), "on_dibao", True),
    "tekun_household_able_member": lambda s: setattr(s.household, "attribute", Attribute.TEKUN),
    "dibao_and_tekun": lambda s: (setattr(s.household, "attribute", Attribute.DIBAO),
                                  setattr(wife(s), "on_dibao", True), setattr(wife(s), "dibao_amount", Decimal(900)),
                                  setattr(wife(s), "on_tekun", True)),
    "labour_healthy_without_labour": lambda s: setattr(wife(s), "labour", Labour.NONE),
    "income_business_without_expense": lambda s: income(s, business_expense="0"),
    "income_per_capita_out_of_range": lambda s: income(s, wage_income="0", business_income="0",
                                                       business_expense="10"),
    "migrant_place_without_months": lambda s: setattr(head(s), "work_months", 0),
    "migrant_months_without_place": lambda s: setattr(wife(s), "work_months", 3),
    "migrant_without_labour": lambda s: setattr(head(s), "labour", Labour.LOST),
    "migrant_wage_nobody_working": lambda s: (setattr(head(s), "work_status", ""),
                                              setattr(head(s), "work_months", 0)),
    "migrant_working_without_wage": lambda s: income(s, wage_income="0"),
    "logic_relation_sex": lambda s: setattr(child(s), "sex", "2"),
    "logic_head_spouse_same_sex": lambda s: setattr(wife(s), "sex", "1"),
    "logic_land_per_head": lambda s: setattr(s.household, "cultivated_land", Decimal("151")),
    "logic_forest_per_head": lambda s: setattr(s.household, "forest_land", Decimal("211")),
    "logic_road_distance": lambda s: setattr(s.household, "road_distance_km", Decimal("50.5")),
    "logic_young_senior_education": lambda s: setattr(child(s), "education", Education.SENIOR),
    "logic_adult_primary_pupil": lambda s: setattr(wife(s), "school_status", SchoolStatus.PRIMARY),
}


def test_every_rule_has_a_case_and_every_case_a_rule():
    assert set(CASES) == set(RULES)


def test_a_clean_household_raises_nothing():
    assert check(clean()) == []


@pytest.mark.parametrize("code", list(CASES))
def test_each_rule_fires_on_its_case(code):
    s = clean()
    CASES[code](s)
    hits = [h for h in check(s) if h.rule == code]
    assert hits, f"{code} did not fire"
    for hit in hits:
        assert any("\u4e00" <= c <= "\u9fff" for c in hit.message), hit.message  # said in Chinese
        # The field names a registry field, so that the importer can name the column and a form the field.
        owners = [Member] if hit.member is not None else [Household, YearlyRecord, Member]
        assert any(hit.field in {f.name for f in m._meta.get_fields()} for m in owners), hit.field


def test_a_rule_fires_on_its_record_only():
    s = clean()
    CASES["logic_relation_sex"](s)
    assert [(h.rule, h.member) for h in check(s)] == [("logic_relation_sex", child(s))]


@pytest.mark.parametrize(("age", "fires"), [(60, True), (61, False), (15, False), (16, True)])
def test_working_age_for_labour_is_16_to_60(age, fires):
    s = clean()
    w = wife(s)
    w.birth_date, w.labour = datetime.date(TODAY.year - age, 1, 1), Labour.NONE
    assert any(h.rule == "labour_healthy_without_labour" for h in check(s)) is fires


@pytest.mark.parametrize(("land", "fires"), [("150", False), ("150.03", True)])
def test_land_per_head_threshold_is_50_mu_exclusive(land, fires):
    s = clean()
    s.household.cultivated_land = Decimal(land)
    assert any(h.rule == "logic_land_per_head" for h in check(s)) is fires


def test_a_cancelled_household_has_no_findings():
    s = clean()
    CASES["logic_relation_sex"](s)
    s.household.status = Status.CANCELLED
    assert check(s) == []


def test_values_are_json_ready():
    import json

    for case in CASES.values():
        s = clean()
        case(s)
        for hit in check(s):
            json.dumps(hit.values)  # stored in a JSONField as they are
