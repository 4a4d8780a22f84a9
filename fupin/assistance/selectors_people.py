"""Who helps (issue 15, who15): every read of units, cadres, teams, links and pairings, scoped through the
access policy (fupin.accounts.policy). A row outside the user's scope is a 404 (``*_get``).

Units and cadres are read by those of their area's subtree and of the areas below it (``helpers_q``: a
county's departments help its townships); teams and links by those whose subtree holds the village /
the linked area, or the holder's area; pairings follow their household (``household_q``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fupin.accounts import policy

from .models import AreaLink, Cadre, HelpingUnit, Pairing, TeamPosting, WorkTeam

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User
    from fupin.areas.models import Area


def _get(qs: QuerySet, pk: int) -> object:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def may_manage(user: User | AnonymousUser, area: Area) -> bool:
    """Whether the page offers the write actions for a row of ``area`` (the services check again)."""
    return policy.can(user, "manage_assistance") and policy.in_write_scope(user, area)


def units_for(user: User | AnonymousUser) -> QuerySet[HelpingUnit]:
    return HelpingUnit.objects.filter(policy.helpers_q(user)).select_related("area")


def unit_get(user: User | AnonymousUser, pk: int) -> HelpingUnit:
    return _get(units_for(user), pk)


def cadres_for(user: User | AnonymousUser) -> QuerySet[Cadre]:
    """The cadres the user reads, each with ``n_households`` (pairings in force today)."""
    today = timezone.localdate()
    in_force = Q(pairings__start__lte=today) & (Q(pairings__end__isnull=True) | Q(pairings__end__gt=today))
    return (Cadre.objects.filter(policy.helpers_q(user)).select_related("unit", "area", "user")
            .annotate(n_households=Count("pairings", filter=in_force)))


def cadre_get(user: User | AnonymousUser, pk: int) -> Cadre:
    return _get(cadres_for(user), pk)


def cadre_choices(user: User | AnonymousUser, *, in_post: bool = True) -> QuerySet[Cadre]:
    """Cadres to choose in a form (pairing, posting, link): readable and, by default, in post today."""
    qs = Cadre.objects.filter(policy.helpers_q(user)).select_related("unit")
    if in_post:
        qs = qs.filter(Q(left_on__isnull=True) | Q(left_on__gt=timezone.localdate()))
    return qs.order_by("unit__name", "name")


def linkable_accounts(user: User | AnonymousUser) -> QuerySet:
    """The login accounts a cadre record may be linked to: active 帮扶责任人 accounts of the user's
    subtree (``be_paired``)."""
    return (get_user_model().objects.filter(policy.user_choices_q("be_paired"))
            .filter(policy.area_q(user, "area__path")).select_related("area").order_by("username"))


def teams_for(user: User | AnonymousUser) -> QuerySet[WorkTeam]:
    return WorkTeam.objects.filter(policy.area_q(user, "village__path")).select_related("village__parent", "unit")


def team_get(user: User | AnonymousUser, pk: int) -> WorkTeam:
    return _get(teams_for(user), pk)


def postings_of(team: WorkTeam) -> QuerySet[TeamPosting]:
    return team.postings.select_related("cadre__unit").order_by("end", "role", "start")


def posting_get(user: User | AnonymousUser, pk: int) -> TeamPosting:
    return _get(TeamPosting.objects.filter(policy.area_q(user, "team__village__path"))
                .select_related("team__village", "cadre"), pk)


def links_for(user: User | AnonymousUser) -> QuerySet[AreaLink]:
    """Links to an area of the user's subtree, or held by a leader / unit the user manages."""
    q = policy.area_q(user, "area__path") | policy.area_q(user, "cadre__area__path") \
        | policy.area_q(user, "unit__area__path")
    if policy.scope_path(user) is None:
        q = Q(pk__in=[])
    return AreaLink.objects.filter(q).select_related("area__parent", "cadre__unit", "unit")


def link_get(user: User | AnonymousUser, pk: int) -> AreaLink:
    return _get(links_for(user), pk)


def pairings_for(user: User | AnonymousUser) -> QuerySet[Pairing]:
    """The pairings of the households the user sees."""
    return Pairing.objects.filter(policy.household_q(user)).select_related("cadre__unit", "household")


def pairing_get(user: User | AnonymousUser, pk: int) -> Pairing:
    return _get(pairings_for(user), pk)


def household_get(user: User | AnonymousUser, pk: int) -> object:
    return _get(policy.visible_households(user).select_related("area"), pk)
