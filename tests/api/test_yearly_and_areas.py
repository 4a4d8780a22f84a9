"""Yearly records and areas through the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fupin.registry.models import YearlyRecord
from tests import factories

from .conftest import api, error_of

pytestmark = pytest.mark.django_db


def test_put_creates_then_corrects_one_year(registry, county_user):
    pk = registry["a1"].pk
    client = api(county_user)
    r = client.put(f"/api/households/{pk}/yearly/2019/", {"wage_income": "8000", "business_expense": "1000",
                                                          "medical_secure": True}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["net_income"] == "7000.00" and r.json()["per_capita_income"] == "3500.00"
    r = client.put(f"/api/households/{pk}/yearly/2019/", {"wage_income": 9000}, format="json")
    assert r.status_code == 200 and r.json()["net_income"] == "8000.00"
    client.put(f"/api/households/{pk}/yearly/2020/", {"wage_income": 1}, format="json")
    years = [row["year"] for row in client.get(f"/api/households/{pk}/yearly/").json()["results"]]
    assert years == [2020, 2019]
    assert client.get(f"/api/households/{pk}/yearly/2019/").json()["wage_income"] == "9000.00"
    error_of(client.get(f"/api/households/{pk}/yearly/2018/"), 404)


def test_yearly_errors(registry, county_user, leader, township_b_user):
    pk = registry["a1"].pk
    err = error_of(api(county_user).put(f"/api/households/{pk}/yearly/2019/",
                                        {"wage_income": -5, "net_income": 1}, format="json"), 400)
    assert {"wage_income", "net_income"} <= set(err["fields"])
    error_of(api(county_user).put(f"/api/households/{pk}/yearly/1999/", {}, format="json"), 400)
    error_of(api(county_user).put(f"/api/households/{pk}/yearly/20190/", {}, format="json"), 404)
    error_of(api(leader).put(f"/api/households/{pk}/yearly/2019/", {"wage_income": 1}, format="json"), 403)
    error_of(api(township_b_user).put(f"/api/households/{pk}/yearly/2019/", {"wage_income": 1}, format="json"), 404)
    assert not YearlyRecord.objects.exists()


def test_areas_are_scoped_and_looked_up_by_code(tree, township_a_user):
    client = api(township_a_user)
    codes = [a["code"] for a in client.get("/api/areas/?page_size=50").json()["results"]]
    assert codes == [factories.TOWNSHIP_A, factories.VILLAGE_A1, factories.VILLAGE_A2]
    r = client.get(f"/api/areas/{factories.VILLAGE_A1}/")
    assert r.json() == {"code": factories.VILLAGE_A1, "name": "甲一村", "level": {"code": "village",
                        "label": "行政村"}, "parent": factories.TOWNSHIP_A, "rural_population": None}
    error_of(client.get(f"/api/areas/{factories.VILLAGE_B1}/"), 404)
    error_of(client.get("/api/areas/abc/"), 404)
    assert [a["code"] for a in client.get(f"/api/areas/?parent={factories.TOWNSHIP_A}").json()["results"]] == [
        factories.VILLAGE_A1, factories.VILLAGE_A2]
    assert [a["code"] for a in client.get("/api/areas/?q=甲二").json()["results"]] == [factories.VILLAGE_A2]
    error_of(client.get(f"/api/areas/?parent={factories.TOWNSHIP_B}"), 400)
    error_of(client.get("/api/areas/?level=planet"), 400)


def test_areas_are_read_only(tree, county_user):
    err = error_of(api(county_user).post("/api/areas/", {}, format="json"), 405)
    assert err["code"] == "method_not_allowed"
    error_of(api(county_user).delete(f"/api/areas/{factories.COUNTY}/"), 405)


def test_yearly_decimal_precision(registry, county_user):
    pk = registry["a1"].pk
    err = error_of(api(county_user).put(f"/api/households/{pk}/yearly/2019/", {"wage_income": "1.234"},
                                        format="json"), 400)
    assert "wage_income" in err["fields"]
    r = api(county_user).put(f"/api/households/{pk}/yearly/2019/", {"wage_income": "1.5"}, format="json")
    assert Decimal(r.json()["wage_income"]) == Decimal("1.5")
