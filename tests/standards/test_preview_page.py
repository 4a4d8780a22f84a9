"""The preview on the editor: before saving, how many households of the chosen area the edited rules
would change — the same numbers as judging each household one by one — and nothing is written."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from fupin.registry.models import Household
from fupin.standards import engine, services
from fupin.standards.models import RuleKind, RuleSet

from .helpers import YEAR
from .test_bulk import varied_households

pytestmark = pytest.mark.django_db

OLD = [{"field": "per_capita_income", "op": "gt", "value": "@poverty_line", "label": "一超"},
       {"field": "water_safe", "op": "is_true", "label": "饮水安全"}]
NEW = [{"field": "per_capita_income", "op": "ge", "value": "2000", "label": "一超"},
       {"field": "danger_grade", "op": "not_in", "value": ["C", "D"], "label": "非危房"}]


def numbers(html: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r'<div class="value">([\d,]+)</div>', html)]


def post(rows, **extra) -> dict:
    data = {"match": "all", **extra}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if key == "value" and value == "@poverty_line":
                data[f"c-r{i}-line"] = "1"
            elif isinstance(value, list):
                data[f"c-r{i}-values"] = value
            elif key == "value":
                data[f"c-r{i}-value"] = value
            else:
                data[f"c-r{i}-{key}"] = value
    return data


def one_by_one(conditions, households) -> set[int]:
    parsed = engine.parse_conditions(conditions)
    return {h.pk for h in households if engine.evaluate(parsed, "all", engine.facts_for(h, YEAR)).holds}


def test_the_preview_equals_judging_each_household(client, tree, township_a_user, county_user):
    RuleSet.objects.all().delete()
    made = varied_households(tree)
    county = services.ruleset_create(actor=None, kind=RuleKind.EXIT, year=YEAR, area=tree["county"], name="县",
                                     conditions=OLD)
    # 甲二村 has rules of its own: the county's edit changes nothing there.
    services.ruleset_create(actor=None, kind=RuleKind.EXIT, year=YEAR, area=tree["village_a2"], name="村",
                            conditions=OLD)
    client.force_login(county_user)
    response = client.post(reverse("standards:preview"),
                           post(NEW, ruleset=county.pk, preview_area=tree["township_a"].code))
    assert response.status_code == 200
    inside = [h for h in made if h.area_path.startswith(tree["township_a"].path)
              and not h.area_path.startswith(tree["village_a2"].path)]
    before, after = one_by_one(OLD, inside), one_by_one(NEW, inside)
    assert numbers(response.content.decode()) == [len(before), len(after), len(after - before), len(before - after)]
    assert f"{len(inside)} 户" in response.content.decode()
    county.refresh_from_db()
    assert county.conditions == OLD and RuleSet.objects.count() == 2

    # The whole county: every household the county's rules decide for.
    response = client.post(reverse("standards:preview"), post(NEW, ruleset=county.pk))
    decided = [h for h in made if not h.area_path.startswith(tree["village_a2"].path)]
    before, after = one_by_one(OLD, decided), one_by_one(NEW, decided)
    assert numbers(response.content.decode()) == [len(before), len(after), len(after - before), len(before - after)]
    assert after - before and before - after  # the sample moves both ways
    assert Household.objects.count() == len(made)


def test_a_bad_edit_is_named_in_the_preview(client, tree, county_user):
    county = services.ruleset_create(actor=None, kind=RuleKind.EXIT, year=YEAR, area=tree["county"], name="县",
                                     conditions=OLD)
    client.force_login(county_user)
    bad = [{"field": "house_area", "op": "gt", "value": "很大", "label": "有房"}]
    text = client.post(reverse("standards:preview"), post(bad, ruleset=county.pk)).content.decode()
    assert "第 1 条条件（有房）：“住房面积”的比较值应为数值，收到的是“很大”" in text


def test_only_standards_managers_preview(client, tree, township_a_user):
    county = services.ruleset_create(actor=None, kind=RuleKind.EXIT, year=YEAR, area=tree["county"], name="县",
                                     conditions=OLD)
    client.force_login(township_a_user)
    assert client.post(reverse("standards:preview"), post(NEW, ruleset=county.pk)).status_code == 403
