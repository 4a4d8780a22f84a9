"""Reads of the area tree, always scoped to what the user may see (fupin.accounts.policy decides)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from fupin.accounts import policy

from .models import Area, AreaDesignation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User


def area_list(*, user: User | AnonymousUser) -> QuerySet[Area]:
    return Area.objects.filter(policy.area_q(user))


def area_get(*, user: User | AnonymousUser, code: str) -> Area:
    """One area by code, or 404 when it is outside the user's subtree (its existence is not revealed)."""
    area = area_list(user=user).filter(code=code).first()
    if area is None:
        raise Http404
    return area


def area_root(*, user: User | AnonymousUser) -> Area | None:
    """The top of what the user sees: their own area, or the shallowest area for a global admin."""
    if getattr(user, "area", None) is not None:
        return user.area
    return area_list(user=user).order_by("path").first() if policy.scope_path(user) == "" else None


def area_children(*, user: User | AnonymousUser, area: Area) -> QuerySet[Area]:
    return area_list(user=user).filter(parent=area).order_by("code")


def designations_for(area_ids: Iterable[int], year: int | None = None) -> dict[int, list[AreaDesignation]]:
    qs = AreaDesignation.objects.filter(area_id__in=list(area_ids))
    if year is not None:
        qs = qs.filter(year=year)
    out: dict[int, list[AreaDesignation]] = {}
    for d in qs.order_by("year"):
        out.setdefault(d.area_id, []).append(d)
    return out
