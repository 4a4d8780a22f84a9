"""Registering a household (issue 12 #13): the place is chosen township → village → group (or found by
name), within the user's scope; the next free 户编号 of the village is proposed; further members are
entered with the head and written with the household at once; 住房面积 starts empty (0 means no house).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from fupin.areas.models import Area
from fupin.registry import rules
from fupin.registry.choices import Relation
from fupin.registry.models import Household, Member
from tests import factories

from .conftest import login
from .html import edit_form_values, field_errors, parse
from .test_form_errors import database_state

pytestmark = pytest.mark.django_db

PICKER = "household_area_picker"


def group(tree, name: str = "第一村民小组") -> Area:
    return factories.area(tree["village_a1"].code + "001", name)


def picker(client, **params) -> str:
    response = client.get(reverse(PICKER), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def options(html: str, select_id: str) -> list[str]:
    """The names offered by one drop-down of the picker."""
    start = html.index(f'id="{select_id}"')
    block = html[start:html.index("</select>", start)]
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)<', block)


def create_values(client, tree, area: Area, **extra) -> dict:
    head = factories.member_data(Relation.HEAD, "1", name="吴新登")
    values = edit_form_values(client.get(reverse("household_create")).content)
    values.update({"h-area": str(area.pk), "h-number": "5303241002019999", "h-status": "poor",
                   "h-main_cause": "water", "h-identified_year": "2020", "h-house_area": "60",
                   "m-name": head["name"], "m-id_number": head["id_number"], "m-relation": "head"})
    values.update(extra)
    return values


# --- the next 户编号 -----------------------------------------------------------------------------------


def test_the_next_household_number_follows_the_villages_highest_sequence():
    village = "530324100201"
    numbers = ["5303241002010001", "5303241002010007", "H00000001", "53032410020100071", "5303241002020099"]
    assert rules.next_household_number(village, numbers) == "5303241002010008"
    assert rules.next_household_number(village, []) == "5303241002010001"
    taken = {"5303241002010008", "5303241002010009"}
    assert rules.next_household_number(village, numbers, taken=taken.__contains__) == "5303241002010010"
    assert rules.next_household_number(village, ["5303241002019999"]) is None


def test_the_form_proposes_the_next_free_number_of_the_chosen_village(county_client, tree, ha):
    # ha is 5303241002010001 in 甲一村; a household of another village numbered 0002 here would be
    # skipped as taken.
    html = picker(county_client, pick=group(tree).pk)
    assert 'name="h-number" id="id_h-number" class="input" maxlength="32" value="5303241002010002"' in html
    assert f'name="h-area" id="id_h-area" value="{group(tree).pk}"' in html
    # A number typed by hand is kept; one still as proposed follows the place.
    kept = picker(county_client, pick=tree["village_a2"].pk, **{"h-number": "5303241002029999",
                                                                "proposed": "5303241002010002"})
    assert 'value="5303241002029999"' in kept
    moved = picker(county_client, pick=tree["village_a2"].pk, **{"h-number": "5303241002010002",
                                                                 "proposed": "5303241002010002"})
    assert 'value="5303241002020001"' in moved


# --- the cascading picker -------------------------------------------------------------------------------


def test_the_picker_cascades_from_township_to_village_to_group_within_the_scope(county_client, tree):
    g = group(tree)
    page = county_client.get(reverse("household_create")).content.decode()
    assert options(page, "pick-township") == ["甲乡", "乙乡"]
    assert 'id="pick-village"' not in page and 'name="h-area" id="id_h-area" value=""' in page
    villages = picker(county_client, pick=tree["township_a"].pk)
    assert options(villages, "pick-village") == ["甲一村", "甲二村"]
    groups = picker(county_client, pick=tree["village_a1"].pk)
    assert options(groups, "pick-group") == [g.name]
    assert f'value="{tree["village_a1"].pk}"' in groups.split('id="id_h-area"')[1][:40]
    chosen = picker(county_client, pick=g.pk)
    assert "甲乡 › 甲一村 › 第一村民小组" in chosen
    # Clearing the village drop-down goes back to the township's villages; nothing is chosen.
    cleared = picker(county_client, up=tree["township_a"].pk)
    assert options(cleared, "pick-village") == ["甲一村", "甲二村"] and 'id="id_h-area" value=""' in cleared


def test_a_township_cadre_starts_at_the_villages_and_cannot_pick_outside(tree, township_b_user):
    client = login(township_b_user)
    page = client.get(reverse("household_create")).content.decode()
    assert 'id="pick-township"' not in page
    # The only village of 乙乡 is chosen at once.
    assert options(page, "pick-village") == ["乙一村"]
    assert f'value="{tree["village_b1"].pk}"' in page.split('id="id_h-area"')[1][:40]
    assert client.get(reverse(PICKER), {"pick": tree["village_a1"].pk}).status_code == 404
    assert client.get(reverse(PICKER), {"up": tree["township_a"].pk}).status_code == 404
    hits = client.get(reverse("household_area_search"), {"area_q": "甲"}).content.decode()
    assert "甲一村" not in hits and "没有名称含" in hits


def test_read_only_roles_get_no_picker(tree, leader):
    client = login(leader)
    assert client.get(reverse(PICKER), {"pick": tree["village_a1"].pk}).status_code == 403
    assert client.get(reverse("household_area_search"), {"area_q": "甲"}).status_code == 403
    assert client.get(reverse("household_member_row"), {"x-TOTAL_FORMS": "0"}).status_code == 403


def test_the_search_finds_groups_by_their_villages_name_with_the_whole_path(county_client, tree):
    g = group(tree)
    factories.area(tree["village_b1"].code + "001", "第一村民小组")
    hits = county_client.get(reverse("household_area_search"), {"area_q": "甲一"}).content.decode()
    assert "甲乡 › 甲一村<" in hits and "甲乡 › 甲一村 › 第一村民小组" in hits and "乙一村" not in hits
    assert f"?pick={g.pk}" in hits
    # Hundreds of groups share a name: the path tells them apart.
    same = county_client.get(reverse("household_area_search"), {"area_q": "第一村民小组"}).content.decode()
    assert "甲乡 › 甲一村 › 第一村民小组" in same and "乙乡 › 乙一村 › 第一村民小组" in same


# --- 住房面积 ---------------------------------------------------------------------------------------------


def test_the_house_area_starts_empty_and_must_be_given(county_client, tree):
    form = parse(county_client.get(reverse("household_create")).content).forms
    values = dict(next(f for f in form if "action" not in f["attrs"])["fields"])
    assert values["h-house_area"] == ""
    before = database_state()
    response = county_client.post(reverse("household_create"),
                                  create_values(county_client, tree, tree["village_a1"], **{"h-house_area": ""}))
    assert field_errors(response.content)["h-house_area"] == ["请填写住房面积（平方米）；无房请填 0"]
    assert database_state() == before
    response = county_client.post(reverse("household_create"),
                                  create_values(county_client, tree, tree["village_a1"], **{"h-house_area": "0"}))
    assert response.status_code == 302
    assert Household.objects.get(number="5303241002019999").house_area == Decimal("0")


# --- members with the head ---------------------------------------------------------------------------------


def member_fields(index: int, relation: str, sex: str, name: str) -> dict:
    data = factories.member_data(relation, sex, name=name)
    return {f"x-{index}-name": name, f"x-{index}-id_number": data["id_number"], f"x-{index}-sex": "",
            f"x-{index}-birth_date": "", f"x-{index}-ethnicity": "01", f"x-{index}-relation": relation}


def test_further_members_are_registered_with_the_head_at_once(county_client, tree):
    row = county_client.get(reverse("household_member_row"), {"x-TOTAL_FORMS": "1"}).content.decode()
    assert 'name="x-1-name"' in row and 'id="id_x-TOTAL_FORMS" value="2" hx-swap-oob="true"' in row
    values = create_values(county_client, tree, group(tree), **{"x-TOTAL_FORMS": "3"},
                           **member_fields(0, Relation.SPOUSE, "2", "钱新登"),
                           # a row added and left blank is skipped
                           **{"x-1-name": "", "x-1-id_number": "", "x-1-ethnicity": "01", "x-1-relation": ""},
                           **member_fields(2, Relation.SON, "1", "吴小登"))
    response = county_client.post(reverse("household_create"), values)
    assert response.status_code == 302, field_errors(response.content)
    household = Household.objects.get(number="5303241002019999")
    assert sorted(household.members.values_list("name", flat=True)) == ["吴小登", "吴新登", "钱新登"]
    assert (household.member_count, household.head_name, household.area) == (3, "吴新登", group(tree))
    son = household.members.get(name="吴小登")
    assert son.sex == "1" and son.birth_date is not None


def test_a_bad_further_member_refuses_the_whole_registration_at_that_member(county_client, tree, ha):
    spouse = member_fields(0, Relation.SPOUSE, "2", "钱新登")
    # The second further member is already an active member of ha: the error is at that row.
    taken = ha.members.get(name="钱甲花").id_number
    son = member_fields(1, Relation.SON, "1", "吴小登") | {"x-1-id_number": taken}
    values = create_values(county_client, tree, tree["village_a1"], **{"x-TOTAL_FORMS": "2"}, **spouse, **son)
    before = database_state()
    response = county_client.post(reverse("household_create"), values)
    assert response.status_code == 200
    errors = field_errors(response.content)
    assert list(errors) == ["x-1-id_number"] and "已是户 5303241002010001 的在户成员" in errors["x-1-id_number"][0]
    assert database_state() == before
    assert not Member.objects.filter(name__in=["钱新登", "吴小登"]).exists()
    # A further member cannot be a second head.
    head_again = member_fields(0, Relation.HEAD, "1", "吴二主")
    response = county_client.post(reverse("household_create"),
                                  create_values(county_client, tree, tree["village_a1"], **{"x-TOTAL_FORMS": "1"},
                                                **head_again))
    assert field_errors(response.content).get("x-0-relation")
    assert database_state() == before
