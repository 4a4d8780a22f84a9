"""一户一策 pages (plan15): one tap from a suggestion, 409 on a stale save, 完成 needs its date, 五个清楚's
帮扶措施 from the plan, the catalogue page and its editor."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fupin.assistance import services_plans as services
from fupin.assistance.models import CatalogueMeasure, MeasureStatus, Plan, PlanMeasure
from fupin.registry.choices import Cause

from .plan_world import cadre, catalogue, household, pair, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def hh(tree):
    h = household(tree["village_a1"], main_cause=Cause.SCHOOLING, other_causes=[Cause.ILLNESS])
    pair(cadre(tree["county"], "李老师"), h)
    return h


@pytest.fixture
def web(county_user):
    client = Client()
    client.force_login(county_user)
    return client


def test_a_suggestion_is_added_in_one_tap(hh, web):
    url = reverse("plan_page", args=[hh.pk])
    page = web.get(url)
    assert page.status_code == 200 and "菜单式推荐" in page.content.decode()
    picked = next(s for s in page.context["suggestions"] if s.measure.name == "雨露计划")
    response = web.post(url, {"action": "suggest", "catalogue": picked.measure.pk, "cause": picked.cause,
                              "year": today().year})
    assert response.status_code == 302
    m = PlanMeasure.objects.get(plan__household=hh)
    assert (m.name, m.cause, m.cadre.name) == ("雨露计划", Cause.SCHOOLING, "李老师")
    text = web.get(url).content.decode()
    assert "雨露计划" in text and "已在计划中" in text


def test_a_stale_save_answers_409_in_chinese(hh, web, county_user):
    plan = services.plan_create(actor=county_user, household=hh, year=today().year)
    services.plan_update(actor=county_user, plan=plan, version=1, note="他人先保存")
    response = web.post(reverse("plan_page", args=[hh.pk]), {"action": "note", "note": "我的修改", "version": 1,
                                                               "year": today().year})
    assert response.status_code == 409
    assert "刚被其他人修改过" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).note == "他人先保存"


def test_done_without_a_date_is_refused_and_with_one_recorded(hh, web, county_user):
    plan = services.plan_create(actor=county_user, household=hh, year=today().year)
    m = services.measure_add(actor=county_user, plan=plan, version=1, catalogue=catalogue("大病救治"), cause=Cause.ILLNESS)
    url = reverse("plan_measure_status", args=[m.pk])
    response = web.post(url, {"status": "done", "done_on": "", "version": 2})
    assert response.status_code == 400 and "完成日期" in response.content.decode()
    assert PlanMeasure.objects.get(pk=m.pk).status == MeasureStatus.PLANNED
    assert web.post(url, {"status": "done", "done_on": today().isoformat(), "result": "已报销", "version": 2}).status_code == 302
    m.refresh_from_db()
    assert (m.status, m.done_on, m.result) == (MeasureStatus.DONE, today(), "已报销")


def test_five_clear_shows_the_plans_measures_and_the_unanswered_cause(hh, web, county_user):
    plan = services.plan_create(actor=county_user, household=hh, year=today().year)
    services.measure_add(actor=county_user, plan=plan, version=1, catalogue=catalogue("控辍保学"), cause=Cause.SCHOOLING)
    text = web.get(reverse("household_five_clear", args=[hh.pk])).content.decode()
    section = text[text.index('id="measures"'):text.index('id="path"')]
    assert "控辍保学" in section and "李老师" in section
    assert "因病" in section and "无措施" in section


def test_the_catalogue_page_adds_and_edits_the_countys_own(tree, web):
    response = web.post(reverse("plan_catalogue"), {"category": "industry", "name": "高原特色蔬菜", "causes": ["funds"],
                                                    "area": tree["county"].pk, "active": "on"})
    assert response.status_code == 302
    m = CatalogueMeasure.objects.get(name="高原特色蔬菜")
    edit = reverse("plan_catalogue_edit", args=[m.pk])
    assert web.post(edit, {"category": "industry", "name": "高原蔬菜", "causes": ["funds", "land"],
                           "area": tree["county"].pk}).status_code == 302
    m.refresh_from_db()
    assert (m.name, m.causes, m.active) == ("高原蔬菜", ["funds", "land"], False)
    assert web.get(reverse("plan_catalogue_edit", args=[catalogue("雨露计划").pk])).status_code == 403
