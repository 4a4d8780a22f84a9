"""Reads of the assessment samples."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import SampleHousehold


def sampled_household_ids(user) -> QuerySet:
    """The ids of the households in samples assigned to ``user`` (the 评估人员's scope, for the policy)."""
    return SampleHousehold.objects.filter(sample__assessors__assessor=user).values("household_id")
