"""Precomputed dashboard figures (rollups), kept exact per area (issue 14: "precomputed rollups allowed,
kept exact on every write or by a documented refresh, and tested for staleness").

**What is stored.** An area's dashboard is made of grouped query results that are sums over its
households (fupin.monitoring.figures.compute_parts: households and people per key, net income, the
yearly records per year and band; no median or other figure that does not add up): the raw figures of
an area are the sums of its children's (figures.build), and ratios are worked out from the sums when
shown. For an area-scoped user (every role but 帮扶责任人 and 评估人员, whose household sets are their
own) they depend only on the area, the date and the data, so they are stored per (area, day) in
FigureRollup, with the id of the audit trail's last *write* row (create, update, delete, status,
import) read before the figures (``stamp``) and that time (``computed_at``).

**The refresh rule.** Every write in Fupin goes through a service that writes its audit row, with the
area it concerns (``AuditEvent.area_path``: the household's village; both villages' common area for a
move; the area of a sheet's rows; the actor's own area when none; '' for everywhere), in the same
transaction. A rollup of area X is *current*, and served as it is, when

* no write row whose area path overlaps X's (lies in X's subtree, or is X's or above it) has an id
  newer than its stamp;
* none was written since the oldest transaction that had written and not committed when it was
  computed began (PostgreSQL, ``pg_stat_activity``: such a transaction's audit id may be older than the
  stamp and commit after the figures were read; SQLite has one writer at a time, so it cannot);
* it is younger than ``MAX_AGE`` (a guard against changes made outside the services, e.g. by hand in
  SQL), of today for "today" (pairings end and the year turns without a write), of this layout.

A rollup that is not current is never served.

**Recomputing.** A county's, city's or province's and township's figures (no household is registered
above a village) are summed from their children's rollups: the current ones as they are, the others
recomputed the same way, down to the village whose write made them stale, which is computed live. So
one write in a village costs that village live and a re-sum of the rollups on its way up; the rest of
the county or province is served as stored. When most of a county's or township's children are stale
too (a cold start, a new day), it is computed live in one pass by village, which stores the rollups of
every township and village below it at once (a village with groups gets a *partial* rollup: its sums,
for its parent, not its breakdown by group, which its own dashboard computes live).

``fupin dashboard refresh`` recomputes counties (and everything below them) live and sums the cities
and the province from them, today and the last year ends: run it nightly (for "today" and ``MAX_AGE``)
and after a change made outside the services.

**Other kinds of rollups.** The mechanism is not the dashboards' own: a ``Kind`` names the model that
stores the rollups (the fields of FigureRollup), how an area's parts are computed by prefix and summed
(``compute_parts``, ``build``), and writes that concern areas other than their own (``more_writes``).
The dashboards are ``FIGURES``; the assistance gap report (fupin.assistance.gaps) is another kind.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from fupin.accounts import policy
from fupin.areas.models import PATH_LENGTH, Area, Level
from fupin.audit.models import AuditEvent, AuditKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

#: Audit kinds that record a change of data.
WRITE_KINDS = (AuditKind.CREATE, AuditKind.UPDATE, AuditKind.DELETE, AuditKind.STATUS, AuditKind.IMPORT)
#: Clocks: the audit row's time is the application's, a transaction's start the database server's.
CLOCK_SKEW = datetime.timedelta(minutes=1)
#: A rollup older than this is recomputed even when no write concerns it.
MAX_AGE = datetime.timedelta(hours=26)
#: The layout of the stored figures (rollups of another layout are not current).
LAYOUT = 3
#: Levels whose figures are summed from their children's: no household is registered at them.
SUMMED_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP)
#: Levels computed live broken down by the full area path, storing every rollup below at once.
LEAF_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP)
LEAF = max(PATH_LENGTH.values())
VILLAGE = PATH_LENGTH[Level.VILLAGE]


@dataclass(frozen=True)
class Kind:
    """What a family of rollups is made of (the dashboards' figures, the gap report's counts)."""

    name: str
    #: The model storing them (area_path, day, child_length, stamp, data, computed_at, seconds), by label.
    model_label: str
    #: ``compute_parts(user=, area=, on=, length=)``: {prefix of ``length`` characters: part} (None: one part).
    compute_parts: Callable[..., dict[str, dict[str, Any]]]
    #: ``build(parts, children)``: an area's raw figures from the parts (or raws) of what it holds.
    build: Callable[..., dict[str, Any]]
    layout: int
    #: ``more_writes(newer)``: (area path, id, time) of writes, among the audit rows matching the filter
    #: ``newer``, that concern areas other than their own row's (a cadre's pairing: their other villages).
    more_writes: Callable[[Q], list[tuple[str, int, datetime.datetime]]] | None = None
    #: The layout before per-area rollups (child_length ≠ 0) is deleted on refresh (the dashboards').
    legacy: bool = False

    @property
    def model(self) -> Any:
        from django.apps import apps

        return apps.get_model(self.model_label)


def _figures_parts(**kwargs: Any) -> dict[str, dict[str, Any]]:
    from .figures import compute_parts

    return compute_parts(**kwargs)


def _figures_build(parts: dict[str, dict[str, Any]], children: list[str] | None = None) -> dict[str, Any]:
    from .figures import build

    return build(parts, children)


def stamp() -> int:
    """The id of the audit trail's last write (0 when there is none): one index probe backwards."""
    return (AuditEvent.objects.filter(kind__in=WRITE_KINDS).order_by("-id").values_list("id", flat=True).first()
            or 0)


