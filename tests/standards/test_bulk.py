"""In bulk: a rule set is one query over households, and gives the same answer, condition by condition,
as the one-household evaluation (hypothesis draws the conditions; the households are fixed and varied)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.registry.choices import Health, Relation, SchoolStatus
from fupin.registry.models import Household, PovertyLine
from fupin.registry.services import poverty_lines
from fupin.standards import engine
from fupin.standards.engine import TYPE_OPERATORS
from fupin.standards.fields import BOOLEAN, CHOICE, FIELDS, INTEGER, MONEY, POVERTY_LINE, MemberAggregate
from tests import factories

from .helpers import YEAR, household, national_line

pytestmark = pytest.mark.django_db

PEOPLE = [1, 2, 3, 4]


def _member(rng: random.Random, relation: str) -> dict:
    school_age = relation == Relation.SON and rng.random() < 0.7
    born = datetime.date(YEAR - rng.randint(6, 15), 3, 1) if school_age else datetime.date(rng.randint(1940, 1995), 3, 1)
    return factories.member_data(
        relation, "1" if relation != Relation.SPOUSE else "2", birth=born,
        medical_insurance=rng.random() < 0.8, serious_illness_insurance=rng.random() < 0.8,
        health=rng.choice([Health.HEALTHY, Health.HEALTHY, Health.SERIOUS, Health.DISABLED]),
        school_status=rng.choice([SchoolStatus.NONE, SchoolStatus.PRIMARY]) if school_age else SchoolStatus.NONE,
        on_dibao=rng.random() < 0.2)


def varied_households(tree, n: int = 24) -> list[Household]:
    """Households around the lines: some with no record, some exactly on a line, every fact varied."""
    rng = random.Random(13)
    national_line()
    PovertyLine.objects.create(year=YEAR, area=tree["village_a2"], kind="city", amount=Decimal("3335"))
    villages = [tree["village_a1"], tree["village_a2"], tree["village_b1"]]
    made = []
    for i in range(n):
        members = [_member(rng, Relation.HEAD)] + [_member(rng, rng.choice([Relation.SPOUSE, Relation.SON]))
                                                   for _ in range(rng.randint(0, 2))]
        people = len(members)
        line = rng.choice([Decimal("2952"), Decimal("3335")])
        per_head = line + rng.choice([Decimal("-1"), Decimal("0"), Decimal("1"), Decimal("-500"), Decimal("900")])
        fields = {"income": None if i % 7 == 3 else per_head * people, "food": rng.choice([True, True, False, None]),
                  "danger_grade": rng.choice(["", "", "A", "C", "D"]),
                  "house_area": rng.choice([Decimal(0), Decimal("60.5")]),
                  "water_safe": rng.random() < 0.8, "water_difficulty": rng.random() < 0.2}
        if i % 4 == 0:  # one in four meets every exit criterion, so that the sample has both answers
            for member in members:
                member.update(medical_insurance=True, serious_illness_insurance=True)
                if member["birth_date"].year > YEAR - 17:  # a child of school age goes to school
                    member["school_status"] = SchoolStatus.PRIMARY
            fields.update(income=Decimal(4000) * people, food=True, danger_grade="", house_area=Decimal("60.5"),
                          water_safe=True, water_difficulty=False)
        made.append(household(villages[i % 3], members=members, people=people, relocated=rng.random() < 0.3,
                              cultivated_land=Decimal(rng.randint(0, 8)), **fields))
    return made


def _value(field, op):
    if field.type == CHOICE:
        codes = [c for c, _label in field.choices]
        return st.lists(st.sampled_from(codes), min_size=1, max_size=3) if op in ("in", "not_in") \
            else st.sampled_from(codes)
    if field.type == INTEGER:
        return st.lists(st.integers(0, 5), min_size=1, max_size=3) if op in ("in", "not_in") else st.integers(0, 5)
    numbers = st.sampled_from(["0", "60.5", "2951", "2952", "3335", "3336", "4000", "-1"])
    if field.type == MONEY:
        return st.one_of(st.just(POVERTY_LINE), numbers)
    return numbers


@st.composite
def conditions(draw):
    key = draw(st.sampled_from(sorted(FIELDS)))
    field = FIELDS[key]
    op = draw(st.sampled_from(TYPE_OPERATORS[field.type]))
    if field.type == BOOLEAN or op in engine.NO_VALUE:
        return {"field": key, "op": op}
    return {"field": key, "op": op, "value": draw(_value(field, op))}


def test_bulk_matches_one_by_one_on_the_seeded_exit_rule(tree, django_assert_num_queries):
    import importlib

    from fupin.standards.migrations import __name__ as pkg

    seed = importlib.import_module(f"{pkg}.0002_standards_exit_criteria")
    made = varied_households(tree)
    parsed = engine.parse_conditions(seed.CONDITIONS)
    lines = poverty_lines()
    with django_assert_num_queries(1):
        bulk = engine.outcomes_by_household(Household.objects.all(), parsed, "all", YEAR, lines)
    assert len(bulk) == len(made)
    for h in made:
        one = engine.evaluate(parsed, "all", engine.facts_for(h, YEAR, lines))
        assert bulk[h.pk] == (one.holds, tuple(o.holds for o in one.outcomes)), h.number
    # The sample is varied: some pass, some fail, and every criterion fails somewhere.
    assert {holds for holds, _each in bulk.values()} == {True, False}
    assert all(any(not each[i] for _holds, each in bulk.values()) for i in range(len(parsed)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(drawn=st.lists(conditions(), min_size=1, max_size=4), match=st.sampled_from(["all", "any"]))
def test_bulk_matches_one_by_one_for_any_conditions(tree, drawn, match):
    if not Household.objects.exists():  # built once; the test's transaction keeps them for every example
        varied_households(tree)
    parsed = engine.parse_conditions(drawn)
    lines = poverty_lines()
    bulk = engine.outcomes_by_household(Household.objects.all(), parsed, match, YEAR, lines)
    for h in Household.objects.all():
        one = engine.evaluate(parsed, match, engine.facts_for(h, YEAR, lines))
        assert bulk[h.pk] == (one.holds, tuple(o.holds for o in one.outcomes)), (h.number, drawn)


def test_which_households_in_an_area_pass_is_one_query(tree, django_assert_num_queries):
    varied_households(tree)
    parsed = engine.parse_conditions([{"field": "per_capita_income", "op": "gt", "value": POVERTY_LINE},
                                      {"field": "any_member_without_medical_insurance", "op": "is_false"}])
    lines = poverty_lines()
    in_township = Household.objects.filter(area_path__startswith=tree["township_a"].path)
    with django_assert_num_queries(1):
        passing = set(engine.holding(in_township, parsed, "all", YEAR, lines).values_list("pk", flat=True))
    expected = {h.pk for h in in_township if engine.evaluate(parsed, "all", engine.facts_for(h, YEAR, lines)).holds}
    assert passing == expected
    assert passing  # the sample has households that pass


def test_preview_of_an_edit_is_one_query_and_counts_the_changes(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    varied_households(tree)
    old = engine.parse_conditions([{"field": "per_capita_income", "op": "gt", "value": POVERTY_LINE}])
    new = engine.parse_conditions([{"field": "per_capita_income", "op": "gt", "value": POVERTY_LINE},
                                   {"field": "house_area", "op": "gt", "value": 0}])
    lines = poverty_lines()
    with CaptureQueriesContext(connection) as queries:
        shown = engine.preview(Household.objects.all(), (old, "all"), (new, "any"), YEAR, lines)
    # One SELECT; on PostgreSQL also the savepoint and the SET LOCAL of fupin.lib.jit.without_jit.
    assert [q["sql"].split()[0] for q in queries.captured_queries if not q["sql"].startswith(
        ("SAVEPOINT", "RELEASE SAVEPOINT", "SET LOCAL"))] == ["SELECT"]
    before = {h.pk: engine.evaluate(old, "all", engine.facts_for(h, YEAR, lines)).holds
              for h in Household.objects.all()}
    after = {h.pk: engine.evaluate(new, "any", engine.facts_for(h, YEAR, lines)).holds
             for h in Household.objects.all()}
    assert shown == engine.Preview(
        total=len(before), before=sum(before.values()), after=sum(after.values()),
        gained=sum(1 for pk in before if after[pk] and not before[pk]),
        lost=sum(1 for pk in before if before[pk] and not after[pk]))
    assert shown.gained > 0 and shown.lost == 0


MEMBER_FIELDS = sorted(k for k, f in FIELDS.items() if isinstance(f.expression, MemberAggregate))


@st.composite
def member_conditions(draw):
    """A condition on a member field (counted over the joined members in the preview's grouped query)."""
    key = draw(st.sampled_from(MEMBER_FIELDS))
    field = FIELDS[key]
    op = draw(st.sampled_from(TYPE_OPERATORS[field.type]))
    if field.type == BOOLEAN or op in engine.NO_VALUE:
        return {"field": key, "op": op}
    return {"field": key, "op": op, "value": draw(_value(field, op))}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(old=st.lists(st.one_of(member_conditions(), conditions()), min_size=1, max_size=4),
       new=st.lists(st.one_of(member_conditions(), conditions()), min_size=1, max_size=4),
       match=st.sampled_from(["all", "any"]))
def test_the_preview_with_member_fields_equals_judging_one_by_one(tree, old, new, match):
    if not Household.objects.exists():
        varied_households(tree)
    lines = poverty_lines()
    old_parsed, new_parsed = engine.parse_conditions(old), engine.parse_conditions(new)
    shown = engine.preview(Household.objects.all(), (old_parsed, match), (new_parsed, "all"), YEAR, lines)
    facts = [engine.facts_for(h, YEAR, lines) for h in Household.objects.all()]
    before = [engine.evaluate(old_parsed, match, f).holds for f in facts]
    after = [engine.evaluate(new_parsed, "all", f).holds for f in facts]
    assert shown == engine.Preview(total=len(facts), before=sum(before), after=sum(after),
                                   gained=sum(1 for b, a in zip(before, after, strict=True) if a and not b),
                                   lost=sum(1 for b, a in zip(before, after, strict=True) if b and not a))
