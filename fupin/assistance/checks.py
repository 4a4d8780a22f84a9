"""The 挂包帮 pairing rules of seed 000 as checks (issue 15 item 1): one function per rule, each a pure
query that returns the offending rows of ``area``'s subtree as a queryset (nothing is written, nothing
is cached). The thresholds are data (fupin.assistance.rules.threshold, AssistanceRule rows per area).
The gap report (fupin.assistance.gaps) and the pages of "who helps" call these; so do the tests.

Seed 000 (五, 建立"挂包帮、转走访"帮扶机制): "每个县级领导挂钩一个乡镇(街道)、联系一个贫困行政村, 每个
县直部门至少联系一个行政村, 每个贫困群众都有干部职工结对帮扶、包保脱贫, 做到不脱贫不脱钩", and "县级领导
走访建档立卡贫困村不少于2个" (LEADER_MIN_VILLAGES), "专职挂帮干部驻村工作每月不少于20天" (TEAM_MIN_DAYS).

Scope: leaders and departments are the rows managed in the subtree (their ``area``, usually the county):
for a township the leader and department checks are empty, as those are the county's duty. Households
are those of the subtree; a cadre's load counts all of the cadre's households (inside the area or not),
for the cadres who help at least one household of the subtree. The callers scope ``area`` to the user
(a page reads ``area`` through fupin.areas.selectors.area_get, which 404s outside the user's subtree).

``on`` is the day the rules are judged on (today by default): a pairing, a link or a posting counts
when it is in force that day; a cadre who has left by then helps nobody.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from fupin.areas.models import DesignationKind, Level
from fupin.registry.choices import Status

from .models import (
    AreaLink,
    Cadre,
    CadreRank,
    HelpingUnit,
    Pairing,
    PostRole,
    PresenceMonth,
    TeamPosting,
    UnitKind,
    WorkTeam,
)
from .rules import threshold

if TYPE_CHECKING:
    from fupin.areas.models import Area
    from fupin.registry.models import Household

#: Registry statuses that must have a cadre (不脱贫不脱钩): 未脱贫, 已脱贫(享受政策) and 返贫. Households
#: that are monitoring objects with risk not eliminated are added from fupin.monitoring (``must_have_cadre``).
PAIRED_STATUSES = (Status.POOR, Status.EXITED, Status.RETURNED, Status.MONITOR_RISK)
#: Village designations that make a village a 贫困村 (any year).
POOR_VILLAGE_KINDS = (DesignationKind.POOR_VILLAGE, DesignationKind.DEEP_POOR_VILLAGE)


def _today(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def _in_post(on: datetime.date, prefix: str = "") -> Q:
    """Cadres (reached through ``prefix``) still in post on ``on``."""
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": on})


def _links_in_force(on: datetime.date) -> Q:
    """Rows with ``start``/``end`` (links, teams, postings) in force on ``on``."""
    return Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gt=on))


def poor_village_q(field: str = "area") -> Q:
    """Areas (reached through ``field``) that are a 贫困村 (a village designated poor in any year)."""
    model = apps.get_model("areas", "AreaDesignation")
    prefix = f"{field}__" if field else ""
    designated = model.objects.filter(area=OuterRef(f"{field}_id" if field else "pk"), kind__in=POOR_VILLAGE_KINDS)
    return Q(**{f"{prefix}level": Level.VILLAGE}) & Q(Exists(designated))


def must_have_cadre_q() -> Q:
    """Households (a filter on Household) that must have a cadre: registered (未脱贫, 已脱贫享受政策, 返贫),
    registered as a monitoring object at risk (监测对象(风险未消除)), or with a monitoring object whose risk
    is not eliminated (fupin.monitoring, state 风险未消除). The one definition: the gap report
    (fupin.assistance.gaps) asks the same question through it."""
    monitoring = apps.get_model("monitoring", "MonitoringObject")
    at_risk = monitoring.objects.filter(household=OuterRef("pk"), state="at_risk")
    return Q(status__in=PAIRED_STATUSES) | Q(Exists(at_risk))


def without_cadre_q(on: datetime.date | None = None) -> Q:
    """Rule 不脱贫不脱钩 as a filter on Household: those of ``must_have_cadre_q`` with no pairing in force on
    ``on`` whose cadre is still in post (a cadre who has left helps nobody: their households count here
    until reassigned)."""
    on = _today(on)
    helped = Pairing.objects.ongoing(on).filter(_in_post(on, "cadre__"), household=OuterRef("pk"))
    return must_have_cadre_q() & ~Exists(helped)


def must_have_cadre(area: Area) -> QuerySet[Household]:
    """The households of ``area``'s subtree that must have a cadre (must_have_cadre_q)."""
    household = apps.get_model("registry", "Household")
    return household.objects.filter(area_path__subtree=area.path).filter(must_have_cadre_q())


def households_without_cadre(area: Area, on: datetime.date | None = None) -> QuerySet[Household]:
    """Rule 不脱贫不脱钩: every registered and monitored household has a cadre. Offending: the households
    of ``area``'s subtree matching ``without_cadre_q(on)``."""
    household = apps.get_model("registry", "Household")
    return (household.objects.filter(area_path__subtree=area.path).filter(without_cadre_q(on))
            .order_by("area_path", "number"))


