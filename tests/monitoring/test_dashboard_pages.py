"""The dashboard pages, targets, tables and /api/stats/: scope, the leader's read-only view, errors,
query counts."""

import datetime
import re

import pytest
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.monitoring.models import Target

from .. import factories
from . import dash_world

D = datetime.date


@pytest.fixture
def world(tree, county_user):
    return dash_world.build(tree, county_user)


@pytest.fixture
def leader(tree):
    return factories.user("leader", Role.LEADER, tree["county"])


def _get(client, user, url, params=None):
    client.force_login(user)
    return client.get(url, params or {})


def test_the_county_dashboard_links_every_number_to_its_households(world, tree, county_user, client):
    response = _get(client, county_user, reverse("dash:dashboard"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "fig=status%3Apoor" in text or "fig=poor" in text
    assert "甲乡" in text and "乙乡" in text
    chart = response.context["chart"]
    assert all(p["url"].startswith("/households/?") for p in chart["status"])


def test_drilling_down_reaches_the_households_of_a_village(world, tree, county_user, client):
    response = _get(client, county_user, reverse("dash:dashboard"), {"area": tree["village_a1"].code, "year": 2019})
    assert response.status_code == 200
    numbers = [r["number"] for r in response.context["households"]]
    assert world["households"]["returned"].number in numbers
    assert reverse("household_detail", args=[world["households"]["returned"].pk]) in response.content.decode()
    row = next(r for r in response.context["households"] if r["number"] == world["households"]["shrunk"].number)
    assert row["ppl"] == 2  # the son removed in June 2019


def test_an_area_outside_the_scope_is_a_404_on_every_page_and_the_api(world, tree, township_b_user, client):
    client.force_login(township_b_user)
    for url in (reverse("dash:dashboard"), reverse("dash:targets"), reverse("dash:tables"),
                reverse("dash:tables_download")):
        assert client.get(url, {"area": tree["village_a1"].code}).status_code == 404, url
    response = client.get("/api/stats/", {"area": tree["village_a1"].code})
    assert response.status_code == 404 and response.json()["error"]["status"] == 404


def test_a_bad_date_is_a_clear_error(world, tree, county_user, client):
    response = _get(client, county_user, reverse("dash:dashboard"), {"on": "2019-02-30"})
    assert response.status_code == 200 and "日期“2019-02-30”无效" in response.content.decode()
    api = client.get("/api/stats/", {"date": "2019-02-30"})
    assert api.status_code == 400 and "date" in api.json()["error"]["fields"]
    assert client.get("/api/stats/", {"areaa": "1"}).status_code == 400


def test_the_leader_sees_dashboards_targets_and_tables_but_changes_nothing(world, tree, leader, client):
    client.force_login(leader)
    assert client.get(reverse("dash:dashboard")).status_code == 200
    page = client.get(reverse("dash:targets"))
    assert page.status_code == 200 and "<form" not in page.content.decode().split("<main")[-1].split("</main>")[0] \
        .replace('action="/i18n/', "")
    assert client.post(reverse("dash:targets"), {"year": 2020, "exit_households": "9"}).status_code == 403
    assert not Target.objects.filter(year=2020).exists()
    download = client.get(reverse("dash:tables_download"), {"year": 2020})
    assert download.status_code == 200
    assert client.get("/api/stats/").status_code == 200


def test_a_county_officer_sets_targets_and_a_bad_value_names_its_target(world, tree, county_user, client):
    client.force_login(county_user)
    response = client.post(reverse("dash:targets"), {"year": 2021, "exit_households": "12", "exit_people": "-3"})
    assert "脱贫人数：“-3”不是有效的非负数" in response.content.decode()
    assert not Target.objects.filter(year=2021).exists()  # nothing half written
    response = client.post(reverse("dash:targets"), {"year": 2021, "exit_households": "12", "exit_people": "40"})
    assert response.status_code == 302
    assert {t.kind: int(t.value) for t in Target.objects.filter(year=2021)} == {"exit_households": 12,
                                                                                "exit_people": 40}
    assert AuditEvent.objects.filter(kind=AuditKind.UPDATE, entity__icontains="target").count() >= 2
    client.post(reverse("dash:targets"), {"year": 2021, "exit_households": "", "exit_people": "40"})
    assert list(Target.objects.filter(year=2021).values_list("kind", flat=True)) == ["exit_people"]


def test_a_township_officer_may_not_set_targets(world, tree, township_a_user, client):
    client.force_login(township_a_user)
    assert client.post(reverse("dash:targets"), {"year": 2021, "exit_households": "1"}).status_code == 403


def test_the_tables_download_is_audited(world, tree, county_user, client):
    response = _get(client, county_user, reverse("dash:tables_download"), {"year": 2019})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"') or ".xlsx" in response["Content-Disposition"]
    event = AuditEvent.objects.filter(kind=AuditKind.EXPORT).latest("id")
    assert event.data["year"] == 2019 and event.data["area"] == tree["county"].code
    bad = client.get(reverse("dash:tables_download"), {"year": 1999})
    assert bad.status_code == 302


def test_the_api_schema_documents_stats(client, county_user):
    client.force_login(county_user)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/stats/" in schema and "StatsOut" in schema


@pytest.mark.parametrize("on", [None, "2019-12-31"])
def test_query_counts_are_pinned(world, tree, county_user, client, django_assert_max_num_queries, on):
    params = {"on": on} if on else {}
    _get(client, county_user, reverse("dash:dashboard"), params)  # computes the rollup
    with django_assert_max_num_queries(10):
        client.get(reverse("dash:dashboard"), params)
    village = {"area": tree["village_a1"].code, **params}
    with django_assert_max_num_queries(29):  # computed (8 groups; PostgreSQL: + SET LOCAL jit), stored; households
        client.get(reverse("dash:dashboard"), village)
    with django_assert_max_num_queries(11):  # served from the rollup, and the village's households
        client.get(reverse("dash:dashboard"), village)


def test_the_list_opened_from_a_child_row_counts_that_child(world, tree, county_user, client):
    response = _get(client, county_user, reverse("dash:dashboard"))
    row = next(r for r in response.context["d"]["children"] if r["area"] == tree["township_a"])
    listed = client.get(row["households"].url)
    assert re.search(rf"共 {row['households'].households} 户", listed.content.decode())


def test_the_tables_page_previews_the_first_table_with_the_list_counts(world, tree, county_user, client):
    response = _get(client, county_user, reverse("dash:tables"), {"year": 2019})
    assert response.status_code == 200
    total = response.context["preview"][-1]
    register = total["cells"][-1]
    assert register.key == "reg" and register.households == 6
    listed = client.get(register.url)
    assert re.search(r"共 6 户", listed.content.decode())