def cacheable(user: User | AnonymousUser) -> bool:
    """Whether a user's figures are the area's (area-scoped roles), so a rollup may serve them."""
    return policy.role_of(user) is not None and not policy.scoped_by_households(user)


def overlaps(a: str, b: str) -> bool:
    """Whether a write at area path ``a`` may change the figures of area ``b`` (or the reverse)."""
    return a.startswith(b) or b.startswith(a)


@dataclass
class Writes:
    """The writes under (or above) an area since some rollups were computed: per area path written
    at, its newest row id and time."""

    rows: list[tuple[str, int, datetime.datetime]] = field(default_factory=list)

    def touch(self, area_path: str, stamp: int, open_since: datetime.datetime | None) -> bool:
        """Whether a write concerns the rollup of ``area_path`` computed at ``stamp`` and is not in it:
        newer than the stamp, or written since a transaction that was open when it was computed began
        (``open_since``: such a write may have an older id and commit later)."""
        return any(overlaps(path, area_path) and (last > stamp or (open_since is not None and last_at >= open_since))
                   for path, last, last_at in self.rows)

    def touch_row(self, row: dict[str, Any]) -> bool:
        return self.touch(row["area_path"], row["stamp"], _open_since(row["data"]))


def _open_since(data: dict[str, Any]) -> datetime.datetime | None:
    text = data.get("open_since")
    return datetime.datetime.fromisoformat(text) if text and text != "null" else None


def writes_since(root: str, rows: list[dict[str, Any]], kind: Kind | None = None) -> Writes:
    """One grouped query: the write rows about ``root``'s subtree or above it, newer than the oldest
    of ``rows`` (by id, through the primary key; by time, through the index on ``at``, for a rollup
    computed while a transaction was open)."""
    if not rows:
        return Writes()
    newer = Q(id__gt=min(r["stamp"] for r in rows))
    opened = [t for t in (_open_since(r["data"]) for r in rows) if t is not None]
    if opened:
        newer |= Q(at__gte=min(opened))
    where = Q(area_path__startswith=root) | Q(area_path__in=[root[:i] for i in range(len(root))])
    got = (AuditEvent.objects.filter(where, newer, kind__in=WRITE_KINDS)
           .values("area_path").annotate(last=Max("id"), last_at=Max("at")).order_by())
    out = Writes([(r["area_path"], r["last"], r["last_at"]) for r in got])
    if kind is not None and kind.more_writes is not None:
        out.rows += [w for w in kind.more_writes(newer) if overlaps(w[0], root)]
    return out


