"""Members through the API: listed per household, created under a household, updated with a version."""

from __future__ import annotations

import pytest

from fupin.registry.choices import Relation
from fupin.registry.models import Member
from tests import factories

from .conftest import api, error_of

pytestmark = pytest.mark.django_db


def _head(household) -> Member:
    return household.members.get(relation=Relation.HEAD)


def test_members_of_a_household_with_masked_id_numbers(registry, county_user):
    household = registry["a1"]
    r = api(county_user).get(f"/api/households/{household.pk}/members/")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [m["name"] for m in rows] == ["张甲一", "李甲一"]
    head = _head(household)
    assert rows[0]["id_number"] == head.id_number[:6] + "********" + head.id_number[-4:]
    assert head.id_number not in r.content.decode()
    assert rows[0]["phone"] == "139****1111"
    assert rows[0]["health"] == {"code": "chronic", "label": "长期慢性病"}
    assert rows[0]["relation"] == {"code": "head", "label": "户主"}


def test_health_is_left_out_for_roles_that_may_not_see_it(registry, leader):
    r = api(leader).get(f"/api/households/{registry['a1'].pk}/members/")
    row = r.json()["results"][0]
    assert "health" not in row and "disability_category" not in row and "disability_cert_no" not in row
    assert "长期慢性病" not in r.content.decode() and "chronic" not in r.content.decode()
    detail = api(leader).get(f"/api/members/{row['id']}/").json()
    assert "health" not in detail


def test_active_filter(registry, county_user):
    pk = registry["a1"].pk
    assert len(api(county_user).get(f"/api/households/{pk}/members/?active=false").json()["results"]) == 0
    error_of(api(county_user).get(f"/api/households/{pk}/members/?active=maybe"), 400)


def test_member_detail_is_scoped(registry, township_a_user, township_b_user):
    member = _head(registry["a1"])
    r = api(township_a_user).get(f"/api/members/{member.pk}/")
    assert r.status_code == 200 and r["ETag"] == f'"{member.version}"'
    error_of(api(township_b_user).get(f"/api/members/{member.pk}/"), 404)
    error_of(api(township_b_user).patch(f"/api/members/{member.pk}/", {"name": "x", "version": 1},
                                        format="json"), 404)


def test_add_a_member(registry, village_user):
    household = registry["a1"]
    body = {"name": "张小明", "id_number": factories.person_id(sex="1"), "relation": "son"}
    r = api(village_user).post(f"/api/households/{household.pk}/members/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["sex"]["code"] == "1" and r.json()["birth_date"]
    household.refresh_from_db()
    assert household.member_count == 3


def test_add_member_errors(registry, county_user, leader):
    pk = registry["a1"].pk
    err = error_of(api(county_user).post(f"/api/households/{pk}/members/",
                                         {"name": "二户主", "id_number": factories.person_id(), "relation": "head"},
                                         format="json"), 400)
    assert "relation" in err["fields"]
    err = error_of(api(county_user).post(f"/api/households/{pk}/members/",
                                         {"name": "x", "id_number": "123", "relation": "son"}, format="json"), 400)
    assert "id_number" in err["fields"]
    err = error_of(api(county_user).post(f"/api/households/{pk}/members/",
                                         {"name": "x", "id_number": factories.person_id(), "relation": "son",
                                          "citizen_id": "1", "active": False}, format="json"), 400)
    assert set(err["fields"]) == {"citizen_id", "active"}
    error_of(api(leader).post(f"/api/households/{pk}/members/",
                              {"name": "x", "id_number": factories.person_id(), "relation": "son"}, format="json"), 403)
    assert Member.objects.filter(household_id=pk).count() == 2


def test_the_same_person_cannot_join_a_second_household(registry, county_user):
    other = _head(registry["b1"])
    err = error_of(api(county_user).post(f"/api/households/{registry['a1'].pk}/members/",
                                         {"name": other.name, "id_number": other.id_number, "relation": "other"},
                                         format="json"), 400)
    assert "id_number" in err["fields"]
    assert other.id_number not in str(err)  # the message shows the number masked


def test_update_a_member_with_version(registry, county_user):
    member = _head(registry["a1"])
    client = api(county_user)
    r = client.patch(f"/api/members/{member.pk}/", {"education": "junior"}, format="json",
                     HTTP_IF_MATCH=f'"{member.version}"')
    assert r.status_code == 200, r.content
    assert r.json()["education"]["code"] == "junior" and r.json()["version"] == member.version + 1
    err = error_of(client.patch(f"/api/members/{member.pk}/", {"education": "senior"}, format="json",
                                HTTP_IF_MATCH=f'"{member.version}"'), 409)
    assert err["code"] == "stale_version"
    member.refresh_from_db()
    assert member.education == "junior"
    error_of(client.patch(f"/api/members/{member.pk}/", {"education": "senior"}, format="json"), 428)


def test_member_update_wrong_types(registry, county_user):
    member = _head(registry["a1"])
    err = error_of(api(county_user).patch(f"/api/members/{member.pk}/",
                                          {"work_months": 13, "birth_date": "yesterday", "sex": "3", "version": 1},
                                          format="json"), 400)
    assert {"work_months", "birth_date", "sex"} <= set(err["fields"])


def test_leader_cannot_update_a_member(registry, leader):
    member = _head(registry["a1"])
    error_of(api(leader).patch(f"/api/members/{member.pk}/", {"name": "x", "version": 1}, format="json"), 403)