def pairings_of_departed_cadres(area: Area, on: datetime.date | None = None) -> QuerySet[Pairing]:
    """The pairings still open although their cadre has left (``left_on`` ≤ ``on``), households of the
    subtree: the list to reassign (REFERENCE §8: their households are listed until reassigned)."""
    on = _today(on)
    return (Pairing.objects.ongoing(on).filter(household__area_path__subtree=area.path, cadre__left_on__lte=on)
            .select_related("cadre", "household").order_by("cadre_id", "household__number"))


def cadres_over_capacity(area: Area, on: datetime.date | None = None) -> QuerySet[Cadre]:
    """Cadres over CADRE_MAX_HOUSEHOLDS (fupin.assistance.gaps.overloaded_cadres: in post, the threshold
    of the cadre's own area, every pairing in force counted), among those who help at least one household
    of ``area``'s subtree. Each row carries ``n_households``."""
    from .gaps import overloaded_cadres  # gaps builds on these checks: imported here, not at the top

    on = _today(on)
    here = Pairing.objects.ongoing(on).filter(cadre=OuterRef("pk"), household__area_path__subtree=area.path)
    return (overloaded_cadres(on).filter(Exists(here)).annotate(n_households=F("load"))
            .select_related("unit").order_by("-n_households", "name"))


def _leaders(area: Area, on: datetime.date) -> QuerySet[Cadre]:
    return Cadre.objects.filter(_in_post(on), rank=CadreRank.COUNTY_LEADER, area__path__subtree=area.path)


def leaders_without_township(area: Area, on: datetime.date | None = None) -> QuerySet[Cadre]:
    """Rule 领导联乡: each county leader in post is linked to a township. Offending: leaders managed in
    the subtree with no link in force to a township."""
    on = _today(on)
    linked = AreaLink.objects.filter(_links_in_force(on), cadre=OuterRef("pk"), area__level=Level.TOWNSHIP)
    return _leaders(area, on).exclude(Exists(linked)).order_by("name")


def leaders_with_few_villages(area: Area, on: datetime.date | None = None) -> QuerySet[Cadre]:
    """Rule 领导包村: each county leader in post is linked to at least LEADER_MIN_VILLAGES poor villages
    (seed 000: one village to link, ≥ 2 poor villages to visit). Offending leaders carry ``n_villages``,
    the poor villages they are linked to on ``on``."""
    on = _today(on)
    limit = threshold("leader_min_villages", area)
    links = AreaLink.objects.filter(_links_in_force(on), poor_village_q("area"))
    return (_leaders(area, on)
            .annotate(n_villages=Count("links", filter=Q(links__in=links), distinct=True))
            .filter(n_villages__lt=limit).order_by("n_villages", "name"))


def departments_with_few_villages(area: Area, on: datetime.date | None = None) -> QuerySet[HelpingUnit]:
    """Rule 部门包村: each active county department is linked to at least DEPARTMENT_MIN_VILLAGES villages.
    Offending units (kind 县直部门, managed in the subtree) carry ``n_villages``."""
    on = _today(on)
    limit = threshold("department_min_villages", area)
    links = AreaLink.objects.filter(_links_in_force(on), area__level=Level.VILLAGE)
    return (HelpingUnit.objects.filter(active=True, kind=UnitKind.DEPARTMENT, area__path__subtree=area.path)
            .annotate(n_villages=Count("links", filter=Q(links__in=links), distinct=True))
            .filter(n_villages__lt=limit).order_by("n_villages", "name"))


def poor_villages_without_team(area: Area, on: datetime.date | None = None) -> QuerySet[Area]:
    """Seed 000: every poor village has a resident work team with a 第一书记 (or 队长) in post. Offending:
    poor villages of the subtree without a team in force on ``on`` that has such a posting."""
    on = _today(on)
    area_model = apps.get_model("areas", "Area")
    head = TeamPosting.objects.filter(_links_in_force(on), team=OuterRef("pk"),
                                      role__in=[PostRole.SECRETARY, PostRole.LEADER])
    led = WorkTeam.objects.filter(_links_in_force(on), village=OuterRef("pk")).filter(Exists(head))
    return (area_model.objects.filter(path__subtree=area.path).filter(poor_village_q(""))
            .exclude(Exists(led)).order_by("path"))


def presence_below_minimum(area: Area, month: datetime.date | None = None) -> QuerySet[PresenceMonth]:
    """Seed 000: full-time (脱产) team members spend at least TEAM_MIN_DAYS days a month in the village.
    Offending: the recorded months (``month``'s only, when given: its first day) of full-time postings to
    villages of the subtree with fewer days. The threshold is the one of ``area``."""
    limit = threshold("team_min_days", area)
    rows = PresenceMonth.objects.filter(posting__full_time=True, posting__team__village__path__subtree=area.path,
                                        days__lt=limit)
    if month is not None:
        rows = rows.filter(month=month.replace(day=1))
    return rows.select_related("posting__cadre", "posting__team__village").order_by("-month", "days")


#: Every check, by name, with the kind of row it returns — for the pages and the gap report.
CHECKS = {
    "households_without_cadre": households_without_cadre,
    "pairings_of_departed_cadres": pairings_of_departed_cadres,
    "cadres_over_capacity": cadres_over_capacity,
    "leaders_without_township": leaders_without_township,
    "leaders_with_few_villages": leaders_with_few_villages,
    "departments_with_few_villages": departments_with_few_villages,
    "poor_villages_without_team": poor_villages_without_team,
    "presence_below_minimum": presence_below_minimum,
}
