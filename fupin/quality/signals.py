"""Keep a household's findings current after it is saved through a form, the API or a service.

The registry knows nothing of this app (quality depends on registry, not the reverse), so the
refresh listens to the registry models' ``post_save`` and runs once per household after the
transaction commits (ARCHITECTURE habit 3): a household created with five members is checked once,
with what was committed. Bulk writers (the importer, the demo generator) send no signals; the
importer refreshes the households it wrote itself, in bulk.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from fupin.registry.models import Household, Member, YearlyRecord

from .models import Source

_PENDING = "_fupin_quality_pending"  # on the (per-thread) connection: ids waiting for the commit


def _drain() -> None:
    """The first callback of a commit refreshes every household saved in the transaction; the others
    find nothing left. Ids of a rolled-back transaction stay in the set and are refreshed at the next
    commit on this connection, which is harmless: a refresh recomputes from what is stored."""
    from .services import refresh_findings

    pending: set[int] = getattr(connection, _PENDING, set())
    if pending:
        ids = sorted(pending)
        pending.clear()
        refresh_findings(ids, source=Source.EDIT)


def _schedule(household_id: int | None) -> None:
    if not household_id:
        return
    pending: set[int] | None = getattr(connection, _PENDING, None)
    if pending is None:
        pending = set()
        setattr(connection, _PENDING, pending)
    pending.add(household_id)
    transaction.on_commit(_drain, robust=True)  # a failed check must not turn a saved form into an error


@receiver(post_save, sender=Household, dispatch_uid="fupin.quality.household")
def household_saved(sender: type[Household], instance: Household, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _schedule(instance.pk)


@receiver(post_save, sender=Member, dispatch_uid="fupin.quality.member")
@receiver(post_save, sender=YearlyRecord, dispatch_uid="fupin.quality.yearly")
def part_saved(sender: type[Member] | type[YearlyRecord], instance: Member | YearlyRecord, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _schedule(instance.household_id)
