"""/incidence/: the user's subtree grouped township → villages, with the county panel for a county;
read-only for 领导 and 审计; not for 帮扶责任人 or 评估人员; outside the subtree a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.accounts.models import Role
from tests import factories

from .helpers import clock
from .villages_helpers import client_for, indicators, populate

pytestmark = pytest.mark.django_db


@pytest.fixture
def eligible(tree):
    village = populate(tree["village_a1"], 700, poor=1)
    indicators(village)
    populate(tree["village_a2"], 100, poor=2)
    populate(tree["village_b1"], 100)
    return village


def test_the_county_sees_every_township_and_its_own_panel(eligible, county_user, tree):
    with clock():
        response = client_for(county_user).get(reverse("incidence"))
    assert response.status_code == 200
    townships = response.context["townships"]
    assert [t.area.name for t in townships] == ["甲乡", "乙乡"]
    assert [v.area.name for v in townships[0].villages] == ["甲一村", "甲二村"]
    text = response.content.decode()
    assert "全县综合贫困发生率" in text and "尚无评估数据" in text and "错退率 ≤ 2%" in text
    assert "贫困发生率 4% ≥ 3%" in text           # 甲二村: 4 people / 100
    assert response.context["chart"]["names"] == ["甲一村", "甲二村", "乙一村"]
    assert response.context["chart"]["threshold"] == 3.0
    # The county neither applies (the township does) nor records the indicators.
    assert reverse("village_exit_apply", args=[eligible.code]) not in text
    assert reverse("village_indicators", args=[eligible.code, 2026]) not in text


def test_the_township_sees_its_villages_and_may_apply_and_record(eligible, township_a_user):
    with clock():
        response = client_for(township_a_user).get(reverse("incidence"))
    text = response.content.decode()
    assert [t.area.name for t in response.context["townships"]] == ["甲乡"]
    assert response.context["county"] is None and "全县综合贫困发生率" not in text
    assert reverse("village_exit_apply", args=[eligible.code]) in text
    assert reverse("village_indicators", args=[eligible.code, 2026]) in text


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR])
def test_leaders_and_auditors_read_it_without_a_button(eligible, tree, role):
    with clock():
        response = client_for(factories.user("reader", role, tree["county"])).get(reverse("incidence"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "可申请退出" in text
    assert "申请退出</a>" not in text and "填报指标" not in text and "修改指标" not in text


@pytest.mark.parametrize("role", [Role.CADRE, Role.ASSESSOR])
def test_roles_that_do_not_see_incidence_are_refused(tree, role):
    assert client_for(factories.user("someone", role, tree["county"])).get(reverse("incidence")).status_code == 403


def test_an_area_outside_the_subtree_is_not_found(tree, township_a_user):
    client = client_for(township_a_user)
    assert client.get(reverse("incidence"), {"area": tree["township_b"].code}).status_code == 404
    assert client.get(reverse("incidence"), {"area": tree["village_a1"].code}).status_code == 200


def test_an_earlier_year_shows_its_year_end_and_offers_no_application(eligible, township_a_user):
    with clock():
        response = client_for(township_a_user).get(reverse("incidence"), {"year": 2025})
    assert response.context["year"] == 2025 and not response.context["live"]
    assert "按 2025 年末状态计算" in response.content.decode()
    assert reverse("village_exit_apply", args=[eligible.code]) not in response.content.decode()


def test_the_county_drills_down_to_a_township_and_back(eligible, county_user, tree):
    response = client_for(county_user).get(reverse("incidence"), {"area": tree["township_a"].code, "year": 2026})
    assert [t.area.name for t in response.context["townships"]] == ["甲乡"]
    assert response.context["county"] is None
    assert response.context["crumbs"] == [tree["county"]]
