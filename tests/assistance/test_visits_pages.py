"""The visit pages (issue 15 items 2 and 5): 我的帮扶 (the 帮扶责任人's home page), the offline form and
its household list, the service worker, the visits of a household and of a cadre."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from fupin.assistance.models import MeasureCategory, MeasureStatus, Plan, PlanMeasure
from fupin.assistance.services_visits import visit_create

from .visits_world import TODAY, login, world_fixture  # noqa: F401  (the "world" fixture)

pytestmark = pytest.mark.django_db


def visit(w, key, days_ago, cadre="cadre"):
    return visit_create(actor=None, household=w["hh"][key], cadre=w[cadre], client_id=None,
                        on=TODAY - datetime.timedelta(days=days_ago), purpose="季度走访")


def test_my_page_is_the_cadres_home_with_visits_and_measures_due(world):
    visit(world, "mine", 120)
    visit(world, "mine", 10)  # the latest counts: not due
    plan = Plan.objects.create(household=world["hh"]["mine2"], year=TODAY.year)
    due = PlanMeasure.objects.create(plan=plan, category=MeasureCategory.INDUSTRY, name="发放鸡苗",
                                     planned_on=TODAY + datetime.timedelta(days=20))
    PlanMeasure.objects.create(plan=plan, category=MeasureCategory.HEALTH, name="已办结", status=MeasureStatus.DONE,
                               done_on=TODAY, planned_on=TODAY)
    PlanMeasure.objects.create(plan=plan, category=MeasureCategory.HOUSING, name="明年的事",
                               planned_on=TODAY + datetime.timedelta(days=60))
    response = login(world["cadre_user"]).get(reverse("home"))
    assert response.status_code == 200
    page = response.context["page"]
    assert [m.household.number for m in page.households] == ["5303241002010201", "5303241002010202"]
    assert [(m.household.number, m.days_since) for m in page.due] == [("5303241002010202", None)]
    assert page.measures == [due]
    text = response.content.decode()
    assert "从未走访" in text and f"?household={world['hh']['mine2'].pk}" in text
    assert "5303241002010203" not in text  # another cadre's household
    todos = {t.label: t.count for t in response.context["todos"]}
    assert "结对户到期应走访" not in todos  # shown as the page's own section


def test_other_roles_keep_the_home_page_and_see_no_pairing_of_their_own(world):
    response = login(world["village"]).get(reverse("home"))
    assert "page" not in response.context and "todos" in response.context
    page = login(world["village"]).get(reverse("visits:my"))
    assert page.status_code == 200 and "未关联帮扶干部" in page.content.decode()


def test_the_offline_list_is_the_cadres_households_masked(world):
    world["hh"]["mine"].phone = "13812345678"
    world["hh"]["mine"].save(update_fields=["phone"])
    client = login(world["cadre_user"])
    data = client.get(reverse("visits:my_households")).json()
    assert data["user"] == world["cadre_user"].pk
    assert [h["number"] for h in data["households"]] == ["5303241002010201", "5303241002010202"]
    assert data["households"][0]["phone"] == "138****5678"
    assert client.get(reverse("visits:my_households"), {"household": world["hh"]["other"].pk}).status_code == 404
    village = login(world["village"]).get(reverse("visits:my_households"), {"household": world["hh"]["other"].pk})
    row = village.json()["households"][0]
    assert row["number"] == "5303241002010203" and row["cadres"] == [{"id": world["other_cadre"].pk, "name": "王帮扶"}]


def test_the_form_page_carries_no_household_data_and_may_locate(world):
    response = login(world["cadre_user"]).get(reverse("visits:new"), {"household": world["hh"]["mine"].pk})
    text = response.content.decode()
    assert response.status_code == 200 and "5303241002010201" not in text
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert 'id="visit-config"' in text


def test_the_service_worker_is_served_with_its_scope_and_assets(world, client):
    response = client.get(reverse("visits:sw"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/assistance/"
    body = response.content.decode()
    assert '"/assistance/visits/new/"' in body and "/static/assistance/offline.js" in body
    assert "/*ASSETS*/" not in body and 'VERSION = "dev"' not in body


def test_read_only_roles_may_not_open_the_form(world, tree):
    from tests import factories

    leader = factories.user("leader", "leader", tree["county"])
    assert login(leader).get(reverse("visits:new")).status_code == 403
    assert login(leader).get(reverse("visits:my_households")).status_code == 403


def test_household_and_cadre_visit_lists_are_scoped(world):
    visit(world, "mine", 5)
    visit(world, "other", 3, cadre="other_cadre")
    cadre = login(world["cadre_user"])
    page = cadre.get(reverse("household_detail", args=[world["hh"]["mine"].pk])).content.decode()
    assert 'id="visits"' in page and "帮扶走访（1）" in page
    assert cadre.get(reverse("visits:household", args=[world["hh"]["other"].pk])).status_code == 404
    assert cadre.get(reverse("visits:cadre", args=[world["other_cadre"].pk])).status_code == 404
    mine = cadre.get(reverse("visits:cadre", args=[world["cadre"].pk]))
    assert mine.status_code == 200 and len(mine.context["visits"]) == 1
    village = login(world["village"]).get(reverse("visits:cadre", args=[world["other_cadre"].pk]))
    assert village.status_code == 200 and len(village.context["visits"]) == 1
