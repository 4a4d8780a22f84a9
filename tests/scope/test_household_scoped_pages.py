"""A 帮扶责任人 or 评估人员 may have no area (a cadre from a county department, a third-party evaluator).
Their pages start from the deepest area holding every household they may see; and 贫困发生率 is
never shown to either role, because they see only some of an area's households."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.areas.models import Area
from fupin.assessment import services as assessment
from fupin.assistance import services as assistance
from fupin.registry import selectors
from tests import factories
from tests.web.html import listed_numbers

from .conftest import START, login

pytestmark = pytest.mark.django_db

PAGES = ("overview", "area_tree", "household_list")


@pytest.fixture
def far_county(tree):
    """A neighbouring county, outside everything the personas here see."""
    county = factories.area("530325000000", "富源县")
    township = factories.area("530325100000", "丙乡")
    return {"county": county, "township": township, "village": factories.area("530325100201", "丙一村")}


@pytest.fixture
def dept_cadre(db):
    """A cadre from a county department: no area, paired with one household in each township."""
    return factories.user("dept_cadre", Role.CADRE, None, display_name="县直单位干部")


@pytest.fixture
def dept_pairings(dept_cadre, households, county_user):
    return [assistance.pairing_create(actor=county_user, cadre=dept_cadre, household=households[key], start=START)
            for key in ("a1_paired", "b1")]


@pytest.fixture
def roaming_assessor(households, sample, county_user):
    """A third-party evaluator with no area, assigned to the sample (甲二村 and 乙一村)."""
    user = factories.user("assessor_roaming", Role.ASSESSOR, None)
    assessment.sample_assign_assessor(actor=county_user, sample=sample, assessor=user)
    return user


def test_a_cadre_without_an_area_starts_from_the_area_holding_all_paired_households(dept_cadre, dept_pairings,
                                                                                   households, tree):
    assert selectors.browse_root(user=dept_cadre) == tree["county"]
    client = login(dept_cadre)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    overview = client.get(reverse("overview"))
    assert overview.context["root"] == tree["county"]
    assert overview.context["totals"]["households"] == 2
    assert {r["area"].name: r["households"] for r in overview.context["rows"]} == {"甲乡": 1, "乙乡": 1}
    tree_page = client.get(reverse("area_tree"))
    assert tree_page.context["root_summary"]["households"] == 2


def test_the_list_of_a_cadre_without_an_area_shows_the_paired_households_only(dept_cadre, dept_pairings,
                                                                             households):
    client = login(dept_cadre)
    listed = listed_numbers(client.get(reverse("household_list")).content)
    assert sorted(listed) == sorted([households["a1_paired"].number, households["b1"].number])
    # The township filter works from the derived root.
    only_b = client.get(reverse("household_list"), {"township": "530324101000"}, HTTP_HX_REQUEST="true",
                        HTTP_HX_TARGET="results")
    assert listed_numbers(only_b.content) == [households["b1"].number]
    options = client.get(reverse("village_options"), {"township": "530324100000"}).content.decode()
    assert "甲一村" in options
    assert client.get(reverse("area_children", args=["530324100000"])).status_code == 200
    assert client.get(reverse("household_detail", args=[households["a1_paired"].pk])).status_code == 200
    assert client.get(reverse("household_detail", args=[households["a1_other"].pk])).status_code == 404


def test_a_cadre_without_an_area_gets_404_for_areas_outside_the_derived_root(dept_cadre, dept_pairings,
                                                                            far_county):
    client = login(dept_cadre)
    code = far_county["township"].code
    assert client.get(reverse("overview"), {"area": code}).status_code == 404
    assert client.get(reverse("area_children", args=[code])).status_code == 404
    assert client.get(reverse("village_options"), {"township": code}).status_code == 404


def test_one_paired_household_makes_its_village_the_root(dept_cadre, households, county_user, tree):
    assistance.pairing_create(actor=county_user, cadre=dept_cadre, household=households["a1_other"], start=START)
    assert selectors.browse_root(user=dept_cadre) == tree["village_a1"]
    response = login(dept_cadre).get(reverse("overview"))
    assert response.status_code == 200 and response.context["root"] == tree["village_a1"]
    assert response.context["totals"]["households"] == 1


def test_two_villages_of_one_township_make_the_township_the_root(dept_cadre, households, county_user, tree):
    for key in ("a1_other", "a2"):
        assistance.pairing_create(actor=county_user, cadre=dept_cadre, household=households[key], start=START)
    assert selectors.browse_root(user=dept_cadre) == tree["township_a"]


def test_a_cadre_without_an_area_or_pairings_is_told_why_the_pages_are_empty(dept_cadre, households):
    client = login(dept_cadre)
    for name in PAGES:
        text = client.get(reverse(name)).content.decode()
        assert "您目前没有可查看的贫困户" in text, name
        assert "尚未分配管辖区划" not in text
        for household in households.values():
            assert household.number not in text


def test_an_assessor_without_an_area_sees_the_sample_from_its_common_area(roaming_assessor, households, tree):
    client = login(roaming_assessor)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    overview = client.get(reverse("overview"))
    assert overview.context["root"] == tree["county"]
    assert overview.context["totals"]["households"] == 2
    listed = listed_numbers(client.get(reverse("household_list")).content)
    assert sorted(listed) == sorted([households["a2"].number, households["b1"].number])


def test_other_roles_without_an_area_still_see_nothing(households, tree):
    client = login(factories.user("nobody", Role.VILLAGE, None))
    for name in PAGES:
        assert "尚未分配管辖区划" in client.get(reverse(name)).content.decode()


# --- 贫困发生率 -----------------------------------------------------------------------------------


@pytest.fixture
def populations(tree):
    """Rural populations, so that 贫困发生率 could be computed for every area."""
    for key in ("county", "township_a", "township_b", "village_a1", "village_a2", "village_b1"):
        Area.objects.filter(pk=tree[key].pk).update(rural_population=1000)


EXPLANATION = "仅统计您可查看的户（结对帮扶户或评估样本户），因此不计算贫困发生率"


def incidence_shown(response) -> bool:
    text = response.content.decode()
    chart = json.loads(re.search(r'id="overview-data"[^>]*>(.*?)</script>', text, re.S).group(1))
    shown = "贫困发生率" in text.replace(EXPLANATION, "")
    assert (EXPLANATION in text) == (not shown)
    # The chart data follow the page: no rate, and no per-area rates, when the page hides it.
    if shown:
        if response.context["rows"]:  # people: children without a rural population (村民小组)
            assert chart["areas"]["kind"] in ("incidence", "people")
            assert len(chart["areas"]["current"]) == len(response.context["rows"])
        assert any(v is not None for v in chart["trend"]["incidence"])
    else:
        assert chart["areas"] == {"kind": None} and chart["trend"]["incidence"] == []
    assert shown == (response.context["incidence"] is not None)
    assert all(("incidence" in r and r["incidence"] is not None) == shown for r in response.context["rows"])
    return shown


@pytest.mark.parametrize("persona", ["cadre", "assessor", "dept_cadre", "roaming_assessor"])
def test_the_overview_hides_the_incidence_from_cadres_and_assessors(persona, request, populations, pairings,
                                                                     sample, dept_pairings):
    if persona == "roaming_assessor":
        request.getfixturevalue("roaming_assessor")
    response = login(request.getfixturevalue(persona)).get(reverse("overview"))
    assert response.status_code == 200
    assert not incidence_shown(response)
    assert response.context["totals"]["households"] >= 1


@pytest.mark.parametrize("persona", ["county_user", "township_a_user", "village_user"])
def test_the_overview_shows_the_incidence_to_area_roles(persona, request, populations, households):
    response = login(request.getfixturevalue(persona)).get(reverse("overview"))
    assert response.status_code == 200
    assert incidence_shown(response)


def test_the_hidden_incidence_leaves_a_year_end_table_instead_of_the_chart(cadre, pairings, populations):
    response = login(cadre).get(reverse("overview"))
    text = response.content.decode()
    assert 'id="trend-chart"' not in text and 'id="areas-chart"' not in text
    assert "年末未脱贫人口" in text
    this_year = response.context["trend"][-1]
    assert this_year["households"] == 2
