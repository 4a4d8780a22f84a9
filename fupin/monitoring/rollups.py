"""Precomputed dashboard figures (rollups), kept exact by a version stamp (issue 14: "precomputed
rollups allowed, kept exact on every write or by a documented refresh, and tested for staleness").

A dashboard is assembled from a handful of grouped query results (fupin.monitoring.figures.compute_raw).
For an area-scoped user (every role but 帮扶责任人 and 评估人员, whose household sets are their own) those
results depend only on the area, the date and the data, so they are stored in FigureRollup, with a
**stamp**: the id of the last *write* row of the audit trail (create, update, delete, status, import).
Every write in Fupin goes through a service that writes its audit row in the same transaction
(ARCHITECTURE habit 2; the demo load writes an import row at its end), so any change to the data moves
the stamp, and a rollup whose stamp is not the current one is never served: it is recomputed (live)
and stored again. Reads (exports, reveals, logins) do not invalidate.

Guards against what the stamp cannot see: the stamp is read *before* the figures are computed (a
write committed during the computation leaves a stamp behind the data: recomputed next time), and a
rollup older than ``MAX_AGE`` is recomputed whatever its stamp (a write whose audit id was assigned
before a later one committed first; a change made outside the services, e.g. by hand in SQL).

``fupin dashboard refresh`` precomputes the rollups of the county and township dashboards (today and
every year end), e.g. nightly or after a bulk load, so that the first visitor does not wait.
"""

from __future__ import annotations

import datetime
import time
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.accounts import policy
from fupin.audit.models import AuditEvent, AuditKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User
    from fupin.areas.models import Area

#: Audit kinds that record a change of data.
WRITE_KINDS = (AuditKind.CREATE, AuditKind.UPDATE, AuditKind.DELETE, AuditKind.STATUS, AuditKind.IMPORT)
#: A rollup older than this is recomputed even when its stamp is current.
MAX_AGE = datetime.timedelta(hours=6)


def stamp() -> int:
    """The id of the audit trail's last write (0 when there is none): one index probe backwards."""
    return (AuditEvent.objects.filter(kind__in=WRITE_KINDS).order_by("-id").values_list("id", flat=True).first()
            or 0)


def cacheable(user: User | AnonymousUser) -> bool:
    """Whether a user's figures are the area's (area-scoped roles), so a rollup may serve them."""
    return policy.role_of(user) is not None and not policy.scoped_by_households(user)


def raw_figures(*, user: User | AnonymousUser, area: Area, on: datetime.date | None,
                child_length: int | None, refresh: bool = False) -> dict[str, Any]:
    """The grouped results of an area's dashboard: from its rollup when current, else computed (and
    stored, for area-scoped users)."""
    from .figures import compute_raw
    from .models import FigureRollup

    if not cacheable(user):
        return compute_raw(user=user, area=area, on=on, child_length=child_length)
    current = stamp()
    key = {"area_path": area.path, "day": on.isoformat() if on else "today", "child_length": child_length or 0}
    if not refresh:
        row = FigureRollup.objects.filter(**key).values("stamp", "data", "computed_at").first()
        fresh = row is not None and row["stamp"] == current and timezone.now() - row["computed_at"] < MAX_AGE
        # "Today" is another day after midnight (pairings in force, the current year).
        if fresh and (on is not None or timezone.localtime(row["computed_at"]).date() == timezone.localdate()):
            return row["data"]
    started = time.perf_counter()
    data = compute_raw(user=user, area=area, on=on, child_length=child_length)
    values = {"stamp": current, "data": data, "computed_at": timezone.now(),
              "seconds": round(time.perf_counter() - started, 3)}
    try:
        with transaction.atomic():
            FigureRollup.objects.update_or_create(**key, defaults=values)
    except IntegrityError:  # another request stored the same rollup at the same moment
        pass
    return data


def refresh(*, user: User, areas: list[Area], dates: list[datetime.date | None]) -> int:
    """Recompute the rollups of ``areas`` for ``dates`` (None: today) as ``user`` (an area-scoped user
    who sees them: the command uses a superuser). Returns how many were computed."""
    from fupin.registry.selectors import browse_area_children

    n = 0
    for area in areas:
        children = list(browse_area_children(user=user, area=area)[:1])
        length = len(children[0].path) if children else None
        for on in dates:
            raw_figures(user=user, area=area, on=on, child_length=length, refresh=True)
            n += 1
    return n


def stale_count() -> int:
    """Rollups whose stamp is not the current one (shown by ``fupin dashboard status``)."""
    from .models import FigureRollup

    return FigureRollup.objects.exclude(stamp=stamp()).count()
