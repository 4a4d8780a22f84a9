"""The demo 帮扶责任人 logs in to a cadre's real view: ten paired households of the demo village."""

from __future__ import annotations

import pytest

from fupin.accounts.models import User
from fupin.assistance.models import Pairing
from fupin.demo.accounts import CADRE_HOUSEHOLDS
from fupin.demo.loader import load_demo
from fupin.registry import selectors
from fupin.registry.choices import Status
from fupin.registry.models import Household


@pytest.fixture
def small_demo(db):
    return load_demo(households=300, seed=11)


def test_the_demo_cadre_has_paired_households(small_demo):
    cadre = User.objects.get(username="cadre")
    seen = list(selectors.household_scope(cadre).order_by("number"))
    assert 8 <= len(seen) <= 12 and len(seen) == CADRE_HOUSEHOLDS
    village = cadre.area
    expected = list(Household.objects.filter(area_path__startswith=village.path)
                    .exclude(status=Status.CANCELLED).order_by("number", "id")[:CADRE_HOUSEHOLDS])
    assert seen == expected
    assert all(p.end is None for p in Pairing.objects.filter(cadre__user=cadre))


def test_the_village_account_still_sees_the_whole_village(small_demo):
    village_user = User.objects.get(username="village")
    cadre = User.objects.get(username="cadre")
    village_count = selectors.household_scope(village_user).count()
    assert village_count >= selectors.household_scope(cadre).count() == CADRE_HOUSEHOLDS
    assert set(selectors.household_scope(cadre)) <= set(selectors.household_scope(village_user))
