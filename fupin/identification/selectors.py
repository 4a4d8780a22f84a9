"""Every read of cases and notices, scoped through the access policy (ARCHITECTURE habit 4): a case is
seen by whoever sees its household (or, for a village exit, its village); a notice by whoever's subtree
it hangs in or lies under. Outside scope is a 404. The public board reads only what the paper shows."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fupin.accounts import policy

from .models import Case, CaseKind, Notice, NoticeEntry, Objection, ObjectionStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User


def cases_for(user: User | AnonymousUser | None) -> QuerySet[Case]:
    """The cases ``user`` may see (a 帮扶责任人 / 评估人员: those of the households they see)."""
    household_cases = Q(household__isnull=False) & policy.household_q(user, "household")
    if policy.scoped_by_households(user):
        return Case.objects.filter(household_cases)
    village_cases = Q(kind=CaseKind.VILLAGE_EXIT) & policy.area_q(user, "area_path")
    return Case.objects.filter(household_cases | village_cases)


def case_get(user: User | AnonymousUser | None, pk: int) -> Case:
    case = cases_for(user).select_related("household", "household__area", "area", "decision",
                                          "decision__ruleset").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def notices_for(user: User | AnonymousUser | None) -> QuerySet[Notice]:
    """Notices hung inside the user's subtree or above it (a village cadre sees the county's announcement)."""
    path = policy.scope_path(user)
    if path is None:
        return Notice.objects.none()
    if path == "":
        return Notice.objects.all()
    from fupin.registry import rules as registry_rules

    return Notice.objects.filter(Q(area_path__startswith=path) | Q(area_path__in=registry_rules.path_prefixes(path)))


def notice_get(user: User | AnonymousUser | None, pk: int) -> Notice:
    notice = notices_for(user).select_related("area", "published_by").filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def open_objections(notice: Notice) -> QuerySet[Objection]:
    return notice.objections.filter(status=ObjectionStatus.OPEN)


# --- the public board (no login) ------------------------------------------------------------------------


def running_notices(day: datetime.date | None = None) -> QuerySet[Notice]:
    """Notices on the board today: published, not withdrawn, inside their period. Only the entries still on
    the notice are attached (``listed``); nothing else of a case is read."""
    day = day or timezone.localdate()
    listed = NoticeEntry.objects.filter(struck=False).only(
        "notice_id", "position", "name", "members", "id_masked", "village", "group", "reason").order_by("position")
    return (Notice.objects.filter(withdrawn=False, starts_on__lte=day, ends_on__gte=day)
            .select_related("area").annotate(listed_count=Count("entries", filter=Q(entries__struck=False)))
            .prefetch_related(Prefetch("entries", queryset=listed, to_attr="listed"))
            .order_by("area__path", "kind", "starts_on", "id"))
