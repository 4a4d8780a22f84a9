"""The adjustment pages: starting a run shows a progress bar and a cancel button while the job waits or
runs; the review tabs count each kind; "全部" confirms every pending proposal of the tab."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.identification.models_adjustment import AdjustmentRun, ProposalState, RunStatus
from fupin.jobs.models import JobState
from fupin.registry.choices import Status
from fupin.registry.models import Household

from . import adjust_helpers as make
from .helpers import clock

pytestmark = pytest.mark.django_db


def test_a_waiting_run_shows_its_progress_and_can_be_cancelled(client, settings, tmp_path, tree, county_user):
    settings.FUPIN_JOBS = "thread"  # submitted on commit: inside the test's transaction it stays queued
    settings.DATA_DIR = tmp_path
    client.force_login(county_user)
    response = client.post(reverse("adjustment_list"), {"year": "2019", "area": tree["county"].code})
    run = AdjustmentRun.objects.get()
    assert response.url == reverse("adjustment_detail", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert 'role="progressbar"' in page and reverse("adjustment_cancel", args=[run.pk]) in page
    partial = client.get(reverse("adjustment_progress", args=[run.pk]))
    assert 'role="progressbar"' in partial.content.decode() and "HX-Refresh" not in partial
    client.post(reverse("adjustment_cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.job.state == JobState.CANCELLED
    assert client.get(reverse("adjustment_progress", args=[run.pk]))["HX-Refresh"] == "true"


def test_all_pending_of_a_tab_are_confirmed_from_the_page(client, settings, tmp_path, tree, county_user):
    settings.FUPIN_JOBS = "sync"
    settings.DATA_DIR = tmp_path
    client.force_login(county_user)
    with clock():
        backs = [make.fallen_back(county_user, tree["village_a1"]) for _ in range(3)]
        make.exit_ready(county_user, tree["village_a2"])
        client.post(reverse("adjustment_list"), {"year": "2019", "area": tree["county"].code})
        run = AdjustmentRun.objects.get()
        page = client.get(reverse("adjustment_detail", args=[run.pk]), {"tab": "return"}).content.decode()
        assert all(h.number in page for h in backs)
        response = client.post(reverse("adjustment_review", args=[run.pk]),
                               {"tab": "return", "action": "confirm", "all": "1"})
    assert response.status_code == 302
    assert set(Household.objects.filter(pk__in=[h.pk for h in backs]).values_list("status", flat=True)) == {
        Status.RETURNED}
    assert run.proposals.get(kind="exit").state == ProposalState.PENDING  # another tab: untouched
