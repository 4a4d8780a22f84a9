"""/api/monitoring/objects/: the list with its filters, one object with its measures and the
risk-elimination conditions, and recording a measure (refused in Chinese, in the API's one error shape)."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from fupin.monitoring import services

from .mproc_helpers import clock, enrol, exited, found

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(village_user):
    client = APIClient()
    client.force_authenticate(village_user)
    return client


def test_the_list_filters_by_risk_type_and_state(api, village_user, tree):
    obj = found(village_user, exited(tree["village_a1"]))
    assert [r["id"] for r in api.get("/api/monitoring/objects/", {"risk": "illness"}).json()["results"]] == [obj.pk]
    assert api.get("/api/monitoring/objects/", {"risk": "disaster"}).json()["results"] == []
    assert api.get("/api/monitoring/objects/", {"state": "at_risk"}).json()["results"] == []


def test_an_object_at_risk_carries_its_conditions(api, village_user, township_a_user, county_user, tree):
    users = {"village": village_user, "township": township_a_user, "county": county_user}
    with clock("2026-03-02") as t:
        obj = found(village_user, exited(tree["village_a1"]))
        enrol(users, obj, t, tree)
        body = api.get(f"/api/monitoring/objects/{obj.pk}/").json()
    assert body["state"]["code"] == "at_risk" and body["enrolled_on"] == "2026-03-07"
    assert [c["key"] for c in body["clear_conditions"]] == ["income", "rigid", "secure", "monitored", "labour"]


def test_a_measure_is_recorded_and_a_future_date_refused_in_chinese(api, village_user, tree):
    obj = found(village_user, exited(tree["village_a1"]))
    url = f"/api/monitoring/objects/{obj.pk}/measures/"
    today = datetime.date.today()
    created = api.post(url, {"sector": "labour", "category": "公益岗位", "date": today.isoformat()}, format="json")
    assert created.status_code == 201 and created.json()["sector"]["code"] == "labour"
    refused = api.post(url, {"sector": "labour", "category": "公益岗位",
                             "date": (today + datetime.timedelta(days=2)).isoformat()}, format="json")
    assert refused.status_code == 400 and "晚于今天" in str(refused.json()["error"]["fields"]["date"])
    assert obj.measures.count() == 1


def test_an_unknown_field_is_refused(api, village_user, tree):
    obj = found(village_user, exited(tree["village_a1"]))
    response = api.post(f"/api/monitoring/objects/{obj.pk}/measures/", {
        "sector": "labour", "category": "公益岗位", "date": datetime.date.today().isoformat(), "actor": 1},
        format="json")
    assert response.status_code == 400 and not services.Measure.objects.exists()
