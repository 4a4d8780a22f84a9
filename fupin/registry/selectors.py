"""Every read of the registry, scoped to the user's subtree first (ARCHITECTURE habit 4).

Views, exports, search and dashboards call these; none of them touches ``Household.objects``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear, Substr
from django.http import Http404
from django.utils import timezone

from fupin.accounts import policy
from fupin.areas.models import PATH_LENGTH, Area
from fupin.areas.selectors import area_children, area_get, area_list, area_root
from fupin.lib import idnumber

from .choices import NOT_EXITED_STATUSES, Status
from .models import Household, Member, StatusChange, YearlyRecord

SORTS = {
    "number": "number",
    "-number": "-number",
    "head": "head_name",
    "-head": "-head_name",
    "people": "member_count",
    "-people": "-member_count",
    "identified": "identified_year",
    "-identified": "-identified_year",
    "exit": "exit_year",
    "-exit": "-exit_year",
    "status": "status",
    "-status": "-status",
}
DIGITS_RE = re.compile(r"^[0-9Xx]+$")


def household_scope(user) -> QuerySet[Household]:
    """Every household the user may see (fupin.accounts.policy decides; this is its registry name)."""
    return policy.visible_households(user)


_NO_ROOT = object()


def browse_root(*, user) -> Area | None:
    """The area a user's pages (overview, area tree, household list) start from.

    The user's own area, or the top of the tree for a global administrator (``area_root``). A
    帮扶责任人 or 评估人员 may have no area (a cadre from a county department, a third-party evaluator):
    their pages start from the deepest area that holds every household they may see, so that the
    pages work from their household set. None when there is nothing to show.
    Remembered on the user object for the rest of the request (two queries otherwise).
    """
    cached = getattr(user, "_fupin_browse_root", _NO_ROOT)
    if cached is not _NO_ROOT:
        return cached
    root = area_root(user=user)
    if root is None and policy.scoped_by_households(user) and policy.scope_path(user) is None:
        root = _households_root(user)
    try:
        user._fupin_browse_root = root
    except AttributeError:  # an object that takes no attributes: compute again next time
        pass
    return root


def _households_root(user) -> Area | None:
    from django.db.models import Max, Min

    bounds = household_scope(user).aggregate(lo=Min("area_path"), hi=Max("area_path"))
    if bounds["lo"] is None:
        return None
    # Every path between the smallest and the largest shares their common prefix; the root is the
    # deepest area whose path is a prefix of it (paths have fixed widths per level).
    common = _common_prefix([bounds["lo"], bounds["hi"]])
    candidates = [common[:n] for n in PATH_LENGTH.values() if n <= len(common)]
    return Area.objects.filter(path__in=candidates).order_by("-path").first() if candidates else None


def _browses_by_households(user) -> bool:
    """A household-scoped user without an area: their areas are the subtree of ``browse_root``."""
    return policy.scoped_by_households(user) and policy.scope_path(user) is None


def browse_areas(*, user) -> QuerySet[Area]:
    """The areas offered for navigation and filters: the user's area subtree (``area_list``), or for
    a household-scoped user without an area the subtree of ``browse_root``. Households inside these
    areas are still filtered by ``household_scope``; an area here reveals no household."""
    if not _browses_by_households(user):
        return area_list(user=user)
    root = browse_root(user=user)
    if root is None:
        return Area.objects.none()
    return Area.objects.filter(path__subtree=root.path)


def browse_area_get(*, user, code: str) -> Area:
    """One area by code among ``browse_areas``, or 404."""
    if not _browses_by_households(user):
        return area_get(user=user, code=code)
    area = browse_areas(user=user).filter(code=code).first()
    if area is None:
        raise Http404
    return area


def browse_area_children(*, user, area: Area) -> QuerySet[Area]:
    if not _browses_by_households(user):
        return area_children(user=user, area=area)
    return browse_areas(user=user).filter(parent=area).order_by("code")


@dataclass
class HouseholdFilters:
    area: Area | None = None
    status: str = ""
    attribute: str = ""
    cause: str = ""
    identified_year: int | None = None
    exit_year: int | None = None
    q: str = ""
    sort: str = "number"


def household_search_q(text: str) -> Q:
    """Free text: a full ID number, a household number (prefix), or a name (any member's)."""
    text = idnumber.clean(text)
    if not text:
        return Q()
    if DIGITS_RE.match(text):
        if len(text) in (15, 18, 20, 22):
            try:
                number = idnumber.parse(text).citizen_id
            except idnumber.IdNumberError:
                number = text
            member_households = Member.objects.filter(id_number__startswith=number).values("household_id")
            # A household number may be as long as an ID number, or longer: still a prefix search.
            return Q(pk__in=member_households) | Q(number__startswith=text)
        return Q(number__startswith=text)
    member_households = Member.objects.filter(name__contains=text, active=True).values("household_id")
    return Q(head_name__contains=text) | Q(pk__in=member_households)


def register_year_range() -> tuple[int, int]:
    """Earliest and latest identification or exit year anywhere in the register (not scoped: used
    only to bound year drop-downs)."""
    from django.db.models import Max, Min

    b = Household.objects.aggregate(lo=Min("identified_year"), hi=Max("identified_year"), hi_exit=Max("exit_year"))
    this_year = timezone.localdate().year
    lo = min(b["lo"] or 2014, 2014)
    return lo, max(b["hi"] or this_year, b["hi_exit"] or this_year)


def household_list(*, user, filters: HouseholdFilters) -> QuerySet[Household]:
    qs = household_scope(user)
    if filters.area is not None:
        qs = qs.filter(area_path__subtree=filters.area.path)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.attribute:
        qs = qs.filter(attribute=filters.attribute)
    if filters.cause:
        qs = qs.filter(main_cause=filters.cause)
    if filters.identified_year:
        qs = qs.filter(identified_year=filters.identified_year)
    if filters.exit_year:
        qs = qs.filter(exit_year=filters.exit_year)
    if filters.q:
        qs = qs.filter(household_search_q(filters.q))
    order = SORTS.get(filters.sort, "number")
    # The area is shown on every row: one join instead of a query per row.
    return qs.select_related("area__parent").order_by(order, "id")


def household_get(*, user, pk: int) -> Household:
    """One household with everything its page shows, or 404 outside the user's scope."""
    household = (
        household_scope(user)
        .select_related("area")
        .prefetch_related(
            Prefetch("members", queryset=Member.objects.order_by("-active", "id")),
            Prefetch("yearly_records", queryset=YearlyRecord.objects.order_by("-year")),
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("-date", "-id")),
        )
        .filter(pk=pk)
        .first()
    )
    if household is None:
        raise Http404
    return household


