"""The API follows the same scope: a 帮扶责任人 reads only the paired households."""

from __future__ import annotations

import pytest

from .conftest import login

pytestmark = pytest.mark.django_db


def test_the_household_api_lists_only_paired_households(cadre, households, pairings):
    client = login(cadre)
    body = client.get("/api/households/").content.decode()
    assert households["a1_paired"].number in body and households["a1_paired2"].number in body
    assert households["a1_other"].number not in body
    assert client.get(f"/api/households/{households['a1_other'].pk}/").status_code == 404
    assert client.get(f"/api/households/{households['a1_paired'].pk}/").status_code == 200


def test_members_of_an_unpaired_household_are_404(cadre, households, pairings):
    client = login(cadre)
    assert client.get(f"/api/households/{households['a1_other'].pk}/members/").status_code == 404
    assert client.get(f"/api/households/{households['a1_paired'].pk}/members/").status_code == 200


def test_one_member_of_an_unpaired_household_is_404(cadre, households, pairings):
    other = households["a1_other"].members.first()
    assert login(cadre).get(f"/api/members/{other.pk}/").status_code == 404
