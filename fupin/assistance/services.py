"""Every write to the assistance records: atomic, scope-checked and audited (ARCHITECTURE habits 1–2)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_update, snapshot
from fupin.registry.models import Household
from fupin.registry.services import _refuse_cancelled

from .models import Cadre, Pairing

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
