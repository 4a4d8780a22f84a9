"""Registering a brand-new 边缘易致贫户 (a household not in the registry yet) from the monitoring object form:
the household and its members through the registry's own service (household_create, procedure 防返贫监测)
and the monitoring object in one transaction; bad input is refused in Chinese at its field, nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.monitoring import services
from fupin.monitoring.models import MonitoringObject, ObjectKind, ObjectState
from fupin.registry import rules as registry_rules
from fupin.registry.choices import Procedure, Relation, Status
from fupin.registry.models import Household, Member
from tests import factories

pytestmark = pytest.mark.django_db

HEAD_ID = factories.person_id(datetime.date(1980, 4, 5), "1")
WIFE_ID = factories.person_id(datetime.date(1982, 7, 9), "2")


@pytest.fixture
def web(client, village_user):
    client.force_login(village_user)
    return client


def post_data(tree, **changes) -> dict:
    data = {"h-area": tree["village_a1"].pk, "h-number": "5303241002019001", "h-address": "甲一村新寨 3 号",
            "h-phone": "", "h-house_area": "60", "h-main_cause": "illness",
            "m-name": "边建新", "m-id_number": HEAD_ID, "m-ethnicity": "01", "m-relation": Relation.HEAD,
            "x-TOTAL_FORMS": "1", "x-INITIAL_FORMS": "0", "x-MIN_NUM_FORMS": "0", "x-MAX_NUM_FORMS": "20",
            "x-0-name": "何小梅", "x-0-id_number": WIFE_ID, "x-0-ethnicity": "01", "x-0-relation": Relation.SPOUSE,
            "o-kind": ObjectKind.EDGE, "o-risk_types": ["illness"], "o-channel": "visit",
            "o-found_on": datetime.date.today().isoformat(), "o-income_12m": "5600", "o-note": "户主患病住院"}
    data.update(changes)
    return data


def footprint() -> tuple:
    return Household.objects.count(), Member.objects.count(), MonitoringObject.objects.count(), AuditEvent.objects.count()


def test_a_new_edge_household_is_registered_with_its_members_and_found(web, tree):
    response = web.post(reverse("monitoring_object_new_household"), post_data(tree))
    assert response.status_code == 302, response.content.decode()[-3000:]
    obj = MonitoringObject.objects.select_related("household").get()
    household = obj.household
    assert response["Location"] == reverse("monitoring_object", args=[obj.pk])
    assert obj.kind == ObjectKind.EDGE and obj.state == ObjectState.PENDING and obj.risk_types == ["illness"]
    assert household.number == "5303241002019001" and household.status == Status.MONITOR_RISK
    assert household.head_name == "边建新" and household.area == tree["village_a1"]
    assert sorted(household.members.values_list("relation", flat=True)) == sorted([Relation.HEAD, Relation.SPOUSE])
    assert household.members.get(relation=Relation.HEAD).birth_date == datetime.date(1980, 4, 5)  # from the number
    change = household.status_changes.get()
    assert change.procedure == Procedure.MONITORING and change.to_status == Status.MONITOR_RISK
    entities = set(AuditEvent.objects.values_list("entity", flat=True))
    assert {"registry.household", "registry.member", "monitoring.monitoringobject"} <= entities


def test_the_form_is_offered_from_the_found_form(web):
    text = web.get(reverse("monitoring_object_new")).content.decode()
    assert reverse("monitoring_object_new_household") in text
    page = web.get(reverse("monitoring_object_new_household"))
    assert page.status_code == 200 and 'name="h-number"' in page.content.decode()


def test_a_duplicate_id_number_is_refused_at_the_heads_field_and_nothing_is_written(web, tree):
    existing = factories.household(tree["village_a1"], members=[factories.member_data(Relation.HEAD, "1")])
    taken = existing.members.get().id_number
    before = footprint()
    response = web.post(reverse("monitoring_object_new_household"), post_data(tree, **{"m-id_number": taken}))
    assert response.status_code == 200
    errors = response.context["head"].errors
    assert "id_number" in errors and existing.number in str(errors["id_number"])
    assert footprint() == before


def test_bad_input_is_refused_in_chinese_at_each_field(web, tree):
    before = footprint()
    response = web.post(reverse("monitoring_object_new_household"), post_data(
        tree, **{"h-house_area": "", "m-name": "", "o-risk_types": [], "o-found_on": "2099-01-01"}))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["form"].errors["house_area"] == [registry_rules.house_area_required()]
    assert ctx["head"].errors["name"] == ["请填写户主姓名"]
    assert ctx["found"].errors["risk_types"] == ["至少选择一种风险类型"]
    assert footprint() == before
    # the monitoring side refused after the household's fields passed: still nothing written
    response = web.post(reverse("monitoring_object_new_household"), post_data(tree, **{"o-found_on": "2099-01-01"}))
    assert "晚于今天" in str(response.context["found"].errors["found_on"])
    assert footprint() == before


def test_a_refusal_by_the_monitoring_service_rolls_the_registration_back(village_user, tree):
    before = footprint()
    members = [factories.member_data(Relation.HEAD, "1", name="边回滚")]
    with pytest.raises(ValidationError) as exc:
        services.new_household_found(actor=village_user, area=tree["village_a1"], number="5303241002019002",
                                     members=members, household_fields={"house_area": 50, "main_cause": "illness"}, kind=ObjectKind.EDGE,
                                     risk_types=["no_such_risk"], channel="visit", found_on=datetime.date.today())
    assert "risk_types" in exc.value.message_dict
    assert footprint() == before


def test_a_household_already_registered_poor_is_not_new(village_user, tree):
    with pytest.raises(ValidationError) as exc:
        services.new_household_found(actor=village_user, area=tree["village_a1"], number="5303241002019003",
                                     members=[factories.member_data()], household_fields={}, kind=ObjectKind.UNSTABLE,
                                     risk_types=["illness"], channel="visit", found_on=datetime.date.today())
    assert "边缘易致贫户" in exc.value.message_dict["kind"][0]