def member_get(*, user, pk: int) -> Member:
    member = Member.objects.select_related("household__area").filter(policy.household_q(user), pk=pk).first()
    if member is None:
        raise Http404
    return member


def area_summary(*, user, areas: list[Area]) -> dict[int, dict]:
    """Households, people, not-exited poor people and exited people for each area's subtree.

    The areas are usually siblings (the children shown in the tree): one grouped query per code
    length, over the common parent's subtree, grouping households by the prefix of that length.
    """
    out: dict[int, dict] = {a.pk: {"households": 0, "people": 0, "poor_people": 0, "exited_people": 0}
                            for a in areas}
    by_len: dict[int, dict[str, Area]] = {}
    for a in areas:
        by_len.setdefault(len(a.path), {})[a.path] = a
    base = household_scope(user).exclude(status=Status.CANCELLED)
    for length, paths in by_len.items():
        common = _common_prefix(list(paths))
        rows = (
            base.filter(area_path__subtree=common)
            .annotate(prefix=Substr("area_path", 1, length))
            .values("prefix")
            .annotate(
                households=Count("id"),
                people=Sum("member_count"),
                poor_people=Sum("member_count", filter=Q(status__in=NOT_EXITED_STATUSES)),
                exited_people=Sum("member_count", filter=Q(status__in=[Status.EXITED, Status.EXITED_STABLE])),
            )
            .order_by()
        )
        for row in rows:
            area = paths.get(row["prefix"])
            if area is not None:
                out[area.pk] = {k: row[k] or 0 for k in ("households", "people", "poor_people", "exited_people")}
    return out


def _common_prefix(paths: list[str]) -> str:
    first, last = min(paths), max(paths)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def county_overview(*, user, root: Area) -> dict:
    """Headline figures for the overview page: totals, by status, by cause, exits by year."""
    qs = household_scope(user).filter(area_path__subtree=root.path)
    live = qs.exclude(status=Status.CANCELLED)
    totals = live.aggregate(households=Count("id"), people=Sum("member_count"),
                            poor_households=Count("id", filter=Q(status__in=NOT_EXITED_STATUSES)),
                            poor_people=Sum("member_count", filter=Q(status__in=NOT_EXITED_STATUSES)))
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


def _history(user, root: Area) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(policy.household_q(user),
                                       household__area_path__subtree=root.path)


def poor_people_by_year(*, user, root: Area, prefix_length: int | None = None) -> dict[str, dict[int, dict]]:
    """Registered poor households and people not yet exited at the end of each year, from the status
    history (贫困发生率's numerator as it stood then).

    Every change into 贫困户/返贫 opens an interval that lasts until the household's next change; the
    household counts at the end of each year inside it, with the people it had when it entered.
    Returns {area prefix: {year: {"households": h, "people": p}}}, grouped by the prefix of
    ``prefix_length`` digits (one group keyed by root.path when None). One grouped query.
    """
    history = _history(user, root)
    later = StatusChange.objects.filter(household_id=OuterRef("household_id")).filter(
        Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), id__gt=OuterRef("id"))
    ).order_by("date", "id").values("date")[:1]
    qs = history.filter(to_status__in=list(NOT_EXITED_STATUSES)).annotate(
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
    out: dict[str, dict[int, dict]] = {}
    for r in rows:
        key = r.get("prefix", root.path)
        years = out.setdefault(key, {y: {"households": 0, "people": 0} for y in range(first, last + 1)})
        # A household that leaves during year Z is no longer poor at the end of Z.
        for year in range(r["start"], (r["end"] or last + 1)):
            years[year]["households"] += r["households"]
            years[year]["people"] += r["people"] or 0
    return out
