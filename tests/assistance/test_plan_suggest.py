"""菜单式 suggestions (plan15): from the household's causes, members (school-age children, ill or disabled
members, able workers) and conditions (danger grade, water), each with its reason."""

from __future__ import annotations

import pytest

from fupin.assistance import services_plans as services
from fupin.assistance.models import MeasureCategory
from fupin.assistance.suggest import suggestions
from fupin.registry.choices import Cause, DangerGrade, Health, Labour, Relation, SchoolStatus

from .plan_world import adult, catalogue, child, household, today

pytestmark = pytest.mark.django_db


def by_name(items: list) -> dict:
    return {s.measure.name: s for s in items}


def test_causes_come_first_and_a_school_age_child_points_to_education(tree):
    h = household(tree["village_a1"], main_cause=Cause.SCHOOLING, other_causes=[Cause.FUNDS],
                  members=[adult(40), child(10, school_status=SchoolStatus.PRIMARY)])
    got = suggestions(h, today().year)
    assert got[0].cause == Cause.SCHOOLING
    s = by_name(got)["教育资助（学前至高中）"]
    assert s.cause == Cause.SCHOOLING
    assert any("致贫原因：因学" in r for r in s.reasons)
    assert any("义务教育阶段适龄子女 1 人" in r for r in s.reasons)
    assert by_name(got)["扶贫小额信贷"].cause == Cause.FUNDS


def test_an_out_of_school_child_is_named_even_without_the_cause(tree):
    h = household(tree["village_a1"], main_cause=Cause.FUNDS,
                  members=[adult(40), child(12, school_status=SchoolStatus.NONE)])
    s = by_name(suggestions(h, today().year))["控辍保学"]
    assert s.cause == ""  # answers none of the recorded causes: the gaps will say so if it is added
    assert any("失学辍学" in r for r in s.reasons)


def test_ill_and_disabled_members_point_to_health_and_the_safety_net(tree):
    h = household(tree["village_a1"], main_cause=Cause.FUNDS,
                  members=[adult(50, health=Health.SERIOUS, labour=Labour.LOST),
                           adult(48, Relation.SPOUSE, "2", health=Health.DISABLED, labour=Labour.NONE)])
    got = by_name(suggestions(h, today().year))
    assert any("患病成员 1 人" in r for r in got["大病救治"].reasons)
    assert any("残疾成员 1 人" in r for r in got["参保资助"].reasons)
    assert any("无劳动力" in r for r in got["低保兜底"].reasons)
    assert "技能培训" not in got  # nobody able to work, and 缺技术 is not a cause


def test_able_workers_a_dangerous_house_and_bad_water(tree):
    h = household(tree["village_a1"], main_cause=Cause.ILLNESS, danger_grade=DangerGrade.D, water_safe=False,
                  members=[adult(35, labour=Labour.NORMAL), adult(33, Relation.SPOUSE, "2", labour=Labour.NORMAL)])
    got = by_name(suggestions(h, today().year))
    assert any("有劳动能力成员 2 人" in r for r in got["技能培训"].reasons)
    assert got["危房改造"].measure.category == MeasureCategory.HOUSING
    assert "安全饮水工程" in got and "通组入户道路" not in got


def test_a_measure_already_planned_is_marked(tree, county_user):
    h = household(tree["village_a1"], main_cause=Cause.SCHOOLING)
    plan = services.plan_create(actor=county_user, household=h, year=today().year)
    services.measure_add(actor=county_user, plan=plan, version=1, catalogue=catalogue("雨露计划"), cause=Cause.SCHOOLING)
    got = by_name(suggestions(h, today().year, plan=plan))
    assert got["雨露计划"].planned and not got["控辍保学"].planned
