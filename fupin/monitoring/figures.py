"""Every figure of the dashboards, the statistical tables and ``/api/stats/``, for an area and a date.

One module so that the same number shows on the dashboard, in the table, in the household list and in
the API (issue 14 items 4–6). Each figure has a **key** (``"status:poor"``, ``"mon:edge:at_risk"``,
``"exit:2019"`` …): ``household_q(key, on)`` is the filter that gives the households behind it, and the
household list applies it (``?fig=KEY&on=DATE``, fupin.registry.selectors.household_list), so a click
on any figure lists exactly the households it counts. The dashboard itself computes the figures with a
few grouped queries (one per section) rather than one count per key; tests/monitoring/
test_figures_reconcile.py proves every figure equals the list's count through its key.

**As of a date** (``on``): the county as it stood at the end of that day, rebuilt from history:

* a household's status is the ``to_status`` of its last StatusChange dated on or before ``on`` (every
  household has one from its registration: ``household_create`` writes it); a household with none then
  did not exist yet and counts nowhere;
* its people are its members then: not removed on or before ``on`` (``Member.removed_on``), and not added
  after ``on`` (a member has no "joined on" date; one added after the household was registered is
  dated by the row's creation, members registered with the household count from its registration);
* monitoring objects are enrolled on ``enrolled_on`` and cleared on ``cleared_on``; a pairing is in force
  between ``start`` and ``end``; exits and returns are the status changes of each year up to ``on``;
* incomes and 两不愁三保障 are yearly records, by year: the year shown is the last with records, up
  to the year of ``on``.

What the registry does not record a history for, and is therefore today's value even as of a past
date: the household's **attribute** (一般/低保/特困), its **main cause**, its **area** (a household moved
to another village counts in its village of today), and a member's own details. A monitoring object
still in its entry procedure (纳入程序中) or refused has no dated state and is not counted as of a date.

Current figures (``on`` None) read the household's own status and ``member_count`` (the same values
the history gives for today: tests/monitoring/test_figures_asof.py checks they agree).

Scope: every query starts from the policy (``household_scope``/``policy.household_q``); an area outside
the user's subtree is a 404 before any figure is computed (the views look it up with
``browse_area_get``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.areas.models import Area
from fupin.assistance.models import Pairing
from fupin.identification.exitcheck import GROUPS as EXIT_GROUPS
from fupin.registry import counts
from fupin.registry.choices import NOT_EXITED_STATUSES, Attribute, Cause, Status
from fupin.registry.models import Household, Member, StatusChange, YearlyRecord
from fupin.registry.selectors import household_scope

from .models import (
    ENROLLED_STATES,
    Measure,
    MonitoringObject,
    ObjectKind,
    ObjectState,
    RiskType,
    Sector,
    Target,
    TargetKind,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

EXITED_STATUSES = counts.EXITED_STATUSES
#: Statuses counted in the register (every one but 注销), in the order of the status chart.
REGISTER_STATUSES = tuple(s for s in Status if s != Status.CANCELLED)
MONITOR_STATES = (ObjectState.AT_RISK, ObjectState.CLEARED)

#: 人均纯收入 bands (元/人·年) of the income distribution: [lo, hi), the last open.
INCOME_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 4000), (4000, 6000), (6000, 8000), (8000, 10000), (10000, 15000), (15000, 20000), (20000, None))

#: 两不愁三保障 and 饮水安全: the exit check's groups (fupin.identification.exitcheck.GROUPS, in REFERENCE
#: §4's order and with its labels) and the yearly record's indicator each group reads.
GAP_FIELDS = {"food": "food_clothing_secure", "education": "education_secure", "medical": "medical_secure",
              "housing": "housing_secure", "water": "water_secure"}
GAPS = tuple((name, label, GAP_FIELDS[name]) for name, label, _keys in EXIT_GROUPS if name in GAP_FIELDS)


# --- the keys: one filter per figure -----------------------------------------------------------------

class BadKey(ValueError):
    pass


def _year(text: str) -> int:
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise BadKey(text)
    return int(text)


def _choice(text: str, choices: Any) -> str:
    if text not in choices.values:
        raise BadKey(text)
    return text


def _status_then(on: datetime.date) -> Subquery:
    """The household's status at the end of ``on``: its last change dated on or before it."""
    return Subquery(StatusChange.objects.filter(household_id=OuterRef("pk"), date__lte=on)
                    .order_by("-date", "-id").values("to_status")[:1])


def _present_then_q(on: datetime.date, outer: str = "") -> Q:
    """A member of the household at the end of ``on`` (see the module's note on join dates);
    ``outer``: the path from the outer query's rows to the household ("" for Household itself)."""
    registered_with = ExpressionWrapper(OuterRef(f"{outer}created_at") + datetime.timedelta(days=1),
                                        output_field=DateTimeField())
    joined = Q(created_at__date__lte=on) | Q(created_at__lt=registered_with)
    return joined & (Q(active=True) | Q(removed_on__gt=on))


def _people_then(on: datetime.date, outer: str = "") -> Subquery:
    """The household's people at the end of ``on`` (0 before it had any)."""
    return Coalesce(Subquery(
        Member.objects.filter(_present_then_q(on, outer), household_id=OuterRef(f"{outer}pk"))
        .order_by().values("household_id").annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField()), Value(0))


