"""The reconciliation of a year (动态调整对账, issue 13 item 5): for an area and a year,

    年初 start + 新识别 entered − 脱贫 exited − 清退 removed + 返贫 returned = 年末 end

by households and by people, read from the status history (registry.StatusChange) alone, so that every
figure is the length of a list a person can open (:func:`rows`).

* **start** — households whose status at the end of the previous year (their last status change dated on
  or before 31 December of year−1) is 贫困户(未脱贫) or 返贫 (registry NOT_EXITED_STATUSES); **end** — the
  same at 31 December of the year, or today while the year runs.
* **flows** — every status change dated in the year (1 January to the end date) that crosses the boundary
  of those statuses, judged against the household's *previous* recorded status (not the change's own
  "from", so the identity holds even where an old import left a gap in the chain): into them — 返贫 when
  the new status is 返贫, else 新识别; out of them — 清退 when the new status is 注销, else 脱贫. A household
  with two crossings in a year is in two lists (e.g. 脱贫 then 返贫).
* **people** — the household size each status change recorded (StatusChange.member_count): a stock counts
  the size of the household's last change; a flow into the stock counts the size its own change recorded;
  a flow out counts the size the household was counted with while in the stock (its previous change's).
  So each figure's people are the sum of its list's 人口 column and the identity holds for people too.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fupin.registry.choices import NOT_EXITED_STATUSES, Status
from fupin.registry.models import Household, StatusChange

if TYPE_CHECKING:
    from fupin.areas.models import Area

POOR = sorted(NOT_EXITED_STATUSES)
STOCKS = ("start", "end")
FLOWS = ("entered", "exited", "removed", "returned")
LABELS = {"start": _("年初未脱贫"), "entered": _("新识别"), "exited": _("脱贫"), "removed": _("清退（注销）"),
          "returned": _("返贫"), "end": _("年末未脱贫")}
SIGNS = {"start": "", "entered": "+", "exited": "−", "removed": "−", "returned": "+", "end": "="}
ORDER = ("start", "entered", "exited", "removed", "returned", "end")

#: Which changes each flow counts (over the annotations of :func:`changes`).
FLOW_Q = {
    "entered": ~Q(prev_status__in=POOR) & Q(to_status__in=POOR) & ~Q(to_status=Status.RETURNED),
    "returned": ~Q(prev_status__in=POOR) & Q(to_status=Status.RETURNED),
    "exited": Q(prev_status__in=POOR) & ~Q(to_status__in=POOR) & ~Q(to_status=Status.CANCELLED),
    "removed": Q(prev_status__in=POOR) & Q(to_status=Status.CANCELLED),
}
#: The people column of each flow: the change's own size into the stock, the previous size out of it.
FLOW_PEOPLE = {"entered": "people_now", "returned": "people_now", "exited": "prev_people", "removed": "prev_people"}


def period(year: int, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(the day the start is taken, the first day of the flows, the day the end is taken)."""
    today = today or timezone.localdate()
    return datetime.date(year - 1, 12, 31), datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)


def _last(day: datetime.date, field: str) -> Subquery:
    return Subquery(StatusChange.objects.filter(household=OuterRef("pk"), date__lte=day)
                    .order_by("-date", "-id").values(field)[:1])


def stock(area: Area, day: datetime.date) -> QuerySet[Household]:
    """Households of ``area`` whose last recorded status on ``day`` is not exited, with ``people``."""
    return (Household.objects.filter(area_path__startswith=area.path)
            .annotate(rec_status=_last(day, "to_status"),
                      people=Coalesce(_last(day, "member_count"), Value(0), output_field=IntegerField()))
            .filter(rec_status__in=POOR))


def changes(area: Area, first: datetime.date, last: datetime.date) -> QuerySet[StatusChange]:
    """The status changes of ``area``'s households dated from ``first`` to ``last``, each with the
    household's previous recorded status and size (``prev_status``, ``prev_people``) and its own size."""
    previous = (StatusChange.objects.filter(household=OuterRef("household_id"))
                .filter(Q(date__lt=OuterRef("date")) | Q(date=OuterRef("date"), pk__lt=OuterRef("pk")))
                .order_by("-date", "-id"))
    return (StatusChange.objects.filter(household__area_path__startswith=area.path, date__gte=first, date__lte=last)
            .annotate(prev_status=Coalesce(Subquery(previous.values("to_status")[:1]), Value("")),
                      prev_people=Coalesce(Subquery(previous.values("member_count")[:1]), Value(0),
                                           output_field=IntegerField()),
                      people_now=Coalesce("member_count", Value(0), output_field=IntegerField())))


def rows(area: Area, year: int, figure: str, today: datetime.date | None = None) -> QuerySet:
    """The list a figure summarises: households (start, end) or status changes (the flows), each with
    ``people``; the figure is its length and its people the sum of ``people``."""
    at_start, first, at_end = period(year, today)
    if figure == "start":
        return stock(area, at_start).select_related("area").order_by("number")
    if figure == "end":
        return stock(area, at_end).select_related("area").order_by("number")
    if figure not in FLOWS:
        raise ValueError(figure)
    return (changes(area, first, at_end).filter(FLOW_Q[figure]).annotate(people=F(FLOW_PEOPLE[figure]))
            .select_related("household", "household__area").order_by("date", "household__number", "id"))


@dataclasses.dataclass(frozen=True)
class Figure:
    key: str
    label: str
    sign: str
    households: int
    people: int


@dataclasses.dataclass(frozen=True)
class Reconciliation:
    area: Area
    year: int
    start_day: datetime.date
    end_day: datetime.date
    figures: list[Figure]

    def get(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def computed_end(self, what: str) -> int:
        g = {f.key: getattr(f, what) for f in self.figures}
        return g["start"] + g["entered"] - g["exited"] - g["removed"] + g["returned"]

    @property
    def balanced(self) -> bool:
        end = self.get("end")
        return self.computed_end("households") == end.households and self.computed_end("people") == end.people


def reconcile(area: Area, year: int, today: datetime.date | None = None) -> Reconciliation:
    """Every figure, by households and by people (seven queries: two stocks, four flows)."""
    at_start, _first, at_end = period(year, today)
    figures = []
    for key in ORDER:
        qs = rows(area, year, key, today).order_by()
        totals = qs.aggregate(n=Count("pk"), p=Sum("people"))
        figures.append(Figure(key=key, label=str(LABELS[key]), sign=SIGNS[key], households=totals["n"] or 0,
                              people=totals["p"] or 0))
    return Reconciliation(area=area, year=year, start_day=at_start, end_day=at_end, figures=figures)


def as_text(rec: Reconciliation) -> str:
    """The reconciliation as lines for the command line."""
    lines = [gettext("%(a)s %(y)d 年对账（%(s)s → %(e)s）") % {
        "a": rec.area.name, "y": rec.year, "s": rec.start_day.isoformat(), "e": rec.end_day.isoformat()},
        f"{'':14}{gettext('户'):>10}{gettext('人'):>10}"]
    for f in rec.figures:
        lines.append(f"{f.sign:2}{f.label:{'　'}<8}{f.households:>10,}{f.people:>10,}")
    lines.append(gettext("核对：年初 + 新识别 − 脱贫 − 清退 + 返贫 = %(h)s 户 / %(p)s 人（%(c)s）") % {
        "h": f"{rec.computed_end('households'):,}", "p": f"{rec.computed_end('people'):,}",
        "c": gettext("平衡") if rec.balanced else gettext("不平衡")})
    return "\n".join(lines)
