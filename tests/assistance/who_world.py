"""Hand-built cases for the who-helps tests (issue 15, who15): units, cadres and households of the test
tree (罗平县 > 甲乡/乙乡 > 甲一村/甲二村/乙一村), made through the real services where they exist."""

from __future__ import annotations

import datetime

import pytest

from fupin.areas.models import AreaDesignation, DesignationKind
from fupin.assistance import services_people as svc
from fupin.assistance.models import CadreRank, UnitKind
from fupin.registry.choices import Status
from tests import factories

START = datetime.date(2020, 3, 1)
TODAY = datetime.date(2026, 9, 20)


def unit(county, name: str = "县农业农村局", kind: str = UnitKind.DEPARTMENT):
    return svc.unit_save(actor=None, data={"name": name, "kind": kind, "area": county})


def cadre(area, name: str, *, unit_obj=None, rank: str = CadreRank.STAFF, user=None):
    return svc.cadre_save(actor=None, data={"name": name, "unit": unit_obj, "rank": rank, "area": area,
                                            "user": user, "post": "", "phone": "13912345678"})


def poor_village(area, year: int = 2016):
    AreaDesignation.objects.create(area=area, year=year, kind=DesignationKind.POOR_VILLAGE)
    return area


@pytest.fixture(name="homes")
def homes_fixture(tree):
    """Households of 甲一村 by status, one of 乙一村."""
    make = factories.household
    return {
        "poor": make(tree["village_a1"], number="5303241002010201", status=Status.POOR),
        "poor2": make(tree["village_a1"], number="5303241002010202", status=Status.POOR),
        "exited": make(tree["village_a1"], number="5303241002010203", status=Status.EXITED),
        "stable": make(tree["village_a1"], number="5303241002010204", status=Status.EXITED_STABLE),
        "b1": make(tree["village_b1"], number="5303241012010201", status=Status.POOR),
    }
