"""Reads of the audit trail, always scoped by area (ARCHITECTURE habit 4).

An event carries the area path of the household it concerns; a reader sees the events of their
own subtree. Events with no area (logins, settings, standards) are visible only to readers whose
scope is the whole tree (global administrators).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from fupin.accounts import policy

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User
    from fupin.registry.models import Household


@dataclass
class AuditFilters:
    actor: str = ""  # username contains
    kind: str = ""
    entity: str = ""
    entity_id: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""  # free text in the summary


def audit_scope(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """Every event the user may read: nothing for roles that do not read the audit trail."""
    if not policy.can_read_audit(user):
        return AuditEvent.objects.none()
    path = policy.scope_path(user)
    if path is None:
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if path:
        qs = qs.filter(area_path__subtree=path)
    return qs


def audit_list(*, user: User | AnonymousUser, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    f = filters or AuditFilters()
    qs = audit_scope(user)
    if f.actor:
        qs = qs.filter(actor_name__icontains=f.actor)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.entity:
        qs = qs.filter(entity=f.entity)
    if f.entity_id:
        qs = qs.filter(entity_id=f.entity_id)
    if f.date_from:
        qs = qs.filter(at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(at__date__lte=f.date_to)
    if f.q:
        qs = qs.filter(summary__icontains=f.q)
    return qs.select_related("actor").order_by("-at", "-id")


def household_history(*, user: User | AnonymousUser, household: Household, member_ids: Iterable[int] | None = None,
                      record_ids: Iterable[int] | None = None) -> QuerySet[AuditEvent]:
    """Events for one household, its members and its yearly records, newest first.

    ``household`` must come from the scoped registry selector (so it is in the user's scope).
    The ids may be passed when the caller has already loaded members and records, saving two
    queries.
    """
    if member_ids is None:
        member_ids = list(household.members.values_list("pk", flat=True))
    if record_ids is None:
        record_ids = list(household.yearly_records.values_list("pk", flat=True))
    cond = Q(entity="registry.household", entity_id=str(household.pk))
    if member_ids:
        cond |= Q(entity="registry.member", entity_id__in=[str(i) for i in member_ids])
    if record_ids:
        cond |= Q(entity="registry.yearlyrecord", entity_id__in=[str(i) for i in record_ids])
    return AuditEvent.objects.filter(cond).select_related("actor").order_by("-at", "-id")