def households_then(qs: QuerySet[Household], on: datetime.date | None) -> QuerySet[Household]:
    """``qs`` annotated with ``st`` (status) and ``ppl`` (people) as of ``on``, or today's."""
    if on is None:
        return qs.annotate(st=F("status"), ppl=F("member_count"))
    return qs.annotate(st=_status_then(on), ppl=_people_then(on)).filter(st__isnull=False)


def _status_pks(statuses: list[str], on: datetime.date) -> QuerySet[Household]:
    return Household.objects.annotate(st=_status_then(on)).filter(st__in=statuses).values("pk")


def _status_q(statuses: list[str], on: datetime.date | None) -> Q:
    if on is None:
        return Q(status__in=statuses)
    return Q(pk__in=_status_pks(statuses, on))


def _register_q(on: datetime.date | None) -> Q:
    return _status_q(list(REGISTER_STATUSES), on)


def _monitor_then(on: datetime.date | None) -> tuple[Q, Any]:
    """(enrolled filter, state expression) of monitoring objects as of ``on`` (today: their state)."""
    if on is None:
        return Q(state__in=list(ENROLLED_STATES)), F("state")
    from django.db.models import Case, When
    state = Case(When(cleared_on__lte=on, then=Value(ObjectState.CLEARED.value)),
                 default=Value(ObjectState.AT_RISK.value))
    return Q(enrolled_on__lte=on), state


def _monitor_pks(on: datetime.date | None, *, kind: str = "", state: str = "", risk: str = "") -> QuerySet:
    enrolled, state_expr = _monitor_then(on)
    qs = MonitoringObject.objects.filter(enrolled).annotate(st=state_expr)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(st=state)
    if risk:
        qs = qs.filter(risk_types__0=risk)
    return qs.values("household_id")


def _band(index: str) -> tuple[int, int | None]:
    if not index.isdigit() or int(index) >= len(INCOME_BANDS):
        raise BadKey(index)
    return INCOME_BANDS[int(index)]


def _band_q(lo: int, hi: int | None, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}per_capita_income__gte": lo}) if lo else Q()
    if hi is not None:
        q &= Q(**{f"{prefix}per_capita_income__lt": hi})
    return q


def _change_pks(to_status: str, year: int, on: datetime.date | None) -> QuerySet:
    qs = StatusChange.objects.filter(to_status=to_status, date__year=year)
    if on is not None:
        qs = qs.filter(date__lte=on)
    return qs.values("household_id")


def household_q(key: str, on: datetime.date | None = None) -> Q:  # noqa: C901 - one branch per kind of figure
    """The households a figure counts (a filter on Household), as of ``on`` or today. BadKey when the
    key is not one of the figures."""
    parts = (key or "").split(":")
    head, args = parts[0], parts[1:]
    try:
        if head == "reg" and not args:
            return _register_q(on)
        if head == "poor" and not args:
            return _status_q(list(NOT_EXITED_STATUSES), on)
        if head == "exited" and not args:
            return _status_q(list(EXITED_STATUSES), on)
        if head == "status" and len(args) == 1:
            return _status_q([_choice(args[0], Status)], on)
        if head == "cause" and len(args) == 1:
            return _register_q(on) & Q(main_cause=_choice(args[0], Cause))
        if head == "attr" and len(args) == 1:
            return _register_q(on) & Q(attribute=_choice(args[0], Attribute))
        if head in ("paired", "unpaired") and not args:
            paired = Q(pk__in=Pairing.objects.ongoing(on).values("household_id"))
            return _register_q(on) & (paired if head == "paired" else ~paired)
        if head in ("exit", "return") and len(args) == 1:
            return Q(pk__in=_change_pks(Status.EXITED if head == "exit" else Status.RETURNED, _year(args[0]), on))
        if head == "mon" and len(args) == 2:
            kind = "" if args[0] == "any" else _choice(args[0], ObjectKind)
            return Q(pk__in=_monitor_pks(on, kind=kind, state=_choice(args[1], ObjectState)))
        if head == "risk" and len(args) == 2:
            return Q(pk__in=_monitor_pks(on, risk=_choice(args[0], RiskType), state=_choice(args[1], ObjectState)))
        if head == "inc" and len(args) == 2:
            lo, hi = _band(args[1])
            records = YearlyRecord.objects.filter(_band_q(lo, hi), year=_year(args[0]))
            return _register_q(on) & Q(pk__in=records.values("household_id"))
        if head == "measure" and len(args) == 2:
            measures = Measure.objects.filter(sector=_choice(args[0], Sector), date__year=_year(args[1]))
            if on is not None:
                measures = measures.filter(date__lte=on)
            return Q(pk__in=measures.values("object__household_id"))
        if head == "gap" and len(args) == 2:
            field = {name: f for name, _label, f in GAPS}.get(args[1])
            if field is None:
                raise BadKey(args[1])
            records = YearlyRecord.objects.filter(**{field: False}, year=_year(args[0]))
            return _register_q(on) & Q(pk__in=records.values("household_id"))
    except BadKey:
        pass
    raise BadKey(key)


