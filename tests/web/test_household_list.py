"""The household list: filters, free-text search, sorting, pagination and the htmx partials."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests import factories

from .conftest import NUMBER_A1, NUMBER_A2, NUMBER_B1, many_households
from .html import listed_numbers

URL = "/households/"
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


def numbers(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return listed_numbers(response.content)


def test_the_url_is_where_the_page_says(db):
    assert reverse("household_list") == URL


@pytest.mark.parametrize("params, expected", [
    ({}, [NUMBER_A1, NUMBER_A2, NUMBER_B1]),
    ({"township": "530324100000"}, [NUMBER_A1, NUMBER_A2]),
    ({"township": "530324101000"}, [NUMBER_B1]),
    ({"township": "530324100000", "village": "530324100202"}, [NUMBER_A2]),
    ({"status": "exited"}, [NUMBER_A2]),
    ({"status": "poor"}, [NUMBER_A1, NUMBER_B1]),
    ({"attribute": "tekun"}, [NUMBER_B1]),
    ({"attribute": "dibao"}, [NUMBER_A2]),
    ({"cause": "illness"}, [NUMBER_A1]),
    ({"cause": "schooling"}, [NUMBER_B1]),
    ({"identified_year": "2015"}, [NUMBER_A2]),
    ({"exit_year": "2017"}, [NUMBER_A2]),
    ({"township": "530324100000", "status": "poor"}, [NUMBER_A1]),
    ({"township": "530324101000", "cause": "illness"}, []),
])
def test_each_filter_narrows_the_list(county_client, registry, params, expected):
    assert numbers(county_client, **params) == expected


@pytest.mark.parametrize("query, expected", [
    ("赵甲山", [NUMBER_A1]),  # the head's name
    ("甲山", [NUMBER_A1]),  # part of it
    ("钱甲花", [NUMBER_A1]),  # another member's name
    ("李乙梅", [NUMBER_B1]),
    ("甲", [NUMBER_A1, NUMBER_A2]),
    ("5303241002", [NUMBER_A1, NUMBER_A2]),  # household-number prefix
    ("53032410020200", [NUMBER_A2]),
    ("530324100201000", [NUMBER_A1]),  # a prefix as long as an old 15-digit ID number
    (NUMBER_B1, [NUMBER_B1]),
    ("无此人", []),
])
def test_free_text_finds_names_and_household_numbers(county_client, registry, query, expected):
    assert numbers(county_client, q=query) == expected


def test_free_text_finds_a_full_id_number_of_any_member(county_client, registry):
    spouse = registry["a1"].members.get(name="钱甲花")
    assert numbers(county_client, q=spouse.id_number) == [NUMBER_A1]
    # As typed on a phone: spaces, full-width digits and a lower-case x are tolerated.
    spaced = " ".join([spouse.id_number[:6], spouse.id_number[6:14], spouse.id_number[14:]])
    assert numbers(county_client, q=spaced) == [NUMBER_A1]
    full_width = spouse.id_number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert numbers(county_client, q=full_width) == [NUMBER_A1]


def test_a_removed_member_is_not_found_by_name(county_client, county_user, registry):
    from fupin.registry import services

    spouse = registry["a1"].members.get(name="钱甲花")
    services.member_remove(actor=county_user, member=spouse, reason="death")
    assert numbers(county_client, q="钱甲花") == []


def test_the_village_filter_ignores_a_village_left_over_from_another_township(county_client, registry):
    # The htmx form sends the old village along with the newly chosen township before the village
    # drop-down has been refilled: the township must still apply.
    assert numbers(county_client, township="530324101000", village="530324100201") == [NUMBER_B1]


@pytest.mark.parametrize("sort, expected", [
    ("number", [NUMBER_A1, NUMBER_A2, NUMBER_B1]),
    ("-number", [NUMBER_B1, NUMBER_A2, NUMBER_A1]),
    ("people", [NUMBER_A2, NUMBER_A1, NUMBER_B1]),
    ("-people", [NUMBER_A1, NUMBER_B1, NUMBER_A2]),
    ("identified", [NUMBER_A1, NUMBER_A2, NUMBER_B1]),
    ("-identified", [NUMBER_B1, NUMBER_A2, NUMBER_A1]),
    # 户主 in pinyin order: 孙乙林 (sun), 赵甲山 (zhao), 周甲河 (zhou); by code point 周 < 孙 < 赵.
    ("head", [NUMBER_B1, NUMBER_A1, NUMBER_A2]),
    ("-head", [NUMBER_A2, NUMBER_A1, NUMBER_B1]),
    ("bogus", [NUMBER_A1, NUMBER_A2, NUMBER_B1]),
])
def test_the_list_sorts_by_the_column_asked_for(county_client, registry, sort, expected):
    assert numbers(county_client, sort=sort) == expected


def test_a_sort_link_reverses_the_current_sort_and_keeps_the_filters(county_client, registry):
    text = county_client.get(URL, {"township": "530324100000", "sort": "people"}).content.decode()
    assert 'href="?township=530324100000&amp;sort=-people"' in text
    assert "人口 ▲" in text


def test_the_list_pages_by_twenty(county_client, county_user, tree):
    made = many_households(tree["village_a1"], county_user, 25)
    first = county_client.get(URL)
    assert listed_numbers(first.content) == [h.number for h in made[:20]]
    assert "第 1 / 2 页" in first.content.decode()
    second = county_client.get(URL, {"page": 2})
    assert listed_numbers(second.content) == [h.number for h in made[20:]]
    assert "第 2 / 2 页" in second.content.decode()
    # Out of range or nonsense: the nearest sensible page, not an error.
    assert listed_numbers(county_client.get(URL, {"page": 99}).content) == [h.number for h in made[20:]]
    assert listed_numbers(county_client.get(URL, {"page": "x"}).content) == [h.number for h in made[:20]]


def test_the_pager_links_keep_the_filters(county_client, county_user, tree):
    many_households(tree["village_a1"], county_user, 21)
    text = county_client.get(URL, {"township": "530324100000", "sort": "-number"}).content.decode()
    assert 'href="?township=530324100000&amp;sort=-number&page=2"' in text


def test_an_htmx_request_for_the_results_gets_only_the_results(county_client, registry):
    response = county_client.get(URL, {"township": "530324101000"}, **HX)
    text = response.content.decode()
    assert [t.name for t in response.templates][0] == "registry/_household_results.html"
    assert "<html" not in text and 'id="filters"' not in text
    assert "共 1 户" in text and listed_numbers(text) == [NUMBER_B1]


def test_an_htmx_request_for_another_target_gets_the_whole_page(county_client, registry):
    response = county_client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main")
    assert response.templates[0].name == "registry/household_list.html"
    assert "<html" in response.content.decode()


def test_the_village_options_follow_the_township(county_client, registry):
    response = county_client.get(reverse("village_options"), {"township": "530324100000"})
    text = response.content.decode()
    assert text.startswith('<option value="">全部</option>')
    assert '<option value="530324100201">甲一村</option>' in text
    assert '<option value="530324100202">甲二村</option>' in text
    assert "乙一村" not in text and "<html" not in text
    empty = county_client.get(reverse("village_options")).content.decode()
    assert empty.strip() == '<option value="">全部</option>'


def test_the_village_drop_down_is_filled_when_a_township_is_chosen(county_client, registry):
    text = county_client.get(URL, {"township": "530324101000"}).content.decode()
    assert '<option value="530324101201">乙一村</option>' in text
    assert "甲一村" not in text


def test_a_village_officer_filters_by_village_without_a_township(village_user, registry):
    from .conftest import login

    client = login(village_user)
    assert numbers(client) == [NUMBER_A1]
    assert numbers(client, village="530324100201") == [NUMBER_A1]


def test_a_filter_value_outside_the_choices_is_reported_not_ignored_silently(county_client, registry):
    response = county_client.get(URL, {"status": "bogus"})
    assert response.status_code == 200
    assert "户状态：" in response.content.decode()


def test_years_offered_span_the_registry(county_client, registry):
    form = county_client.get(URL).context["form"]
    years = [value for value, _label in form.fields["identified_year"].choices if value != ""]
    # From this year back to the earliest year in the register (2014 here).
    this_year = datetime.date.today().year
    assert years == list(range(this_year, 2013, -1))


def test_a_household_with_no_head_name_shows_a_dash(county_client, county_user, tree):
    factories.household(tree["village_a1"], actor=county_user, number="77")
    text = county_client.get(URL).content.decode()
    assert "77" in text


def test_the_page_size_follows_the_setting(county_client, county_user, tree, settings):
    settings.FUPIN_PAGE_SIZE = 5
    made = many_households(tree["village_a1"], county_user, 7)
    assert numbers(county_client) == [h.number for h in made[:5]]
    assert numbers(county_client, page=2) == [h.number for h in made[5:]]
