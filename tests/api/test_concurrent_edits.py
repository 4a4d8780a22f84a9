"""Two cadres save the same household at the same moment with the same version: exactly one wins.

Real concurrent transactions from two threads: row locks on PostgreSQL; on SQLite (a file test
database) the IMMEDIATE transactions serialise the writers and the second one waits on the busy timeout.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def test_two_patches_with_the_same_version_one_wins_one_gets_409(tree, county_user, township_a_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def patch(user, address: str) -> None:
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=10)
            r = client.patch(f"/api/households/{household.pk}/", {"address": address, "version": 1}, format="json")
            results[address] = r.status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=patch, args=(county_user, "县里改的地址")),
               threading.Thread(target=patch, args=(township_a_user, "乡里改的地址"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(results.values()) == [200, 409], results
    winner = next(address for address, code in results.items() if code == 200)
    household.refresh_from_db()
    assert household.address == winner
    assert household.version == 2