def figure_people(key: str, on: datetime.date | None, households: QuerySet[Household]) -> int | None:
    """The people of a figure, counted as its dashboard number counts them, over ``households`` (the
    household list filtered by the key): the households' people as of ``on`` (today: 家庭人口); for
    exits and returns the people at each change of the year (``StatusChange.member_count``); for income
    bands and gaps the year's record's people; None for measures (households only)."""
    head, args = key.split(":")[0], key.split(":")[1:]
    pks = households.order_by().values("pk")
    if head in ("exit", "return"):
        changes = StatusChange.objects.filter(household_id__in=pks, date__year=_year(args[0]),
                                              to_status=Status.EXITED if head == "exit" else Status.RETURNED)
        if on is not None:
            changes = changes.filter(date__lte=on)
        total = changes.aggregate(p=Sum(Coalesce("member_count", "household__member_count")))["p"]
    elif head in ("inc", "gap"):
        records = YearlyRecord.objects.filter(household_id__in=pks, year=_year(args[0]))
        if head == "inc":
            records = records.filter(_band_q(*_band(args[1])))
        else:
            records = records.filter(**{{name: f for name, _label, f in GAPS}[args[1]]: False})
        total = records.aggregate(p=Sum("member_count"))["p"]
    elif head == "measure":
        return None
    elif on is None:
        total = households.order_by().aggregate(p=Sum("member_count"))["p"]
    else:
        total = (Household.objects.filter(pk__in=pks).annotate(ppl=_people_then(on))
                 .aggregate(p=Sum("ppl"))["p"])
    return int(total or 0)


def key_label(key: str) -> str:  # noqa: C901 - one branch per kind of figure
    """A figure's name in words, for the household list's note ("筛选：…")."""
    parts = key.split(":")
    head, args = parts[0], parts[1:]
    try:
        if head == "reg":
            return _("在册户")
        if head == "poor":
            return str(counts.NOTES["poor"])
        if head == "exited":
            return str(counts.NOTES["exited"])
        if head == "status":
            return _("户状态：%s") % Status(args[0]).label
        if head == "cause":
            return _("主要致贫原因：%s") % Cause(args[0]).label
        if head == "attr":
            return _("贫困户属性：%s") % Attribute(args[0]).label
        if head == "paired":
            return _("有帮扶责任人的在册户")
        if head == "unpaired":
            return _("无帮扶责任人的在册户")
        if head == "exit":
            return _("%s 年脱贫的户") % args[0]
        if head == "return":
            return _("%s 年返贫的户") % args[0]
        if head == "mon":
            kind = _("监测对象") if args[0] == "any" else str(ObjectKind(args[0]).label)
            return f"{kind}（{ObjectState(args[1]).label}）"
        if head == "risk":
            return _("主要风险类型：%(r)s（%(s)s）") % {"r": RiskType(args[0]).label, "s": ObjectState(args[1]).label}
        if head == "inc":
            lo, hi = _band(args[1])
            return _("%(y)s 年人均纯收入 %(b)s 元") % {"y": args[0], "b": band_label(lo, hi)}
        if head == "measure":
            return _("%(y)s 年有%(s)s帮扶措施的户") % {"y": args[1], "s": Sector(args[0]).label}
        if head == "gap":
            label = {name: lab for name, lab, _f in GAPS}[args[1]]
            return _("%(y)s 年%(g)s未保障") % {"y": args[0], "g": label}
    except (ValueError, KeyError, IndexError, BadKey):
        pass
    return key


def band_label(lo: int, hi: int | None) -> str:
    return f"{lo:,}–{hi:,}" if hi is not None else f"≥{lo:,}"


def parse_on(text: str | None) -> datetime.date | None:
    """The ``on`` parameter (YYYY-MM-DD): None for today/empty; BadKey when not a date or in the future."""
    if not text:
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise BadKey(text) from exc
    today = timezone.localdate()
    if day > today:
        raise BadKey(text)
    return None if day == today else day


# --- the dashboard -----------------------------------------------------------------------------------

@dataclass
class Fig:
    """One clickable number: its key, label, households and people (None where not counted)."""

    key: str
    label: str
    households: int = 0
    people: int | None = None
    #: The household list of this figure (set by the page that shows it).
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": str(self.label), "households": self.households, "people": self.people}


def _fig(key: str, label: Any, households: int = 0, people: int | None = 0) -> Fig:
    return Fig(key=key, label=str(label), households=households or 0,
               people=None if people is None else int(people or 0))


def _scoped(user: User | AnonymousUser, area: Area) -> QuerySet[Household]:
    return household_scope(user).filter(area_path__subtree=area.path)


