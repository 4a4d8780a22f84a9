"""Audit rows, once written, can be neither changed nor deleted."""

from __future__ import annotations

import pytest
from django.db import transaction

from fupin.audit.models import AppendOnlyError, AuditEvent
from tests import factories


@pytest.fixture
def event(tree, county_user):
    factories.household(tree["village_a1"], actor=county_user)
    return AuditEvent.objects.filter(entity="registry.household").get()


def test_an_audit_row_cannot_be_saved_again(event):
    event.summary = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).summary != "篡改"


def test_an_audit_row_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_rows_cannot_be_updated_in_bulk(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="篡改")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(summary="篡改")
    event.summary = "篡改"
    # bulk_update opens a savepoint-less atomic block, so the error also dooms the enclosing transaction.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["summary"])
    assert not AuditEvent.objects.filter(summary="篡改").exists()


def test_audit_rows_cannot_be_deleted_in_bulk(event):
    count = AuditEvent.objects.count()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.count() == count
