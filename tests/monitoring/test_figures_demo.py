"""On the demo county (a miniature of it, with its monitoring history to 2026): every dashboard figure equals
the household list's count of its key, households and people (as the figure counts them) — today and as of
two past year ends (issue 14: "a test that compares every dashboard figure with a count through the list
selector" on the demo)."""

import datetime

import pytest

from fupin.accounts.models import User
from fupin.areas.models import Area, Level
from fupin.demo.loader import load_demo
from fupin.monitoring import figures
from fupin.registry import selectors
from fupin.registry.selectors import HouseholdFilters

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("on", [None, datetime.date(2019, 12, 31), datetime.date(2024, 12, 31)],
                         ids=["today", "2019", "2024"])
def test_every_figure_of_the_demo_county_equals_the_list_count_of_its_key(on):
    load_demo(households=300, seed=11, cases=False)
    county = Area.objects.get(level=Level.COUNTY)
    officer = User.objects.get(username="county")
    children = list(Area.objects.filter(parent=county).order_by("path"))
    data = figures.dashboard(user=officer, area=county, on=on, children=children)
    figs = [(county, f) for f in figures.all_figures(data)]
    for row in data["children"]:
        figs += [(row["area"], row[name]) for name in ("households", "poor", "exited", "at_risk")]
        figs += [(row["area"], f) for f in row["status"]]
    assert len(figs) > 60
    for area, fig in figs:
        listed = selectors.household_list(user=officer, filters=HouseholdFilters(
            area=area, status="all", figure=fig.key, on=on))
        assert fig.households == listed.count(), (area.name, fig.key, fig.label)
        assert fig.people == figures.figure_people(fig.key, on, listed), (area.name, fig.key, fig.label)
    headline = data["headline"]
    assert headline["households"].households > 0 and headline["exited"].households > 0
    if on is None or on.year >= 2021:  # the demo's monitoring history: objects at risk and cleared
        assert headline["at_risk"].households > 0 and headline["cleared"].households > 0