def _then_sql(user: User | AnonymousUser, area: Area, on: datetime.date) -> tuple[str, list[Any]]:
    """The households of the area in the user's scope as they stood at the end of ``on``, as SQL rows
    (id, area_path, main_cause, attribute, st, ppl): one pass over the area's status history (its last
    change up to the date, by a window function) and one over its members, joined: the same definitions
    as ``_status_then``/``_present_then_q`` (tests/monitoring/test_figures_reconcile.py checks both
    agree), without a subquery per household."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connection

    households = _scoped(user, area)
    try:
        households.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # a scope with no household at all (Django will not write its SQL): none, in SQL
        households = Household.objects.filter(pk__lt=0)
    scope = households.annotate(
        registered_plus=ExpressionWrapper(F("created_at") + datetime.timedelta(days=1), output_field=DateTimeField()))
    h_sql, h_params = (scope.order_by().values("id", "area_path", "main_cause", "attribute", "registered_plus")
                       .query.sql_with_params())
    ids_sql, ids_params = households.order_by().values("id").query.sql_with_params()
    cutoff = timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time()))
    if connection.vendor == "sqlite":  # stored as text in UTC, compared as text
        cutoff = cutoff.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")
    members = f"""
        LEFT JOIN (SELECT mm.household_id, COUNT(*) AS n
                   FROM registry_member mm JOIN ({h_sql}) hh ON hh.id = mm.household_id
                   WHERE (mm.active OR mm.removed_on > %s)
                     AND (mm.created_at < %s OR mm.created_at < hh.registered_plus)
                   GROUP BY mm.household_id) m ON m.household_id = h.id"""
    if connection.vendor == "postgresql":
        # The last change of each household through its index (household_id), not a scan of the whole
        # history: LATERAL … LIMIT 1 per household of the area.
        sql = f"""
            SELECT h.id, h.area_path, h.main_cause, h.attribute, s.to_status AS st, COALESCE(m.n, 0) AS ppl
            FROM ({h_sql}) h
            CROSS JOIN LATERAL (SELECT sc.to_status FROM registry_statuschange sc
                                WHERE sc.household_id = h.id AND sc.date <= %s
                                ORDER BY sc.date DESC, sc.id DESC LIMIT 1) s
            {members}"""
        return sql, [*h_params, on, *h_params, on, cutoff]
    sql = f"""
        SELECT h.id, h.area_path, h.main_cause, h.attribute, s.to_status AS st, COALESCE(m.n, 0) AS ppl
        FROM ({h_sql}) h
        JOIN (SELECT x.household_id, x.to_status FROM (
                SELECT sc.household_id, sc.to_status,
                       ROW_NUMBER() OVER (PARTITION BY sc.household_id ORDER BY sc.date DESC, sc.id DESC) AS rn
                FROM registry_statuschange sc
                WHERE sc.date <= %s AND sc.household_id IN ({ids_sql})) x WHERE x.rn = 1) s ON s.household_id = h.id
        {members}"""
    return sql, [*h_params, on, *ids_params, *h_params, on, cutoff]


def main_groups(user: User | AnonymousUser, area: Area, on: datetime.date | None,
                child_length: int | None) -> list[dict[str, Any]]:
    """The one grouped query behind status, causes, attributes, coverage and the children's rows:
    households and people by (child prefix, status, cause, attribute, paired) as of ``on``."""
    if on is not None:
        from django.db import connection

        then, params = _then_sql(user, area, on)
        prefix = "SUBSTR(t.area_path, 1, %s)" if child_length else "''"
        sql = f"""
            SELECT {prefix} AS prefix, t.st, t.main_cause, t.attribute,
                   EXISTS (SELECT 1 FROM assistance_pairing p WHERE p.household_id = t.id AND p.start <= %s
                           AND (p."end" IS NULL OR p."end" > %s)) AS paired,
                   COUNT(*) AS h, SUM(t.ppl) AS p
            FROM ({then}) t GROUP BY 1, 2, 3, 4, 5"""
        with connection.cursor() as cursor:
            cursor.execute(sql, [*([child_length] if child_length else []), on, on, *params])
            names = [c[0] for c in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        return [{**r, "paired": bool(r["paired"]), "h": int(r["h"]), "p": int(r["p"] or 0)} for r in rows]
    qs = households_then(_scoped(user, area), on)
    paired = Exists(Pairing.objects.ongoing(on).filter(household_id=OuterRef("pk")))
    qs = qs.annotate(paired=paired, prefix=Substr("area_path", 1, child_length) if child_length else Value(""))
    return [{**r, "p": int(r["p"] or 0)} for r in qs.values("prefix", "st", "main_cause", "attribute", "paired")
            .annotate(h=Count("id"), p=Sum("ppl")).order_by()]


def _prefix(field: str, length: int | None) -> Any:
    """The area breakdown's key: the first ``length`` characters of ``field`` ('' for none)."""
    return Substr(field, 1, length) if length else Value("")


def _exit_rows(user: User | AnonymousUser, area: Area, on: datetime.date | None,
               length: int | None) -> list[dict[str, Any]]:
    qs = StatusChange.objects.filter(policy.household_q(user), household__area_path__subtree=area.path,
                                     to_status__in=[Status.EXITED, Status.RETURNED])
    if on is not None:
        qs = qs.filter(date__lte=on)
    rows = (qs.annotate(prefix=_prefix("household__area_path", length)).values("prefix", "date__year", "to_status")
            .annotate(h=Count("household_id", distinct=True), p=Sum(Coalesce("member_count", "household__member_count")))
            .order_by("date__year"))
    return [{**r, "p": int(r["p"] or 0)} for r in rows]


