"""A 帮扶责任人 sees only the households paired to them, on every page and in every read."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from fupin.accounts import policy
from fupin.areas.selectors import area_root
from fupin.assistance import services as assistance
from fupin.monitoring import selectors as monitoring_selectors
from fupin.registry import selectors
from fupin.registry.models import Member, StatusChange

from .conftest import START, login

pytestmark = pytest.mark.django_db


def test_the_cadre_sees_exactly_the_paired_households(cadre, households, pairings):
    seen = set(selectors.household_scope(cadre).values_list("number", flat=True))
    assert seen == {households["a1_paired"].number, households["a1_paired2"].number}


def test_the_household_list_page_shows_only_paired_households(cadre, households, pairings):
    page = login(cadre).get("/households/").content.decode()
    assert households["a1_paired"].number in page and households["a1_paired2"].number in page
    for key in ("a1_other", "a2", "b1"):
        assert households[key].number not in page


def test_a_paired_household_opens_and_an_unpaired_one_of_the_same_village_is_404(cadre, households, pairings):
    client = login(cadre)
    assert client.get(reverse("household_detail", args=[households["a1_paired"].pk])).status_code == 200
    assert client.get(reverse("household_detail", args=[households["a1_other"].pk])).status_code == 404


def test_member_edit_pages_are_refused_to_the_read_only_cadre(cadre, households, pairings):
    client = login(cadre)
    paired = households["a1_paired"].members.first()
    other = households["a1_other"].members.first()
    for name in ("member_edit", "member_remove", "member_make_head"):
        assert client.get(reverse(name, args=[paired.pk])).status_code == 403
        assert client.get(reverse(name, args=[other.pk])).status_code == 403
    assert client.get(reverse("household_edit", args=[households["a1_paired"].pk])).status_code == 403


def test_member_reads_follow_the_pairing(cadre, households, pairings):
    paired = households["a1_paired"].members.first()
    other = households["a1_other"].members.first()
    assert selectors.member_get(user=cadre, pk=paired.pk) == paired
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.member_get(user=cadre, pk=other.pk)
    visible = set(Member.objects.filter(policy.household_q(cadre)).values_list("household_id", flat=True))
    assert visible == {households["a1_paired"].pk, households["a1_paired2"].pk}
    history = set(StatusChange.objects.filter(policy.household_q(cadre)).values_list("household_id", flat=True))
    assert history == visible


def test_an_ended_pairing_removes_access(cadre, households, pairings, county_user):
    assistance.pairing_end(actor=county_user, pairing=pairings[0], end=datetime.date(2020, 6, 30))
    client = login(cadre)
    assert client.get(reverse("household_detail", args=[households["a1_paired"].pk])).status_code == 404
    assert client.get(reverse("household_detail", args=[households["a1_paired2"].pk])).status_code == 200
    assert set(selectors.household_scope(cadre)) == {households["a1_paired2"]}


def test_a_pairing_that_has_not_started_yet_gives_no_access(cadre, households, county_user):
    future = datetime.date.today() + datetime.timedelta(days=30)
    assistance.pairing_create(actor=county_user, cadre=cadre, household=households["a1_other"], start=future)
    assert not selectors.household_scope(cadre).exists()


def test_a_cadre_without_pairings_sees_nothing(cadre, households):
    assert not selectors.household_scope(cadre).exists()
    page = login(cadre).get("/households/").content.decode()
    assert households["a1_paired"].number not in page


def test_a_pairing_outside_the_cadres_area_is_not_seen(cadre, households, county_user):
    """A cadre with an area stays inside it even if someone paired them with a household elsewhere."""
    assistance.pairing_create(actor=county_user, cadre=cadre, household=households["b1"], start=START)
    assert not selectors.household_scope(cadre).exists()


def test_a_cadre_without_an_area_sees_the_paired_households(households, county_user):
    from fupin.accounts.models import Role
    from tests import factories

    dept_cadre = factories.user("dept_cadre", Role.CADRE, None)
    assistance.pairing_create(actor=county_user, cadre=dept_cadre, household=households["b1"], start=START)
    assert list(selectors.household_scope(dept_cadre)) == [households["b1"]]


def test_area_pages_count_only_the_paired_households(cadre, households, pairings, tree):
    root = area_root(user=cadre)
    assert root == tree["village_a1"]
    summary = monitoring_selectors.area_summary(user=cadre, areas=[root])
    people = sum(h.member_count for h in (households["a1_paired"], households["a1_paired2"]))
    assert summary[root.pk]["households"] == 2 and summary[root.pk]["people"] == people
    overview = monitoring_selectors.county_overview(user=cadre, root=root)
    assert overview["totals"]["households"] == 2
    client = login(cadre)
    assert client.get(reverse("overview")).status_code == 200
    assert client.get(reverse("area_tree")).status_code == 200


def test_other_roles_keep_their_area_subtree(households, pairings, village_user, township_b_user):
    numbers = set(selectors.household_scope(village_user).values_list("number", flat=True))
    assert numbers == {households[k].number for k in ("a1_paired", "a1_paired2", "a1_other")}
    assert list(selectors.household_scope(township_b_user)) == [households["b1"]]
