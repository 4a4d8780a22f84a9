"""Quantified scoring (四看): the score in SQL equals the one-household breakdown; lower is poorer and
rank 1 is the poorest of its village; points and group are required for a scoring scheme and refused
for any other kind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fupin.registry.choices import Health, Labour
from fupin.registry.models import Household
from fupin.registry.services import poverty_lines
from fupin.standards import engine, scoring, services
from fupin.standards.models import RuleKind, RuleSet

from .helpers import YEAR, adult, child, household, national_line
from .test_bulk import varied_households

pytestmark = pytest.mark.django_db

SCHEME = [
    {"group": "一看房", "points": 10, "field": "danger_grade", "op": "not_in", "value": ["C", "D"], "label": "非危房"},
    {"group": "一看房", "points": 5, "field": "water_safe", "op": "is_true", "label": "饮水安全"},
    {"group": "二看粮", "points": 10, "field": "cultivated_land", "op": "ge", "value": "3", "label": "耕地 3 亩以上"},
    {"group": "二看粮", "points": 12.5, "field": "per_capita_income", "op": "gt", "value": "@poverty_line",
     "label": "收入过线"},
    {"group": "三看劳动力", "points": 20, "field": "labour_count", "op": "ge", "value": 1, "label": "有劳动力"},
    {"group": "四看读书郎", "points": 7, "field": "any_school_age_child_out_of_school", "op": "is_false",
     "label": "适龄儿童在校"},
]


@pytest.fixture
def scheme(db):
    RuleSet.objects.filter(kind=RuleKind.SCORING).delete()
    return services.ruleset_create(actor=None, kind=RuleKind.SCORING, year=YEAR, area=None, name="四看",
                                   conditions=SCHEME)


def test_sql_score_equals_the_breakdown(tree, scheme):
    made = varied_households(tree)
    lines = poverty_lines()
    sql = dict(scoring.annotate_scores(Household.objects.all(), YEAR, lines=lines).values_list("pk", "score"))
    totals = set()
    for h in made:
        result = scoring.breakdown(scheme, engine.facts_for(h, YEAR, lines))
        assert Decimal(sql[h.pk]) == result["total"], h.pk
        assert result["total"] == sum(g["points"] for g in result["groups"])
        assert result["max"] == Decimal("64.5")
        totals.add(result["total"])
    assert len(totals) > 3  # the sample is varied


def test_rank_within_the_village_lowest_first(tree, scheme):
    national_line()
    v1, v2 = tree["village_a1"], tree["village_a2"]
    workers = [adult(labour=Labour.NORMAL), adult(labour=Labour.NORMAL, sex="2", relation="spouse")]
    poor = household(v1, income="1000", danger_grade="D", water_safe=False)  # 0 + 7 (no child) = 7
    middle = household(v1, income="1000", members=workers)  # 10 + 5 + 20 + 7 = 42
    twin = household(v1, income="1000", members=[adult(labour=Labour.SKILLED), adult(sex="2", relation="spouse")])
    rich = household(v1, income="9000", cultivated_land=Decimal(5), members=[adult(labour=Labour.NORMAL)])
    other = household(v2, income="1000")
    ranked = {h.pk: (h.score, h.rank, h.village_size) for h in scoring.village_ranking(Household.objects.all(), YEAR)}
    assert ranked[poor.pk] == (Decimal(7), 1, 4)
    assert ranked[middle.pk][1:] == ranked[twin.pk][1:] == (2, 4)  # equal scores share a rank
    assert ranked[rich.pk] == (Decimal("64.5"), 4, 4)
    assert ranked[other.pk][1:] == (1, 1)
    # Among a chosen set only.
    among = scoring.village_ranking(Household.objects.filter(pk__in=[middle.pk, rich.pk]), YEAR)
    assert [(h.pk, h.rank) for h in among] == [(middle.pk, 1), (rich.pk, 2)]

    result = scoring.score_breakdown(rich, YEAR)
    assert (result["total"], result["rank"], result["of"]) == (Decimal("64.5"), 4, 4)
    assert [g["group"] for g in result["groups"]] == ["一看房", "二看粮", "三看劳动力", "四看读书郎"]
    house = result["groups"][0]
    assert (house["points"], house["max"]) == (Decimal(15), Decimal(15))
    item = result["groups"][1]["items"][1]
    assert item == {"label": "收入过线", "holds": True, "points": Decimal("12.5"), "max": Decimal("12.5"),
                    "reason": "人均纯收入 4,500 元（应 > 当年标准 2,952 元）：符合"}


def test_ill_workers_do_not_count(tree, scheme):
    national_line()
    h = household(tree["village_a1"], income="1000", members=[adult(labour=Labour.NORMAL, health=Health.SERIOUS),
                                                              child()])
    result = scoring.score_breakdown(h, YEAR)
    labour = next(g for g in result["groups"] if g["group"] == "三看劳动力")
    assert labour["points"] == 0 and "劳动力人数" in labour["items"][0]["reason"]


@pytest.mark.parametrize(("change", "message"), [
    ({"points": None}, "第 1 条条件（非危房）：分值应为大于 0、不超过 100 的数"),
    ({"points": "很多"}, "分值应为大于 0、不超过 100 的数（最多一位小数），收到的是“很多”"),
    ({"points": 101}, "收到的是“101”"),
    ({"points": "1.25"}, "收到的是“1.25”"),
    ({"group": "六看"}, "分组“六看”不是可选的分组（可选：一看房、二看粮、三看劳动力、四看读书郎、五看养殖）"),
    ({"group": None}, "分组“”不是可选的分组"),
])
def test_points_and_group_are_checked(tree, scheme, change, message):
    bad = [{**SCHEME[0], **change}]
    bad = [{k: v for k, v in bad[0].items() if v is not None}]
    with pytest.raises(ValidationError) as raised:
        services.ruleset_revise(actor=None, ruleset=scheme, conditions=bad)
    assert message in raised.value.message_dict["conditions"][0]


def test_points_belong_to_scoring_only(tree):
    with pytest.raises(ValidationError) as raised:
        services.ruleset_create(actor=None, kind=RuleKind.EXCLUSION, year=YEAR, area=None, name="七不进",
                                conditions=[SCHEME[0]])
    assert "含有未知的键：group、points" in raised.value.message_dict["conditions"][0]


def test_score_preview_counts_what_changes(tree, scheme):
    made = varied_households(tree)
    lines = poverty_lines()
    edited = [dict(c) for c in SCHEME]
    edited[4]["points"] = 25  # 有劳动力 20 → 25
    preview = scoring.preview(scheme, edited, Household.objects.all(), YEAR, lines)
    new_scheme = RuleSet(kind=RuleKind.SCORING, year=YEAR, conditions=edited, match="any")
    before = [scoring.breakdown(scheme, engine.facts_for(h, YEAR, lines))["total"] for h in made]
    after = [scoring.breakdown(new_scheme, engine.facts_for(h, YEAR, lines))["total"] for h in made]
    assert preview.total == len(made)
    assert preview.up == sum(a > b for a, b in zip(after, before, strict=True))
    assert preview.down == 0 and preview.changed == preview.up
    assert preview.average_after - preview.average_before == (sum(after) - sum(before)) / len(made)