def _monitor_rows(user: User | AnonymousUser, area: Area, on: datetime.date | None,
                  child_length: int | None) -> dict[str, list[dict[str, Any]]]:
    """Monitoring objects enrolled as of ``on`` of the area's households (by the household's area
    today, as the household list counts them): households and their people as of ``on``, by kind, by
    main risk, by child area and in all, each household once per group (one row per object read; a
    county has hundreds, and the province's are summed from its counties' rollups)."""
    enrolled, state = _monitor_then(on)
    people = F("household__member_count") if on is None else _people_then(on, "household__")
    qs = (MonitoringObject.objects.filter(policy.household_q(user), enrolled, household__area_path__startswith=area.path)
          .annotate(st=state, risk0=KeyTextTransform("0", "risk_types"), ppl=people,
                    prefix=_prefix("household__area_path", child_length)))
    groups = {"kinds": ("prefix", "kind", "st"), "risks": ("prefix", "risk0", "st"), "totals": ("prefix", "st")}
    seen: dict[str, dict[tuple, dict[int, int]]] = {name: {} for name in groups}
    for r in qs.values("household_id", "kind", "st", "risk0", "prefix", "ppl").order_by():
        for name, fields in groups.items():
            seen[name].setdefault(tuple(r[f] for f in fields), {})[r["household_id"]] = int(r["ppl"] or 0)
    return {name: [{**dict(zip(fields, key, strict=True)), "h": len(hs), "p": sum(hs.values())}
                   for key, hs in seen[name].items()] for name, fields in groups.items()}


def _registered_pks(user: User | AnonymousUser, area: Area, on: datetime.date | None) -> QuerySet:
    qs = _scoped(user, area)
    if on is None:
        return counts.in_register(qs).values("pk")
    from django.db.models.expressions import RawSQL

    then, params = _then_sql(user, area, on)
    return RawSQL(f"SELECT t.id FROM ({then}) t WHERE t.st <> %s", [*params, Status.CANCELLED.value])


def _records(user: User | AnonymousUser, area: Area, on: datetime.date | None) -> QuerySet[YearlyRecord]:
    if on is None:
        # Current: a join on the household (no subquery), the same households as _register_q(None).
        return YearlyRecord.objects.filter(policy.household_q(user), counts.in_register_q("household__"),
                                           household__area_path__startswith=area.path)
    return YearlyRecord.objects.filter(household_id__in=_registered_pks(user, area, on), year__lte=on.year)


def _income_rows(user: User | AnonymousUser, area: Area, on: datetime.date | None,
                 length: int | None) -> list[dict[str, Any]]:
    """Yearly records of the registered households by year and income band (-1: no band), with their
    people, net income (a decimal, as text: sums of sums stay exact) and the households and people whose
    each 两不愁三保障 indicator is 否: one grouped query. Every year is kept (not only the one shown), so
    that an area's rows are the sum of its children's: the year shown, the growth and the bands are
    worked out from the sums (``_income``)."""
    from django.db.models import Case, When
    band = Case(*[When(_band_q(lo, hi), then=Value(i)) for i, (lo, hi) in enumerate(INCOME_BANDS)],
                default=Value(-1), output_field=IntegerField())
    aggs: dict[str, Any] = {"h": Count("id"), "p": Sum("member_count"), "total": Sum("net_income")}
    for name, _label, field in GAPS:
        aggs[f"gap_{name}"] = Count("id", filter=Q(**{field: False}))
        aggs[f"gap_{name}_p"] = Sum("member_count", filter=Q(**{field: False}))
    rows = list(_records(user, area, on).annotate(band=band, prefix=_prefix("household__area_path", length))
                .values("prefix", "year", "band").annotate(**aggs).order_by())
    for r in rows:
        r["total"] = str(r["total"] or 0)
        for key in r:
            if key.endswith("_p") or key == "p":
                r[key] = int(r[key] or 0)
    return rows


def _income(raw: dict[str, Any]) -> dict[str, Any]:
    """Growth, the year shown, its bands and gaps from the sums by year ("years": households, people,
    net income, gaps) and by year and band ("bands")."""
    growth_rows = sorted(({**r, "total": Decimal(r["total"])} for r in raw["years"]), key=lambda r: r["year"])
    # The last year whose records are in: at least half as many as the best-covered year (the current
    # year's records trickle in until its end; a handful would make a distribution of nothing).
    most = max((r["h"] for r in growth_rows), default=0)
    complete = [r for r in growth_rows if r["h"] * 2 >= most]
    year = complete[-1]["year"] if complete else None
    growth = [{"year": r["year"], "households": r["h"],
               "per_capita": round(r["total"] / r["p"]) if r["p"] else None, "growth": None}
              for r in growth_rows if year is not None and r["year"] <= year]
    for prev, cur in zip(growth, growth[1:], strict=False):
        if prev["per_capita"] and cur["per_capita"] is not None:
            cur["growth"] = round((cur["per_capita"] / prev["per_capita"] - 1) * 100, 1)
    if year is None:
        return {"year": None, "bands": [], "growth": growth, "gaps": []}
    rows = [r for r in growth_rows if r["year"] == year]
    in_year = [r for r in raw["bands"] if r["year"] == year]
    bands = []
    for i, (lo, hi) in enumerate(INCOME_BANDS):
        r = [x for x in in_year if x["band"] == i]
        bands.append(_fig(f"inc:{year}:{i}", band_label(lo, hi), sum(x["h"] for x in r), sum(x["p"] for x in r)))
    gaps = [_fig(f"gap:{year}:{name}", label, sum(r[f"gap_{name}"] for r in rows),
                 sum(r[f"gap_{name}_p"] for r in rows)) for name, label, _f in GAPS]
    return {"year": year, "bands": bands, "growth": growth, "gaps": gaps}


