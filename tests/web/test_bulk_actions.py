"""Bulk actions on 贫困户名册 (issue 12 #16): tick households on a page and export only them (the export
job, scoped and audited) or correct one field of all of them (audited per household, all or nothing,
version-checked)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import services
from fupin.registry.choices import Cause
from fupin.registry.models import Household
from fupin.sheets.models import Job, JobKind, JobState

from .conftest import NUMBER_A1, NUMBER_A2, NUMBER_B1, login

pytestmark = pytest.mark.django_db


def sync_jobs():
    return override_settings(FUPIN_JOBS="sync", DATA_DIR=Path(tempfile.mkdtemp()),
                             CACHES={**settings.CACHES, "jobs": {
                                 "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bulk"}})


def test_the_list_has_a_checkbox_per_household_select_all_and_the_action_bar(county_client, registry):
    text = county_client.get(reverse("household_list")).content.decode()
    assert 'data-select-all="ids"' in text and 'id="bulk-form"' in text
    for h in registry.values():
        assert f'name="ids" value="{h.pk}" form="bulk-form"' in text
    assert "导出所选" in text and "批量更正所选" in text


def test_a_read_only_role_gets_export_but_no_correction(leader, registry):
    text = login(leader).get(reverse("household_list")).content.decode()
    assert "导出所选" in text and "批量更正所选" not in text


def test_export_of_the_ticked_households_only_is_audited(county_client, county_user, registry):
    from python_calamine import CalamineWorkbook

    with sync_jobs():
        response = county_client.post(reverse("sheets:export"), {
            "selection": "1", "ids": [registry["a1"].pk, registry["b1"].pk]})
        job = Job.objects.get(kind=JobKind.EXPORT)
        assert response["Location"] == reverse("sheets:job", args=[job.pk])
        assert job.state == JobState.DONE, job.message
        assert job.params["filters"]["ids"] == [registry["a1"].pk, registry["b1"].pk]
        download = county_client.get(reverse("sheets:job_download", args=[job.pk]))
        rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(download.streaming_content))) \
            .get_sheet_by_index(0).to_python()
    assert {r[0] for r in rows[1:]} == {NUMBER_A1, NUMBER_B1}
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT, entity="sheets.job", entity_id=str(job.pk))
    assert event.actor == county_user and event.data["filters"]["ids"] == [registry["a1"].pk, registry["b1"].pk]


def test_export_of_ticked_households_stays_in_scope(township_b_user, registry):
    with sync_jobs():
        login(township_b_user).post(reverse("sheets:export"), {
            "selection": "1", "ids": [registry["a1"].pk, registry["b1"].pk]})
        job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.result["exported_households"] == 1  # 甲乡's household is outside 乙乡


def test_export_with_nothing_ticked_is_refused_not_the_whole_county(county_client, registry):
    response = county_client.post(reverse("sheets:export"), {"selection": "1"})
    assert response.status_code == 302 and not Job.objects.exists()


def test_batch_correction_confirms_then_changes_each_household_audited(county_client, county_user, registry):
    ids = [registry["a1"].pk, registry["a2"].pk]
    page = county_client.post(reverse("household_bulk_correct"), {"ids": ids, "next": "/households/?status=poor"})
    assert page.status_code == 200
    text = page.content.decode()
    assert NUMBER_A1 in text and NUMBER_A2 in text and NUMBER_B1 not in text
    assert f'name="v{registry["a1"].pk}" value="{registry["a1"].version}"' in text
    data = {"ids": ids, "next": "/households/?status=poor", "change": "main_cause=land",
            **{f"v{h.pk}": h.version for h in (registry["a1"], registry["a2"])}}
    response = county_client.post(reverse("household_bulk_correct"), data)
    assert response.status_code == 302 and response.url == "/households/?status=poor"
    causes = dict(Household.objects.values_list("number", "main_cause"))
    assert causes == {NUMBER_A1: Cause.LAND, NUMBER_A2: Cause.LAND, NUMBER_B1: Cause.SCHOOLING}
    for h in (registry["a1"], registry["a2"]):
        event = AuditEvent.objects.filter(kind=AuditKind.UPDATE, entity="registry.household", entity_id=str(h.pk),
                                          actor=county_user).latest("id")
        assert event.data["changes"]["main_cause"]["after"] == Cause.LAND


def test_a_household_changed_meanwhile_stops_the_whole_batch(county_client, county_user, registry):
    a1, a2 = registry["a1"], registry["a2"]
    data = {"ids": [a1.pk, a2.pk], "change": "main_cause=water", f"v{a1.pk}": a1.version, f"v{a2.pk}": a2.version}
    # Someone saves 甲二村's household after the list was read.
    services.household_update(actor=county_user, household=a2, data={"address": "新地址"})
    before = AuditEvent.objects.count()
    response = county_client.post(reverse("household_bulk_correct"), data)
    assert response.status_code == 200
    assert f"户 {NUMBER_A2} 已被他人修改" in response.content.decode()
    assert set(Household.objects.values_list("main_cause", flat=True)) == {Cause.ILLNESS, Cause.DISABILITY,
                                                                            Cause.SCHOOLING}
    assert AuditEvent.objects.count() == before


def test_only_safe_fields_and_no_household_outside_the_scope(county_client, b_client, registry):
    a1 = registry["a1"]
    response = county_client.post(reverse("household_bulk_correct"), {
        "ids": [a1.pk], "change": "phone=13900000000", f"v{a1.pk}": a1.version})
    assert response.status_code == 200 and "change" in response.context["form"].errors
    # 乙乡 ticks a household of 甲乡 (a forged post): not found, nothing changed.
    response = b_client.post(reverse("household_bulk_correct"), {
        "ids": [a1.pk, registry["b1"].pk], "change": "main_cause=land", f"v{a1.pk}": a1.version})
    assert response.status_code == 404
    assert Household.objects.get(pk=a1.pk).main_cause == Cause.ILLNESS


def test_read_only_roles_may_not_correct(leader, registry):
    a1 = registry["a1"]
    response = login(leader).post(reverse("household_bulk_correct"), {
        "ids": [a1.pk], "change": "main_cause=land", f"v{a1.pk}": a1.version})
    assert response.status_code == 403 and Household.objects.get(pk=a1.pk).main_cause == Cause.ILLNESS
