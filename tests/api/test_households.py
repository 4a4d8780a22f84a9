"""Households through the API: scope, roles, filters, masking, create and update."""

from __future__ import annotations

import pytest

from fupin.audit.models import AuditEvent
from fupin.registry.models import Household
from tests import factories

from .conftest import api, error_of

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_county_lists_every_household_in_the_county(registry, county_user):
    assert numbers(api(county_user).get("/api/households/")) == [
        "5303241002010001", "5303241002020001", "5303241012010001"]


def test_township_officer_sees_only_their_township(registry, township_a_user, township_b_user):
    assert numbers(api(township_a_user).get("/api/households/")) == ["5303241002010001", "5303241002020001"]
    assert numbers(api(township_b_user).get("/api/households/")) == ["5303241012010001"]


def test_outsider_gets_404_on_detail_and_writes(registry, township_b_user):
    pk = registry["a1"].pk
    client = api(township_b_user)
    error_of(client.get(f"/api/households/{pk}/"), 404)
    error_of(client.patch(f"/api/households/{pk}/", {"address": "x", "version": 1}, format="json"), 404)
    error_of(client.post(f"/api/households/{pk}/status/", {"status": "exited", "reason": "x"}, format="json"), 404)
    error_of(client.get(f"/api/households/{pk}/members/"), 404)
    error_of(client.get(f"/api/households/{pk}/yearly/"), 404)
    error_of(client.get(f"/api/households/{pk}/status-history/"), 404)
    assert Household.objects.get(pk=pk).address == ""


def test_anonymous_is_refused(registry):
    r = api().get("/api/households/")
    err = error_of(r, 401)
    assert err["code"] == "not_authenticated" and r["WWW-Authenticate"] == "Token"
    error_of(api().get(f"/api/households/{registry['a1'].pk}/"), 401)
    error_of(api().post("/api/households/", {}, format="json"), 401)


def test_leader_reads_but_cannot_write(registry, leader):
    client = api(leader)
    pk = registry["a1"].pk
    assert client.get(f"/api/households/{pk}/").status_code == 200
    err = error_of(client.patch(f"/api/households/{pk}/", {"address": "改", "version": 1}, format="json"), 403)
    assert "只能查看" in err["message"]
    error_of(client.post("/api/households/", {}, format="json"), 403)
    error_of(client.post(f"/api/households/{pk}/status/", {"status": "exited", "reason": "x"}, format="json"), 403)
    assert Household.objects.get(pk=pk).version == 1


def test_detail_masks_phone_and_bank_account_and_carries_an_etag(registry, county_user):
    r = api(county_user).get(f"/api/households/{registry['a1'].pk}/")
    assert r.status_code == 200
    assert r["ETag"] == '"1"'
    body = r.json()
    assert body["phone"] == "138****5678"
    assert body["bank_account"] == "***************8901"  # the same mask as the page, export and admin
    assert "6228480012345678901" not in r.content.decode()
    assert body["status"] == {"code": "poor", "label": "贫困户(未脱贫)"}
    assert body["area"] == {"code": factories.VILLAGE_A1, "name": "甲一村"}


@pytest.mark.parametrize(("query", "expected"), [
    ("area=530324100000", ["5303241002010001", "5303241002020001"]),
    ("area=530324100202", ["5303241002020001"]),
    ("cause=land", ["5303241002020001"]),
    ("identified_year=2015", ["5303241002020001"]),
    ("status=poor&attribute=general", ["5303241002010001", "5303241002020001", "5303241012010001"]),
    ("status=exited", []),
    ("exit_year=2020", []),
    ("q=张甲一", ["5303241002010001"]),
    ("q=530324101", ["5303241012010001"]),
    ("ordering=-number", ["5303241012010001", "5303241002020001", "5303241002010001"]),
    ("ordering=-identified&page_size=1", ["5303241002020001"]),
])
def test_filters_match_the_list_page(registry, county_user, query, expected):
    assert numbers(api(county_user).get(f"/api/households/?{query}")) == expected


def test_area_filter_outside_scope_is_refused(registry, township_a_user):
    err = error_of(api(township_a_user).get("/api/households/?area=530324101000"), 400)
    assert "area" in err["fields"]


@pytest.mark.parametrize("query", [
    "identified_year=abc", "identified_year=99999999999999999999", "exit_year=1", "status=nope", "cause=x",
    "ordering=password", "page_size=100000", "page_size=0", "page_size=abc", "page=abc", "page=0", "page=-1",
    "area=abc", "area=" + "9" * 40, "q=" + "x" * 500, "q=%00", "identified_year=", "status=", "page=",
    "page_size=", "page=last",
])
def test_absurd_filters_are_4xx_with_the_error_shape(registry, county_user, query):
    r = api(county_user).get(f"/api/households/?{query}")
    err = error_of(r, 400)
    assert err["fields"]