def targets(area: Area) -> dict[int, dict[str, Decimal]]:
    """The area's own targets: {year: {kind: value}} (not summed from the areas below: a county sets its
    own quota, a township its share)."""
    out: dict[int, dict[str, Decimal]] = {}
    for t in Target.objects.filter(area=area):
        out.setdefault(t.year, {})[t.kind] = t.value
    return out


def _compact(rows: list[dict[str, Any]], *fields: str) -> list[dict[str, Any]]:
    """``rows`` added up by ``fields`` only (one pass): the figures then sum a handful of rows, not the
    thousands a province's groups hold."""
    out: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = tuple(r[f] for f in fields)
        row = out.get(key)
        if row is None:
            out[key] = row = {**dict(zip(fields, key, strict=True)), "h": 0, "p": 0}
        row["h"] += r["h"]
        row["p"] += r["p"] or 0
    return list(out.values())


def _sum(rows: list[dict[str, Any]], **match: Any) -> tuple[int, int]:
    h = p = 0
    for r in rows:
        if all((r[k] in v) if isinstance(v, set | frozenset | tuple | list) else r[k] == v for k, v in match.items()):
            h += r["h"]
            p += r["p"] or 0
    return h, p


def _add(rows: list[dict[str, Any]], fields: tuple[str, ...], sums: tuple[str, ...]) -> list[dict[str, Any]]:
    """``rows`` added up by ``fields``: the ``sums`` summed ("total", a decimal as text, exactly)."""
    out: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = tuple(r[f] for f in fields)
        row = out.get(key)
        if row is None:
            out[key] = row = {**dict(zip(fields, key, strict=True)), **{k: 0 for k in sums}}
        for k in sums:
            row[k] = str(Decimal(row[k]) + Decimal(r[k])) if k == "total" else row[k] + (r[k] or 0)
    return list(out.values())


MAIN_FIELDS = ("st", "main_cause", "attribute", "paired")
INCOME_SUMS = ("h", "p", "total", *[f"gap_{name}{p}" for name, _label, _f in GAPS for p in ("", "_p")])


def _empty_part() -> dict[str, Any]:
    return {"main": [], "exits": [], "monitor": {"kinds": [], "risks": [], "totals": []},
            "income": {"bands": [], "years": []}}


def compute_parts(*, user: User | AnonymousUser, area: Area, on: datetime.date | None,
                  length: int | None) -> dict[str, dict[str, Any]]:
    """The grouped query results every figure of a dashboard is made of, for the area's households
    broken down by the first ``length`` characters of their area path (None: not broken down): {prefix:
    part}. A part holds only counts and sums per key (households, people, net income) over households
    that are each in one area, so the part of an area is the sum of the parts of the areas it holds
    (``combine``). JSON-able: the rollups store them (fupin.monitoring.rollups)."""
    from fupin.identification.exitcheck import without_jit

    # Grouped queries with high cost estimates: PostgreSQL's JIT compiles longer than they run.
    with without_jit():
        main = main_groups(user, area, on, length)
        exits = _exit_rows(user, area, on, length)
        mon = _monitor_rows(user, area, on, length)
        income = _income_rows(user, area, on, length)
    parts: dict[str, dict[str, Any]] = {}

    def part(prefix: str) -> dict[str, Any]:
        return parts.setdefault(prefix, _empty_part())

    for r in main:
        part(r.pop("prefix"))["main"].append(r)
    for r in exits:
        part(r.pop("prefix"))["exits"].append(r)
    for name, rows in mon.items():
        for r in rows:
            part(r.pop("prefix"))["monitor"][name].append(r)
    for r in income:
        # By band only households and people (the distribution); the rest by year.
        income_part = part(r.pop("prefix"))["income"]
        income_part["bands"].append({"year": r["year"], "band": r["band"], "h": r["h"], "p": r["p"]})
        income_part["years"].append(r)
    for p in parts.values():
        p["main"] = _compact(p["main"], *MAIN_FIELDS)
        p["income"]["years"] = _add(p["income"]["years"], ("year",), INCOME_SUMS)
    return parts


