"""The demo's assistance forces (fupin.demo.assistance_demo): every registered and monitored household has a
cadre but the handful left out on purpose and the departed cadre's; every poor village has a team with a
第一书记; leaders and departments are linked; the demo account 'cadre' keeps its households."""

from __future__ import annotations

import pytest

from fupin.areas.models import Area, Level
from fupin.assistance import checks
from fupin.assistance.models import AreaLink, Cadre, CadreRank, Pairing, PresenceMonth
from fupin.demo.assistance_demo import UNPAIRED
from fupin.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_pairs_every_household_but_the_gaps_it_shows():
    result = load_demo(households=300, seed=11)
    county = Area.objects.filter(level=Level.COUNTY).order_by("path").first()
    departed = checks.pairings_of_departed_cadres(county).count()
    assert departed > 0
    without = checks.households_without_cadre(county).count()
    assert without == UNPAIRED + departed == result.assistance.counts["without_cadre"]
    assert checks.must_have_cadre(county).count() > 200
    assert list(checks.poor_villages_without_team(county)) == []
    assert list(checks.leaders_without_township(county)) == []
    assert checks.departments_with_few_villages(county).count() == 2
    assert PresenceMonth.objects.count() > 0 and checks.presence_below_minimum(county).exists()
    assert Cadre.objects.filter(rank=CadreRank.COUNTY_LEADER).count() == 12
    assert AreaLink.objects.filter(end__isnull=False).exists()  # some history
    assert Pairing.objects.ongoing().filter(cadre__user__username="cadre").count() == 10
