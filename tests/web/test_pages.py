"""Every page answers an in-scope county officer with 200 and shows what it is about."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import NUMBER_A1, NUMBER_A2, NUMBER_B1


def pages(registry) -> dict[str, str]:
    ha = registry["a1"]
    spouse = ha.members.get(name="钱甲花")
    return {
        "overview": reverse("overview"),
        "overview of a township": reverse("overview") + "?area=530324100000",
        "area tree": reverse("area_tree"),
        "area children": reverse("area_children", args=["530324100000"]) + "?depth=2",
        "household list": reverse("household_list"),
        "village options": reverse("village_options") + "?township=530324100000",
        "household detail": reverse("household_detail", args=[ha.pk]),
        "household create": reverse("household_create"),
        "household edit": reverse("household_edit", args=[ha.pk]),
        "member add": reverse("member_add", args=[ha.pk]),
        "member edit": reverse("member_edit", args=[spouse.pk]),
        "member remove": reverse("member_remove", args=[spouse.pk]),
        "yearly add": reverse("yearly_add", args=[ha.pk]),
        "yearly edit": reverse("yearly_edit", args=[ha.pk, 2019]),
        "status change": reverse("status_change", args=[ha.pk]),
    }


PAGES = ["overview", "overview of a township", "area tree", "area children", "household list", "village options",
         "household detail", "household create", "household edit", "member add", "member edit", "member remove",
         "yearly add", "yearly edit", "status change"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_answers_a_county_officer(county_client, registry, page):
    response = county_client.get(pages(registry)[page])
    assert response.status_code == 200, page


def test_home_shows_the_todo_panel_and_the_way_to_the_overview(county_client):
    # Issue 12 #16: home is the user's 待办 (it used to redirect to the overview).
    response = county_client.get(reverse("home"))
    assert response.status_code == 200 and 'id="todo"' in response.content.decode()
    assert reverse("overview") in response.content.decode()


def test_the_county_overview_counts_both_townships(county_client, registry):
    response = county_client.get(reverse("overview"))
    totals = response.context["totals"]
    # ha (2 poor people), ha2 (1 exited), hb (2 poor people)
    assert totals == {"households": 3, "people": 5, "poor_households": 2, "poor_people": 4}
    text = response.content.decode()
    assert "甲乡" in text and "乙乡" in text


def test_the_area_tree_lists_townships_with_their_counts(county_client, registry):
    response = county_client.get(reverse("area_tree"))
    rows = {r["area"].name: r for r in response.context["rows"]}
    assert set(rows) == {"甲乡", "乙乡"}
    assert (rows["甲乡"]["households"], rows["甲乡"]["people"], rows["甲乡"]["poor_people"]) == (2, 3, 2)
    assert (rows["乙乡"]["households"], rows["乙乡"]["people"], rows["乙乡"]["poor_people"]) == (1, 2, 2)


def test_opening_a_township_in_the_tree_lists_its_villages(county_client, registry):
    response = county_client.get(reverse("area_children", args=["530324100000"]) + "?depth=2")
    text = response.content.decode()
    assert "甲一村" in text and "甲二村" in text and "乙一村" not in text
    assert "<html" not in text
    assert "/households/?township=530324100000&village=530324100201" in text


def test_the_household_page_shows_members_income_and_history(county_client, ha):
    text = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    for expected in ("赵甲山", "钱甲花", NUMBER_A1, "2019", "6,000.00", "3,000.00", "建档立卡登记", "因病"):
        assert expected in text, expected


def test_the_household_list_shows_every_household_in_scope(county_client, registry):
    text = county_client.get(reverse("household_list")).content.decode()
    for expected in (NUMBER_A1, NUMBER_A2, NUMBER_B1, "赵甲山", "周甲河", "孙乙林", "共 3 户"):
        assert expected in text, expected


@pytest.mark.parametrize("persona", ["township_a_user", "village_user", "admin"])
@pytest.mark.parametrize("name", ["overview", "area_tree", "household_list", "household_create"])
def test_the_main_pages_answer_every_writer_persona(request, registry, persona, name):
    from tests import factories

    from .conftest import login

    user = (factories.user("admin", "admin", None) if persona == "admin"
            else request.getfixturevalue(persona))
    response = login(user).get(reverse(name))
    assert response.status_code == 200
    assert "尚未分配管辖区划" not in response.content.decode()
    if name == "household_list":
        assert NUMBER_A1 in response.content.decode()
