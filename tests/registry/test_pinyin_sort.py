"""户主 sorted by pinyin (issue 12 #14): the sort key, kept by every writer of the head's name (the
services, the importer, the demo generator: tests/demo/test_registry_consistency.py), and the list
sorted by it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fupin.lib.pinyin import sort_key
from fupin.registry import services
from fupin.registry.choices import Relation
from fupin.registry.models import Household
from fupin.sheets.importer import apply_plan, plan_import
from tests import factories
from tests.sheets.test_import import family, sheet
from tests.web.conftest import login
from tests.web.html import listed_numbers

pytestmark = pytest.mark.django_db


def test_names_sort_by_pinyin_then_tone_not_by_code_point():
    names = ["周丽", "张三丰", "阿依古丽·买买提", "林明", "马丽", "曾小红", "李明", "妈丽", "吕小", "卢小", "张三", "Anna"]
    assert sorted(names, key=sort_key) == [
        "阿依古丽·买买提", "Anna", "李明", "林明", "卢小", "吕小", "妈丽", "马丽",
        "曾小红",  # a surname: zēng, not céng
        "张三", "张三丰", "周丽"]
    assert sorted(names) != sorted(names, key=sort_key)
    assert sort_key("张三") == sort_key("章三") == "zhang01san0001"
    assert sort_key("") == "" and sort_key("单") == "shan004"


def test_the_services_keep_the_key_with_the_heads_name(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user, members=[
        factories.member_data(Relation.HEAD, "1", name="曾大山"),
        factories.member_data(Relation.SPOUSE, "2", name="单小梅")])
    household.refresh_from_db()
    assert household.head_name_pinyin == sort_key("曾大山")
    spouse = household.members.get(name="单小梅")
    services.household_set_head(actor=county_user, household=household, member=spouse, old_head_relation="spouse")
    household.refresh_from_db()
    assert household.head_name_pinyin == sort_key("单小梅") == "shan004xiao003mei0002"


def test_an_imported_household_gets_the_key(tree, county_user):
    apply_plan(plan_import(sheet(family("5303241002010001", n=0)), actor=county_user), actor=county_user)
    assert Household.objects.get(number="5303241002010001").head_name_pinyin == sort_key("户主0")


def test_the_household_list_sorts_heads_by_pinyin(tree, county_user):
    names = {"赵": "赵一", "安": "安二", "曾": "曾三", "邓": "邓四", "钱": "钱五"}
    made = {surname: factories.household(tree["village_a1"], actor=county_user,
                                         members=[factories.member_data(Relation.HEAD, "1", name=name)])
            for surname, name in names.items()}
    client = login(county_user)
    listed = listed_numbers(client.get(reverse("household_list"), {"sort": "head"}).content)
    # an, deng, qian, zeng (曾 as a surname), zhao — by code point 安 < 曾 < 赵 < 邓 < 钱.
    assert listed == [made[s].number for s in ("安", "邓", "钱", "曾", "赵")]
    backwards = listed_numbers(client.get(reverse("household_list"), {"sort": "-head"}).content)
    assert backwards == listed[::-1]
    # A household whose people all died or moved away has no head: after the named ones, either way.
    gone = made["安"]
    Household.objects.filter(pk=gone.pk).update(head_name="", head_name_pinyin="")
    for sort in ("head", "-head"):
        assert listed_numbers(client.get(reverse("household_list"), {"sort": sort}).content)[-1] == gone.number
    api = APIClient()
    api.force_authenticate(county_user)
    rows = api.get("/api/households/", {"ordering": "head"}).json()["results"]
    assert [r["number"] for r in rows] == [made[s].number for s in ("邓", "钱", "曾", "赵", "安")]
