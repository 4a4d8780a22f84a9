"""Every read of the registry, scoped to the user's subtree first (ARCHITECTURE habit 4).

Views, exports, search and dashboards call these; none of them touches ``Household.objects``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Expression, ExpressionWrapper, Prefetch, Q, QuerySet
from django.db.models.functions import Reverse
from django.http import Http404
from django.utils import timezone

from fupin.accounts import policy
from fupin.areas.models import PATH_LENGTH, Area, Level
from fupin.areas.selectors import area_children, area_get, area_list, area_root
from fupin.lib import idnumber
from fupin.lib.paths import common_prefix

from . import counts, rules
from .choices import Status
from .models import Household, Member, StatusChange, YearlyRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

SORTS = {
    "number": "number",
    "-number": "-number",
    # 户主 in pinyin order (fupin.lib.pinyin), not by code point.
    "head": "head_name_pinyin",
    "-head": "-head_name_pinyin",
    "people": "member_count",
    "-people": "-member_count",
    "identified": "identified_year",
    "-identified": "-identified_year",
    "exit": "exit_year",
    "-exit": "-exit_year",
    "status": "status",
    "-status": "-status",
}
#: Next keys of a sort whose values tie: the same pinyin (张三, 章三) by the name itself.
SORT_TIES = {"head_name_pinyin": ("head_name",), "-head_name_pinyin": ("-head_name",)}
def sort_order(key: str) -> list[str | Expression]:
    """The ORDER BY of a list sort (a key of SORTS; an unknown key sorts by 户编号), before "id".
    By 户主: households without a head (died out, moved away) come after the named ones, either way."""
    order = SORTS.get(key, "number")
    if order.lstrip("-") != "head_name_pinyin":
        return [order]
    return [ExpressionWrapper(Q(head_name=""), output_field=BooleanField()), order, *SORT_TIES[order]]


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


@dataclass(frozen=True)
class ListFilter:
    """A filter of the household list that another app owns (issue 15: ``?gap=KEY``, the households behind
    a gap of the assistance work). ``parse(params)``: the key asked for, checked, or None; ``q(key,
    area_path)``: the filter on Household (the area path the list is narrowed to, "" for none, as a hint);
    ``note(key)``: what the list then counts. Registered in the owning app's AppConfig.ready, so that the
    registry imports no app above it (as the policy's household providers)."""

    parse: Callable[[Any], str | None]
    q: Callable[[str, str], Q]
    note: Callable[[str], str]


LIST_FILTERS: dict[str, ListFilter] = {}


def register_list_filter(name: str, *, parse: Callable[[Any], str | None], q: Callable[[str, str], Q],
                         note: Callable[[str], str]) -> None:
    LIST_FILTERS[name] = ListFilter(parse, q, note)


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
    # A dashboard figure's households (fupin.monitoring.figures: its key, and the date it is as of).
    figure: str = ""
    on: datetime.date | None = None
    # Filters other apps registered (LIST_FILTERS): their name → the key picked (?gap=KEY …).
    extra: dict[str, str] = field(default_factory=dict)


def _matching_members(text: str, user: User | AnonymousUser) -> tuple[QuerySet[Member] | None, str]:
    """The members a search text names, and how ("id_number" or "name"); (None, "") when it names
    no member (a household number). One place for both the search and the "匹配成员" shown with it.

    * a whole ID number (15, 18, 20 or 22 characters): any member, present or removed;
    * its last 4 or 6 characters (policy.ID_SUFFIX_LENGTHS): a present member whose 18-digit citizen
      number ends so (on PostgreSQL through the index on the reversed number, migration 0005);
    * other text that is not digits: a present member whose name contains it.
    ID numbers only for roles that may search by them (policy.may_search_id)."""
    cleaned = idnumber.clean(text)
    if not cleaned:
        return None, ""
    if not DIGITS_RE.match(cleaned):
        return Member.objects.filter(name__contains=text.strip(), active=True), "name"
    if not policy.may_search_id(user):
        return None, ""
    if len(cleaned) in (15, 18, 20, 22):
        try:
            number = idnumber.parse(cleaned).citizen_id
        except idnumber.IdNumberError:
            number = cleaned
        return Member.objects.filter(id_number__startswith=number), "id_number"
    if len(cleaned) in policy.ID_SUFFIX_LENGTHS:
        tail = cleaned[::-1]
        return (Member.objects.annotate(citizen_reversed=Reverse("citizen_id"))
                .filter(active=True, citizen_reversed__startswith=tail)), "id_number"
    return None, ""


def household_search_q(text: str, *, user: User | AnonymousUser) -> Q:
    """Free text: a household by any member's name, whole ID number or the last 4 or 6 digits of one
    (``_matching_members``), or by its 户编号 or the beginning of it (any number of digits but 4 or 6)."""
    cleaned = idnumber.clean(text)
    if not cleaned:
        return Q()
    members, how = _matching_members(text, user)
    q = Q(pk__in=members.values("household_id")) if members is not None else Q(pk__in=[])
    if how == "name":
        return q | Q(head_name__contains=text.strip())
    if DIGITS_RE.match(cleaned) and len(cleaned) not in policy.ID_SUFFIX_LENGTHS:
        # A household number may be as long as an ID number, or longer: still a prefix search.
        q |= Q(number__startswith=cleaned)
    return q


def search_matches(*, user: User | AnonymousUser, households: Iterable[Household],
                   text: str) -> tuple[dict[int, list[Member]], str]:
    """For the households of a result page, the members the search text named ({household id:
    [members]}), and how they matched ("id_number" or "name"): shown under each result, so that a
    household found by a spouse's name or a child's ID number says who it was found by."""
    ids = [h.pk for h in households]
    members, how = _matching_members(text, user)
    if not ids or members is None:
        return {}, how
    out: dict[int, list[Member]] = {}
    for member in members.filter(household_id__in=ids).order_by("household_id", "-active", "id"):
        out.setdefault(member.household_id, []).append(member)
    return out, how


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
    qs = counts.by_status_filter(qs, filters.status)
    if filters.attribute:
        qs = qs.filter(attribute=filters.attribute)
    if filters.cause:
        qs = qs.filter(main_cause=filters.cause)
    if filters.identified_year:
        qs = qs.filter(identified_year=filters.identified_year)
    if filters.exit_year:
        qs = qs.filter(exit_year=filters.exit_year)
    if filters.q:
        qs = qs.filter(household_search_q(filters.q, user=user))
    if filters.ids:
        qs = qs.filter(pk__in=filters.ids)
    if filters.figure:
        from fupin.monitoring.figures import household_q

        qs = qs.filter(household_q(filters.figure, filters.on))
    for name, key in filters.extra.items():
        qs = qs.filter(LIST_FILTERS[name].q(key, filters.area.path if filters.area is not None else ""))
    # The area is shown on every row: one join instead of a query per row.
    return qs.select_related("area__parent").order_by(*sort_order(filters.sort), "id")


def cancelled_left_out(*, user: User | AnonymousUser, filters: HouseholdFilters) -> int:
    """How many 注销 households match the list's other filters but are left out by its default
    status filter (在册户, fupin.registry.counts); 0 when a status is chosen."""
    if filters.status:
        return 0
    return household_list(user=user, filters=replace(filters, status=Status.CANCELLED)).order_by().count()


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


# --- the area picker of the registration form ---------------------------------------------------------

#: Areas a household may be registered in (Household.clean says the same).
HOUSEHOLD_LEVELS = (Level.VILLAGE, Level.GROUP)


@dataclass
class PickerStep:
    """One drop-down of the cascading area picker: the areas under ``parent`` (None: the top of the
    tree, for a global administrator), with ``selected`` among them."""

    level: str
    label: str
    parent: Area | None
    options: list[Area]
    selected: Area | None = None


@dataclass
class AreaPick:
    steps: list[PickerStep]
    #: The user's own area when it is a 行政村 or 村民小组: shown fixed above the drop-downs.
    fixed: list[Area]
    #: The chosen village or group (what the form posts), else None.
    area: Area | None

    @property
    def label(self) -> str:
        """"老厂乡 › 竹基村 › 第一村民小组": the places chosen, top down."""
        return " › ".join([a.name for a in self.fixed] + [s.selected.name for s in self.steps if s.selected])


def _writable_areas(user: User | AnonymousUser) -> QuerySet[Area]:
    """The areas a writer may register households in: their area subtree (fupin.accounts.policy)."""
    return area_list(user=user)


def area_pick(*, user: User | AnonymousUser, chosen: Area | None) -> AreaPick:
    """The cascading picker (乡镇 → 行政村 → 村民小组) with ``chosen`` (any area of the user's subtree)
    selected: one drop-down per level below the user's own area, each listing the children of the
    area chosen above it; a level with a single choice is chosen at once. ``chosen`` outside the
    user's subtree is ignored (the caller has already 404ed on it)."""
    scope = _writable_areas(user)
    own = getattr(user, "area", None) if policy.scope_path(user) else None
    chain = {a.level: a for a in (chosen.ancestors(include_self=True) if chosen is not None else [])}
    fixed = [a for a in (own.ancestors(include_self=True) if own is not None else [])
             if a.level in HOUSEHOLD_LEVELS]
    steps: list[PickerStep] = []
    parent = own
    while True:
        children = scope.filter(parent=parent) if parent is not None else scope.filter(parent__isnull=True)
        options = list(children.order_by("code"))
        if not options:
            break
        level = options[0].level
        selected = chain.get(level)
        if selected is not None and selected.pk not in {o.pk for o in options}:
            selected = None
        if selected is None and len(options) == 1 and level not in HOUSEHOLD_LEVELS[1:]:
            selected = options[0]
        steps.append(PickerStep(level=level, label=Level(level).label, parent=parent, options=options,
                                selected=selected))
        if selected is None or level == Level.GROUP:
            break
        parent = selected
    deepest = next((s.selected for s in reversed(steps) if s.selected is not None), None)
    if deepest is None and own is not None and own.level in HOUSEHOLD_LEVELS:
        deepest = own
    area = deepest if deepest is not None and deepest.level in HOUSEHOLD_LEVELS else None
    return AreaPick(steps=steps, fixed=fixed, area=area)


def area_list_for_registration(*, user: User | AnonymousUser) -> QuerySet[Area]:
    """The villages and groups of the user's subtree: where the user may register a household."""
    return _writable_areas(user).filter(level__in=HOUSEHOLD_LEVELS).order_by("code")


def writable_area_get(*, user: User | AnonymousUser, pk: int) -> Area:
    """One area of the user's subtree by id, or 404."""
    area = _writable_areas(user).filter(pk=pk).first()
    if area is None:
        raise Http404
    return area


#: At most this many places listed by the picker's search; more asks for a longer name.
AREA_SEARCH_LIMIT = 30


def area_search(*, user: User | AnonymousUser, text: str) -> tuple[list[tuple[Area, str]], bool]:
    """Villages and groups of the user's subtree whose name (or, for a group, its village's name)
    contains ``text``, or whose code starts with it: [(area, "老厂乡 › 竹基村 › 第一村民小组")], and
    whether there were more than AREA_SEARCH_LIMIT."""
    text = (text or "").strip()
    if not text:
        return [], False
    match = Q(name__contains=text) | Q(level=Level.GROUP, parent__name__contains=text)
    if text.isdigit():
        match |= Q(code__startswith=text)
    qs = (_writable_areas(user).filter(match, level__in=HOUSEHOLD_LEVELS)
          .select_related("parent__parent").order_by("path"))
    hits = list(qs[:AREA_SEARCH_LIMIT + 1])
    out = []
    for area in hits[:AREA_SEARCH_LIMIT]:
        names = [area.name]
        up = area.parent
        while up is not None and up.level in (Level.TOWNSHIP, Level.VILLAGE) and len(names) < 3:
            names.insert(0, up.name)
            up = up.parent if up.level != Level.TOWNSHIP else None
        out.append((area, " › ".join(names)))
    return out, len(hits) > AREA_SEARCH_LIMIT


def proposed_household_number(*, user: User | AnonymousUser, area: Area) -> str | None:
    """The next free 户编号 in the area's village (rules.next_household_number): one after the highest
    of the village's households, skipping a number taken anywhere (numbers are unique in the whole
    register; asking whether one is taken says no more than the refusal of a taken number would)."""
    village = area if area.level == Level.VILLAGE else area.parent
    if village is None or village.level != Level.VILLAGE:
        return None
    numbers = (household_scope(user).filter(area_path__subtree=village.path)
               .filter(number__startswith=village.code).values_list("number", flat=True))
    return rules.next_household_number(village.code, numbers,
                                       taken=lambda n: Household.objects.filter(number=n).exists())
