"""Every read of monitoring objects, measures and self-reports, scoped through the access policy (ARCHITECTURE
habit 4): an object is seen by whoever sees its household (a 帮扶责任人 the households paired to them); a
self-report by whoever's subtree holds its village. Outside scope is a 404.

Overdue (REFERENCE §7: the procedure ends within 15–20 working days, fupin.monitoring.rules): an object still
being enrolled whose discovery is older than the limit, or one whose risk elimination, opened that long ago,
is still running. The cut-off date is computed once (working days), so the filter is one indexed comparison.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Count, Min, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from fupin.accounts import policy
from fupin.identification.models import CaseKind

from . import rules
from .models import Measure, MonitoringObject, ObjectState, ReportStatus, SelfReport

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User


def objects_for(user: User | AnonymousUser | None) -> QuerySet[MonitoringObject]:
    return MonitoringObject.objects.filter(policy.household_q(user, "household"))


def object_get(user: User | AnonymousUser | None, pk: int) -> MonitoringObject:
    obj = (objects_for(user).select_related("household", "household__area", "household__area__parent",
                                            "entry_case", "clear_case", "created_by").filter(pk=pk).first())
    if obj is None:
        raise Http404
    return obj


def household_episodes(user: User | AnonymousUser | None, household: Any) -> list[MonitoringObject]:
    """The household's monitoring episodes (each a monitoring object: found, enrolled, cleared or not), newest
    first, each with ``measure_n`` its measures; none when the user does not see the household."""
    qs = (objects_for(user).filter(household=household).select_related("entry_case", "clear_case")
          .annotate(measure_n=Count("measures")).order_by("-found_on", "-id"))
    return list(qs)


def object_of_case(user: User | AnonymousUser | None, case: Any) -> MonitoringObject | None:
    """The monitoring object whose entry or risk-elimination procedure ``case`` is (None otherwise, or when
    the user does not see it)."""
    if case.household_id is None or case.kind not in (CaseKind.MONITOR_ENTRY, CaseKind.MONITOR_CLEAR):
        return None
    return objects_for(user).filter(Q(entry_case=case) | Q(clear_case=case)).first()


def latest_start_on_time(today: datetime.date | None = None) -> datetime.date:
    """The last start date whose procedure is not yet overdue today: anything started before is overdue."""
    today = today or timezone.localdate()
    day = today
    # Walk back until the limit, counted from ``day``, ends before today (≤ 20 working days ≈ 4 weeks + holidays).
    while rules.due_on(day) >= today:
        day -= datetime.timedelta(days=1)
    return day


def _final_steps() -> list[str]:
    from fupin.identification import rules as case_rules

    return sorted(case_rules.FINAL)


def overdue_q(today: datetime.date | None = None) -> Q:
    cutoff = latest_start_on_time(today)
    running_clear = Q(clear_case__isnull=False) & ~Q(clear_case__step__in=_final_steps())
    return (Q(state=ObjectState.PENDING, found_on__lte=cutoff)
            | (Q(state=ObjectState.AT_RISK) & running_clear & Q(clear_started__lte=cutoff)))


def with_clear_start(qs: QuerySet[MonitoringObject]) -> QuerySet[MonitoringObject]:
    return qs.annotate(clear_started=Min("clear_case__events__date"))


def filtered(user: User | AnonymousUser | None, params: dict[str, Any]) -> QuerySet[MonitoringObject]:
    """The list's rows: ``params`` kind, state, risk, instant ("1"), overdue ("1"), village (area code)."""
    qs = with_clear_start(objects_for(user))
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("state"):
        qs = qs.filter(state=params["state"])
    if params.get("risk"):
        # JSON containment is not portable (SQLite has none): the list's text holds each code in quotes.
        qs = qs.annotate(risk_text=Cast("risk_types", CharField())).filter(risk_text__contains=f'"{params["risk"]}"')
    if params.get("instant"):
        qs = qs.filter(instant=True)
    if params.get("overdue"):
        qs = qs.filter(overdue_q())
    if params.get("village"):
        qs = qs.filter(area_path__startswith=params["village_path"])
    return qs


def state_counts(qs: QuerySet[MonitoringObject]) -> dict[str, int]:
    """Objects per state among ``qs`` (counted on the ids: the list's annotations join the case's events)."""
    ids = qs.order_by().values("pk")
    return dict(MonitoringObject.objects.filter(pk__in=ids).order_by().values_list("state").annotate(n=Count("id")))


def measures_of(obj: MonitoringObject) -> QuerySet[Measure]:
    return obj.measures.select_related("actor").order_by("date", "id")


def ledger(user: User | AnonymousUser | None) -> QuerySet[MonitoringObject]:
    """即时帮扶台账: the flagged households in scope, their measures prefetched (one query for all)."""
    return (objects_for(user).filter(instant=True).select_related("household", "household__area")
            .prefetch_related("measures").order_by("-instant_on", "-id"))


def reports_for(user: User | AnonymousUser | None) -> QuerySet[SelfReport]:
    if policy.scoped_by_households(user):
        return SelfReport.objects.none()  # a 帮扶责任人 visits their paired households, not applicants
    return SelfReport.objects.filter(policy.area_q(user, "area_path"))


def report_get(user: User | AnonymousUser | None, pk: int) -> SelfReport:
    report = reports_for(user).select_related("village", "object").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def reports_waiting(user: User | AnonymousUser | None) -> QuerySet[SelfReport]:
    return reports_for(user).filter(status=ReportStatus.NEW)


def to_visit(user: User | AnonymousUser | None) -> QuerySet[MonitoringObject]:
    """Found but the entry procedure not started (or its last case refused): waiting for 入户核实."""
    return objects_for(user).filter(state=ObjectState.PENDING).filter(
        Q(entry_case__isnull=True) | Q(entry_case__step__in=["rejected", "withdrawn"]))


def overdue(user: User | AnonymousUser | None) -> QuerySet[MonitoringObject]:
    return with_clear_start(objects_for(user)).filter(overdue_q())
