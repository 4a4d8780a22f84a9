"""Gaps of the assistance work, by area (issue 15 item 4): who has been forgotten, before an assessor finds
it (seed 002: > 5 % never visited, > 10 % with wrong causes).

Each gap has a **key**; ``household_q(key)`` is the filter on Household that gives the households behind it,
and the household list applies it (``?gap=KEY``, fupin.registry.selectors.household_list — as it applies a
dashboard figure's ``?fig=``), so a click on any count lists exactly the households it counts.
``report(user, area)`` counts every gap per child area (township → village → group); tests/assistance/
test_gaps_*.py prove each count equals the list's.

**Stored counts (rollups).** ``compute_parts`` counts every gap (and lists the overloaded cadres and the
teams below the presence rule) by area prefix, one grouped query per gap; ``build`` adds such parts up
(households are each in one area; cadres and teams as sets of ids, a cadre with households in two villages
being one cadre). For area-scoped users the report is served from per-area rollups of these (``KIND``, the
GapRollup table) kept exact by the dashboards' mechanism, fupin.monitoring.rollups: a rollup is served
only while no write concerning its area happened since it was computed (the audit trail's stamp), and only
on the day it was computed on (the gaps are "today": visits within N days, measures past their date, last
month's presence); a stale area is recomputed from its children's rollups, down to the villages written,
which are computed live. A write can change the gaps of areas other than its own: a pairing or a cadre
changes the cadre's load (``overload``) and whether they are in post (``no_cadre``) for all their
households, a threshold set for an area changes the load limit of the cadres of that area wherever their
households are; ``cadre_writes`` names those areas (``Kind.more_writes``). ``fupin gaps refresh`` (nightly,
after the day changes) fills the rollups of every county and above, so the first visitor of the day does
not compute a province live.

The gaps (today, the plan year being this year):

* ``no_cadre`` — a household that must have a cadre (``NEEDS_CADRE``: registered and not stably out, or
  monitored at risk; 不脱贫不脱钩) without an ongoing pairing;
* ``overload`` — the households of cadres paired with more than CADRE_MAX_HOUSEHOLDS households (the
  cadre's load counts all their ongoing pairings, wherever the households are);
* ``not_visited`` — no visit within VISIT_INTERVAL_DAYS (遍访), never visited included;
* ``cause_unanswered`` — a main or other cause with no measure of this year's plan (not cancelled) answering
  it, no plan at all included;
* ``measure_no_cause`` — a measure of this year's plan that answers none of the household's causes (no
  cause given, or a cause the household does not have);
* ``team_presence`` — the households of villages whose resident work team had a full-time member below
  TEAM_MIN_DAYS days in the village last month (no days recorded counts as 0);
* ``overdue`` — a measure (any year's plan) past its planned date, neither done nor cancelled.

Thresholds are data (fupin.assistance.rules): a county or township may set its own, the most specific area
wins. ``by_area`` turns "threshold at the row's area" into one filter over the area paths (one branch per
rule row, a handful), so every query stays set-based: no loop over households, cadres or teams.

Scope: every query starts from the policy (``policy.visible_households``, ``policy.area_q``); the views look
the area up with the registry's ``browse_area_get`` (404 outside the scope).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat, Substr
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import policy
from fupin.areas.models import LEVEL_ORDER, PATH_LENGTH, Area
from fupin.monitoring import rollups

from . import checks
from .models import (
    AssistanceRule,
    Cadre,
    MeasureStatus,
    Pairing,
    PlanMeasure,
    PresenceMonth,
    RuleKey,
    TeamPosting,
    Visit,
    WorkTeam,
)
from .rules import DEFAULTS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

#: The households that must have a cadre (不脱贫不脱钩, seed 000): registered poor, returned, exited but
#: still under policy, and monitoring objects whose risk is not cleared. (who15's pairing checks name the
#: same set: the lead keeps one at merge.)
NEEDS_CADRE = checks.PAIRED_STATUSES  # the registered statuses that need a cadre: one list, in checks
#: A measure still to be done.
OPEN_MEASURE = (MeasureStatus.PLANNED, MeasureStatus.ONGOING)


@dataclass(frozen=True)
class Gap:
    key: str
    label: Any
    help: Any
    #: What else is counted besides households ("cadres", "teams" or "").
    unit: str = ""


GAPS: list[Gap] = [
    Gap("no_cadre", gettext_lazy("无帮扶责任人"), gettext_lazy("需结对帮扶（未脱贫、享受政策、监测风险未消除）却没有在帮干部的户")),
    Gap("overload", gettext_lazy("干部结对户数超限"), gettext_lazy("结对户数超过上限的帮扶责任人及其结对户"), unit="cadres"),
    Gap("not_visited", gettext_lazy("超期未走访"), gettext_lazy("超过走访间隔上限未走访（含从未走访）的户"), ),
    Gap("cause_unanswered", gettext_lazy("致贫原因无对应措施"),
        gettext_lazy("主要或其他致贫原因在本年度帮扶计划中没有对应措施的户（含无计划）")),
    Gap("measure_no_cause", gettext_lazy("措施不对应致贫原因"), gettext_lazy("本年度计划中有措施不针对该户任何致贫原因的户")),
    Gap("team_presence", gettext_lazy("驻村天数不足"),
        gettext_lazy("上月有脱产驻村队员在村天数低于下限的工作队及其所驻村的户"), unit="teams"),
    Gap("overdue", gettext_lazy("措施逾期未完成"), gettext_lazy("帮扶措施超过计划完成日期仍未完成的户")),
]
GAP_KEYS = {g.key: g for g in GAPS}


class BadGap(ValueError):
    pass


# --- thresholds by area, as one filter ---------------------------------------------------------------


def by_area(key: str, field: str, make: Callable[[int], Q]) -> Q:
    """``make(value)`` where ``value`` is ``key``'s threshold at the row's area (``field``: its area path).

    The rule rows are few: one branch per row with an area (the rows under it cut out, as the most
    specific wins), and one for everything under no row (the global row, else DEFAULTS)."""
    rows = list(AssistanceRule.objects.filter(key=key).values_list("area__path", "value"))
    default = next((v for path, v in rows if path is None), DEFAULTS[key])
    paths = {path: v for path, v in rows if path is not None}
    if not paths:
        return make(default)
    out = Q()
    for path, value in paths.items():
        deeper = [p for p in paths if p != path and p.startswith(path)]
        branch = Q(**{f"{field}__startswith": path})
        for p in deeper:
            branch &= ~Q(**{f"{field}__startswith": p})
        out |= branch & make(value)
    outside = Q()
    for p in paths:
        outside &= ~Q(**{f"{field}__startswith": p})
    return out | (outside & make(default))


# --- the gaps, each as a filter on Household -----------------------------------------------------------


def needs_cadre_q() -> Q:
    """The households every gap is about: those that must have a cadre (one definition, in checks)."""
    return checks.must_have_cadre_q()


def no_cadre_q(on: datetime.date | None = None) -> Q:
    """Households without a cadre still in post (the rule of fupin.assistance.checks, not a second copy)."""
    return checks.without_cadre_q(on)


def _ongoing_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start__lte": on}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": on}))


def overloaded_cadres(on: datetime.date | None = None) -> QuerySet[Cadre]:
    """Cadres still in post paired with more households than CADRE_MAX_HOUSEHOLDS at their own area (all
    their pairings in force count), with ``load``. The one definition: fupin.assistance.checks'
    cadres_over_capacity lists these for an area."""
    on = on or timezone.localdate()
    in_post = Q(left_on__isnull=True) | Q(left_on__gt=on)
    return (Cadre.objects.filter(in_post).annotate(load=Count("pairings", filter=_ongoing_q(on, "pairings__")))
            .filter(by_area(RuleKey.CADRE_MAX_HOUSEHOLDS, "area__path", lambda v: Q(load__gt=v))))


def overloaded_pairings(on: datetime.date | None = None, under: str = "") -> QuerySet[Pairing]:
    """Ongoing pairings whose cadre is over the limit. For a county or smaller (``under`` a path of 6 digits or
    more) each pairing's cadre load is counted from the (cadre, end) index, correlated, so only the subtree's
    cadres are counted; for a city, a province or everything every load is counted once and hashed (the
    planner cannot choose between the two forms itself)."""
    on = on or timezone.localdate()
    ongoing = Pairing.objects.ongoing(on)
    if len(under) < PATH_LENGTH[LEVEL_ORDER[2]]:
        return ongoing.filter(cadre__in=overloaded_cadres(on).values("pk"))
    load = (Pairing.objects.filter(_ongoing_q(on), cadre=OuterRef("cadre_id")).order_by()
            .values("cadre_id").annotate(n=Count("pk")).values("n")[:1])
    return (ongoing.annotate(load=Subquery(load, output_field=IntegerField()))
            .filter(by_area(RuleKey.CADRE_MAX_HOUSEHOLDS, "cadre__area__path", lambda v: Q(load__gt=v))))


def overload_q(on: datetime.date | None = None, under: str = "") -> Q:
    """Households with an ongoing pairing whose cadre is over the limit."""
    return needs_cadre_q() & Exists(overloaded_pairings(on, under).filter(household=OuterRef("pk")))


def not_visited_q(today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()

    def make(days: int) -> Q:
        return ~Exists(Visit.objects.filter(household=OuterRef("pk"), on__gt=today - datetime.timedelta(days=days),
                                            on__lte=today))

    return needs_cadre_q() & by_area(RuleKey.VISIT_INTERVAL_DAYS, "area_path", make)


def _live(year: int) -> QuerySet[PlanMeasure]:
    return PlanMeasure.objects.filter(plan__year=year).exclude(status=MeasureStatus.CANCELLED)


#: A cause of the household (main or other) that no live measure of the year's plan answers: one EXISTS per
#: household over its own causes (the other causes unnested from the JSON list), each probed through the
#: (household, year) index of plans. Raw SQL because the ORM has no portable way to unnest a JSON list.
_UNANSWERED_SQL = {
    "postgresql": "jsonb_array_elements_text(\"registry_household\".\"other_causes\")",
    "sqlite": "value FROM json_each(\"registry_household\".\"other_causes\")",
}
_UNANSWERED = """EXISTS (SELECT 1 FROM (SELECT "registry_household"."main_cause" AS c UNION SELECT {others}) hc
  WHERE hc.c <> '' AND NOT EXISTS (SELECT 1 FROM assistance_planmeasure m
    JOIN assistance_plan p ON p.id = m.plan_id
    WHERE p.household_id = "registry_household"."id" AND p.year = %s AND m.status <> %s AND m.cause = hc.c))"""


#: PostgreSQL, over a county or more: the (household, cause) pairs of the subtree's households anti-joined
#: with the year's live measures of the subtree's households in one pass (hash joins), instead of one probe
#: per household. The households read are a superset of needs_cadre_q's (the outer filter): its statuses,
#: or a monitoring object at risk.
_UNANSWERED_PG = """"registry_household"."id" IN (SELECT hc.id FROM (
    SELECT h.id, h.main_cause AS c FROM registry_household h WHERE h.area_path LIKE %s AND {needs}
    UNION ALL
    SELECT h.id, jsonb_array_elements_text(h.other_causes) FROM registry_household h
      WHERE h.area_path LIKE %s AND {needs} AND h.other_causes <> '[]'::jsonb) hc
  LEFT JOIN (SELECT p.household_id, m.cause FROM assistance_plan p JOIN assistance_planmeasure m ON m.plan_id = p.id
             JOIN registry_household h ON h.id = p.household_id
             WHERE p.year = %s AND m.status <> %s AND h.area_path LIKE %s) a ON a.household_id = hc.id AND a.cause = hc.c
  WHERE a.household_id IS NULL AND hc.c <> '')""".format(needs="""(h.status = ANY(%s) OR EXISTS (SELECT 1
    FROM monitoring_monitoringobject mo WHERE mo.household_id = h.id AND mo.state = 'at_risk'))""")


def cause_unanswered_q(year: int | None = None, under: str = "") -> Q:
    """A household with a cause (main or other) that no live measure of ``year``'s plan answers. ``under``:
    the area path the caller looks at (on PostgreSQL, for a county or more, one anti-join over that subtree;
    for a township or less, as on SQLite, one probe per household of its plan's measures)."""
    year = year or timezone.localdate().year
    if connection.vendor == "postgresql" and len(under) < PATH_LENGTH[LEVEL_ORDER[3]]:
        statuses = [str(s) for s in NEEDS_CADRE]
        like = f"{under}%"
        sql, params = _UNANSWERED_PG, (like, statuses, like, statuses, year, MeasureStatus.CANCELLED, like)
        return needs_cadre_q() & Q(RawSQL(sql, params, output_field=BooleanField()))
    sql = _UNANSWERED.format(others=_UNANSWERED_SQL[connection.vendor])
    return needs_cadre_q() & Q(RawSQL(sql, (year, MeasureStatus.CANCELLED), output_field=BooleanField()))


def measure_no_cause_q(year: int | None = None) -> Q:
    """A household whose ``year``'s plan has a live measure answering none of its causes (compared with the
    outer household's own columns: no second read of the household inside)."""
    year = year or timezone.localdate().year
    quoted = Concat(Value('"'), "cause", Value('"'), output_field=TextField())
    others = Cast(OuterRef("other_causes"), TextField())
    stray = (_live(year).filter(plan__household=OuterRef("pk")).annotate(quoted=quoted)
             .filter(Q(cause="") | (~Q(cause=OuterRef("main_cause")) & ~Q(Contains(others, F("quoted"))))))
    return needs_cadre_q() & Exists(stray)


def last_month(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month before ``today``'s."""
    today = today or timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.replace(day=1), last


def teams_below(today: datetime.date | None = None) -> QuerySet[WorkTeam]:
    """Work teams in place last month with a full-time member posted then whose days in the village
    that month (none recorded: 0) were below TEAM_MIN_DAYS at the team's village."""
    first, last = last_month(today)
    postings = TeamPosting.objects.filter(Q(end__isnull=True) | Q(end__gte=first), full_time=True, start__lte=last,
                                          team=OuterRef("pk"))

    def make(days: int) -> Q:
        enough = PresenceMonth.objects.filter(posting=OuterRef("pk"), month=first, days__gte=days)
        return Q(Exists(postings.filter(~Exists(enough))))

    return (WorkTeam.objects.filter(Q(end__isnull=True) | Q(end__gte=first), start__lte=last)
            .filter(by_area(RuleKey.TEAM_MIN_DAYS, "village__path", make)))


def team_presence_q(today: datetime.date | None = None) -> Q:
    villages = teams_below(today).values("village_id")
    return needs_cadre_q() & (Q(area_id__in=villages) | Q(area__parent_id__in=villages))


def overdue_measures(today: datetime.date | None = None) -> QuerySet[PlanMeasure]:
    today = today or timezone.localdate()
    return PlanMeasure.objects.filter(status__in=OPEN_MEASURE, planned_on__lt=today)


def is_overdue(measure: PlanMeasure, today: datetime.date | None = None) -> bool:
    """``overdue_measures`` for one measure already read (the plan page marks it)."""
    today = today or timezone.localdate()
    return measure.status in OPEN_MEASURE and measure.planned_on is not None and measure.planned_on < today


def overdue_q(today: datetime.date | None = None) -> Q:
    return needs_cadre_q() & Exists(overdue_measures(today).filter(plan__household=OuterRef("pk")))


_BUILDERS: dict[str, Callable[[str], Q]] = {
    "no_cadre": lambda under: no_cadre_q(), "overload": lambda under: overload_q(under=under),
    "not_visited": lambda under: not_visited_q(), "cause_unanswered": lambda under: cause_unanswered_q(under=under),
    "measure_no_cause": lambda under: measure_no_cause_q(), "team_presence": lambda under: team_presence_q(),
    "overdue": lambda under: overdue_q(),
}


def household_q(key: str, under: str = "") -> Q:
    """The households a gap counts, today (BadGap for an unknown key). ``under``: the area path the caller
    filters on anyway (a hint some gaps use to read less; the filter itself stays the caller's)."""
    builder = _BUILDERS.get(key)
    if builder is None:
        raise BadGap(key)
    return builder(under)


def list_filter(params: Any) -> str | None:
    """The gap a household list was opened from (``?gap=KEY``), checked; None when there is none."""
    key = params.get("gap", "")
    return key if key in _BUILDERS else None


def list_note(key: str) -> str:
    gap = GAP_KEYS[key]
    return _("帮扶缺口：%(g)s（截至 %(d)s）") % {"g": gap.label, "d": timezone.localdate().isoformat()}


# --- the report: counts per child area ------------------------------------------------------------------


def child_width(area: Area) -> int | None:
    """The path width of the area's children (None for a group: it has none)."""
    i = LEVEL_ORDER.index(area.level)
    return PATH_LENGTH[LEVEL_ORDER[i + 1]] if i + 1 < len(LEVEL_ORDER) else None


@dataclass
class Row:
    gap: Gap
    total: int
    by_child: dict[str, int]
    units: int | None = None
    units_by_child: dict[str, int] | None = None
    #: The ids of the cadres or teams counted in ``units`` (the lists below the table show these).
    unit_ids: list[int] | None = None


@contextmanager
def tuned() -> Iterator[None]:
    """On PostgreSQL, the report's queries run without JIT (compiling their expressions cost ~3 s of a
    province's report, more than it saves) and with 64 MB of work memory (the anti-joins over a million
    households hash in memory instead of in 16 batches on disk). SET LOCAL: this transaction only."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


#: How long a computed report may be served again while no write happened (the guard against changes made
#: outside the services, which move no audit stamp).
CACHE_SECONDS = 600


def report(*, user: User | AnonymousUser, area: Area, fresh: bool = False) -> list[Row]:
    """Every gap in ``area`` as ``user`` sees it: households (and cadres, teams) in total and per child area.
    One grouped query per gap (two for the gaps that count cadres or teams too).

    For area-scoped users the counts depend only on the area, the day and the data: they come from the
    stored rollups (``KIND``; see the module's docstring), and the result is also kept in the Django cache
    under the audit trail's last write (fupin.monitoring.rollups.stamp: every write moves it) and served
    again until a write or CACHE_SECONDS. ``fresh``: not from the Django cache, and the area's own rollup
    summed again from its children's (those current as stored)."""
    return cached(user, area, "report", lambda: _report(user, area, refresh=fresh), fresh=fresh)


def cached(user: User | AnonymousUser, area: Area, name: str, compute: Callable[[], Any], *, fresh: bool = False) -> Any:
    """``compute()`` (run ``tuned``), kept in the cache for area-scoped users under the area, the day and the
    audit trail's last write (see ``report``)."""
    from django.core.cache import cache

    from fupin.monitoring.rollups import cacheable, stamp

    key = None
    if cacheable(user):
        key = _cache_key(name, area, stamp())
        if not fresh and (hit := cache.get(key)) is not None:
            return hit
    with tuned():
        value = compute()
    if key is not None:
        cache.set(key, value, CACHE_SECONDS)
    return value


def _cache_key(name: str, area: Area, stamp: int) -> str:
    return f"fupin:gaps:{name}:{area.path}:{timezone.localdate().isoformat()}:{stamp}"


def in_cache(user: User | AnonymousUser, area: Area) -> bool:
    """Whether the area's report of today is in the Django cache for ``user`` (served as it is)."""
    from django.core.cache import cache

    return rollups.cacheable(user) and cache.get(_cache_key("report", area, rollups.stamp())) is not None


def _report(user: User | AnonymousUser, area: Area, refresh: bool = False) -> list[Row]:
    """The report from the rollups (area-scoped users; ``refresh``: the area's own re-summed) or computed."""
    width = child_width(area)
    raw = rollups.raw_figures(user=user, area=area, on=None, child_length=width, refresh=refresh, kind=KIND)
    return rows_of(raw, area)


def rows_of(raw: dict[str, Any], area: Area) -> list[Row]:
    """The report's rows from an area's raw counts (a rollup's data)."""
    width = child_width(area)
    children = raw.get("children", {}) if width is not None else {}
    out = []
    for gap in GAPS:
        total = raw["n"].get(gap.key, 0)
        by_child = {c: p["n"][gap.key] for c, p in children.items() if c != area.path and p["n"].get(gap.key)}
        if width is not None and (own := total - sum(by_child.values())):
            by_child[area.path] = own  # households registered at the area itself (a village's, not its groups')
        row = Row(gap, total, by_child)
        if gap.unit:
            row.unit_ids = list(raw[gap.unit])
            row.units = len(row.unit_ids)
            row.units_by_child = {c: len(p[gap.unit]) for c, p in children.items() if c != area.path and p[gap.unit]}
        out.append(row)
    return out


def compute_parts(*, user: User | AnonymousUser, area: Area, on: datetime.date | None = None,
                  length: int | None = None) -> dict[str, dict[str, Any]]:
    """Every gap of ``area``'s households as ``user`` sees them, today, by the first ``length`` characters of
    the area path (None: one part, the area's): {prefix: {"n": {gap: households}, "cadres": [ids], "teams":
    [ids]}}, the overloaded cadres with a household of the prefix that must have one, the teams below the
    presence rule in its villages. One grouped query per gap, one for the cadres, one for the teams."""
    if on is not None:
        raise ValueError("the gaps are of today")
    households = policy.visible_households(user).filter(area_path__subtree=area.path)

    def prefix(field: str) -> Any:
        return Substr(field, 1, length) if length else Value(area.path, output_field=TextField())

    parts: dict[str, dict[str, Any]] = {}

    def part(key: str) -> dict[str, Any]:
        return parts.setdefault(key, {"n": {}, "cadres": [], "teams": []})

    for gap in GAPS:
        rows = (households.filter(household_q(gap.key, area.path)).annotate(child=prefix("area_path"))
                .values("child").annotate(n=Count("pk", distinct=True)).order_by().values_list("child", "n"))
        for child, n in rows:
            part(child)["n"][gap.key] = n
    pairings = overloaded_pairings(under=area.path).filter(household__in=households.filter(needs_cadre_q()))
    for child, cadre in (pairings.annotate(child=prefix("household__area_path")).values_list("child", "cadre_id")
                         .order_by().distinct()):
        part(child)["cadres"].append(cadre)
    teams = teams_below().filter(policy.area_q(user, "village__path"), village__path__startswith=area.path)
    if policy.scoped_by_households(user):
        teams = teams.filter(Q(village__households__in=households) | Q(village__children__households__in=households))
    for child, team in teams.annotate(child=prefix("village__path")).values_list("child", "pk").order_by().distinct():
        part(child)["teams"].append(team)
    for p in parts.values():
        p["cadres"].sort()
        p["teams"].sort()
    return parts


def _combine(parts: list[dict[str, Any]]) -> dict[str, Any]:
    n: dict[str, int] = {}
    cadres: set[int] = set()
    teams: set[int] = set()
    for p in parts:
        for key, v in p["n"].items():
            n[key] = n.get(key, 0) + v
        cadres.update(p["cadres"])
        teams.update(p["teams"])
    return {"n": n, "cadres": sorted(cadres), "teams": sorted(teams)}


def build(parts: dict[str, dict[str, Any]], children: list[str] | None = None) -> dict[str, Any]:
    """An area's gaps from the parts (or the rollups) of what it holds ({path or prefix: part}): their sum,
    and the sums by ``children`` (paths of one length; None: by the parts' own keys)."""
    if children is None:
        by_child = {path: [p] for path, p in parts.items()}
    else:
        width = len(children[0]) if children else 0
        by_child = {c: [] for c in children}
        for path, p in parts.items():
            if path[:width] in by_child:
                by_child[path[:width]].append(p)
    raw = _combine(list(parts.values()))
    raw["children"] = {c: _combine(ps) for c, ps in by_child.items() if ps}
    return raw


#: Audit entities whose writes change the gaps of a cadre's households wherever they are.
CADRE_ENTITIES = ("assistance.pairing", "assistance.cadre", "assistance.assistancerule")


def cadre_writes(newer: Q) -> list[tuple[str, int, datetime.datetime]]:
    """Among the audit rows ``newer`` (the writes since some rollups), those that change a cadre's load,
    whether they are in post or their load limit, as writes at the area of each household of those cadres:
    (area path, newest such row's id and time). One query for the rows; when there are some, two more."""
    from fupin.audit.models import AuditEvent

    events = list(AuditEvent.objects.filter(newer, kind__in=rollups.WRITE_KINDS, entity__in=CADRE_ENTITIES)
                  .values_list("entity", "entity_id", "area_path", "id", "at"))
    if not events:
        return []
    last, last_at = max(e[3] for e in events), max(e[4] for e in events)
    ids = {entity: {int(i) for e, i, _p, _id, _at in events if e == entity and i.isdigit()} for entity in CADRE_ENTITIES}
    cadres = ids["assistance.cadre"] | set(Pairing.objects.filter(pk__in=ids["assistance.pairing"])
                                            .values_list("cadre_id", flat=True))
    which = Q(cadre_id__in=cadres)
    for path in {p for e, _i, p, _id, _at in events if e == "assistance.assistancerule"}:
        # A load limit set for an area: its cadres' households (a row about everything overlaps all anyway).
        if path:
            which |= Q(cadre__area__path__startswith=path)
    paths = Pairing.objects.filter(which).values_list("household__area_path", flat=True).order_by().distinct()
    return [(path, last, last_at) for path in paths]


#: The gap report's rollups (fupin.monitoring.rollups).
KIND = rollups.Kind(name="gaps", model_label="assistance.GapRollup", compute_parts=compute_parts, build=build,
                    layout=1, more_writes=cadre_writes)


def refresh(*, user: User, areas: list[Area]) -> int:
    """Recompute and store the rollups of ``areas`` (``fupin gaps refresh``): counties and below live, the
    levels above summed from them. On PostgreSQL the session runs without JIT and with 64 MB of work memory
    (as ``tuned``, but for the session: one transaction per area, not one for them all)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("SET work_mem = '64MB'")
    return rollups.refresh(user=user, areas=areas, dates=[None], kind=KIND)


def _among(qs: QuerySet, ids: list[int]) -> QuerySet:
    """``qs`` limited to the primary keys ``ids`` (thousands of them for a province): on PostgreSQL as one
    array parameter (``= ANY``), not thousands of parameters to bind and plan."""
    if connection.vendor == "postgresql":
        return qs.extra(where=[f'"{qs.model._meta.db_table}"."id" = ANY(%s)'], params=[list(ids)])
    return qs.filter(pk__in=ids)


def _thresholds(key: str) -> Callable[[str], int]:
    """``key``'s threshold at an area path, from the rule rows read once (rules.threshold for many areas)."""
    rows = list(AssistanceRule.objects.filter(key=key).values_list("area__path", "value"))
    default = next((v for path, v in rows if path is None), DEFAULTS[key])
    paths = sorted(((p, v) for p, v in rows if p is not None), key=lambda pv: -len(pv[0]))

    def at(path: str) -> int:
        return next((v for p, v in paths if path.startswith(p)), default)

    return at


def overloaded_list(*, user: User | AnonymousUser, area: Area, among: list[int] | None = None) -> list[dict[str, Any]]:
    """The overloaded cadres with households in ``area`` the user sees: name, unit, load, limit (at most 100).
    ``among``: the cadres the report counted (its row's ``unit_ids``): only their loads are counted again."""
    if among is None:
        among = next(r for r in report(user=user, area=area) if r.gap.key == "overload").unit_ids or []
    # The report's cadres are over their limit (counted with it): each one's load counted through the
    # (cadre, end) index, not every cadre's (a province has thousands of them among 100,000).
    on = timezone.localdate()
    load = (Pairing.objects.filter(_ongoing_q(on), cadre=OuterRef("pk")).order_by().values("cadre_id")
            .annotate(n=Count("pk")).values("n")[:1])
    cadres = (_among(Cadre.objects.all(), among).annotate(load=Subquery(load, output_field=IntegerField()))
              .select_related("unit", "area").order_by("-load", "name")[:100])
    limit = _thresholds(RuleKey.CADRE_MAX_HOUSEHOLDS)
    return [{"cadre": c, "load": c.load, "limit": limit(c.area.path)} for c in cadres]


def teams_list(*, user: User | AnonymousUser, area: Area, among: list[int] | None = None) -> list[dict[str, Any]]:
    """The teams below the presence rule in ``area`` (at most 100), with each full-time member below it and
    their days last month: three queries whatever the number of teams. ``among``: the teams the report
    counted (its row's ``unit_ids``)."""
    first, last = last_month()
    if among is None:
        among = next(r for r in report(user=user, area=area) if r.gap.key == "team_presence").unit_ids or []
    teams = list(_among(WorkTeam.objects.all(), among).select_related("village", "unit").order_by("village__path")[:100])
    postings = (TeamPosting.objects.filter(Q(end__isnull=True) | Q(end__gte=first), team__in=teams, full_time=True,
                                           start__lte=last).select_related("cadre").order_by("team_id", "role", "id"))
    days = dict(PresenceMonth.objects.filter(posting__in=postings, month=first).values_list("posting_id", "days"))
    limit = _thresholds(RuleKey.TEAM_MIN_DAYS)
    members: dict[int, list[dict[str, Any]]] = {}
    for p in postings:
        members.setdefault(p.team_id, []).append({"posting": p, "days": days.get(p.pk, 0)})
    out = []
    for team in teams:
        n = limit(team.village.path)
        out.append({"team": team, "limit": n, "members": [m for m in members.get(team.pk, []) if m["days"] < n]})
    return out


# --- the first view of a day: stored counts labelled with their date, a background refresh ---------------

#: A view computes at most this many counties from the tables inline (a county takes 3–5 s at ``--scale
#: 100``); an area needing more (a city or the province on a new day: ~11 min) is served from its latest
#: stored counts, labelled with their date, while a background job (``JOB_KIND``) refreshes it.
INLINE_COUNTIES: int = settings.FUPIN_GAPS_INLINE_COUNTIES
JOB_KIND = "gaps_refresh"
#: After a refresh of an area failed, a view starts none again for this long (it shows the failure).
RETRY_AFTER = datetime.timedelta(minutes=10)


@dataclass
class Freshness:
    """What a view of an area would cost: the counties (or the area itself, a county or below) whose counts
    are not current and would be computed from the tables."""

    stale: list[str]

    @property
    def inline(self) -> bool:
        return len(self.stale) <= INLINE_COUNTIES


def freshness(*, user: User | AnonymousUser, area: Area) -> Freshness:
    """Whether the report of ``area`` can be served now (current rollups, or at most INLINE_COUNTIES
    counties to compute). Users whose gaps are their own households' (帮扶责任人, 评估人员) are always
    computed inline (a few hundred households)."""
    if not rollups.cacheable(user) or in_cache(user, area):
        return Freshness([])
    return Freshness(rollups.stale_areas(user=user, area=area, kind=KIND))


def stored_report(area: Area) -> tuple[list[Row], datetime.datetime] | None:
    """The area's latest stored counts (not current: from an earlier day, or before writes in several of
    its counties) and when they were computed; None when none are stored. To be shown labelled with
    their time, never as today's."""
    row = rollups.stored(area, KIND)
    if row is None:
        return None
    return rows_of(row["data"], area), row["computed_at"]


def _covering(area: Area) -> Q:
    """Refresh jobs of ``area`` or an area above it (a province's refresh stores every county's)."""
    paths = [area.path[:n] for n in sorted(set(PATH_LENGTH.values())) if n <= len(area.path)]
    return Q(kind=JOB_KIND, area__path__in=paths)


def refresh_job(area: Area) -> Any:
    """The unfinished refresh of ``area`` or of an area above it, else the latest one of ``area`` (finished)."""
    from fupin.jobs import runner
    from fupin.jobs.models import Job, JobState

    recent = Job.objects.filter(_covering(area), created_at__gte=timezone.now() - runner.LIMIT_WINDOW)
    running = recent.filter(state__in=(JobState.QUEUED, JobState.RUNNING)).order_by("created_at").first()
    return running or Job.objects.filter(kind=JOB_KIND, area=area).order_by("-created_at").first()


def start_refresh(*, user: User, area: Area, params: dict[str, Any] | None = None, submit: bool = True) -> Any:
    """Start (once) the background refresh of ``area``'s counts as ``user`` (who sees it: the view looked it
    up in their scope) and return its job; the one already queued or running for it (or for an area above
    it) when there is one. One at a time per area even for two requests at once: the check and the insert
    hold the area's row (SELECT … FOR UPDATE on PostgreSQL; SQLite's transactions take the write lock as
    they begin). A refresh of the area that failed less than RETRY_AFTER ago is returned, not retried.
    ``submit=False``: created queued, for the caller to run (``fupin gaps refresh --job``)."""
    from fupin.jobs import runner
    from fupin.jobs.models import JobState

    with transaction.atomic():
        list(Area.objects.select_for_update().filter(pk=area.pk).values_list("pk", flat=True))
        job = refresh_job(area)
        if job is not None and (not job.finished or (
                job.state == JobState.FAILED and job.finished_at and timezone.now() - job.finished_at < RETRY_AFTER)):
            return job
        job = runner.job_create(kind=JOB_KIND, user=user, area=area, params=params or {})
        if submit:
            runner.submit(job)
        return job


def run_refresh(*, user: User | AnonymousUser, area: Area, progress: Callable[[int, int, str], None] | None = None) -> int:
    """Refresh ``area``'s counts: each county whose counts are not current computed from the tables (one
    transaction each, so a stopped refresh keeps the counties done), then the area summed from them.
    Each county is checked again just before (another refresh may have done it). Returns the counties
    computed."""
    progress = progress or (lambda done, total, stage: None)
    todo = rollups.stale_areas(user=user, area=area, kind=KIND)
    areas = {a.path: a for a in Area.objects.filter(path__in=todo)}
    total = len(todo) + 1
    n = 0
    for i, path in enumerate(todo):
        county = areas[path]
        progress(i, total, _("正在统计 %(a)s（%(i)s / %(n)s）") % {"a": county.name, "i": i + 1, "n": len(todo)})
        if rollups.stale_areas(user=user, area=county, kind=KIND):
            with tuned():
                rollups.compute_one(user=user, area=county, kind=KIND)
            n += 1
    progress(len(todo), total, _("正在汇总 %(a)s") % {"a": area.name})
    with tuned():
        rollups.raw_figures(user=user, area=area, on=None, child_length=child_width(area), kind=KIND)
    progress(total, total, _("已完成"))
    return n


def run_job(job: Any) -> None:
    """The refresh job's handler (fupin.jobs): ``run_refresh`` of ``job.area`` as ``job.user``, with its progress
    on the gap page; a cancel stops before the next county (those done stay stored: they are exact)."""
    import time

    from fupin.jobs import runner

    if job.area is None:
        raise runner.JobRefused(_("未指定区划"))
    started = time.perf_counter()

    def progress(done: int, total: int, stage: str) -> None:
        runner.set_progress(job.id, done, total, stage)
        if runner.cancel_requested(job.id):
            raise runner.JobCancelled

    counties = run_refresh(user=job.user, area=job.area, progress=progress)
    job.result = {"counties": counties, "seconds": round(time.perf_counter() - started, 1)}


def register_kind() -> None:
    from fupin.jobs import kinds

    kinds.register(JOB_KIND, label=gettext_lazy("更新帮扶缺口统计"), handler=run_job)
