"""One definition per figure (issue 12 item 3): the household list, its export, the overview, the area
tree and the summary tables count the same households — 在册户, every status but 注销
(fupin.registry.counts) — say so on the page, and show counts with thousands separators.

Before: a village list said 共 3 户 (the 注销 household included) where the overview said 2, and the
export wrote 2 households without a word on the page about the one it left out."""

from __future__ import annotations

import datetime
import io
import re
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin.monitoring.selectors import area_summary, county_overview
from fupin.registry import counts, services
from fupin.registry.choices import CancelReason, Relation, RemovalReason, Status
from fupin.registry.selectors import HouseholdFilters, household_list
from fupin.sheets.models import Job, JobKind, JobState
from fupin.sheets.summary import summary_tables
from tests import factories
from tests.sheets.test_views import _jobs_inline  # noqa: F401 - jobs run inline, files under tmp_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(tree, county_user):
    """甲一村: a poor household, an exited one, and one cancelled after its only member died."""
    v = tree["village_a1"]
    factories.household(v, actor=county_user, number="A1-POOR")
    factories.household(v, actor=county_user, number="A1-EXITED", status=Status.EXITED, exit_year=2019)
    gone = factories.household(v, actor=county_user, number="A1-GONE", members=[factories.member_data(Relation.HEAD)])
    services.member_remove(actor=county_user, member=gone.members.get(), reason=RemovalReason.DEATH,
                           date=datetime.date(2020, 3, 1))
    gone.refresh_from_db()
    services.household_change_status(actor=county_user, household=gone, to_status=Status.CANCELLED,
                                     reason="全户死亡", cancel_reason=CancelReason.ALL_DEAD,
                                     date=datetime.date(2020, 3, 2))
    return v


def _list_count(client: Client, **params) -> int:
    html = client.get(reverse("household_list"), params).content.decode()
    match = re.search(r"共 ([\d,]+) 户", html)
    assert match, html[:500]
    return int(match.group(1).replace(",", ""))


def test_list_export_overview_area_tree_and_summary_count_the_same_households(village, county_user):
    client = Client()
    client.force_login(county_user)
    listed = _list_count(client, township=factories.TOWNSHIP_A, village=factories.VILLAGE_A1)
    overview = county_overview(user=county_user, root=village)["totals"]["households"]
    tree_row = area_summary(user=county_user, areas=[village])[village.pk]["households"]
    township = village.parent
    basic = summary_tables(county_user, township)[0]
    summary_row = next(r for r in basic.rows if r.code == village.code).values[basic.headers.index("户数")]

    client.post(reverse("sheets:export"), {"township": factories.TOWNSHIP_A, "village": factories.VILLAGE_A1})
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.state == JobState.DONE
    exported = job.result["exported_households"]

    assert listed == overview == tree_row == summary_row == exported == 2
    assert job.result["skipped_households"] == 0


def test_the_page_states_what_the_count_counts_and_how_to_see_the_cancelled(village, county_user):
    client = Client()
    client.force_login(county_user)
    html = client.get(reverse("household_list"), {"village": factories.VILLAGE_A1,
                                                  "township": factories.TOWNSHIP_A}).content.decode()
    assert str(counts.NOTES["households"]) in html
    assert "另有已注销 1 户" in html
    assert "A1-GONE" not in html

    cancelled = client.get(reverse("household_list"), {"status": Status.CANCELLED}).content.decode()
    assert "A1-GONE" in cancelled and "共 1 户" in cancelled and str(counts.NOTES["cancelled"]) in cancelled
    everything = client.get(reverse("household_list"), {"status": counts.ALL_STATUSES}).content.decode()
    assert "共 3 户" in everything and str(counts.NOTES["all"]) in everything


def test_an_export_that_leaves_a_household_out_says_so_on_the_job_page(village, county_user):
    client = Client()
    client.force_login(county_user)
    client.post(reverse("sheets:export"), {"status": counts.ALL_STATUSES})
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.result["exported_households"] == 2 and job.result["skipped_households"] == 1
    page = client.get(reverse("sheets:job", args=[job.pk])).content.decode()
    assert "另有 1 户没有在户家庭成员，未写入文件" in page
    # The file's 说明 sheet says which households it holds and which one it left out, and why.
    download = client.get(reverse("sheets:job_download", args=[job.pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(download.streaming_content)))
    note = "\n".join(" ".join(str(c) for c in row) for row in book.get_sheet_by_name("说明").to_python())
    assert str(counts.NOTES["all"]) in note and "1 户没有在户成员，未写入" in note


def test_status_filter_default_is_the_register(village, county_user):
    numbers = {h.number for h in household_list(user=county_user, filters=HouseholdFilters())}
    assert numbers == {"A1-POOR", "A1-EXITED"}


def test_counts_on_the_list_have_thousands_separators(county_user):
    page = SimpleNamespace(object_list=[], number=1, paginator=SimpleNamespace(count=12287, num_pages=1))
    request = RequestFactory().get("/households/")
    request.user = county_user
    html = render_to_string("registry/_household_results.html",
                            {"page": page, "columns": [], "query": "",
                             "count_note": counts.list_note(""), "cancelled_left_out": 1043},
                            request=request)
    assert "共 12,287 户" in html and "另有已注销 1,043 户" in html


def test_the_api_lists_the_households_in_the_register_unless_asked_for_all(village, county_user):
    """GET /api/households/ counted 注销 households where the page and the overview did not."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(county_user)

    def numbers(**params) -> set[str]:
        response = client.get("/api/households/", params)
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}

    assert numbers() == numbers(area=factories.VILLAGE_A1) == {"A1-POOR", "A1-EXITED"}
    assert numbers(status=counts.ALL_STATUSES) == {"A1-POOR", "A1-EXITED", "A1-GONE"}
    assert numbers(status=Status.CANCELLED) == {"A1-GONE"}
