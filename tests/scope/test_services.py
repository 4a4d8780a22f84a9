"""Pairing and sample services: scope-checked, audited, one open pairing at a time."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fupin.accounts.models import Role
from fupin.assessment import services as assessment
from fupin.assessment.models import SampleAssessor, SampleHousehold
from fupin.assistance import services as assistance
from fupin.assistance.models import Pairing
from fupin.audit.models import AuditEvent, AuditKind
from tests import factories

from .conftest import START

pytestmark = pytest.mark.django_db


def test_pairing_is_audited_with_the_households_area(cadre, households, township_a_user):
    pairing = assistance.pairing_create(actor=township_a_user, cadre=cadre, household=households["a1_other"],
                                        start=START, note="驻村工作队")
    event = AuditEvent.objects.get(entity="assistance.pairing", entity_id=str(pairing.pk))
    assert event.kind == AuditKind.CREATE and event.actor == township_a_user
    assert event.area_path == households["a1_other"].area_path


def test_ending_a_pairing_is_audited_field_by_field(cadre, pairings, county_user):
    assistance.pairing_end(actor=county_user, pairing=pairings[0], end=datetime.date(2021, 1, 1))
    event = AuditEvent.objects.get(entity="assistance.pairing", entity_id=str(pairings[0].pk), kind=AuditKind.UPDATE)
    assert event.data["changes"]["end"] == {"before": None, "after": "2021-01-01"}


def test_an_officer_of_township_b_cannot_pair_a_township_a_household(cadre, households, township_b_user):
    with pytest.raises(ValidationError):
        assistance.pairing_create(actor=township_b_user, cadre=cadre, household=households["a1_other"], start=START)
    assert not Pairing.objects.exists()
    assert not AuditEvent.objects.filter(entity="assistance.pairing").exists()


def test_an_officer_of_township_b_cannot_end_a_township_a_pairing(pairings, township_b_user):
    with pytest.raises(ValidationError):
        assistance.pairing_end(actor=township_b_user, pairing=pairings[0], end=datetime.date(2021, 1, 1))
    pairings[0].refresh_from_db()
    assert pairings[0].end is None


def test_only_cadre_accounts_can_be_paired(households, village_user, county_user):
    with pytest.raises(ValidationError):
        assistance.pairing_create(actor=county_user, cadre=village_user, household=households["a1_other"],
                                  start=START)


def test_one_open_pairing_per_cadre_and_household(cadre, households, pairings, county_user):
    with pytest.raises(ValidationError):
        assistance.pairing_create(actor=county_user, cadre=cadre, household=households["a1_paired"],
                                  start=datetime.date(2019, 1, 1))
    # The database says so too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(cadre=cadre.cadre, household=households["a1_paired"], start=START)


def test_a_household_may_have_several_cadres(households, pairings, county_user, tree):
    second = factories.user("cadre_two", Role.CADRE, tree["village_a1"])
    assistance.pairing_create(actor=county_user, cadre=second, household=households["a1_paired"], start=START)
    assert households["a1_paired"].pairings.count() == 2


def test_an_ended_pairing_may_be_renewed(cadre, households, pairings, county_user):
    assistance.pairing_end(actor=county_user, pairing=pairings[0], end=datetime.date(2019, 1, 1))
    renewed = assistance.pairing_create(actor=county_user, cadre=cadre, household=households["a1_paired"],
                                        start=datetime.date(2020, 1, 1))
    assert renewed.end is None


def test_an_end_before_the_start_is_refused(pairings, county_user):
    with pytest.raises(ValidationError):
        assistance.pairing_end(actor=county_user, pairing=pairings[0], end=datetime.date(2015, 1, 1))


def test_a_cancelled_household_cannot_be_paired(cadre, households, county_user):
    from fupin.registry import services
    from fupin.registry.choices import CancelReason, Status

    h = households["a1_other"]
    services.household_change_status(actor=county_user, household=h, to_status=Status.CANCELLED, reason="迁出",
                                     date=datetime.date(2019, 1, 1), cancel_reason=CancelReason.MOVED_AWAY)
    h.refresh_from_db()
    with pytest.raises(ValidationError):
        assistance.pairing_create(actor=county_user, cadre=cadre, household=h, start=START)


def test_sample_services_are_audited(sample, assessor, households, county_user):
    entity_ids = {(e.entity, e.kind) for e in AuditEvent.objects.filter(entity__startswith="assessment.")}
    assert ("assessment.sample", AuditKind.CREATE) in entity_ids
    assert ("assessment.samplehousehold", AuditKind.CREATE) in entity_ids
    assert ("assessment.sampleassessor", AuditKind.CREATE) in entity_ids
    assert SampleHousehold.objects.filter(sample=sample).count() == 2


def test_sample_households_are_scope_checked(households, township_b_user):
    s = assessment.sample_create(actor=township_b_user, name="乙乡自查", year=2020)
    with pytest.raises(ValidationError):
        assessment.sample_add_households(actor=township_b_user, sample=s, households=[households["a1_other"]])
    assert not SampleHousehold.objects.filter(sample=s).exists()
    assessment.sample_add_households(actor=township_b_user, sample=s, households=[households["b1"]])
    # Adding the same household again is a no-op, not an error.
    assert assessment.sample_add_households(actor=township_b_user, sample=s, households=[households["b1"]]) == []


def test_only_assessor_accounts_can_be_assigned(sample, cadre, assessor, county_user):
    with pytest.raises(ValidationError):
        assessment.sample_assign_assessor(actor=county_user, sample=sample, assessor=cadre)
    with pytest.raises(ValidationError):
        assessment.sample_assign_assessor(actor=county_user, sample=sample, assessor=assessor)
    assert SampleAssessor.objects.filter(sample=sample).count() == 1


def test_read_only_roles_cannot_draw_samples(assessor):
    with pytest.raises(PermissionDenied):
        assessment.sample_create(actor=assessor, name="x", year=2020)
