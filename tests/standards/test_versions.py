"""Resolution (most specific area, latest version) and versioning (a used version never changes; a
decision keeps the version it used)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fupin.audit.models import AuditEvent
from fupin.registry.models import Household
from fupin.standards import services
from fupin.standards.models import Decision, RuleKind, RuleSet
from tests import factories

from .helpers import YEAR, household, national_line

pytestmark = pytest.mark.django_db

INCOME = [{"field": "per_capita_income", "op": "gt", "value": "@poverty_line", "label": "一超"}]
HOUSE = [{"field": "house_area", "op": "gt", "value": 0, "label": "有房"}]


def create(area=None, conditions=INCOME, kind=RuleKind.EXIT, year=YEAR, name="退出标准"):
    return services.ruleset_create(actor=None, kind=kind, year=year, area=area, name=name, conditions=conditions)


@pytest.fixture(autouse=True)
def no_seeded_rules(db):
    """Each test states its rule sets (a data migration seeds the national exit criteria)."""
    RuleSet.objects.all().delete()


def test_the_most_specific_area_wins_and_its_latest_version(tree):
    national = create()
    county = create(tree["county"])
    county_v2 = create(tree["county"], HOUSE)
    village = create(tree["village_a1"])
    assert (county.version, county_v2.version, national.version) == (1, 2, 1)
    assert services.ruleset_for(RuleKind.EXIT, YEAR, tree["village_a1"]) == village
    assert services.ruleset_for(RuleKind.EXIT, YEAR, tree["village_a2"]) == county_v2
    assert services.ruleset_for(RuleKind.EXIT, YEAR, tree["county"]) == county_v2
    assert services.ruleset_for(RuleKind.EXIT, YEAR, tree["province"]) == national
    assert services.ruleset_for(RuleKind.EXIT, YEAR, None) == national
    assert services.ruleset_for(RuleKind.EXIT, YEAR + 1, tree["village_a1"]) is None
    assert services.ruleset_for(RuleKind.EXCLUSION, YEAR, tree["village_a1"]) is None


def test_a_bad_rule_set_is_refused_and_nothing_is_written(tree):
    with pytest.raises(ValidationError) as raised:
        create(conditions=[{"field": "house_area", "op": "gt", "value": "很多", "label": "有房"}])
    assert "第 1 条条件（有房）" in raised.value.message_dict["conditions"][0]
    assert not RuleSet.objects.exists()
    with pytest.raises(ValidationError):
        create(kind="anything")


def test_a_decision_keeps_its_version_when_the_rules_change(tree):
    national_line()
    h = household(tree["village_a1"], income="4000", people=2)  # 2,000 a head: below 2,952
    ruleset = create()
    unused = services.ruleset_revise(actor=None, ruleset=ruleset, conditions=INCOME + HOUSE)
    assert (unused.pk, unused.version) == (ruleset.pk, 1)  # no decision used it yet: changed in place

    decision = services.decision_record(actor=None, household=h, ruleset=ruleset, year=YEAR)
    assert (decision.ruleset_id, decision.ruleset_version, decision.passed) == (ruleset.pk, 1, False)
    assert services.failed_labels(decision.outcomes) == ["一超"]
    assert decision.outcomes[0]["reason"] == "人均纯收入 2,000 元（应 > 当年标准 2,952 元）：不符合"
    assert AuditEvent.objects.filter(entity__icontains="decision").exists()

    revised = services.ruleset_revise(actor=None, ruleset=ruleset, conditions=HOUSE)
    assert (revised.version, revised.pk != ruleset.pk) == (2, True)
    ruleset.refresh_from_db()
    assert ruleset.conditions == INCOME + HOUSE and ruleset.used
    assert services.ruleset_for(RuleKind.EXIT, YEAR, tree["village_a1"]) == revised

    decision.refresh_from_db()
    assert (decision.ruleset_id, decision.ruleset_version, decision.passed) == (ruleset.pk, 1, False)
    later = services.decision_record(actor=None, household=h, ruleset=revised, year=YEAR)
    assert (later.ruleset_version, later.passed) == (2, True)
    assert Decision.objects.count() == 2


def test_a_used_version_cannot_be_saved_with_other_conditions(tree):
    national_line()
    ruleset = create()
    services.decision_record(actor=None, household=household(tree["village_a1"], income="9000"), ruleset=ruleset,
                             year=YEAR)
    ruleset.refresh_from_db()
    ruleset.conditions = HOUSE
    with pytest.raises(ValidationError, match="已被决定引用，不能修改"):
        ruleset.save()
    ruleset.refresh_from_db()
    assert ruleset.conditions == INCOME
    ruleset.year = YEAR + 1
    with pytest.raises(ValidationError, match="已被决定引用，不能修改"):
        ruleset.save()
    ruleset.refresh_from_db()
    ruleset.note = "改正说明"
    ruleset.save()  # the note is not part of the rule


def test_preview_of_a_revision_before_it_is_saved(tree):
    national_line()
    household(tree["village_a1"], income="9000", house_area=0)
    household(tree["village_a1"], income="1000")
    ruleset = create()
    shown = services.preview_revision(ruleset, HOUSE, Household.objects.all(), YEAR)
    assert (shown.total, shown.before, shown.after, shown.gained, shown.lost) == (2, 1, 1, 1, 1)
    with pytest.raises(ValidationError, match="第 1 条条件"):
        services.preview_revision(ruleset, [{"field": "x", "op": "eq", "value": 1}], Household.objects.all(), YEAR)
    assert RuleSet.objects.get(pk=ruleset.pk).conditions == INCOME


def test_an_area_is_judged_by_each_households_own_rules_in_one_query(tree, django_assert_num_queries):
    national_line()
    national = create()  # income above the line
    county = create(tree["county"], INCOME + HOUSE)
    village = create(tree["village_a2"], HOUSE)
    other_county = create(factories.area("530325000000", "富源县"), [{"field": "relocated", "op": "is_true"}])
    made = [household(v, income=income, house_area=area)
            for v in (tree["village_a1"], tree["village_a2"], tree["village_b1"])
            for income, area in (("9000", 50), ("9000", 0), ("1000", 50), (None, 50))]
    assert services.rulesets_within(RuleKind.EXIT, YEAR, tree["county"]) == [village, county]
    assert services.rulesets_within(RuleKind.EXIT, YEAR, tree["village_a2"]) == [village]
    assert set(services.rulesets_within(RuleKind.EXIT, YEAR, None)) >= {village, county, other_county}
    with django_assert_num_queries(3):  # the rule sets, the poverty lines, then the households
        rows = {h.pk: (h.std_holds, h.std_ruleset)
                for h in services.area_outcomes(RuleKind.EXIT, YEAR, tree["county"])}
    assert len(rows) == len(made)
    for h in made:
        own = services.ruleset_for(RuleKind.EXIT, YEAR, h.area)
        assert rows[h.pk] == (services.evaluate_household(own, h, YEAR).holds, own.pk), h.number
    assert {which for _holds, which in rows.values()} == {county.pk, village.pk}

    factories.area("530325100000", "某乡")
    elsewhere = household(factories.area("530325100201", "富源某村"), income="9000", relocated=False)
    everywhere = {h.pk: (h.std_holds, h.std_ruleset) for h in services.area_outcomes(RuleKind.EXIT, YEAR, None)}
    assert everywhere[elsewhere.pk] == (False, other_county.pk)
    assert {pk: everywhere[pk] for pk in rows} == rows
    RuleSet.objects.filter(pk=other_county.pk).delete()
    everywhere = {h.pk: (h.std_holds, h.std_ruleset) for h in services.area_outcomes(RuleKind.EXIT, YEAR, None)}
    assert everywhere[elsewhere.pk] == (True, national.pk)  # no county rules there: the national ones
    assert services.area_outcomes(RuleKind.EXCLUSION, YEAR, None).filter(std_holds=True).count() == 0


def test_two_saves_of_the_same_version_at_once_are_refused_in_chinese(tree, monkeypatch):
    create()
    monkeypatch.setattr(services, "_next_version", lambda kind, year, area: 1)  # as if both read "1" at once
    with pytest.raises(ValidationError, match="第 1 版刚被他人保存，请刷新后重试"):
        create()
    assert RuleSet.objects.count() == 1
