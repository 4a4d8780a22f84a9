"""Reads of the assessment samples."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import SampleHousehold

if TYPE_CHECKING:
    from fupin.accounts.models import User


def sampled_household_ids(user: User) -> QuerySet:
    """The ids of the households in samples assigned to ``user`` (the 评估人员's scope, for the policy)."""
    return SampleHousehold.objects.filter(sample__assessors__assessor=user).values("household_id")
