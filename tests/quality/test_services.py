"""refresh_findings and finding_resolve: stored findings follow the data, and a cadre's answer sticks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.audit.models import AuditEvent
from fupin.quality.models import Category, Finding, Source
from fupin.quality.services import finding_resolve, refresh_findings
from fupin.registry import services as registry
from fupin.registry.choices import Health, Status

pytestmark = pytest.mark.django_db


def rules_of(household) -> list[str]:
    return sorted(Finding.objects.filter(household=household, resolved_at__isnull=True).values_list("rule", flat=True))


def test_findings_are_stored_with_household_member_category_values_and_area(found):
    a, _b = found
    assert rules_of(a) == ["cause_illness_nobody_ill", "logic_relation_sex"]
    f = Finding.objects.get(household=a, rule="logic_relation_sex")
    assert (f.member.name, f.category, f.area_path, f.source) == ("甲女儿", Category.LOGIC, a.area_path, Source.CHECK)
    assert f.values == {"relation": "son", "sex": "2"} and "之子" in f.message and f.field == "relation"


def test_refreshing_again_replaces_instead_of_adding(found):
    a, b = found
    counts = refresh_findings([a.pk, b.pk])
    assert counts == {"cause_illness_nobody_ill": 2, "logic_relation_sex": 1}
    assert Finding.objects.count() == 3


def test_a_fixed_record_loses_its_finding(found, county_user):
    a, _b = found
    head = a.members.get(relation="head")
    registry.member_update(actor=county_user, member=head, data={"health": Health.CHRONIC})
    refresh_findings([a.pk])
    assert rules_of(a) == ["logic_relation_sex"]


def test_a_resolved_finding_is_not_raised_again_until_its_values_change(found, county_user):
    a, _b = found
    f = Finding.objects.get(household=a, rule="logic_relation_sex")
    finding_resolve(actor=county_user, finding=f, note="经核实为养子，户籍登记为之子")
    refresh_findings([a.pk])
    assert rules_of(a) == ["cause_illness_nobody_ill"]
    assert Finding.objects.filter(household=a, rule="logic_relation_sex").count() == 1  # the resolved one
    daughter = a.members.get(name="甲女儿")
    registry.member_update(actor=county_user, member=daughter, data={"relation": "grandson"})
    refresh_findings([a.pk])
    assert rules_of(a) == ["cause_illness_nobody_ill", "logic_relation_sex"]  # new values: raised anew


def test_a_cancelled_household_keeps_no_open_findings(found):
    a, _b = found
    # How it got cancelled is not the point here (the status procedure is another module's).
    a.__class__.objects.filter(pk=a.pk).update(status=Status.CANCELLED, cancel_reason="moved_away")
    refresh_findings([a.pk])
    assert rules_of(a) == []


def test_resolving_needs_a_note_and_a_writer_and_is_audited(found, county_user, leader):
    a, _b = found
    f = Finding.objects.get(household=a, rule="cause_illness_nobody_ill")
    with pytest.raises(ValidationError):
        finding_resolve(actor=county_user, finding=f, note="  ")
    with pytest.raises(PermissionDenied):
        finding_resolve(actor=leader, finding=f, note="看过了")
    finding_resolve(actor=county_user, finding=f, note="户主患慢性病，已补录健康状况")
    f.refresh_from_db()
    assert f.resolved_by == county_user and f.resolved_at is not None
    event = AuditEvent.objects.get(entity="quality.finding", entity_id=str(f.pk))
    assert event.actor_name == county_user.username and event.area_path == a.area_path
    assert event.data["changes"]["resolution_note"]["after"] == "户主患慢性病，已补录健康状况"
    with pytest.raises(ValidationError):
        finding_resolve(actor=county_user, finding=f, note="again")


def test_a_form_save_refreshes_the_households_findings_after_commit(found, county_user,
                                                                     django_capture_on_commit_callbacks):
    a, _b = found
    head = a.members.get(relation="head")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        registry.member_update(actor=county_user, member=head, data={"health": Health.SERIOUS})
    assert callbacks
    assert rules_of(a) == ["logic_relation_sex"]
    assert set(Finding.objects.filter(household=a).values_list("source", flat=True)) == {Source.EDIT}
