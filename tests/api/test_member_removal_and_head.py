"""减员 (POST /api/members/{id}/remove/) and 更换户主 (POST /api/households/{id}/head/): scoped, read-only
roles refused, input checked by field, an optional version checked like an edit's, and audited."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from fupin.assistance import services as assistance
from fupin.audit.models import AuditEvent
from fupin.registry import services
from fupin.registry.choices import Relation, RemovalReason
from fupin.registry.models import Household, Member
from tests import factories

from .conftest import api, error_of

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _remove(pk: int) -> str:
    return f"/api/members/{pk}/remove/"


def _head(pk: int) -> str:
    return f"/api/households/{pk}/head/"


def _members(household) -> tuple[Member, Member]:
    """(head 张甲一, male; spouse 李甲一, female) of the registry's household a1."""
    return household.members.get(relation=Relation.HEAD), household.members.get(relation=Relation.SPOUSE)


# --- 减员 ---------------------------------------------------------------------------------------------


def test_removing_a_member_keeps_the_record_and_updates_the_household(registry, village_user):
    household = registry["a1"]
    _head_member, spouse = _members(household)
    r = api(village_user).post(_remove(spouse.pk), {"reason": "death", "date": "2019-05-02"}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["id"] == spouse.pk and body["active"] is False
    assert body["removal_reason"] == {"code": "death", "label": "死亡"}
    assert body["removed_on"] == "2019-05-02"
    assert r["ETag"] == f'"{body["version"]}"'
    household.refresh_from_db()
    assert household.member_count == 1
    # Still listed among the household's members, as removed.
    rows = api(village_user).get(f"/api/households/{household.pk}/members/?active=false").json()["results"]
    assert [m["id"] for m in rows] == [spouse.pk]


def test_the_removal_is_in_the_audit_trail_with_actor_address_and_fields(registry, village_user):
    _head_member, spouse = _members(registry["a1"])
    api(village_user).post(_remove(spouse.pk), {"reason": "moved_out"}, format="json", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(entity="registry.member", entity_id=str(spouse.pk), kind="update")
    assert event.actor == village_user and event.ip == "10.1.2.3"
    assert event.area_path == registry["a1"].area_path
    changes = event.data["changes"]
    assert changes["active"] == {"before": True, "after": False}
    assert changes["removal_reason"]["after"] == "moved_out"
    assert changes["removed_on"] == {"before": None, "after": timezone.localdate().isoformat()}
    assert "减员" in event.summary


def test_removal_outside_scope_is_404_and_changes_nothing(registry, township_b_user):
    _head_member, spouse = _members(registry["a1"])
    error_of(api(township_b_user).post(_remove(spouse.pk), {"reason": "death"}, format="json"), 404)
    error_of(api(township_b_user).post(_remove(10**17), {"reason": "death"}, format="json"), 404)
    assert Member.objects.get(pk=spouse.pk).active


def test_read_only_roles_may_not_remove(registry, leader, cadre, county_user):
    _head_member, spouse = _members(registry["a1"])
    err = error_of(api(leader).post(_remove(spouse.pk), {"reason": "death"}, format="json"), 403)
    assert CHINESE.search(err["message"])
    # A 帮扶责任人 sees the households paired to them (403 there), and no other (404).
    error_of(api(cadre).post(_remove(spouse.pk), {"reason": "death"}, format="json"), 404)
    assistance.pairing_create(actor=county_user, cadre=cadre, household=registry["a1"],
                              start=datetime.date(2016, 3, 1))
    error_of(api(cadre).post(_remove(spouse.pk), {"reason": "death"}, format="json"), 403)
    error_of(api().post(_remove(spouse.pk), {"reason": "death"}, format="json"), 401)
    assert Member.objects.get(pk=spouse.pk).active
    assert not AuditEvent.objects.filter(entity="registry.member", entity_id=str(spouse.pk), kind="update").exists()


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"reason"}),
    ({"reason": "bored"}, {"reason"}),
    ({"reason": 1}, {"reason"}),
    ({"reason": "death", "date": "yesterday"}, {"date"}),
    ({"reason": "death", "active": False, "removed_on": "2019-01-01"}, {"active", "removed_on"}),
    ({"reason": "death", "version": "x"}, {"version"}),
    ({"reason": "death", "version": 0}, {"version"}),
])
def test_bad_removal_input_is_400_by_field(registry, county_user, body, fields):
    _head_member, spouse = _members(registry["a1"])
    err = error_of(api(county_user).post(_remove(spouse.pk), body, format="json"), 400)
    assert set(err["fields"]) == fields
    assert all(CHINESE.search(m) for msgs in err["fields"].values() for m in msgs)
    assert Member.objects.get(pk=spouse.pk).active


