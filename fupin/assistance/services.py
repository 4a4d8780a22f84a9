"""Every write to the assistance records: atomic, scope-checked and audited (ARCHITECTURE habits 1–2)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_export, audit_update, snapshot
from fupin.registry.models import Household
from fupin.registry.services import _refuse_cancelled

from .models import Cadre, CardIssue, Pairing

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area


def cadre_for_user(*, user: User, area: Area | None = None) -> Cadre:
    """The cadre record linked to a 帮扶责任人 account, created (name and phone from the account, area
    the account's or ``area``) the first time the account is paired."""
    cadre = Cadre.objects.filter(user=user).first()
    if cadre is not None:
        return cadre
    cadre = Cadre(user=user, name=user.display_name or user.username, phone=user.phone,
                  area=user.area or area)
    cadre.full_clean()
    cadre.save()
    return cadre


def _pairable(cadre: Cadre | User, household: Household, start: datetime.date) -> Cadre:
    """The cadre to pair: a Cadre still in post on ``start``, or a 帮扶责任人 account's cadre record."""
    if isinstance(cadre, Cadre):
        if cadre.left_on is not None and cadre.left_on <= start:
            raise ValidationError({"cadre": _("%(c)s 已于 %(d)s 离岗，不能新建结对") % {"c": cadre, "d": cadre.left_on}})
        return cadre
    policy.check_assignable(cadre, "be_paired", "cadre", _("只能与在用的“帮扶责任人”账号结对"))
    return cadre_for_user(user=cadre, area=household.area)


@transaction.atomic
def pairing_create(*, actor: User | None, cadre: Cadre | User, household: Household, start: datetime.date,
                   note: str = "") -> Pairing:
    """结对: ``cadre`` starts helping ``household`` on ``start``. The actor must be a writer whose
    subtree holds the household (so a township's officer pairs only that township's households).
    ``cadre`` is a Cadre, or a 帮扶责任人 account (its cadre record is used, created if need be)."""
    policy.check_write(actor, household.area)
    _refuse_cancelled(household)
    cadre = _pairable(cadre, household, start)
    # One pairing at a time per cadre and household: an open one, or one ending after this start.
    if Pairing.objects.filter(Q(end__isnull=True) | Q(end__gt=start), cadre=cadre, household=household).exists():
        raise ValidationError({"household": _("%(cadre)s 与户 %(n)s 已有进行中的结对")
                               % {"cadre": cadre, "n": household.number}})
    pairing = Pairing(cadre=cadre, household=household, start=start, note=(note or "").strip())
    pairing.full_clean()
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError as exc:  # a concurrent request paired the same two first
        raise ValidationError({"household": _("%(cadre)s 与户 %(n)s 已有进行中的结对")
                               % {"cadre": cadre, "n": household.number}}) from exc
    audit_create(actor=actor, obj=pairing, area_path=household.area_path,
                 summary=_("帮扶结对：%(cadre)s → %(n)s") % {"cadre": cadre, "n": household.number})
    return pairing


@transaction.atomic
def pairing_end(*, actor: User | None, pairing: Pairing, end: datetime.date, note: str | None = None) -> Pairing:
    """解除结对 on ``end``: from that day the cadre no longer sees the household."""
    pairing = Pairing.objects.select_for_update().select_related("household__area").get(pk=pairing.pk)
    household = pairing.household
    policy.check_write(actor, household.area)
    if pairing.end is not None:
        raise ValidationError({"end": _("该结对已于 %(d)s 解除") % {"d": pairing.end}})
    before = snapshot(pairing)
    pairing.end = end
    if note is not None:
        pairing.note = note.strip()
    pairing.full_clean()
    pairing.save(update_fields=["end", "note"])
    audit_update(actor=actor, obj=pairing, before=before, after=snapshot(pairing), area_path=household.area_path,
                 summary=_("解除帮扶结对：%(cadre)s → %(n)s") % {"cadre": pairing.cadre, "n": household.number})
    return pairing


# --- issue 15 (card15) ---


@dataclasses.dataclass(frozen=True)
class CardsIssued:
    issues: dict[int, CardIssue]  # household id → the version printed now
    new: set[int]  # households whose card is a new version (a first card included)


@transaction.atomic
def cards_issue(*, actor: User | None, digests: dict[int, str], now: datetime.datetime, area_path: str = "",
                summary: str = "", household: Household | None = None) -> CardsIssued:
    """明白卡 printed for the households of ``digests`` (household id → the SHA-256 of its card's data,
    fupin.assistance.cards): a household whose last card has another digest (or none) gets the next
    version; the others reprint their version (counted). One audit row, an export (the cards leave the
    system on paper): what was printed, which versions are new. The caller has read the households
    through the actor's scope (printing is a read: every role that sees a household may print its card).

    Two prints at once: the households' rows are locked first (SELECT … FOR UPDATE; on SQLite the
    transaction holds the write lock from its start), so the second print sees the first one's
    version, and (household, version) is unique in the database besides."""
    ids = sorted(digests)
    list(Household.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    latest: dict[int, CardIssue] = {}
    for issue in CardIssue.objects.filter(household_id__in=ids).order_by("household_id", "-version"):
        latest.setdefault(issue.household_id, issue)
    same = [hid for hid in ids if hid in latest and latest[hid].digest == digests[hid]]
    CardIssue.objects.filter(pk__in=[latest[hid].pk for hid in same]).update(
        reprints=F("reprints") + 1, last_printed_at=now)
    actor_id = actor.pk if actor is not None and actor.pk is not None else None
    fresh = []
    for hid in ids:
        if hid in same:
            continue
        issue = CardIssue(household_id=hid, version=latest[hid].version + 1 if hid in latest else 1, issued_at=now,
                          issued_by_id=actor_id, digest=digests[hid], last_printed_at=now)
        # The household (locked above) and the actor exist, and the unique (household, version) pair is
        # the database's to check: each would be a query per card.
        issue.full_clean(exclude=["household", "issued_by"], validate_unique=False, validate_constraints=False)
        fresh.append(issue)
    CardIssue.objects.bulk_create(fresh, batch_size=500)
    issues = {hid: latest[hid] for hid in same} | {i.household_id: i for i in fresh}
    numbers = dict(Household.objects.filter(pk__in=ids).values_list("pk", "number"))
    audit_export(actor=actor, obj=household, entity="" if household else "assistance.card",
                 area_path=household.area_path if household else area_path,
                 summary=(summary or _("打印明白卡 %(n)s 户") % {"n": len(ids)})[:200],
                 data={"document": "card", "households": len(ids), "new_versions": len(fresh),
                       "reprinted": len(same),
                       "versions": {numbers[hid]: issues[hid].version for hid in ids}})
    return CardsIssued(issues=issues, new={i.household_id for i in fresh})
