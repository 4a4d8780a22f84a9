"""Reads of the assistance records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Pairing

if TYPE_CHECKING:
    from fupin.accounts.models import User


def paired_household_ids(user: User) -> QuerySet:
    """The ids of the households ``user`` helps today (the 帮扶责任人's scope, for the access policy)."""
    return Pairing.objects.ongoing().filter(cadre=user).values("household_id")
