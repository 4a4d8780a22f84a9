"""Figures for the dashboards: each area's households and people, the overview's totals, and the
registered poor population at the end of each year from the status history (贫困发生率's numerator).
Scoped through fupin.accounts.policy like every read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear, Substr
from django.utils import timezone

from fupin.accounts import policy
from fupin.areas.models import Area
from fupin.lib.paths import common_prefix
from fupin.registry import counts
from fupin.registry.choices import NOT_EXITED_STATUSES, Status
from fupin.registry.models import StatusChange
from fupin.registry.selectors import household_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

#: {"households": h, "people": p, ...}: counts by name.
Counts = dict[str, int]


def area_summary(*, user: User | AnonymousUser, areas: list[Area]) -> dict[int, Counts]:
    """Households, people, not-exited poor people and exited people for each area's subtree.

    The areas are usually siblings (the children shown in the tree): one grouped query per code
    length, over the common parent's subtree, grouping households by the prefix of that length.
    """
    out: dict[int, Counts] = {a.pk: {"households": 0, "people": 0, "poor_people": 0, "exited_people": 0}
                              for a in areas}
    by_len: dict[int, dict[str, Area]] = {}
    for a in areas:
        by_len.setdefault(len(a.path), {})[a.path] = a
    base = counts.in_register(household_scope(user))
    for length, paths in by_len.items():
        common = common_prefix(list(paths))
        rows = (
            base.filter(area_path__subtree=common)
            .annotate(prefix=Substr("area_path", 1, length))
            .values("prefix")
            .annotate(
                households=Count("id"),
                people=Sum("member_count"),
                poor_people=Sum("member_count", filter=counts.poor_q()),
                exited_people=Sum("member_count", filter=counts.exited_q()),
            )
            .order_by()
        )
        for row in rows:
            area = paths.get(row["prefix"])
            if area is not None:
                out[area.pk] = {k: row[k] or 0 for k in ("households", "people", "poor_people", "exited_people")}
    return out


def county_overview(*, user: User | AnonymousUser, root: Area) -> dict[str, Any]:
    """Headline figures for the overview page: totals, by status, by cause, exits by year."""
    qs = household_scope(user).filter(area_path__subtree=root.path)
    live = counts.in_register(qs)
    totals = live.aggregate(households=Count("id"), people=Sum("member_count"),
                            poor_households=Count("id", filter=counts.poor_q()),
                            poor_people=Sum("member_count", filter=counts.poor_q()))
    by_status = {row["status"]: row for row in qs.values("status").annotate(
        households=Count("id"), people=Sum("member_count")).order_by()}
    by_cause = list(live.values("main_cause").annotate(households=Count("id"), people=Sum("member_count"))
                    .order_by("-households"))
    # Exits by year from the status history (a household that exited twice counts in both years),
    # in people as the household was then: the figure seed 000's quotas are written in.
    history = _history(user, root)
    exits = (
        history.filter(to_status=Status.EXITED)
        .values("date__year")
        .annotate(households=Count("id"), people=Sum(_PEOPLE_THEN))
        .order_by("date__year")
    )
    returns = dict(
        history.filter(to_status=Status.RETURNED)
        .values_list("date__year").annotate(n=Count("id")).order_by()
    )
    return {
        "totals": {k: v or 0 for k, v in totals.items()},
        "by_status": by_status,
        "by_cause": by_cause,
        "exits": [{"year": r["date__year"], "households": r["households"], "people": r["people"] or 0,
                   "returns": returns.get(r["date__year"], 0)} for r in exits],
    }


# People in the household when its status changed; rows from before that was recorded fall back
# to today's household size.
_PEOPLE_THEN = Coalesce("member_count", "household__member_count")


def _history(user: User | AnonymousUser, root: Area) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(policy.household_q(user),
                                       household__area_path__subtree=root.path)


def poor_people_by_year(*, user: User | AnonymousUser, root: Area, prefix_length: int | None = None,
                        statuses: Iterable[str] = NOT_EXITED_STATUSES) -> dict[str, dict[int, Counts]]:
    """Registered poor households and people not yet exited at the end of each year, from the status
    history (贫困发生率's numerator as it stood then). ``statuses`` counts households in other statuses
    the same way (the overview's 脱贫进度 at a year's end: 已脱贫 among all not 注销).

    Every change into 贫困户/返贫 opens an interval that lasts until the household's next change; the
    household counts at the end of each year inside it, with the people it had when it entered.
    Returns {area prefix: {year: {"households": h, "people": p}}}, grouped by the prefix of
    ``prefix_length`` digits (one group keyed by root.path when None). One grouped query.
    """
    history = _history(user, root)
    later = StatusChange.objects.filter(household_id=OuterRef("household_id")).filter(
        Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), id__gt=OuterRef("id"))
    ).order_by("date", "id").values("date")[:1]
    qs = history.filter(to_status__in=list(statuses)).annotate(
        start=ExtractYear("date"), end=ExtractYear(Subquery(later)))
    keys = ["start", "end"]
    if prefix_length:
        qs = qs.annotate(prefix=Substr("household__area_path", 1, prefix_length))
        keys.append("prefix")
    rows = list(qs.values(*keys).annotate(households=Count("id"), people=Sum(_PEOPLE_THEN)).order_by())
    if not rows:
        return {}
    # Households still poor today count up to this year.
    still_poor = any(r["end"] is None for r in rows)
    last = max(max(r["start"] for r in rows), max((r["end"] or 0) for r in rows),
               timezone.localdate().year if still_poor else 0)
    first = min(r["start"] for r in rows)
    out: dict[str, dict[int, Counts]] = {}
    for r in rows:
        key = r.get("prefix", root.path)
        years = out.setdefault(key, {y: {"households": 0, "people": 0} for y in range(first, last + 1)})
        # A household that leaves during year Z is no longer poor at the end of Z.
        for year in range(r["start"], (r["end"] or last + 1)):
            years[year]["households"] += r["households"]
            years[year]["people"] += r["people"] or 0
    return out