def test_non_object_and_non_json_bodies_are_refused(registry, county_user):
    _head_member, spouse = _members(registry["a1"])
    error_of(api(county_user).post(_remove(spouse.pk), [1], format="json"), 400)
    error_of(api(county_user).post(_remove(spouse.pk), "{", content_type="application/json"), 400)
    error_of(api(county_user).post(_remove(spouse.pk), "reason=death",
                                   content_type="application/x-www-form-urlencoded"), 415)


def test_the_service_rules_come_back_as_400(registry, county_user):
    head, spouse = _members(registry["a1"])
    client = api(county_user)
    # The head cannot leave while others remain.
    err = error_of(client.post(_remove(head.pk), {"reason": "death"}, format="json"), 400)
    assert "relation" in err["fields"] and "户主" in err["fields"]["relation"][0]
    assert client.post(_remove(spouse.pk), {"reason": "death"}, format="json").status_code == 200
    # Twice is refused (and names no field: the member as a whole).
    err = error_of(client.post(_remove(spouse.pk), {"reason": "death"}, format="json"), 400)
    assert "已经减员" in err["message"]
    assert AuditEvent.objects.filter(entity="registry.member", entity_id=str(spouse.pk), kind="update").count() == 1


def test_removal_checks_a_given_version(registry, county_user):
    _head_member, spouse = _members(registry["a1"])
    client = api(county_user)
    err = error_of(client.post(_remove(spouse.pk), {"reason": "death", "version": spouse.version + 1},
                               format="json"), 409)
    assert err["code"] == "stale_version"
    error_of(client.post(_remove(spouse.pk), {"reason": "death"}, format="json", HTTP_IF_MATCH='"99"'), 409)
    error_of(client.post(_remove(spouse.pk), {"reason": "death"}, format="json", HTTP_IF_MATCH="garbage"), 409)
    assert Member.objects.get(pk=spouse.pk).active
    etag = client.get(f"/api/members/{spouse.pk}/")["ETag"]
    r = client.post(_remove(spouse.pk), {"reason": "death"}, format="json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200, r.content
    assert not Member.objects.get(pk=spouse.pk).active


def test_a_cancelled_household_is_closed(registry, county_user):
    household = registry["a2"]
    services.household_change_status(actor=county_user, household=household, to_status="cancelled",
                                     reason="错评", cancel_reason="wrongly_registered")
    spouse = household.members.get(relation=Relation.SPOUSE)
    err = error_of(api(county_user).post(_remove(spouse.pk), {"reason": "death"}, format="json"), 400)
    assert "注销" in err["message"]


# --- 更换户主 ------------------------------------------------------------------------------------------


def test_changing_the_head(registry, township_a_user):
    household = registry["a1"]
    head, spouse = _members(household)
    client = api(township_a_user)
    etag = client.get(f"/api/households/{household.pk}/")["ETag"]
    r = client.post(_head(household.pk), {"member": spouse.pk, "old_head_relation": "spouse"}, format="json",
                    HTTP_IF_MATCH=etag)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["head_name"] == "李甲一" and body["member_count"] == 2
    # The head is part of the household's record: its version moves on.
    assert body["version"] == household.version + 1 and r["ETag"] == f'"{body["version"]}"'
    assert Member.objects.get(pk=spouse.pk).relation == Relation.HEAD
    assert Member.objects.get(pk=head.pk).relation == Relation.SPOUSE


def test_the_head_change_is_in_the_audit_trail(registry, county_user):
    household = registry["a1"]
    head, spouse = _members(household)
    api(county_user).post(_head(household.pk), {"member": spouse.pk, "old_head_relation": "spouse"},
                          format="json", REMOTE_ADDR="10.9.8.7")
    new = AuditEvent.objects.get(entity="registry.member", entity_id=str(spouse.pk), kind="update")
    old = AuditEvent.objects.get(entity="registry.member", entity_id=str(head.pk), kind="update")
    for event in (new, old):
        assert event.actor == county_user and event.ip == "10.9.8.7" and event.area_path == household.area_path
    assert new.data["changes"]["relation"] == {"before": "spouse", "after": "head"}
    assert old.data["changes"]["relation"] == {"before": "head", "after": "spouse"}
    assert "更换户主" in new.summary


def test_head_change_outside_scope_is_404(registry, township_b_user):
    household = registry["a1"]
    _head_member, spouse = _members(household)
    error_of(api(township_b_user).post(_head(household.pk), {"member": spouse.pk, "old_head_relation": "spouse"},
                                       format="json"), 404)
    assert Member.objects.get(pk=spouse.pk).relation == Relation.SPOUSE


def test_read_only_roles_may_not_change_the_head(registry, leader, cadre, county_user):
    household = registry["a1"]
    _head_member, spouse = _members(household)
    body = {"member": spouse.pk, "old_head_relation": "spouse"}
    error_of(api(leader).post(_head(household.pk), body, format="json"), 403)
    error_of(api(cadre).post(_head(household.pk), body, format="json"), 404)
    assistance.pairing_create(actor=county_user, cadre=cadre, household=household, start=datetime.date(2016, 3, 1))
    error_of(api(cadre).post(_head(household.pk), body, format="json"), 403)
    assert Member.objects.get(pk=spouse.pk).relation == Relation.SPOUSE
    assert not AuditEvent.objects.filter(entity="registry.member", kind="update").exists()


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"member"}),
    ({"member": "two"}, {"member"}),
    ({"member": 2**63}, {"member"}),
    ({"member": 1, "old_head_relation": "head"}, {"old_head_relation"}),
    ({"member": 1, "old_head_relation": "cousin"}, {"old_head_relation"}),
    ({"member": 1, "relation": "spouse"}, {"relation"}),
    ({"member": 1, "version": -1}, {"version"}),
])
def test_bad_head_input_is_400_by_field(registry, county_user, body, fields):
    household = registry["a1"]
    err = error_of(api(county_user).post(_head(household.pk), body, format="json"), 400)
    assert set(err["fields"]) == fields
    assert all(CHINESE.search(m) for msgs in err["fields"].values() for m in msgs)
    assert Household.objects.get(pk=household.pk).version == household.version


