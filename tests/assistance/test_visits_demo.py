"""The demo's visits (fupin.demo.visits_demo): a year for every ongoing pairing, deterministic, some
households never visited and some long overdue, and nothing added when run again."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Max

from fupin.assistance import services as assistance
from fupin.assistance.models import Pairing, Visit
from fupin.demo.visits_demo import build_visits
from fupin.registry.models import Household
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def paired(tree, county_user):
    cadre = factories.user("cadre_li", "cadre", tree["village_a1"])
    for i in range(30):
        h = factories.household(tree["village_a1"], actor=county_user, number=f"53032410020100{i:02d}")
        assistance.pairing_create(actor=county_user, cadre=cadre, household=h, start=datetime.date(2018, 1, 1))
    return cadre


def test_a_year_of_visits_with_some_households_forgotten(paired):
    written = build_visits(seed=7, today=TODAY)
    assert written == Visit.objects.count() > 30 * 3
    last = dict(Household.objects.annotate(last=Max("visits__on")).values_list("number", "last"))
    never = [n for n, d in last.items() if d is None]
    long_ago = [n for n, d in last.items() if d is not None and (TODAY - d).days >= 150]
    assert len(never) == 2 and len(long_ago) == 2  # 6 % and 8 % of 30, rounded
    assert all(TODAY - datetime.timedelta(days=365) <= v.on <= TODAY for v in Visit.objects.all())
    assert set(Visit.objects.values_list("recorded_by", flat=True)) == {paired.pk}
    first = sorted(Visit.objects.values_list("household__number", "on", "purpose", "client_id"))
    assert build_visits(seed=7, today=TODAY) == 0  # run again: nothing added
    Visit.objects.all().delete()
    build_visits(seed=7, today=TODAY)
    assert sorted(Visit.objects.values_list("household__number", "on", "purpose", "client_id")) == first
    assert Pairing.objects.count() == 30
