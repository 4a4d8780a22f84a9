"""Reads of the area tree, always scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Area, AreaDesignation


def user_scope_path(user) -> str | None:
    """The code prefix a user may see; '' means everything; None means nothing.

    Superusers and 系统管理员 without an area see the whole tree. Everyone else sees the subtree of
    their own area, and a user with no area sees nothing (safe by default).
    """
    if not getattr(user, "is_authenticated", False):
        return None
    area = getattr(user, "area", None)
    if area is not None:
        return area.path
    if user.is_superuser or getattr(user, "role", None) == "admin":
        return ""
    return None


def scope_q(user, field: str = "path") -> Q:
    """A filter that keeps only rows whose ``field`` (a code prefix) lies in the user's subtree."""
    path = user_scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == "":
        return Q()
    return Q(**{f"{field}__subtree": path})


def area_list(*, user) -> QuerySet[Area]:
    return Area.objects.filter(scope_q(user))


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
    return area_list(user=user).order_by("path").first() if user_scope_path(user) == "" else None


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
