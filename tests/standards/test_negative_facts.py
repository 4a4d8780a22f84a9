"""The recorded facts of the negative list (七不进): on the household and on members, each read the same
way for one household (Python) and for a queryset (SQL); the seeded national 七不进 rules name the fact
that excludes a household, and 四进 the hint that includes one."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from fupin.registry.choices import Health, Labour, Relation, SchoolStatus
from fupin.registry.models import Household
from fupin.registry.services import poverty_lines
from fupin.standards import engine, services
from fupin.standards.fields import FIELDS
from fupin.standards.models import RuleKind

from .helpers import YEAR, adult, child, household, national_line

pytestmark = pytest.mark.django_db

seed = importlib.import_module("fupin.standards.migrations.0004_stdpages_seed_negative_inclusion_scoring")

NEW_FIELDS = ["vehicle_price", "urban_property", "operating_business", "large_scale_operation",
              "registered_not_resident", "false_information", "any_member_public_servant",
              "any_member_village_official", "labour_count", "student_count", "house_structure"]


@pytest.fixture
def rules(db):
    seed.add_rules(apps, None)  # idempotent; a transactional test elsewhere may have emptied the table
    national_line()


def varied(tree) -> list[Household]:
    v = tree["village_a1"]
    return [
        household(v, income="6000"),
        household(v, income="6000", vehicle_price=Decimal("30000")),
        household(v, income="6000", vehicle_price=Decimal("29999.99")),
        household(v, income="6000", urban_property=True, house_structure="concrete"),
        household(v, income="6000", operating_business=True, large_scale_operation=True),
        household(v, income="6000", registered_not_resident=True, false_information=True),
        household(v, income="6000", members=[adult(public_servant=True), adult(Relation.SPOUSE, "2")]),
        household(v, income="6000", members=[adult(village_official=True), adult(Relation.SPOUSE, "2")]),
        household(v, income="6000", members=[adult(labour=Labour.NORMAL), adult(Relation.SPOUSE, "2", labour=Labour.SKILLED),
                                            child(), child(school=SchoolStatus.JUNIOR)]),
        household(v, income="6000", members=[adult(labour=Labour.NORMAL, health=Health.SERIOUS),
                                            adult(Relation.SPOUSE, "2", labour=Labour.WEAK)]),
    ]


@pytest.mark.parametrize("key", NEW_FIELDS)
def test_python_and_sql_read_each_new_field_alike(tree, key):
    made = varied(tree)
    spec = FIELDS[key]
    lines = poverty_lines()
    sql = dict(Household.objects.filter(pk__in=[h.pk for h in made])
               .annotate(v=spec.expression(YEAR)).values_list("pk", "v"))
    for h in made:
        python = spec.value(engine.facts_for(h, YEAR, lines))
        assert python == sql[h.pk] or (python is not None and sql[h.pk] is not None
                                       and Decimal(str(python)) == Decimal(str(sql[h.pk]))), (key, h.pk)


def test_labour_and_students_are_counted(tree):
    made = varied(tree)
    lines = poverty_lines()
    facts = engine.facts_for(made[8], YEAR, lines)
    assert (FIELDS["labour_count"].value(facts), FIELDS["student_count"].value(facts)) == (2, 2)
    facts = engine.facts_for(made[9], YEAR, lines)
    assert (FIELDS["labour_count"].value(facts), FIELDS["student_count"].value(facts)) == (0, 0)


@pytest.mark.parametrize(("index", "label"), [
    (1, "拥有购置价 3 万元以上的机动车（农用车、生产经营用车除外）"),
    (3, "在城镇购买商品房、自建房或门面"),
    (4, "成员有登记并正常经营的市场主体"),
    (5, "户在人不在（空挂户）"),
    (6, "家庭成员有财政供养人员"),
    (7, "家庭成员有村委会成员"),
])
def test_the_seeded_negative_list_names_what_excludes_a_household(tree, rules, index, label):
    made = varied(tree)
    ruleset = services.ruleset_for(RuleKind.EXCLUSION, YEAR, tree["village_a1"])
    result = services.evaluate_household(ruleset, made[index], YEAR)
    assert result.holds and label in [o.label for o in result.outcomes if o.holds]
    assert not services.evaluate_household(ruleset, made[0], YEAR).holds
    assert not services.evaluate_household(ruleset, made[2], YEAR).holds  # 29,999.99: under 30,000
    bulk = set(services.households_holding(ruleset, Household.objects.all(), YEAR).values_list("pk", flat=True))
    assert bulk == {h.pk for h in made if services.evaluate_household(ruleset, h, YEAR).holds}


def test_the_seeded_inclusion_hints(tree, rules):
    v = tree["village_a1"]
    ruleset = services.ruleset_for(RuleKind.INCLUSION, YEAR, v)
    danger = household(v, income="6000", danger_grade="D")
    ill = household(v, income="6000", members=[adult(health=Health.SERIOUS), adult(Relation.SPOUSE, "2")])
    plain = household(v, income="6000")
    assert services.evaluate_household(ruleset, danger, YEAR).holds
    assert services.evaluate_household(ruleset, ill, YEAR).holds
    assert not services.evaluate_household(ruleset, plain, YEAR).holds


def test_seeded_for_every_year_and_harmless_to_rerun(rules):
    from fupin.standards.models import RuleSet

    for kind in (RuleKind.EXCLUSION, RuleKind.INCLUSION, RuleKind.SCORING):
        assert sorted(RuleSet.objects.filter(kind=kind, area=None).values_list("year", flat=True)) == \
            list(range(2014, 2021))
        for ruleset in RuleSet.objects.filter(kind=kind):
            services.conditions_of(ruleset)  # every seeded condition is valid
    seed.add_rules(apps, None)
    assert RuleSet.objects.filter(kind=RuleKind.SCORING).count() == 7
    scheme = RuleSet.objects.get(kind=RuleKind.SCORING, year=YEAR)
    points = {}
    for c in scheme.conditions:
        points[c["group"]] = points.get(c["group"], 0) + c["points"]
    assert points == {"一看房": 30, "二看粮": 30, "三看劳动力": 20, "四看读书郎": 20}
    assert "待核实" in scheme.note
