"""Personas and a small registry for the API tests (ARCHITECTURE habit 9).

Township A (甲乡) holds two households, township B (乙乡) one; the leader reads the whole county.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from fupin.accounts.models import Role
from fupin.registry.choices import Relation
from tests import factories


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def error_of(response, status: int) -> dict:
    """The one error shape, checked on every 4xx."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    body = response.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["status"] == status
    assert isinstance(err["code"], str) and err["code"]
    assert isinstance(err["message"], str) and err["message"]
    return err


@pytest.fixture
def leader(tree):
    return factories.user("leader", Role.LEADER, tree["county"])


@pytest.fixture
def cadre(tree):
    return factories.user("cadre", Role.CADRE, tree["village_a1"])


@pytest.fixture
def registry(tree, county_user):
    """Two households in township A, one in township B (phones and bank accounts filled in)."""
    a1 = factories.household(
        tree["village_a1"], actor=county_user, number="5303241002010001", phone="13812345678",
        bank_name="农村信用社", bank_account="6228480012345678901",
        members=[factories.member_data(Relation.HEAD, "1", name="张甲一", health="chronic", phone="13900001111"),
                 factories.member_data(Relation.SPOUSE, "2", name="李甲一")],
    )
    a2 = factories.household(tree["village_a2"], actor=county_user, number="5303241002020001",
                             identified_year=2015, main_cause="land")
    b1 = factories.household(tree["village_b1"], actor=county_user, number="5303241012010001")
    return {"a1": a1, "a2": a2, "b1": b1}
