"""帮扶缺口 served from stored per-area counts (fupin.assistance.gaps.KIND, the mechanism of
fupin.monitoring.rollups): after every write through the services, for the areas it concerns — a cadre's
pairing in one township changes the overload of their households in another — and on the day computed
only; every count still equal to its household list. ``fupin gaps refresh`` fills them."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin.assistance import gaps
from fupin.assistance import services as pairing_services
from fupin.assistance import services_people as people
from fupin.assistance.models import AssistanceRule, GapRollup, RuleKey
from fupin.monitoring import rollups
from fupin.registry.models import Household

from .plan_world import cadre, household, pair, today, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):
    a1, a2, b1 = tree["village_a1"], tree["village_a2"], tree["village_b1"]
    w = {"tree": tree, "cadre": cadre(tree["county"], "赵干部")}
    w["lonely"] = household(a1)
    w["never"] = household(a1)
    w["recent"] = household(a1)
    w["a2"] = household(a2)
    w["b"] = household(b1)
    for key in ("never", "recent", "a2"):
        pair(w["cadre"], w[key])
    visit(w["recent"], w["cadre"], today() - datetime.timedelta(days=10))
    AssistanceRule.objects.create(key=RuleKey.CADRE_MAX_HOUSEHOLDS, value=3)
    return w


def listed(area) -> dict[str, int]:
    """Each gap's households in ``area``'s subtree as the household list filters them (the one definition)."""
    return {g.key: Household.objects.filter(area_path__startswith=area.path).filter(gaps.household_q(g.key)).count()
            for g in gaps.GAPS}


def shown(user, area) -> dict[str, int]:
    cache.clear()  # the Django cache emptied: served from the stored counts when current
    return {r.gap.key: r.total for r in gaps.report(user=user, area=area)}


def by_child(user, area, key: str) -> dict[str, int]:
    cache.clear()
    return next(r for r in gaps.report(user=user, area=area) if r.gap.key == key).by_child


def assert_all_agree(user, tree) -> None:
    for area in (tree["county"], tree["township_a"], tree["township_b"], tree["village_a1"], tree["village_a2"],
                 tree["village_b1"]):
        assert shown(user, area) == listed(area), area.name


def test_the_report_is_stored_per_area_and_served_until_a_write_concerns_it(world, county_user):
    tree = world["tree"]
    assert shown(county_user, tree["county"]) == listed(tree["county"])
    stored = dict(GapRollup.objects.values_list("area_path", "stamp"))
    assert {tree["county"].path, tree["township_a"].path, tree["township_b"].path, tree["village_a1"].path} <= set(stored)
    assert rollups.stale_count(gaps.KIND) == 0
    # A visit recorded through the service in 甲一村: only that village and the areas above it are recomputed.
    from fupin.assistance.services_visits import visit_create

    visit_create(actor=county_user, household=world["never"], cadre=world["cadre"], client_id=None, on=today(),
                 purpose="走访")
    assert rollups.stale_count(gaps.KIND) == 3  # 甲一村, 甲乡, the county
    assert shown(county_user, tree["county"]) == listed(tree["county"])
    after = dict(GapRollup.objects.values_list("area_path", "stamp"))
    assert after[tree["township_b"].path] == stored[tree["township_b"].path]  # served as it was
    assert after[tree["village_a1"].path] > stored[tree["village_a1"].path]
    assert_all_agree(county_user, tree)


def test_a_pairing_in_one_township_changes_the_overload_in_another(world, county_user):
    tree = world["tree"]
    assert shown(county_user, tree["county"])["overload"] == 0  # load 3, the limit 3
    pairing_services.pairing_create(actor=county_user, cadre=world["cadre"], household=world["b"],
                                    start=today() - datetime.timedelta(days=1))  # audited at 乙一村
    assert by_child(county_user, tree["county"], "overload") == {tree["township_a"].path: 3, tree["township_b"].path: 1}
    assert by_child(county_user, tree["township_a"], "overload") == {tree["village_a1"].path: 2, tree["village_a2"].path: 1}
    assert_all_agree(county_user, tree)
    # A limit set for the county (the cadre's area): every household of theirs changes.
    people.rule_set(actor=None, key=RuleKey.CADRE_MAX_HOUSEHOLDS, area=tree["county"], value=10)
    assert shown(county_user, tree["county"])["overload"] == 0
    assert_all_agree(county_user, tree)


def test_a_cadre_of_another_area_leaving_reopens_the_gap_of_their_households(world, county_user):
    tree = world["tree"]
    away = cadre(tree["village_b1"], "钱干部")  # the cadre's own area is 乙一村, the household in 甲一村
    pair(away, world["lonely"])
    assert shown(county_user, tree["village_a1"])["no_cadre"] == 0
    people.cadre_leave(actor=None, cadre=away, left_on=today() - datetime.timedelta(days=1))  # audited at 乙一村
    assert shown(county_user, tree["village_a1"])["no_cadre"] == 1
    assert_all_agree(county_user, tree)


def test_counts_of_another_day_are_not_served(world, county_user):
    tree = world["tree"]
    assert shown(county_user, tree["county"]) == listed(tree["county"])
    # Yesterday's counts (visits within N days, measures past their date move with the day) with a wrong
    # figure in them: never served today.
    for row in GapRollup.objects.all():
        row.data["n"]["not_visited"] = 999
        row.computed_at = timezone.now() - datetime.timedelta(days=1)
        row.save()
    assert rollups.stale_count(gaps.KIND) == GapRollup.objects.count()
    assert shown(county_user, tree["county"]) == listed(tree["county"])
    assert rollups.stale_count(gaps.KIND) == 0


def test_the_page_lists_the_cadres_and_counts_equal_the_lists(world, county_user):
    tree = world["tree"]
    pairing_services.pairing_create(actor=county_user, cadre=world["cadre"], household=world["b"],
                                    start=today() - datetime.timedelta(days=1))
    client = Client()
    client.force_login(county_user)
    cache.clear()
    page = client.get(reverse("gaps_page"), {"area": tree["county"].code})
    assert page.status_code == 200
    assert [c["cadre"].name for c in page.context["cadres"]] == ["赵干部"]
    for total in page.context["totals"]:
        listed_page = client.get(reverse("household_list"), {"gap": total["gap"].key, "area": tree["county"].code,
                                                             "status": "all"})
        assert listed_page.context["page"].paginator.count == total["n"], total["gap"].key


def test_the_refresh_command_fills_them(world, county_user):
    out = StringIO()
    call_command("gaps", "refresh", stdout=out)
    assert "已预计算" in out.getvalue()
    assert GapRollup.objects.filter(area_path=world["tree"]["county"].path).exists()
    call_command("gaps", "status", stdout=out)
    assert "过期 0 条" in out.getvalue()
    stamp = GapRollup.objects.get(area_path=world["tree"]["county"].path).stamp
    assert shown(county_user, world["tree"]["county"]) == listed(world["tree"]["county"])
    assert GapRollup.objects.get(area_path=world["tree"]["county"].path).stamp == stamp  # served as stored
