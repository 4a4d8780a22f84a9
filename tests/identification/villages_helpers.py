"""Villages with a rural population, poor households and indicators, for the village-exit tests."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from fupin.areas.models import Area
from fupin.identification import villages
from fupin.registry.choices import Status
from tests import factories

#: Every indicator met and the collective income above the seeded 20,000 yuan.
GOOD = {**{name: True for name in villages.INDICATOR_FIELDS}, "collective_income": Decimal("35000"),
        "industry": "油菜花旅游"}


def populate(village: Area, rural: int | None, poor: int = 0, exited: int = 0, returned: int = 0) -> Area:
    """Set the village's rural population and register households of two people each."""
    Area.objects.filter(pk=village.pk).update(rural_population=rural)
    village.refresh_from_db()
    for _ in range(poor):
        factories.household(village, status=Status.POOR)
    for _ in range(exited):
        factories.household(village, status=Status.EXITED)
    for _ in range(returned):
        factories.household(village, status=Status.RETURNED)
    return village


def indicators(village: Area, year: int = 2026, **changes):
    return villages.indicators_save(actor=None, village=village, year=year, data={**GOOD, **changes})


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
