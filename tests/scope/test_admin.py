"""Pairings and samples in the admin: written through the services (audited), never deleted."""

from __future__ import annotations

import pytest

from fupin.accounts.models import Role
from fupin.assessment.models import Sample
from fupin.assistance import services as assistance
from fupin.assistance.models import Pairing
from fupin.audit.models import AuditEvent, AuditKind
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    root = factories.user("root", Role.ADMIN, None, is_superuser=True, is_staff=True)
    client.force_login(root)
    return client


def test_the_changelists_open(admin_client, pairings, sample):
    for url in ("/admin/assistance/pairing/", "/admin/assessment/sample/",
                f"/admin/assessment/sample/{sample.pk}/change/", f"/admin/assistance/pairing/{pairings[0].pk}/change/"):
        assert admin_client.get(url).status_code == 200, url


def test_adding_a_pairing_in_the_admin_goes_through_the_service(admin_client, cadre, households):
    record = assistance.cadre_for_user(user=cadre, area=households["a1_other"].area)
    response = admin_client.post("/admin/assistance/pairing/add/", {
        "cadre": record.pk, "household": households["a1_other"].pk, "start": "2017-05-01", "note": "新结对"})
    assert response.status_code == 302, response.content.decode()[:2000]
    pairing = Pairing.objects.get(cadre__user=cadre, household=households["a1_other"])
    assert AuditEvent.objects.filter(entity="assistance.pairing", entity_id=str(pairing.pk),
                                     kind=AuditKind.CREATE).exists()


def test_ending_a_pairing_in_the_admin_is_audited(admin_client, pairings):
    pairing = pairings[0]
    response = admin_client.post(f"/admin/assistance/pairing/{pairing.pk}/change/",
                                 {"end": "2021-12-31", "note": "已稳定脱贫"})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert str(pairing.end) == "2021-12-31"
    assert AuditEvent.objects.filter(entity="assistance.pairing", entity_id=str(pairing.pk),
                                     kind=AuditKind.UPDATE).exists()


def test_pairings_are_never_deleted_in_the_admin(admin_client, pairings):
    assert admin_client.get(f"/admin/assistance/pairing/{pairings[0].pk}/delete/").status_code in (302, 403)
    assert Pairing.objects.filter(pk=pairings[0].pk).exists()


def test_adding_a_sample_in_the_admin_is_audited(admin_client):
    response = admin_client.post("/admin/assessment/sample/add/", {
        "name": "2020年第三方评估", "year": "2020",
        "households-TOTAL_FORMS": "0", "households-INITIAL_FORMS": "0",
        "assessors-TOTAL_FORMS": "0", "assessors-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:3000]
    sample = Sample.objects.get(name="2020年第三方评估")
    assert AuditEvent.objects.filter(entity="assessment.sample", entity_id=str(sample.pk)).exists()
