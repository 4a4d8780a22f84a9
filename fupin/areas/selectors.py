"""Reads of the area tree, always scoped to what the user may see (fupin.accounts.policy decides)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from fupin.accounts import policy

from .models import Area, AreaDesignation


def area_list(*, user) -> QuerySet[Area]:
    return Area.objects.filter(policy.area_q(user))


def area_get(*, user, code: str) -> Area:
    """One area by code, or 404 when it is outside the user's subtree (its existence is not revealed)."""
    area = area_list(user=user).filter(code=code).first()
    if area is None:
        raise Http404
    return area


def area_root(*, user) -> Area | None:
    """The top of what the user sees: their own area, or the shallowest area for a global admin."""
    if getattr(user, "area", None) is not None:
        return user.area
    return area_list(user=user).order_by("path").first() if policy.scope_path(user) == "" else None


def area_children(*, user, area: Area) -> QuerySet[Area]:
    return area_list(user=user).filter(parent=area).order_by("code")


def designations_for(area_ids, year: int | None = None) -> dict[int, list[AreaDesignation]]:
    qs = AreaDesignation.objects.filter(area_id__in=list(area_ids))
    if year is not None:
        qs = qs.filter(year=year)
    out: dict[int, list[AreaDesignation]] = {}
    for d in qs.order_by("year"):
        out.setdefault(d.area_id, []).append(d)
    return out
