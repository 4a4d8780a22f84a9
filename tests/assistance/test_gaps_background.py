"""The first view of a day (day15): when an area's stored counts are from an earlier day and recomputing
would take more than a few counties (a city, the province), the page serves its latest stored counts
labelled with their date — never as today's — and starts one background refresh (fupin.jobs) whose
progress it shows; with nothing stored, the progress bar alone; after the job, today's counts, equal to
the live household lists. Small areas stay computed inline. A user starts refreshes only in their scope."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.assistance import gaps
from fupin.assistance.models import GapRollup
from fupin.jobs import runner
from fupin.jobs.models import Job, JobState
from fupin.registry.models import Household
from tests import factories

from .plan_world import cadre, household, pair, today, visit

pytestmark = pytest.mark.django_db

COUNTIES = ("530325000000", "530326000000")  # two more counties of 曲靖市: three in all


@pytest.fixture
def world(tree):
    w = {"tree": tree, "cadre": cadre(tree["county"], "赵干部")}
    for code in COUNTIES:  # a village in each of the other counties
        county = factories.area(code, f"县{code[4:6]}")
        township = factories.area(code[:6] + "100000", f"乡{code[4:6]}")
        w[code] = factories.area(code[:6] + "100001", f"村{code[4:6]}")
        assert w[code].parent == township and township.parent == county
    hh = [household(tree["village_a1"]), household(tree["village_a1"]), household(tree["village_b1"]),
          household(w[COUNTIES[0]]), household(w[COUNTIES[1]])]
    for h in hh[1:3]:
        pair(w["cadre"], h)
    visit(hh[1], w["cadre"], today() - datetime.timedelta(days=5))
    w["leader"] = factories.user("province_leader", Role.LEADER, tree["province"])
    return w


@pytest.fixture
def queued(monkeypatch):
    """Jobs submitted but not run (as a busy worker would leave them): run them with ``runner.run_job``."""
    submitted: list[str] = []
    monkeypatch.setattr(runner, "submit", lambda job: submitted.append(str(job.pk)))
    return submitted


def listed(area) -> dict[str, int]:
    return {g.key: Household.objects.filter(area_path__startswith=area.path).filter(gaps.household_q(g.key)).count()
            for g in gaps.GAPS}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, area):
    cache.clear()
    return client.get(reverse("gaps_page"), {"area": area.code})


def totals(response) -> dict[str, int]:
    return {t["gap"].key: t["n"] for t in response.context["totals"]}


def yesterdays_counts(poison: int = 999) -> datetime.datetime:
    """Every stored count made a day old, with a figure that is not today's in it."""
    then = timezone.now() - datetime.timedelta(days=1)
    for row in GapRollup.objects.all():
        row.data["n"]["not_visited"] = poison
        row.computed_at = then
        row.save()
    return then


def label(when: datetime.datetime) -> str:
    d = timezone.localtime(when)
    return f"截至 {d.month}月{d.day}日 {d:%H:%M} 的统计"


def test_yesterdays_counts_are_labelled_with_their_date_and_one_job_refreshes_them(world, queued):
    province = world["tree"]["province"]
    client = login(world["leader"])
    call_command("gaps", "refresh", stdout=StringIO())  # last night's refresh
    first = page(client, province)
    assert not first.context.get("stale") and totals(first) == listed(province)
    then = yesterdays_counts()
    response = page(client, province)
    body = response.content.decode()
    assert response.status_code == 200 and response.context["stale"]
    assert label(then) in body and "正在更新" in body
    assert totals(response)["not_visited"] == 999  # the stored figure, shown under its date …
    assert f"截至 {today():%Y-%m-%d}" not in body  # … never as today's
    assert "gaps.xlsx" not in body and 'id="progress"' in body and 'role="progressbar"' in body
    jobs = Job.objects.filter(kind=gaps.JOB_KIND)
    assert jobs.count() == 1 and jobs.get().area == province and queued == [str(jobs.get().pk)]
    # Viewed again, and a city below it: the same job (one per area at a time; the province's covers the city).
    again = page(client, province)
    city = page(client, world["tree"]["city"])
    assert again.context["job"] == city.context["job"] == jobs.get() and jobs.count() == 1
    assert label(then) in city.content.decode()
    # The progress bar polls while it is queued; the Excel download starts no second job.
    progress = client.get(reverse("gaps_progress"), {"area": province.code})
    assert progress.status_code == 200 and b"progressbar" in progress.content
    download = client.get(reverse("gaps_download"), {"area": province.code})
    assert download.status_code == 302 and jobs.count() == 1
    # The job runs: today's counts, equal to the live lists, everywhere.
    runner.run_job(queued[0])
    job = jobs.get()
    assert job.state == JobState.DONE and job.result["counties"] == 3
    progress = client.get(reverse("gaps_progress"), {"area": province.code})
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"
    after = page(client, province)
    assert not after.context.get("stale") and totals(after) == listed(province)
    assert f"截至 {today():%Y-%m-%d}" in after.content.decode() and label(then) not in after.content.decode()
    for area in (world["tree"]["city"], world["tree"]["county"], world["tree"]["village_a1"]):
        assert totals(page(client, area)) == listed(area), area.name
    assert jobs.count() == 1


