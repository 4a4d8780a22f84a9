"""Set-up shared by the case pages' tests (tests/identification/test_case_pages*.py and the browser flow):
households ready for each kind of case, built through the real services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from fupin.registry import services as registry
from fupin.registry.choices import Relation, Status
from tests import factories

from .helpers import VOTES, applicant  # noqa: F401 - re-exported for the page tests

#: The national exit criteria are stored for 2014–2020 (standards migration 0002): exit cases use 2020.
EXIT_YEAR = 2020


def insured(relation: str = Relation.HEAD, sex: str = "1", **extra) -> dict:
    return factories.member_data(relation, sex, birth=datetime.date(1975, 3, 1), medical_insurance=True,
                                 serious_illness_insurance=True, **extra)


def exit_ready(village, *, income: str = "12000", head: str = "", **fields):
    """A 贫困户 whose recorded facts pass every national exit criterion of EXIT_YEAR."""
    fields.setdefault("house_area", Decimal("80"))
    fields.setdefault("water_safe", True)
    fields.setdefault("water_difficulty", False)
    household = factories.household(village, status=Status.POOR, identified_year=2016,
                                    members=[insured(**({"name": head} if head else {})), insured(Relation.SPOUSE, "2")],
                                    **fields)
    registry.yearly_record_save(actor=None, household=household, year=EXIT_YEAR, data={
        "member_count": 2, "wage_income": Decimal(income), "food_clothing_secure": True})
    return household


def exit_votes() -> dict:
    return dict(VOTES)