def combine(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The sum of ``parts`` (the part of the areas they are of, together)."""
    mon = [p["monitor"] for p in parts]
    return {
        "main": _compact([r for p in parts for r in p["main"]], *MAIN_FIELDS),
        "exits": _add([r for p in parts for r in p["exits"]], ("date__year", "to_status"), ("h", "p")),
        "monitor": {"kinds": _add([r for m in mon for r in m["kinds"]], ("kind", "st"), ("h", "p")),
                    "risks": _add([r for m in mon for r in m["risks"]], ("risk0", "st"), ("h", "p")),
                    "totals": _add([r for m in mon for r in m["totals"]], ("st",), ("h", "p"))},
        "income": {"bands": _add([r for p in parts for r in p["income"]["bands"]], ("year", "band"), ("h", "p")),
                   "years": _add([r for p in parts for r in p["income"]["years"]], ("year",), INCOME_SUMS)},
    }


def build(parts: dict[str, dict[str, Any]], children: list[str] | None = None) -> dict[str, Any]:
    """An area's raw figures from the parts of what it holds ({path or prefix: part}): their sum, and
    the breakdown by ``children`` (paths of one length; None: by the parts' own keys). A part under no
    child (households registered at the area itself) counts in the sum, in no child's row."""
    if children is None:
        by_child = {path: [p] for path, p in parts.items()}
    else:
        length = len(children[0]) if children else 0
        by_child = {c: [] for c in children}
        for path, p in parts.items():
            if path[:length] in by_child:
                by_child[path[:length]].append(p)
    raw = combine(list(parts.values()))
    sums = {c: combine(ps) if len(ps) != 1 else ps[0] for c, ps in by_child.items() if ps}
    raw["child_main"] = [{**r, "prefix": c} for c, p in sums.items() for r in _compact(p["main"], "st")]
    raw["monitor"]["children"] = [{**r, "prefix": c} for c, p in sums.items() for r in p["monitor"]["totals"]]
    return raw


def compute_raw(*, user: User | AnonymousUser, area: Area, on: datetime.date | None,
                child_length: int | None) -> dict[str, Any]:
    """The raw figures of an area, computed live, broken down by the areas whose paths are
    ``child_length`` long."""
    return build(compute_parts(user=user, area=area, on=on, length=child_length))


def dashboard(*, user: User | AnonymousUser, area: Area, on: datetime.date | None = None,
              children: list[Area] | None = None) -> dict[str, Any]:
    """Every figure of the area's dashboard as of ``on`` (None: today). ``children``: the areas of the
    level below to break the figures down by (already scoped by the caller)."""
    children = children or []
    length = len(children[0].path) if children else None
    from .rollups import raw_figures

    raw = raw_figures(user=user, area=area, on=on, child_length=length)
    rows = raw["main"]
    register = set(REGISTER_STATUSES)
    by_st = _compact(rows, "st")
    by_cause, by_attr = _compact(rows, "st", "main_cause"), _compact(rows, "st", "attribute")
    by_paired, by_child = _compact(rows, "st", "paired"), raw["child_main"]
    reg_h, reg_p = _sum(by_st, st=register)
    poor_h, poor_p = _sum(by_st, st=set(NOT_EXITED_STATUSES))
    ex_h, ex_p = _sum(by_st, st=set(EXITED_STATUSES))
    paired_h, paired_p = _sum(by_paired, st=register, paired=True)
    mon = raw["monitor"]
    mon_tot = {r["st"]: (r["h"], r["p"]) for r in mon["totals"]}
    show_incidence = policy.sees_incidence(user)
    rural = area.rural_population if show_incidence else None
    headline = {
        "households": _fig("reg", _("在册户"), reg_h, reg_p),
        "poor": _fig("poor", _("未脱贫"), poor_h, poor_p),
        "exited": _fig("exited", _("已脱贫"), ex_h, ex_p),
        "at_risk": _fig("mon:any:at_risk", _("监测对象（风险未消除）"), *mon_tot.get(ObjectState.AT_RISK, (0, 0))),
        "cleared": _fig("mon:any:cleared", _("监测对象（风险已消除）"), *mon_tot.get(ObjectState.CLEARED, (0, 0))),
        "paired": _fig("paired", _("有帮扶责任人"), paired_h, paired_p),
    }
    incidence = round(poor_p / rural * 100, 2) if rural else None
    status = [_fig(f"status:{s.value}", s.label, *_sum(by_st, st=s.value)) for s in Status]
    causes = sorted((_fig(f"cause:{c.value}", c.label, *_sum(by_cause, st=register, main_cause=c.value)) for c in Cause),
                    key=lambda f: -f.households)
    attributes = [_fig(f"attr:{a.value}", a.label, *_sum(by_attr, st=register, attribute=a.value)) for a in Attribute]
    coverage = [headline["paired"],
                _fig("unpaired", _("无帮扶责任人"), *_sum(by_paired, st=register, paired=False))]
    # Exits and returns by year, against the area's targets.
    ex_rows = raw["exits"]
    goals = targets(area)
    years = sorted({r["date__year"] for r in ex_rows} | set(goals))
    if on is not None:
        years = [y for y in years if y <= on.year]
    exits = []
    for y in years:
        e = next((r for r in ex_rows if r["date__year"] == y and r["to_status"] == Status.EXITED), None)
        b = next((r for r in ex_rows if r["date__year"] == y and r["to_status"] == Status.RETURNED), None)
        g = goals.get(y, {})
        exits.append({"year": y,
                      "exits": _fig(f"exit:{y}", _("%s 年脱贫") % y, e["h"] if e else 0, e["p"] if e else 0),
                      "returns": _fig(f"return:{y}", _("%s 年返贫") % y, b["h"] if b else 0, b["p"] if b else 0),
                      "target_households": g.get(TargetKind.EXIT_HOUSEHOLDS),
                      "target_people": g.get(TargetKind.EXIT_PEOPLE),
                      "return_cap": g.get(TargetKind.RETURN_CAP)})
    kinds = [{"kind": k.value, "label": str(k.label),
              **{st.value: _fig(f"mon:{k.value}:{st.value}", f"{k.label}（{st.label}）",
                                *_sum(mon["kinds"], kind=k.value, st=st.value)) for st in MONITOR_STATES}}
             for k in ObjectKind]
    risks = [{"risk": r.value, "label": str(r.label),
              **{st.value: _fig(f"risk:{r.value}:{st.value}", f"{r.label}（{st.label}）",
                                *_sum(mon["risks"], risk0=r.value, st=st.value)) for st in MONITOR_STATES}}
             for r in RiskType]
    income = _income(raw["income"])
    gaps = income["gaps"]
    child_rows = []
    for child in children:
        cr = [r for r in by_child if r["prefix"] == child.path]
        h, p = _sum(cr, st=register)
        ph, pp = _sum(cr, st=set(NOT_EXITED_STATUSES))
        eh, ep = _sum(cr, st=set(EXITED_STATUSES))
        at_risk = _sum(mon["children"], prefix=child.path, st=ObjectState.AT_RISK.value)
        c_rural = child.rural_population if show_incidence else None
        child_rows.append({
            "area": child, "households": _fig("reg", _("在册户"), h, p), "poor": _fig("poor", _("未脱贫"), ph, pp),
            "exited": _fig("exited", _("已脱贫"), eh, ep),
            "at_risk": _fig("mon:any:at_risk", _("监测对象（风险未消除）"), *at_risk),
            "incidence": round(pp / c_rural * 100, 2) if c_rural else None,
            "progress": round(ep / p * 100, 1) if p else None,
            "status": [_fig(f"status:{s.value}", s.label, *_sum(cr, st=s.value)) for s in Status],
        })
    return {"area": area, "on": on, "headline": headline, "incidence": incidence, "rural_population": rural,
            "status": status, "causes": causes, "attributes": attributes, "coverage": coverage, "exits": exits,
            "monitoring": {"kinds": kinds, "risks": [r for r in risks if any(r[s].households for s in MONITOR_STATES)]},
            "income": income, "gaps": gaps, "children": child_rows}


def all_figures(data: dict[str, Any]) -> list[Fig]:
    """Every clickable figure of a dashboard (for the reconciliation test and the API)."""
    out = list(data["headline"].values()) + data["status"] + data["causes"] + data["attributes"] + data["coverage"]
    for e in data["exits"]:
        out += [e["exits"], e["returns"]]
    for k in data["monitoring"]["kinds"] + data["monitoring"]["risks"]:
        out += [k[s] for s in MONITOR_STATES]
    out += data["income"]["bands"] + data["gaps"]
    return out


def year_ends() -> list[datetime.date]:
    """The year ends offered by the date picker: last year's back to the register's first year (the
    whole register's range, cached: it says nothing about any household)."""
    from django.core.cache import cache

    from fupin.registry.selectors import register_year_range

    lo, _hi = cache.get_or_set("fupin:register-years", register_year_range, 600)
    today = timezone.localdate()
    return [datetime.date(y, 12, 31) for y in range(today.year - 1, lo - 1, -1)]


def list_filter(params: Any) -> tuple[str, datetime.date | None] | None:
    """The figure a household list was opened from (``?fig=KEY&on=DATE``), checked; None when there is
    none or it is not a figure (then the list shows what its other filters say)."""
    key = params.get("fig", "")
    if not key:
        return None
    try:
        on = parse_on(params.get("on"))
        household_q(key, on)
    except BadKey:
        return None
    return key, on


def list_note(key: str, on: datetime.date | None) -> str:
    """The list's note when opened from a figure: what it counts, and as of when."""
    label = key_label(key)
    return _("看板数据：%(f)s，截至 %(d)s") % {"f": label, "d": on.isoformat()} if on else _("看板数据：%s") % label


def measures_by_sector(*, user: User | AnonymousUser, area: Area, year: int,
                       on: datetime.date | None = None) -> list[dict[str, Any]]:
    """帮扶措施 of a year by sector: measures, households helped (a figure: ``measure:SECTOR:YEAR``) and
    amounts, up to ``on`` when given."""
    qs = Measure.objects.filter(policy.household_q(user, "object__household"), object__area_path__startswith=area.path,
                                date__year=year)
    if on is not None:
        qs = qs.filter(date__lte=on)
    got = {r["sector"]: r for r in qs.values("sector").annotate(
        n=Count("id"), h=Count("object__household_id", distinct=True), amount=Sum("amount")).order_by()}
    out = []
    for sector in Sector:
        r = got.get(sector.value, {})
        out.append({"sector": sector.value, "label": str(sector.label), "measures": r.get("n", 0),
                    "amount": r.get("amount") or Decimal(0),
                    "fig": _fig(f"measure:{sector.value}:{year}", sector.label, r.get("h", 0), None)})
    return out
