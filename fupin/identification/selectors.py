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


# --- the case pages' reads (list counts, applicants, what waits for a user) ----------------------------


def step_counts(cases: QuerySet[Case]) -> dict[tuple[str, str], int]:
    """{(kind, step): number of cases} of ``cases`` (one GROUP BY)."""
    rows = cases.order_by().values("kind", "step").annotate(n=Count("id"))
    return {(row["kind"], row["step"]): row["n"] for row in rows}


def applicants(user: User | AnonymousUser | None) -> QuerySet:
    """Households in 申请中 that ``user`` sees and that have no identification case running: those a
    cadre may still 申报识别 for (the 新申请 page)."""
    from fupin.registry.choices import Status

    from . import rules

    running = Case.objects.filter(kind=CaseKind.IDENTIFICATION).exclude(step__in=rules.FINAL)
    return (policy.visible_households(user).filter(status=Status.APPLYING)
            .exclude(pk__in=running.values("household_id")).select_related("area")
            .order_by("area__path", "head_name_pinyin", "head_name", "id"))


def _forward_sources(user: User | AnonymousUser | None) -> list[tuple[str, str]]:
    """(kind, state) pairs whose next forward step ``user``'s role may take (rules.STEP_CAPABILITY)."""
    from . import rules

    return [(kind, path[i]) for kind, path in rules.PATHS.items() for i in range(len(path) - 1)
            if policy.can(user, rules.STEP_CAPABILITY[path[i + 1]])]


def cases_waiting(user: User | AnonymousUser | None, *, day: datetime.date | None = None
                  ) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """The cases in ``user``'s scope waiting on a forward step their role may take: (those at a step
    without a notice, those whose notice has run out and may move on — services.notice_blocker says
    so for each of the few whose notice period is over)."""
    from . import rules, services

    day = day or timezone.localdate()
    pairs = _forward_sources(user)
    scoped = cases_for(user).filter(policy.area_q(user, "area_path"))
    plain = [Q(kind=kind, step=source) for kind, source in pairs if source not in rules.NOTICE_BEFORE_LEAVING]
    noticed = [Q(kind=kind, step=source, notice_entries__struck=False, notice_entries__notice__withdrawn=False,
                 notice_entries__notice__kind=rules.NOTICE_BEFORE_LEAVING[source],
                 notice_entries__notice__ends_on__lt=day)
               for kind, source in pairs if source in rules.NOTICE_BEFORE_LEAVING]

    def any_of(qs: list[Q]) -> Q:
        out = qs[0]
        for q in qs[1:]:
            out |= q
        return out

    at_step = scoped.filter(any_of(plain)) if plain else Case.objects.none()
    if not noticed:
        return at_step, Case.objects.none()
    candidates = scoped.filter(any_of(noticed)).distinct().select_related("household", "area")
    ready = [case.pk for case in candidates if services.notice_blocker(case, case.step) is None]
    return at_step, Case.objects.filter(pk__in=ready)
