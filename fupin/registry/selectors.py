"""Every read of the registry, scoped to the user's subtree first (ARCHITECTURE habit 4).

Views, exports, search and dashboards call these; none of them touches ``Household.objects``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fupin.accounts import policy
from fupin.areas.models import PATH_LENGTH, Area
from fupin.areas.selectors import area_children, area_get, area_list, area_root
from fupin.lib import idnumber
from fupin.lib.paths import common_prefix

from .models import Household, Member, StatusChange, YearlyRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

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


def household_scope(user: User | AnonymousUser) -> QuerySet[Household]:
    """Every household the user may see (fupin.accounts.policy decides; this is its registry name)."""
    return policy.visible_households(user)


_NO_ROOT = object()


def browse_root(*, user: User | AnonymousUser) -> Area | None:
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


def _households_root(user: User | AnonymousUser) -> Area | None:
    from django.db.models import Max, Min

    bounds = household_scope(user).aggregate(lo=Min("area_path"), hi=Max("area_path"))
    if bounds["lo"] is None:
        return None
    # Every path between the smallest and the largest shares their common prefix; the root is the
    # deepest area whose path is a prefix of it (paths have fixed widths per level).
    common = common_prefix([bounds["lo"], bounds["hi"]])
    candidates = [common[:n] for n in PATH_LENGTH.values() if n <= len(common)]
    return Area.objects.filter(path__in=candidates).order_by("-path").first() if candidates else None


def _browses_by_households(user: User | AnonymousUser) -> bool:
    """A household-scoped user without an area: their areas are the subtree of ``browse_root``."""
    return policy.scoped_by_households(user) and policy.scope_path(user) is None


def browse_areas(*, user: User | AnonymousUser) -> QuerySet[Area]:
    """The areas offered for navigation and filters: the user's area subtree (``area_list``), or for
    a household-scoped user without an area the subtree of ``browse_root``. Households inside these
    areas are still filtered by ``household_scope``; an area here reveals no household."""
    if not _browses_by_households(user):
        return area_list(user=user)
    root = browse_root(user=user)
    if root is None:
        return Area.objects.none()
    return Area.objects.filter(path__subtree=root.path)


def browse_area_get(*, user: User | AnonymousUser, code: str) -> Area:
    """One area by code among ``browse_areas``, or 404."""
    if not _browses_by_households(user):
        return area_get(user=user, code=code)
    area = browse_areas(user=user).filter(code=code).first()
    if area is None:
        raise Http404
    return area


def browse_area_children(*, user: User | AnonymousUser, area: Area) -> QuerySet[Area]:
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
    # Households ticked on the list (导出所选): only these, still inside the user's scope.
    ids: list[int] = field(default_factory=list)


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


def household_list(*, user: User | AnonymousUser, filters: HouseholdFilters) -> QuerySet[Household]:
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
    if filters.ids:
        qs = qs.filter(pk__in=filters.ids)
    order = SORTS.get(filters.sort, "number")
    # The area is shown on every row: one join instead of a query per row.
    return qs.select_related("area__parent").order_by(order, "id")


def household_get(*, user: User | AnonymousUser, pk: int) -> Household:
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


def member_get(*, user: User | AnonymousUser, pk: int) -> Member:
    member = Member.objects.select_related("household__area").filter(policy.household_q(user), pk=pk).first()
    if member is None:
        raise Http404
    return member
