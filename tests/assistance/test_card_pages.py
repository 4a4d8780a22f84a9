"""明白卡 pages, job and command: scoped as the household's page (outside: 404), a 帮扶责任人 prints only
the households paired to them, every print audited as an export; a township's cards as a background
job ending in one PDF; ``fupin cards --area --user --out``."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.jobs.models import Job, JobState
from tests import factories
from tests.assistance.card_world import (  # noqa: F401 - fixtures
    HEAD,
    bare_household_fixture,
    card_cadre_fixture,
    card_household_fixture,
    outside_household_fixture,
)
from tests.assistance.test_card_pdf import pages
from tests.documents.test_render import needs_poppler, pdf_text, squeezed
from tests.web.conftest import login

pytestmark = [pytest.mark.django_db, needs_poppler]


@pytest.fixture(name="jobs_sync")
def jobs_sync_fixture(settings, tmp_path):
    settings.FUPIN_JOBS = "sync"
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_the_household_page_offers_the_card_and_prints_it_audited(card_household, county_user):
    client = login(county_user)
    page = client.get(reverse("household_detail", args=[card_household.pk])).content.decode()
    url = reverse("assistance_cards:household", args=[card_household.pk])
    assert url in page and "打印明白卡" in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert HEAD in squeezed(pdf_text(response.content))
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, actor=county_user,
                                     entity_id=str(card_household.pk)).count() == 1


def test_a_household_outside_the_scope_is_a_404_and_nothing_is_issued(outside_household, village_user):
    response = login(village_user).get(reverse("assistance_cards:household", args=[outside_household.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


def test_a_cadre_prints_their_households_only(card_household, bare_household, card_cadre, tree):
    client = login(card_cadre.user)
    assert client.get(reverse("assistance_cards:household", args=[card_household.pk])).status_code == 200
    assert client.get(reverse("assistance_cards:household", args=[bare_household.pk])).status_code == 404
    village = client.get(reverse("assistance_cards:area", args=[tree["village_a1"].code]))
    assert village.status_code == 200 and pages(village.content) == 1
    text = squeezed(pdf_text(village.content))
    assert HEAD in text and "李有田" not in text
    index = client.get(reverse("assistance_cards:index")).content.decode()
    assert "甲一村" in index and reverse("assistance_cards:area", args=[tree["village_a1"].code]) in index


def test_a_villages_cards_are_one_pdf_and_another_village_is_a_404(card_household, bare_household, tree,
                                                                   village_user):
    client = login(village_user)
    response = client.get(reverse("assistance_cards:area", args=[tree["village_a1"].code]))
    assert response.status_code == 200 and pages(response.content) == 2
    assert client.get(reverse("assistance_cards:area", args=[tree["village_b1"].code])).status_code == 404


def test_a_township_is_printed_as_a_job_with_progress_and_a_download(card_household, bare_household,
                                                                     outside_household, tree, township_a_user,
                                                                     jobs_sync):
    client = login(township_a_user)
    assert client.get(reverse("assistance_cards:area", args=[tree["township_a"].code])).status_code == 302
    response = client.post(reverse("assistance_cards:job_start"), {"area": tree["township_a"].code})
    job = Job.objects.get(kind="assistance_cards")
    assert response.status_code == 302 and job.state == JobState.DONE, job.message
    assert job.result["count"] == 2 and job.result["new"] == 2
    page = client.get(reverse("assistance_cards:job", args=[job.pk])).content.decode()
    assert "共 2 张" in page
    download = client.get(reverse("assistance_cards:job_download", args=[job.pk]))
    pdf = b"".join(download.streaming_content)
    assert pages(pdf) == 2 and HEAD in squeezed(pdf_text(pdf)) and "王外人" not in squeezed(pdf_text(pdf))
    # another user's job is not theirs to see; an area outside the scope is a 404
    other = login(factories.user("township_b2", Role.TOWNSHIP, tree["township_b"]))
    assert other.get(reverse("assistance_cards:job", args=[job.pk])).status_code == 404
    assert other.get(reverse("assistance_cards:job_download", args=[job.pk])).status_code == 404
    assert other.post(reverse("assistance_cards:job_start"), {"area": tree["township_a"].code}).status_code == 404


def test_the_command_prints_the_area_scoped_by_user(card_household, bare_household, outside_household, tree,
                                                    card_cadre, tmp_path):
    out = tmp_path / "cards.pdf"
    stdout = io.StringIO()
    call_command("cards", area=tree["county"].code, out=str(out), no_progress=True, stdout=stdout)
    assert pages(out.read_bytes()) == 3 and "明白卡 3 张（2 个村）" in stdout.getvalue()
    call_command("cards", area=tree["village_a1"].code, user=card_cadre.user.username, out=str(out),
                 no_progress=True, stdout=stdout)
    text = squeezed(pdf_text(out.read_bytes()))
    assert pages(out.read_bytes()) == 1 and HEAD in text and "王外人" not in text
    village = factories.user("village_b1", Role.VILLAGE, tree["village_b1"])
    with pytest.raises(CommandError, match="不存在或不在用户"):
        call_command("cards", area=tree["village_a1"].code, user=village.username, out=str(out), no_progress=True)
    with pytest.raises(CommandError, match=r"\.pdf"):
        call_command("cards", area=tree["county"].code, out=str(tmp_path / "x.txt"), no_progress=True)
