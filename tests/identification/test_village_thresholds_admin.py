"""The exit thresholds as data in the admin: changed by those who manage the standards (audited), only
viewed by other staff; the migration's seed is put back after a flush (tests/conftest.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.identification.models_villages import ExitThreshold, WesternProvince
from tests import factories

SEED = {("village", "general", Decimal("2")), ("village", "western", Decimal("3")),
        ("county", "general", Decimal("2")), ("county", "western", Decimal("3"))}


def staff(username, role, area):
    user = factories.user(username, role, area, is_staff=True)
    client = Client()
    client.force_login(user)
    return user, client


@pytest.mark.django_db
def test_the_seed_has_both_levels_and_the_twelve_western_provinces():
    assert WesternProvince.objects.count() == 12
    assert set(ExitThreshold.objects.values_list("level", "region", "incidence")) == SEED


@pytest.mark.django_db
def test_the_county_changes_a_threshold_with_an_audit_row(tree):
    user, client = staff("county_admin", Role.COUNTY, tree["county"])
    row = ExitThreshold.objects.get(level="village", region="western")
    url = reverse("admin:identification_exitthreshold_change", args=[row.pk])
    assert client.get(url).status_code == 200
    data = {"level": "village", "region": "western", "year_from": "2014", "incidence": "3",
            "collective_income": "30000", "note": "本县规定"}
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.collective_income == Decimal("30000")
    event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="identification.exitthreshold", actor=user)
    assert "collective_income" in event.data["changes"]


@pytest.mark.django_db
def test_a_township_may_only_look(tree):
    _user, client = staff("township_admin", Role.TOWNSHIP, tree["township_a"])
    row = ExitThreshold.objects.get(level="village", region="western")
    url = reverse("admin:identification_exitthreshold_change", args=[row.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"level": "village", "region": "western", "year_from": "2014", "incidence": "9"})
    row.refresh_from_db()
    assert row.incidence == Decimal("3")
    assert not AuditEvent.objects.filter(entity="identification.exitthreshold").exists()


@pytest.mark.django_db(transaction=True)
def test_a_flush_puts_the_seed_back():
    call_command("flush", interactive=False, verbosity=0)
    assert set(ExitThreshold.objects.values_list("level", "region", "incidence")) == SEED
    assert WesternProvince.objects.filter(code="53").exists()
