"""Reads of the assistance records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Pairing

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.registry.models import Household


def paired_household_ids(user: User) -> QuerySet:
    """The ids of the households the cadre linked to ``user`` helps today (the 帮扶责任人's scope, for the access policy)."""
    return Pairing.objects.ongoing().filter(cadre__user=user).values("household_id")


def household_pairings(*, household: Household) -> QuerySet[Pairing]:
    """Every pairing of ``household`` (ongoing and ended), oldest first, with its cadre. The caller
    has read the household through a scoped selector."""
    return Pairing.objects.filter(household=household).select_related("cadre__unit").order_by("start", "id")
