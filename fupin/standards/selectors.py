"""Reads of the standards pages, scoped by the policy (policy.standards_q): a rule set or a line the user
may not read is a 404, as a household outside the scope is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, F, QuerySet
from django.http import Http404

from fupin.accounts import policy
from fupin.areas.models import Area, Level
from fupin.registry.models import PovertyLine

from .models import RuleSet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User


def rulesets(*, user: User | AnonymousUser, kind: str = "", year: int | None = None) -> QuerySet[RuleSet]:
    qs = RuleSet.objects.filter(policy.standards_q(user)).select_related("area", "created_by")
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(decision_count=Count("decisions"))


def latest_rulesets(*, user: User | AnonymousUser, kind: str = "", year: int | None = None) -> list[RuleSet]:
    """The latest version of each (kind, year, area) the user may read, with the number of versions."""
    latest: dict[tuple, RuleSet] = {}
    versions: dict[tuple, int] = {}
    for r in rulesets(user=user, kind=kind, year=year).order_by("kind", "-year", "area__path", "-version"):
        key = (r.kind, r.year, r.area_id)
        latest.setdefault(key, r)
        versions[key] = versions.get(key, 0) + 1
    for key, r in latest.items():
        r.version_count = versions[key]
    return list(latest.values())


def ruleset_get(*, user: User | AnonymousUser, pk: int) -> RuleSet:
    ruleset = rulesets(user=user).filter(pk=pk).first()
    if ruleset is None:
        raise Http404
    return ruleset


def versions_of(ruleset: RuleSet) -> QuerySet[RuleSet]:
    return (RuleSet.objects.filter(kind=ruleset.kind, year=ruleset.year, area=ruleset.area)
            .select_related("created_by").annotate(decision_count=Count("decisions")).order_by("-version"))


def years(*, user: User | AnonymousUser) -> list[int]:
    return sorted(set(RuleSet.objects.filter(policy.standards_q(user)).values_list("year", flat=True)), reverse=True)


def manageable_areas(*, user: User | AnonymousUser) -> list[Area | None]:
    """The areas whose standards ``user`` may set: their own area and the townships and villages under it
    (None, national, first for a global administrator)."""
    if not policy.can(user, "manage_standards"):
        return []
    scope = policy.scope_path(user)
    if scope is None:
        return []
    levels = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]
    areas = Area.objects.filter(level__in=levels).filter(policy.area_q(user)).order_by("path")
    return ([None] if scope == "" else []) + list(areas)


def lines(*, user: User | AnonymousUser, year: int | None = None) -> QuerySet[PovertyLine]:
    qs = PovertyLine.objects.filter(policy.standards_q(user)).select_related("area")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", F("area__path").asc(nulls_first=True), "kind")


def in_force_below(ruleset: RuleSet, user: User | AnonymousUser) -> list[RuleSet]:
    """Deeper areas (that the user may read) with rules of their own for the same kind and year: the
    places where ``ruleset`` is not in force."""
    qs = RuleSet.objects.filter(policy.standards_q(user), kind=ruleset.kind, year=ruleset.year, area__isnull=False)
    if ruleset.area is not None:
        qs = qs.filter(area__path__startswith=ruleset.area.path).exclude(area=ruleset.area)
    latest: dict[int, RuleSet] = {}
    for r in qs.select_related("area").order_by("area__path", "-version"):
        latest.setdefault(r.area_id, r)
    return list(latest.values())


