"""Households with chosen facts, built through the registry's services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from fupin.registry import services
from fupin.registry.choices import LineKind, Relation, SchoolStatus
from fupin.registry.models import PovertyLine
from tests import factories

YEAR = 2016


def national_line(year: int = YEAR, amount: str = "2952") -> PovertyLine:
    line, _ = PovertyLine.objects.update_or_create(year=year, kind=LineKind.NATIONAL, area=None,
                                                   defaults={"amount": Decimal(amount)})
    return line


def household(village, *, members: list[dict] | None = None, income: Decimal | str | None = None,
              people: int = 2, year: int = YEAR, food: bool | None = True, **fields):
    """A household; ``income`` the 工资性收入 of ``year`` (None: no record that year)."""
    members = members or [adult(), adult(Relation.SPOUSE, "2")]
    fields.setdefault("house_area", Decimal("80"))
    h = factories.household(village, members=members, **fields)
    if income is not None:
        services.yearly_record_save(actor=None, household=h, year=year, data={
            "member_count": people, "wage_income": Decimal(income), "food_clothing_secure": food})
    return h


def adult(relation: str = Relation.HEAD, sex: str = "1", **extra) -> dict:
    """A member born in 1975: never of school age in the years the tests judge (the factories' default
    birth dates follow a global counter, so a default member could be a child in one run and not another)."""
    return factories.member_data(relation, sex, birth=datetime.date(1975, 3, 1), **extra)


def child(*, school: str = SchoolStatus.PRIMARY, born: datetime.date = datetime.date(2006, 5, 1), **extra) -> dict:
    return factories.member_data(Relation.SON, "1", birth=born, school_status=school, **extra)