def test_page_past_the_end_is_404_with_a_message(registry, county_user):
    err = error_of(api(county_user).get("/api/households/?page=99"), 404)
    assert "页码" in err["message"]


def test_page_size_up_to_200_is_accepted(registry, county_user):
    assert api(county_user).get("/api/households/?page_size=200").status_code == 200


def _create_body(**extra):
    body = {
        "number": "5303241002010099", "area": factories.VILLAGE_A1, "main_cause": "illness",
        "identified_year": 2016, "phone": "13700001234",
        "members": [
            {"name": "新户主", "id_number": factories.person_id(sex="1"), "relation": "head"},
            {"name": "新配偶", "id_number": factories.person_id(sex="2"), "relation": "spouse"},
        ],
    }
    body.update(extra)
    return body


def test_township_officer_registers_a_household(tree, township_a_user):
    r = api(township_a_user).post("/api/households/", _create_body(), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["head_name"] == "新户主" and body["member_count"] == 2 and body["version"] == 1
    assert r["ETag"] == '"1"' and r["Location"] == f"/api/households/{body['id']}/"
    household = Household.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(entity="registry.household", entity_id=str(household.pk),
                                     actor=township_a_user).exists()
    assert household.status_changes.count() == 1


def test_create_outside_scope_names_the_area(tree, township_b_user):
    err = error_of(api(township_b_user).post("/api/households/", _create_body(), format="json"), 400)
    assert "area" in err["fields"]
    assert not Household.objects.filter(number="5303241002010099").exists()


def test_create_reports_service_errors_by_field(tree, county_user):
    body = _create_body()
    body["members"][0]["id_number"] = "530324196001010010"  # bad check digit
    err = error_of(api(county_user).post("/api/households/", body, format="json"), 400)
    assert "id_number" in err["fields"]
    body = _create_body()
    body["members"][1]["relation"] = "head"
    err = error_of(api(county_user).post("/api/households/", body, format="json"), 400)
    assert "relation" in err["fields"]
    assert not Household.objects.filter(number="5303241002010099").exists()


def test_unknown_fields_are_refused_and_named(tree, county_user):
    err = error_of(api(county_user).post("/api/households/", _create_body(head_name="x", colour="red"),
                                         format="json"), 400)
    assert set(err["fields"]) == {"head_name", "colour"}
    body = _create_body()
    body["members"][0]["idnumber"] = "1"
    err = error_of(api(county_user).post("/api/households/", body, format="json"), 400)
    assert "idnumber" in err["fields"]["members"]["0"]


@pytest.mark.parametrize("patch", [
    {"identified_year": "abc"}, {"identified_year": 1800}, {"cultivated_land": "lots"}, {"cultivated_land": -1},
    {"main_cause": "bad"}, {"other_causes": "illness"}, {"other_causes": ["nope"]}, {"in_cooperative": "maybe"},
    {"address": ["list"]}, {"cultivated_land": 1e30}, {"phone": 13812345678}, {"main_cause": 1},
])
def test_wrong_types_are_400_by_field(registry, county_user, patch):
    pk = registry["a1"].pk
    err = error_of(api(county_user).patch(f"/api/households/{pk}/", {**patch, "version": 1}, format="json"), 400)
    assert set(patch) <= set(err["fields"])
    assert Household.objects.get(pk=pk).version == 1


def test_non_object_body_is_400(registry, county_user):
    pk = registry["a1"].pk
    error_of(api(county_user).patch(f"/api/households/{pk}/", [1, 2], format="json"), 400)
    error_of(api(county_user).patch(f"/api/households/{pk}/", "null", content_type="application/json"), 400)


def test_patch_with_version_in_body_updates_and_bumps_the_version(registry, county_user):
    pk = registry["a1"].pk
    r = api(county_user).patch(f"/api/households/{pk}/", {"address": "新地址", "version": 1}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["address"] == "新地址" and r.json()["version"] == 2 and r["ETag"] == '"2"'
    assert AuditEvent.objects.filter(entity="registry.household", entity_id=str(pk), kind="update").exists()


def test_patch_with_if_match_header(registry, county_user):
    pk = registry["a1"].pk
    r = api(county_user).patch(f"/api/households/{pk}/", {"address": "甲"}, format="json", HTTP_IF_MATCH='"1"')
    assert r.status_code == 200 and r.json()["version"] == 2


def test_stale_version_is_409_and_changes_nothing(registry, county_user):
    pk = registry["a1"].pk
    client = api(county_user)
    assert client.patch(f"/api/households/{pk}/", {"address": "第一", "version": 1}, format="json").status_code == 200
    err = error_of(client.patch(f"/api/households/{pk}/", {"address": "第二", "version": 1}, format="json"), 409)
    assert err["code"] == "stale_version"
    err = error_of(client.patch(f"/api/households/{pk}/", {"address": "第二"}, format="json",
                                HTTP_IF_MATCH='"1"'), 409)
    household = Household.objects.get(pk=pk)
    assert household.address == "第一" and household.version == 2


def test_update_without_any_version_is_refused(registry, county_user):
    pk = registry["a1"].pk
    error_of(api(county_user).patch(f"/api/households/{pk}/", {"address": "x"}, format="json"), 428)
    assert Household.objects.get(pk=pk).address == ""


def test_put_requires_the_required_fields(registry, county_user):
    pk = registry["a1"].pk
    err = error_of(api(county_user).put(f"/api/households/{pk}/", {"version": 1}, format="json"), 400)
    assert {"main_cause", "identified_year"} <= set(err["fields"])
    r = api(county_user).put(f"/api/households/{pk}/", {"version": 1, "main_cause": "funds",
                                                        "identified_year": 2014}, format="json")
    assert r.status_code == 200 and r.json()["main_cause"]["code"] == "funds"


def test_service_validation_errors_come_back_by_field(registry, county_user):
    pk = registry["a1"].pk
    err = error_of(api(county_user).patch(f"/api/households/{pk}/", {"exit_year": 2010, "version": 1},
                                          format="json"), 400)
    assert "exit_year" in err["fields"]
    assert Household.objects.get(pk=pk).version == 1


def test_moving_a_household_to_an_area_outside_scope_is_refused(registry, township_a_user):
    pk = registry["a1"].pk
    err = error_of(api(township_a_user).patch(f"/api/households/{pk}/", {"area": factories.VILLAGE_B1,
                                                                          "version": 1}, format="json"), 400)
    assert "area" in err["fields"]


def test_status_change_and_history(registry, county_user):
    pk = registry["a1"].pk
    client = api(county_user)
    r = client.post(f"/api/households/{pk}/status/", {"status": "exited", "reason": "达标脱贫",
                                                       "procedure": "adjustment"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"]["code"] == "exited" and r.json()["exit_year"]
    history = client.get(f"/api/households/{pk}/status-history/").json()["results"]
    assert [h["to_status"]["code"] for h in history] == ["exited", "poor"]
    assert history[0]["actor_name"] == "county_officer"


def test_status_change_outside_the_machine_is_400(registry, county_user):
    pk = registry["a1"].pk
    err = error_of(api(county_user).post(f"/api/households/{pk}/status/", {"status": "applying", "reason": "x"},
                                         format="json"), 400)
    assert "status" in err["fields"]
    err = error_of(api(county_user).post(f"/api/households/{pk}/status/", {"status": "exited", "reason": "x",
                                                                           "version": 7}, format="json"), 409)
    assert Household.objects.get(pk=pk).status == "poor"


def test_cancelled_household_cannot_be_edited(registry, county_user):
    pk = registry["a1"].pk
    client = api(county_user)
    assert client.post(f"/api/households/{pk}/status/", {"status": "cancelled", "reason": "全户迁出",
                                                         "cancel_reason": "moved_away"}, format="json").status_code == 200
    version = Household.objects.get(pk=pk).version
    err = error_of(client.patch(f"/api/households/{pk}/", {"address": "x", "version": version}, format="json"), 400)
    assert "注销" in err["message"]


def test_huge_ids_are_404_not_500(registry, county_user):
    error_of(api(county_user).get("/api/households/99999999999999999999999/"), 404)
    error_of(api(county_user).get("/api/households/9223372036854775807/"), 404)


def test_an_unpaired_assistance_cadre_sees_no_household(registry, cadre):
    # A 帮扶责任人 sees the households paired to them (the pages' scope), not their village.
    assert numbers(api(cadre).get("/api/households/")) == []
    error_of(api(cadre).get(f"/api/households/{registry['a1'].pk}/"), 404)
    member = registry["a1"].members.first()
    error_of(api(cadre).get(f"/api/members/{member.pk}/"), 404)


def test_status_change_with_the_current_version(registry, county_user):
    pk = registry["a1"].pk
    r = api(county_user).post(f"/api/households/{pk}/status/", {"status": "exited", "reason": "达标"},
                              format="json", HTTP_IF_MATCH='"1"')
    assert r.status_code == 200 and r["ETag"] == f'"{r.json()["version"]}"' and r.json()["version"] > 1