def open_writers_since() -> datetime.datetime | None:
    """When the oldest transaction that has written and not yet committed began (less the clocks'
    skew), other than this one: its audit row may carry an id older than the stamp read now and commit
    after the figures are read. None when there is none, and on SQLite (one writer at a time: a write
    commits before any later one, so its id is older than the stamp only if it is in the figures)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(xact_start) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                       "AND pid <> pg_backend_pid() AND datname = current_database()")
        began = cursor.fetchone()[0]
    return began - CLOCK_SKEW if began is not None else None


def _day(on: datetime.date | None) -> str:
    return on.isoformat() if on else "today"


@dataclass
class Run:
    """One request's (or one refresh's) computation: the user, the date, the stamp and time it started."""

    user: Any
    on: datetime.date | None
    kind: Kind = field(default_factory=lambda: FIGURES)
    stamp: int = 0
    started: datetime.datetime | None = None
    open_since: datetime.datetime | None = None
    #: Area path → seconds spent computing it live (for the benchmark and the status command).
    live: dict[str, float] = field(default_factory=dict)
    #: Rollups computed, to be stored at the end (``_flush``).
    pending: dict[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> str:
        return _day(self.on)

    def begin(self) -> None:
        """Before the first figure is read for recomputing (not needed to serve a current rollup): the
        time, the stamp, then the writers still open — a write not in the figures read after these has
        a newer id or was made by one of those writers."""
        if self.started is None:
            self.started = timezone.now()
            self.stamp = stamp()
            self.open_since = open_writers_since()

    def current(self, row: dict[str, Any] | None, writes: Writes, *, whole: bool = True) -> bool:
        """Whether ``row`` may be served (``whole``: for the area's own dashboard, which needs its
        breakdown by child; a partial rollup serves only the sum of its parent)."""
        if row is None or row["data"].get("layout") != self.kind.layout or (whole and row["data"].get("partial")):
            return False
        if (self.started or timezone.now()) - row["computed_at"] >= MAX_AGE:
            return False
        if self.on is None and timezone.localtime(row["computed_at"]).date() != timezone.localdate():
            return False
        return not writes.touch_row(row)


def pack(obj: Any) -> Any:
    """Lists of rows with the same keys stored as {"_c": keys, "_r": [values …]}: a third of the size,
    read three times faster (a province's first view after a write reads a few dozen rollups)."""
    if isinstance(obj, dict):
        return {k: pack(v) for k, v in obj.items()}
    if isinstance(obj, list) and obj and all(isinstance(r, dict) for r in obj):
        keys = list(obj[0])
        if all(len(r) == len(keys) and all(k in r for k in keys) for r in obj):
            return {"_c": keys, "_r": [[r[k] for k in keys] for r in obj]}
    return obj


def unpack(obj: Any) -> Any:
    if isinstance(obj, dict):
        if "_c" in obj and "_r" in obj:
            keys = obj["_c"]
            return [dict(zip(keys, r, strict=True)) for r in obj["_r"]]
        return {k: unpack(v) for k, v in obj.items()}
    return obj


def _rows(paths: list[str], day: str, kind: Kind | None = None) -> dict[str, dict[str, Any]]:
    rows = {r["area_path"]: r for r in (kind or FIGURES).model.objects.filter(area_path__in=paths, day=day, child_length=0)
            .values("area_path", "stamp", "data", "computed_at")}
    for r in rows.values():
        r["data"] = unpack(r["data"])
    return rows


def _store(run: Run, raws: dict[str, dict[str, Any]], seconds: float, partial: frozenset[str] = frozenset()) -> None:
    """Keep the rollups ``raws`` ({area path: raw figures}) to be stored by ``_flush``."""
    model = run.kind.model
    open_since = run.open_since.isoformat() if run.open_since else None
    for path, raw in raws.items():
        run.pending[path] = model(
            area_path=path, day=run.day, child_length=0, stamp=run.stamp, computed_at=run.started,
            seconds=round(seconds, 3),
            data={**pack(raw), "layout": run.kind.layout, "partial": path in partial, "open_since": open_since})
    if len(run.pending) >= 2000:  # a province computed cold: not all of it in memory
        _flush(run)


def _flush(run: Run) -> None:
    """Store (insert or replace) the rollups computed in the run: one statement (per 500)."""
    if run.pending:
        run.kind.model.objects.bulk_create(list(run.pending.values()), update_conflicts=True,
                                         unique_fields=["area_path", "day", "child_length"],
                                         update_fields=["stamp", "data", "computed_at", "seconds"], batch_size=500)
        run.pending.clear()


def _live(run: Run, area: Area) -> dict[str, Any]:
    """The area's figures computed from the registry; for a county and below broken down by the full
    area path, so that every area below it gets its rollup too."""
    build, compute_parts = run.kind.build, run.kind.compute_parts
    run.begin()
    started = time.perf_counter()
    if area.level not in LEAF_LEVELS:
        children = list(Area.objects.filter(parent=area).values_list("path", flat=True).order_by("path"))
        length = len(children[0]) if children else None
        raw = build(compute_parts(user=run.user, area=area, on=run.on, length=length))
        seconds = time.perf_counter() - started
        _store(run, {area.path: raw}, seconds)
        run.live[area.path] = seconds
        return raw
    # A county or township by village (its villages' rollups then have no breakdown by group: partial,
    # good for summing; a village's own dashboard computes it live), a village by group.
    length = VILLAGE if area.level in (Level.COUNTY, Level.TOWNSHIP) else LEAF
    parts = compute_parts(user=run.user, area=area, on=run.on, length=length)
    below = list(Area.objects.filter(path__startswith=area.path).values_list("path", "parent__path", "level"))
    kids: dict[str, list[str]] = {}
    for path, parent, _level in below:
        kids.setdefault(parent or "", []).append(path)
    under: dict[str, dict[str, dict[str, Any]]] = {}  # area path → the parts in its subtree
    lengths = sorted(set(PATH_LENGTH.values()))
    for p, part in parts.items():
        for n in lengths:
            if n <= len(p):
                under.setdefault(p[:n], {})[p] = part
    # Not the groups' (a hundred thousand in a province, of a dozen households each: a village is
    # computed live in milliseconds), unless a group is what was asked for.
    raws = {path: build(under.get(path, {}), sorted(kids.get(path, [])) or None) for path, _parent, level in below
            if len(path) <= length}
    partial = frozenset(path for path in raws if len(path) == length and kids.get(path) and path != area.path)
    seconds = time.perf_counter() - started
    _store(run, raws, seconds, partial)
    run.live[area.path] = seconds
    return raws[area.path]


def _summed(run: Run, area: Area, refresh: bool) -> dict[str, Any] | None:
    """The area's figures summed from its children's rollups (the stale ones recomputed), or None when
    computing it live is quicker (no children; a county or township most of whose children are stale)."""
    build = run.kind.build
    run.begin()
    children = list(Area.objects.filter(parent=area).order_by("path"))
    if not children:
        return None
    rows = _rows([c.path for c in children], run.day, run.kind)
    writes = writes_since(area.path, list(rows.values()), run.kind)
    stale = [c for c in children if not run.current(rows.get(c.path), writes, whole=False)]
    if area.level in LEAF_LEVELS and len(stale) > max(2, len(children) // 4) and not refresh:
        return None
    parts = {}
    for child in children:
        parts[child.path] = (_area_raw(run, child, rows.get(child.path), writes) if child in stale
                             else rows[child.path]["data"])
    started = time.perf_counter()
    raw = build(parts, [c.path for c in children])
    _store(run, {area.path: raw}, time.perf_counter() - started)
    return raw


def _area_raw(run: Run, area: Area, row: dict[str, Any] | None, writes: Writes | None,
              refresh: bool = False) -> dict[str, Any]:
    if not refresh:
        if writes is None:
            writes = writes_since(area.path, [row] if row else [], run.kind)
        if run.current(row, writes):
            return row["data"]
    raw = _summed(run, area, refresh) if area.level in SUMMED_LEVELS else None
    return raw if raw is not None else _live(run, area)


def raw_figures(*, user: User | AnonymousUser, area: Area, on: datetime.date | None,
                child_length: int | None, refresh: bool = False, kind: Kind | None = None) -> dict[str, Any]:
    """The raw figures of an area's dashboard (broken down by its children; or of another ``kind``): from
    its rollup when current, else summed from its children's or computed (and stored, for area-scoped
    users)."""
    kind = kind or FIGURES
    if not cacheable(user):
        return kind.build(kind.compute_parts(user=user, area=area, on=on, length=child_length))
    run = Run(user=user, on=on, kind=kind)
    row = _rows([area.path], run.day, kind).get(area.path)
    raw = _area_raw(run, area, row, None, refresh=refresh)
    _flush(run)
    return raw


def stale_areas(*, user: User | AnonymousUser, area: Area, kind: Kind | None = None) -> list[str]:
    """The areas a view of ``area`` today would compute from the tables, before computing anything: for a
    province or city the paths of its counties whose rollups are not current (walking down only through
    the stale ones, as ``_summed`` would), for a county or below ``[area.path]`` when its own rollup is not
    current. [] when the area is served as stored (or for a user whose figures are not the area's: those
    are computed live, over their own few households). Three or four small queries: the rollups' dates
    and stamps without their data, the writes since the oldest."""
    kind = kind or FIGURES
    if not cacheable(user):
        return []
    county = PATH_LENGTH[Level.COUNTY]
    if area.level in (Level.PROVINCE, Level.CITY):
        tree = list(Area.objects.filter(path__startswith=area.path, level__in=(Level.PROVINCE, Level.CITY, Level.COUNTY))
                    .values_list("path", "parent__path", "level"))
    else:
        tree = [(area.path, None, area.level)]
    got = list(kind.model.objects.filter(area_path__in=[t[0] for t in tree], day="today", child_length=0)
               .values("area_path", "stamp", "computed_at", layout=KeyTextTransform("layout", "data"),
                       partial=KeyTextTransform("partial", "data"), open_since=KeyTextTransform("open_since", "data")))
    rows = {}
    for r in got:
        r["data"] = {"layout": int(r["layout"]) if str(r["layout"]).isdigit() else None,
                     "partial": str(r["partial"]).lower() == "true", "open_since": r["open_since"]}
        rows[r["area_path"]] = r
    writes = writes_since(area.path, list(rows.values()), kind)
    run = Run(user=user, on=None, kind=kind)
    kids: dict[str, list[str]] = {}
    for path, parent, _level in tree:
        kids.setdefault(parent or "", []).append(path)

    def walk(path: str, whole: bool) -> list[str]:
        if run.current(rows.get(path), writes, whole=whole):
            return []
        if len(path) >= county or not kids.get(path):
            return [path]
        return [p for child in sorted(kids[path]) for p in walk(child, False)]

    return walk(area.path, True)


def stored(area: Area, kind: Kind | None = None) -> dict[str, Any] | None:
    """The area's latest stored rollup for its own view (with its breakdown by child), current or not:
    {"data", "computed_at", "stamp"}; None when there is none of this layout. Never to be shown as
    today's figures unless ``stale_areas`` is empty: the caller labels it with ``computed_at``."""
    row = _rows([area.path], _day(None), kind).get(area.path)
    if row is None or row["data"].get("layout") != (kind or FIGURES).layout or row["data"].get("partial"):
        return None
    return row


def compute_one(*, user: User | AnonymousUser, area: Area, kind: Kind | None = None) -> None:
    """Compute ``area`` (a county or below: live in one pass, storing every rollup below it) and store it."""
    run = Run(user=user, on=None, kind=kind or FIGURES)
    _live(run, area)
    _flush(run)


def refresh(*, user: User, areas: list[Area], dates: list[datetime.date | None], kind: Kind | None = None) -> int:
    """Recompute the rollups of ``areas`` for ``dates`` (None: today) as ``user`` (an area-scoped user
    who sees them: the command uses a superuser): deepest first, counties and below live (storing every
    rollup below them), the levels above summed from them. Returns how many were computed (areas ×
    dates, an area inside one computed live not counted again)."""
    kind = kind or FIGURES
    if kind.legacy:
        kind.model.objects.exclude(child_length=0).delete()  # the layout before per-area rollups
    live = {a.path for a in areas if a.level in LEAF_LEVELS}
    # An area below one computed live in this run is stored by that pass.
    todo = [a for a in areas if not any(a.path != p and a.path.startswith(p) for p in live)]
    n = 0
    for on in dates:
        for area in sorted(todo, key=lambda a: (-len(a.path), a.path)):
            run = Run(user=user, on=on, kind=kind)
            if area.level in LEAF_LEVELS:
                _live(run, area)
            else:
                _area_raw(run, area, None, None, refresh=True)
            _flush(run)
            n += 1
    return n


def stale_count(kind: Kind | None = None) -> int:
    """Rollups that are not current (shown by ``fupin dashboard status``)."""
    kind = kind or FIGURES
    rows = list(kind.model.objects.values("area_path", "day", "child_length", "stamp", "computed_at",
                                            layout=KeyTextTransform("layout", "data"),
                                            open_since=KeyTextTransform("open_since", "data")))
    for r in rows:
        r["data"] = {"open_since": r["open_since"]}
    writes = writes_since("", [r for r in rows if r["child_length"] == 0], kind)
    now = timezone.now()
    today = timezone.localdate()
    n = 0
    for r in rows:
        old = (r["child_length"] != 0 or str(r["layout"]) != str(kind.layout) or now - r["computed_at"] >= MAX_AGE
               or (r["day"] == "today" and timezone.localtime(r["computed_at"]).date() != today))
        n += old or writes.touch_row(r)
    return n


#: The dashboards' figures (fupin.monitoring.figures).
FIGURES = Kind(name="figures", model_label="monitoring.FigureRollup", compute_parts=_figures_parts,
               build=_figures_build, layout=LAYOUT, legacy=True)
