"""Alerts of projects and funds (issue 16 item 4): the slips assessors find, each with who must act (owner) and
by when (deadline), listed by area. Six alerts, each ONE set-based query over what the user sees (the scoped
selectors), the thresholds as data (rules.RULE_DEFAULTS, ProjectRule rows per area: the most specific area
wins — turned into one filter by thresholds_pub16.dated_q, not a query per area):

* ``stuck_funds`` 资金滞留: an allocation not fully paid out ``stuck_days`` after it reached the level holding
  it (Allocation.area: the county, or a township — "funds stuck at township level"); owner: that level;
  deadline: allocated_on + stuck_days.
* ``behind_schedule`` 项目进度滞后: a planned or implementing project ``behind_days`` (0) past its planned end
  (ends_on) and not finished; owner: its lead department (else its implementer, else its area); deadline:
  ends_on + behind_days.
* ``acceptance_late`` 验收滞后: a project not accepted ``acceptance_days`` after it was finished (or, not
  finished, after its planned end); owner: the lead department (验收 is the department's or the county's);
  deadline: finished_on (else ends_on) + acceptance_days.
* ``subsidy_unpaid`` 补助未按时发放: a household subsidy batch still a draft ``subsidy_days`` after it was
  drawn up; owner: the level paying it (SubsidyBatch.area); deadline: drawn_on + subsidy_days.
* ``undisclosed`` 资金分配未公开: an allocation on no 资金分配公告 (of its document or its project, not withdrawn,
  starting on or after the allocation) ``disclose_days`` after it was made; owner: the county office that
  allocated it; deadline: allocated_on + disclose_days.
* ``negative_use`` 负面清单: a payment whose purpose names a use of the negative list (NegativeUse keywords,
  the entries of the item's area or everywhere); owner: the project's lead (else its area); deadline: the
  payment's date — it is due at once (追回/纠正).

``report(user, area)`` gives every alert's items under ``area``; the page counts them per child area.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db.models import DecimalField, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors
from .models import Disclosure, DisclosureKind, NegativeUse
from .rules import BatchStatus, Stage
from .thresholds_pub16 import dated_q, segments, value_for

if TYPE_CHECKING:
    from fupin.areas.models import Area

ZERO_MONEY = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
OPEN_STAGES = (Stage.PLANNED, Stage.IMPLEMENTING)
PK_MARK = 987654321


@dataclass(frozen=True)
class Alert:
    key: str
    label: Any
    help: Any


ALERTS: tuple[Alert, ...] = (
    Alert("stuck_funds", gettext_lazy("资金滞留"), gettext_lazy("已分配资金超过期限未支付完毕（按资金所在级次）")),
    Alert("behind_schedule", gettext_lazy("进度滞后"), gettext_lazy("超过计划完工日期（及宽限天数）仍未完工的项目")),
    Alert("acceptance_late", gettext_lazy("验收滞后"), gettext_lazy("完工（或计划完工）后超过期限未验收的项目")),
    Alert("subsidy_unpaid", gettext_lazy("补助未按时发放"), gettext_lazy("造册后超过期限仍未发放的到户补助批次")),
    Alert("undisclosed", gettext_lazy("资金分配未公开"), gettext_lazy("分配后超过期限未发布资金分配公告")),
    Alert("negative_use", gettext_lazy("负面清单"), gettext_lazy("支付用途触及资金使用负面清单")),
)
BY_KEY = {a.key: a for a in ALERTS}


@dataclass
class Item:
    """One finding: where (``path``, the area it is counted under), what, how much, who acts, by when."""

    key: str
    path: str
    place: str
    subject: str
    detail: str
    amount: Decimal | None
    owner: str
    deadline: datetime.date
    overdue: int = 0
    url: str = ""
    extra: dict = field(default_factory=dict)


@lru_cache(maxsize=8)
def _url_pattern(name: str) -> str | None:
    """The URL of ``name`` with ``{pk}`` for its one argument, None when there is no such page (reverse is
    slow, a failing one slower still: once per name, not once per item)."""
    try:
        return reverse(name, args=[PK_MARK]).replace(str(PK_MARK), "{pk}")
    except NoReverseMatch:
        return None


def _url(name: str, pk: int) -> str:
    """A page of another part (the library's project page), if it exists at merge."""
    pattern = _url_pattern(name)
    return pattern.format(pk=pk) if pattern else ""


def _level_owner(name: str, level: str) -> str:
    if level == "township":
        return _("%(n)s人民政府") % {"n": name}
    if level == "county":
        return _("%(n)s财政局、扶贫办") % {"n": name}
    return name


def _lead(row: dict) -> str:
    return row.get("project__lead__name") or row.get("lead__name") or row.get("project__implementer") \
        or row.get("implementer") or row.get("project__area__name") or row.get("area__name") or ""


def _of(rows: Any, name: str, project: int | None) -> Any:
    """``rows`` of one project only (a project's page lists its own slips), else all of them."""
    return rows.filter(**{name: project}) if project is not None else rows


def _item(key: str, today: datetime.date, deadline: datetime.date, **kw: Any) -> Item:
    return Item(key=key, deadline=deadline, overdue=max((today - deadline).days, 0), **kw)


def stuck_funds(user: Any, area: Area, today: datetime.date, project: int | None = None) -> list[Item]:
    segs = segments("stuck_days")
    rows = (_of(selectors.allocations_for(user), "project_id", project).filter(area_path__startswith=area.path)
            .annotate(paid=Coalesce(Sum("payments__amount"), ZERO_MONEY)).filter(paid__lt=F("amount"))
            .filter(dated_q(segs, "area_path", "allocated_on", today))
            .values("pk", "amount", "paid", "allocated_on", "area_path", "area__name", "area__level", "project_id",
                    "project__code", "project__name", "document__number"))
    out = []
    for r in rows:
        days = value_for(r["area_path"], segs)
        out.append(_item("stuck_funds", today, r["allocated_on"] + datetime.timedelta(days=days),
                         path=r["area_path"], place=r["area__name"],
                         subject=f'{r["project__code"]} {r["project__name"]}',
                         detail=_("%(d)s 分配 %(a)s 元，已支付 %(p)s 元，滞留 %(s)s 元（%(l)s）") % {
                             "d": r["document__number"], "a": r["amount"], "p": r["paid"],
                             "s": r["amount"] - r["paid"], "l": r["area__name"]},
                         amount=r["amount"] - r["paid"], owner=_level_owner(r["area__name"], r["area__level"]),
                         url=_url("projects:detail", r["project_id"]), extra={"level": r["area__level"]}))
    return out


def behind_schedule(user: Any, area: Area, today: datetime.date, project: int | None = None) -> list[Item]:
    segs = segments("behind_days")
    rows = (_of(selectors.projects_for(user), "pk", project).filter(
        area_path__startswith=area.path, stage__in=OPEN_STAGES, finished_on__isnull=True, ends_on__isnull=False)
            .filter(dated_q(segs, "area_path", "ends_on", today))
            .values("pk", "code", "name", "ends_on", "progress", "budget", "area_path", "area__name", "lead__name",
                    "implementer"))
    return [_item("behind_schedule", today, r["ends_on"] + datetime.timedelta(days=value_for(r["area_path"], segs)),
                  path=r["area_path"], place=r["area__name"],
                  subject=f'{r["code"]} {r["name"]}',
                  detail=_("计划 %(e)s 完工，形象进度 %(p)s%%") % {"e": r["ends_on"].isoformat(), "p": r["progress"]},
                  amount=r["budget"], owner=_lead(r), url=_url("projects:detail", r["pk"])) for r in rows]


def acceptance_late(user: Any, area: Area, today: datetime.date, project: int | None = None) -> list[Item]:
    segs = segments("acceptance_days")
    rows = (_of(selectors.projects_for(user), "pk", project).filter(
        area_path__startswith=area.path, stage__in=OPEN_STAGES, accepted_on__isnull=True)
            .annotate(due_from=Coalesce("finished_on", "ends_on")).filter(due_from__isnull=False)
            .filter(dated_q(segs, "area_path", "due_from", today))
            .values("pk", "code", "name", "due_from", "finished_on", "budget", "area_path", "area__name",
                    "lead__name", "implementer"))
    out = []
    for r in rows:
        days = value_for(r["area_path"], segs)
        what = _("%(d)s 完工") % {"d": r["finished_on"].isoformat()} if r["finished_on"] else \
            _("计划 %(d)s 完工") % {"d": r["due_from"].isoformat()}
        out.append(_item("acceptance_late", today, r["due_from"] + datetime.timedelta(days=days),
                         path=r["area_path"], place=r["area__name"], subject=f'{r["code"]} {r["name"]}',
                         detail=_("%(w)s，%(n)s 天内应验收") % {"w": what, "n": days}, amount=r["budget"],
                         owner=_lead(r), url=_url("projects:detail", r["pk"])))
    return out


def subsidy_unpaid(user: Any, area: Area, today: datetime.date, project: int | None = None) -> list[Item]:
    segs = segments("subsidy_days")
    rows = (_of(selectors.batches_for(user), "project_id", project).filter(area_path__startswith=area.path,
                                                                          status=BatchStatus.DRAFT)
            .filter(dated_q(segs, "area_path", "drawn_on", today))
            .values("pk", "title", "drawn_on", "total", "lines_count", "area_path", "area__name", "area__level",
                    "project_id", "project__code"))
    out = []
    for r in rows:
        days = value_for(r["area_path"], segs)
        out.append(_item("subsidy_unpaid", today, r["drawn_on"] + datetime.timedelta(days=days),
                         path=r["area_path"], place=r["area__name"], subject=r["title"],
                         detail=_("%(p)s，%(d)s 造册，%(n)s 户") % {"p": r["project__code"], "d": r["drawn_on"].isoformat(),
                                                               "n": r["lines_count"]},
                         amount=r["total"], owner=_level_owner(r["area__name"], r["area__level"]),
                         url=_url("projects:detail", r["project_id"])))
    return out


def undisclosed(user: Any, area: Area, today: datetime.date, project: int | None = None) -> list[Item]:
    segs = segments("disclose_days")
    shown = Disclosure.objects.filter(kind=DisclosureKind.ALLOCATION, withdrawn=False,
                                      starts_on__gte=OuterRef("allocated_on")).filter(
        Q(document_id=OuterRef("document_id")) | Q(project_id=OuterRef("project_id")))
    rows = (_of(selectors.allocations_for(user), "project_id", project).filter(project__area_path__startswith=area.path)
            .filter(~Exists(shown)).filter(dated_q(segs, "project__area_path", "allocated_on", today))
            .values("pk", "amount", "allocated_on", "project_id", "project__code", "project__name",
                    "project__area_path", "project__area__name", "document__number", "document__area__name"))
    out = []
    for r in rows:
        days = value_for(r["project__area_path"], segs)
        out.append(_item("undisclosed", today, r["allocated_on"] + datetime.timedelta(days=days),
                         path=r["project__area_path"], place=r["project__area__name"],
                         subject=f'{r["project__code"]} {r["project__name"]}',
                         detail=_("%(d)s 于 %(o)s 分配 %(a)s 元，未公告") % {
                             "d": r["document__number"], "o": r["allocated_on"].isoformat(), "a": r["amount"]},
                         amount=r["amount"], owner=_("%(n)s扶贫办") % {"n": r["document__area__name"]},
                         url=_url("projects:detail", r["project_id"])))
    return out


def negative_q(field_name: str, path_field: str) -> Q:
    """Rows whose ``field_name`` names a word of an active negative-list entry that applies to their area."""
    out = Q(pk__in=[])
    for entry in NegativeUse.objects.filter(active=True).select_related("area"):
        words = Q(pk__in=[])
        for word in entry.words():
            words |= Q(**{f"{field_name}__icontains": word})
        if entry.area_id:
            words &= Q(**{f"{path_field}__startswith": entry.area.path})
        out |= words
    return out


def negative_use(user: Any, area: Area, today: datetime.date, project: int | None = None) -> list[Item]:
    rows = (_of(selectors.payments_for(user), "project_id", project).filter(project__area_path__startswith=area.path)
            .filter(negative_q("purpose", "project__area_path"))
            .values("pk", "amount", "paid_on", "purpose", "payee", "project_id", "project__code", "project__name",
                    "project__area_path", "project__area__name", "project__lead__name", "project__implementer"))
    return [_item("negative_use", today, r["paid_on"], path=r["project__area_path"], place=r["project__area__name"],
                  subject=f'{r["project__code"]} {r["project__name"]}',
                  detail=_("%(d)s 支付“%(p)s”%(a)s 元（%(w)s）") % {
                      "d": r["paid_on"].isoformat(), "p": r["purpose"], "a": r["amount"], "w": r["payee"]},
                  amount=r["amount"], owner=_lead(r), url=_url("projects:detail", r["project_id"])) for r in rows]


FINDERS: dict[str, Callable[..., list[Item]]] = {
    "stuck_funds": stuck_funds, "behind_schedule": behind_schedule, "acceptance_late": acceptance_late,
    "subsidy_unpaid": subsidy_unpaid, "undisclosed": undisclosed, "negative_use": negative_use,
}


def report(*, user: Any, area: Area, today: datetime.date | None = None,
           keys: tuple[str, ...] | None = None) -> dict[str, list[Item]]:
    """Every alert's items under ``area`` that ``user`` sees, most overdue first."""
    from django.utils import timezone

    today = today or timezone.localdate()
    out = {}
    for key in keys or tuple(FINDERS):
        items = FINDERS[key](user, area, today)
        items.sort(key=lambda i: (-i.overdue, i.path, i.subject))
        out[key] = items
    return out


def for_project(*, user: Any, project: Any, today: datetime.date | None = None) -> list[tuple[Alert, Item]]:
    """The slips of one project (its page links each to the alerts page): every alert over the project's
    county (money of the project may be held at its township or the county), narrowed to the project."""
    from django.utils import timezone

    from fupin.areas.models import Area

    today = today or timezone.localdate()
    top = Area.objects.filter(path__in=[project.area_path[:n] for n in range(1, len(project.area_path) + 1)],
                              level__in=("county", "city", "province")).order_by("-path").first() or project.area
    out = []
    for alert in ALERTS:
        for item in FINDERS[alert.key](user, top, today, project.pk):
            out.append((alert, item))
    return out


def child_of(path: str, children_paths: list[str]) -> str | None:
    return next((c for c in children_paths if path.startswith(c)), None)


def counts(found: dict[str, list[Item]], children_paths: list[str]) -> dict[str | None, dict[str, int]]:
    """{child path (None: the area itself): {alert key: count}}."""
    out: dict[str | None, dict[str, int]] = {}
    for key, items in found.items():
        for item in items:
            row = out.setdefault(child_of(item.path, children_paths), {})
            row[key] = row.get(key, 0) + 1
    return out