def test_nothing_stored_shows_the_progress_bar_then_the_counts(world, queued):
    province = world["tree"]["province"]
    assert not GapRollup.objects.exists()
    client = login(world["leader"])
    response = page(client, province)
    body = response.content.decode()
    assert response.context["stale"] and response.context["stored_at"] is None
    assert response.context["totals"] == [] and "正在统计帮扶缺口" in body and 'role="progressbar"' in body
    runner.run_job(queued[0])
    after = page(client, province)
    assert not after.context.get("stale") and totals(after) == listed(province)


def test_small_areas_stay_inline(world, queued):
    """A county (one pass from the tables) or a province with one stale county: computed in the request."""
    tree = world["tree"]
    client = login(world["leader"])
    yesterdays_counts()
    response = page(client, tree["county"])
    assert not response.context.get("stale") and totals(response) == listed(tree["county"])
    call_command("gaps", "refresh", stdout=StringIO())
    # One county from yesterday, and the areas above it.
    for row in GapRollup.objects.filter(area_path__in=[tree["province"].path, tree["city"].path]) | \
            GapRollup.objects.filter(area_path__startswith=tree["county"].path):
        row.computed_at = timezone.now() - datetime.timedelta(days=1)
        row.save()
    assert gaps.freshness(user=world["leader"], area=tree["province"]).stale == [tree["county"].path]
    response = page(client, tree["province"])
    assert not response.context.get("stale") and totals(response) == listed(tree["province"])
    assert not Job.objects.filter(kind=gaps.JOB_KIND).exists() and queued == []


def test_a_failed_refresh_is_shown_and_not_retried_at_once(world, queued, monkeypatch):
    province = world["tree"]["province"]
    client = login(world["leader"])
    call_command("gaps", "refresh", stdout=StringIO())
    yesterdays_counts()
    page(client, province)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(gaps.rollups, "compute_one", broken)
    runner.run_job(queued[0])
    response = page(client, province)
    assert response.context["stale"] and "更新失败" in response.content.decode()
    assert Job.objects.filter(kind=gaps.JOB_KIND).count() == 1


def test_users_start_refreshes_only_in_their_scope(world, queued, monkeypatch, county_user, township_a_user):
    tree = world["tree"]
    call_command("gaps", "refresh", stdout=StringIO())
    yesterdays_counts()
    # A township officer: their township is computed inline (a county at most); the province is not theirs.
    township = login(township_a_user)
    response = page(township, tree["township_a"])
    assert not response.context.get("stale") and totals(response) == listed(tree["township_a"])
    assert page(township, tree["province"]).status_code == 404
    assert township.get(reverse("gaps_progress"), {"area": tree["province"].code}).status_code == 404
    assert township.get(reverse("gaps_download"), {"area": tree["province"].code}).status_code == 404
    assert not Job.objects.filter(kind=gaps.JOB_KIND).exists()
    # Even with every county refreshed in the background (no inline work allowed), a county officer's
    # refresh is of their county, never of an area above it.
    monkeypatch.setattr(gaps, "INLINE_COUNTIES", 0)
    yesterdays_counts()
    county = login(county_user)
    assert page(county, tree["province"]).status_code == 404
    response = page(county, tree["county"])
    assert response.context["stale"]
    assert list(Job.objects.filter(kind=gaps.JOB_KIND).values_list("area__path", "user__username")) == [
        (tree["county"].path, county_user.username)]
    # A 帮扶责任人's gaps are their own households': always computed inline, no job.
    cadre_user = factories.user("cadre_user", Role.CADRE, tree["county"])
    world["cadre"].user = cadre_user
    world["cadre"].save()
    response = page(login(cadre_user), tree["county"])
    assert response.status_code == 200 and not response.context.get("stale")
    assert Job.objects.filter(kind=gaps.JOB_KIND).count() == 1


def test_the_refresh_command_can_run_as_a_job(world):
    """``fupin gaps refresh --job``: the nightly refresh through the job framework (rq's worker in production,
    this process with the embedded runner), one job per area, its progress on the page."""
    admin = factories.user("nightly", Role.ADMIN, None, is_superuser=True)
    out = StringIO()
    call_command("gaps", "refresh", "--job", "--user", admin.username, stdout=out)
    job = Job.objects.get(kind=gaps.JOB_KIND)
    assert job.area == world["tree"]["province"] and job.state == JobState.DONE, out.getvalue()
    assert gaps.freshness(user=world["leader"], area=world["tree"]["province"]).stale == []


@pytest.mark.django_db(transaction=True)
def test_two_first_views_at_once_start_one_job(tree, monkeypatch):
    """Two requests at once (two threads, two connections): the area's row is held while looking for a job,
    so the second finds the first's."""
    from tests.threads import in_two_threads

    monkeypatch.setattr(runner, "submit", lambda job: None)
    leader = factories.user("province_leader", Role.LEADER, tree["province"])

    def start():
        return gaps.start_refresh(user=leader, area=tree["province"]).pk

    outcomes = in_two_threads(start)
    assert len(outcomes) == 2 and outcomes[0] == outcomes[1], outcomes
    assert Job.objects.filter(kind=gaps.JOB_KIND).count() == 1