def test_the_new_head_must_be_an_active_member_of_this_household(registry, county_user):
    household = registry["a1"]
    client = api(county_user)
    # Another household's member (in scope or not) is the same error as an id that does not exist.
    for other in (registry["a2"], registry["b1"]):
        stranger = other.members.get(relation=Relation.SPOUSE)
        err = error_of(client.post(_head(household.pk), {"member": stranger.pk, "old_head_relation": "spouse"},
                                   format="json"), 400)
        assert err["fields"] == {"member": ["新户主必须是本户的在户成员"]}
    _head_member, spouse = _members(household)
    son = services.member_add(actor=county_user, household=household,
                              data=factories.member_data(Relation.SON, "1", name="张小一"))
    services.member_remove(actor=county_user, member=son, reason=RemovalReason.MOVED_OUT)
    err = error_of(client.post(_head(household.pk), {"member": son.pk, "old_head_relation": "spouse"},
                               format="json"), 400)
    assert "member" in err["fields"]


def test_the_old_heads_new_relation_is_required_and_must_be_known(registry, county_user):
    household = registry["a1"]
    head, spouse = _members(household)
    client = api(county_user)
    err = error_of(client.post(_head(household.pk), {"member": spouse.pk}, format="json"), 400)
    # Named after the field the caller sends, not the model's.
    assert set(err["fields"]) == {"old_head_relation"}
    err = error_of(client.post(_head(household.pk), {"member": spouse.pk, "old_head_relation": "cousin"},
                               format="json"), 400)
    assert set(err["fields"]) == {"old_head_relation"}
    assert Member.objects.get(pk=head.pk).relation == Relation.HEAD
    assert Household.objects.get(pk=household.pk).head_name == "张甲一"


def test_head_change_checks_a_given_version(registry, county_user):
    household = registry["a1"]
    head, spouse = _members(household)
    client = api(county_user)
    stale = household.version
    assert client.post(_head(household.pk), {"member": spouse.pk, "old_head_relation": "spouse"},
                       format="json", HTTP_IF_MATCH=f'"{stale}"').status_code == 200
    # A second cadre who read the household before the change is told so instead of undoing it unseen.
    err = error_of(client.post(_head(household.pk), {"member": head.pk, "old_head_relation": "spouse",
                                                     "version": stale}, format="json"), 409)
    assert err["code"] == "stale_version" and CHINESE.search(err["message"])
    assert Household.objects.get(pk=household.pk).head_name == "李甲一"


# --- schema ---------------------------------------------------------------------------------------


def test_both_operations_are_in_the_schema():
    schema = api().get("/api/schema/?format=json").json()
    for path, request_schema, response_schema in [
        ("/api/members/{id}/remove/", "MemberRemoveInRequest", "MemberOut"),
        ("/api/households/{id}/head/", "HouseholdSetHeadInRequest", "HouseholdOut"),
    ]:
        op = schema["paths"][path]["post"]
        assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(request_schema)
        assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(response_schema)
        for code in ("400", "403", "404", "409"):
            assert op["responses"][code]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
        assert any(p["name"] == "If-Match" for p in op["parameters"])
