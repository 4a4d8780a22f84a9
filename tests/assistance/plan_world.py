"""Shared set-up of the plan and gap tests (plan15): households built through the real services, cadres,
pairings, visits, plans; fixtures imported by the test modules."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fupin.assistance import services as pairing_services
from fupin.assistance.models import Cadre, CatalogueMeasure, HelpingUnit, Visit
from fupin.registry.choices import Cause, Relation, Status
from tests import factories

START = datetime.date(2020, 1, 1)


def today() -> datetime.date:
    return timezone.localdate()


def catalogue(name: str) -> CatalogueMeasure:
    """A seeded catalogue measure (migration 0004) by name."""
    return CatalogueMeasure.objects.get(name=name, area__isnull=True)


def cadre(area, name: str = "王帮扶", unit: HelpingUnit | None = None) -> Cadre:
    return Cadre.objects.create(name=name, area=area, unit=unit)


def household(village, *, main_cause: str = Cause.ILLNESS, other_causes: list[str] | None = None,
              status: str = Status.POOR, members: list[dict] | None = None, **fields):
    return factories.household(village, main_cause=main_cause, other_causes=other_causes or [], status=status,
                               members=members, **fields)


def pair(cadre_obj: Cadre, household_obj, start: datetime.date = START):
    return pairing_services.pairing_create(actor=None, cadre=cadre_obj, household=household_obj, start=start)


def visit(household_obj, cadre_obj: Cadre, on: datetime.date) -> Visit:
    return Visit.objects.create(household=household_obj, cadre=cadre_obj, on=on, purpose="走访")


def child(age: int, **extra) -> dict:
    """A child member ``age`` years old on 1 September of this year (a son)."""
    born = datetime.date(today().year - age, 3, 1)
    return factories.member_data(Relation.SON, "1", birth=born, **extra)


def adult(age: int = 40, relation: str = Relation.HEAD, sex: str = "1", **extra) -> dict:
    born = datetime.date(today().year - age, 3, 1)
    return factories.member_data(relation, sex, birth=born, **extra)

