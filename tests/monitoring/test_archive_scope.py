"""Scope: a township's archive holds its own subtree only, an area outside the user's subtree cannot be
archived, and an archive outside it is a 404 on every page; read-only roles are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.monitoring import archive as archives
from fupin.monitoring.models_archive import Archive
from tests import factories

from .archive_helpers import World, built, jobs_sync_fixture, manifest_of, sheet_rows, world_fixture, zip_of  # noqa: F401

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_township_archive_holds_only_its_subtree(world: World):
    archive = built(world.users["township_a"], world.tree["township_a"], 2026)
    with zip_of(archive) as zf:
        numbers = {row[0] for row in sheet_rows(zf, archives.HOUSEHOLDS)[1:]}
        cases = {row[3] for row in sheet_rows(zf, archives.DECISIONS, "识别退出案件")[1:]}
        pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
    assert numbers == {world.households["a_exit"].number, world.households["a_case"].number}
    assert cases == {"赵甲档"}
    assert len(pdfs) == 1 and "甲一村" in pdfs[0]
    assert manifest_of(archive)["counts"]["households"] == 2


def test_an_area_outside_the_subtree_is_refused(world: World):
    with pytest.raises(ValidationError):
        archives.archive_start(actor=world.users["township_a"], area=world.tree["township_b"], year=2026,
                               background=False)
    assert not Archive.objects.exists()


def test_a_read_only_role_may_not_build_one(world: World):
    leader = factories.user("leader", Role.LEADER, world.tree["county"])
    with pytest.raises(PermissionDenied):
        archives.archive_start(actor=leader, area=world.tree["county"], year=2026, background=False)
    assert login(leader).get(reverse("archive_list")).status_code == 403


def test_the_form_gives_404_for_an_area_outside_the_subtree(world: World):
    response = login(world.users["township_a"]).post(reverse("archive_list"),
                                                     {"area": world.tree["township_b"].code, "year": "2026"})
    assert response.status_code == 404
    assert not Archive.objects.exists()


def test_outsiders_get_404_on_every_page_of_an_archive(world: World):
    archive = built(world.users["township_a"], world.tree["township_a"], 2026)
    outsider = login(world.users["township_b"])
    for name in ("archive_detail", "archive_download", "archive_progress"):
        assert outsider.get(reverse(name, args=[archive.pk])).status_code == 404, name
    for name in ("archive_verify", "archive_cancel"):
        assert outsider.post(reverse(name, args=[archive.pk])).status_code == 404, name
    # A village below the township does not see the township's archive either.
    assert login(world.users["village"]).get(reverse("archive_download", args=[archive.pk])).status_code == 404
    # The county above it does.
    assert login(world.users["county"]).get(reverse("archive_download", args=[archive.pk])).status_code == 200


def test_the_list_shows_the_archives_of_the_subtree_only(world: World):
    mine = built(world.users["township_a"], world.tree["township_a"], 2026)
    other = built(world.users["township_b"], world.tree["township_b"], 2026)
    page = login(world.users["township_a"]).get(reverse("archive_list")).content.decode()
    assert reverse("archive_detail", args=[mine.pk]) in page
    assert reverse("archive_detail", args=[other.pk]) not in page


def test_every_role_that_may_archive_exports_the_same_fields():
    """An archive is readable by every archiving role of its subtree, whoever built it: their exports must
    carry each personal field alike (whole, masked or hidden)."""
    from fupin.accounts import policy
    from fupin.accounts.models import User

    fields = list(policy.GROUP_OF)
    access = {role: tuple(policy.export_access(User(username="probe", role=role))(f) for f in fields)
              for role in sorted(policy.CAPABILITIES["archive"])}
    assert len(set(access.values())) == 1, access
