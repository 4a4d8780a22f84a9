"""Writes to the assessment samples: atomic, scope-checked and audited (ARCHITECTURE habits 1–2).

A sample is drawn by a writer (the county's office, or a global administrator for a third-party
evaluation): every household added must lie in the actor's subtree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_delete
from fupin.registry.models import Household

from .models import Sample, SampleAssessor, SampleHousehold

if TYPE_CHECKING:
    from fupin.accounts.models import User


def _require_writer(actor: User | None) -> None:
    # ``actor`` None is the system itself (management commands, the demo generator): no check.
    if actor is not None:
        policy.require(actor, "write", _("当前角色只能查看，不能登记或修改数据"))


@transaction.atomic
def sample_create(*, actor: User | None, name: str, year: int) -> Sample:
    _require_writer(actor)
    sample = Sample(name=(name or "").strip(), year=year, created_by=actor if getattr(actor, "pk", None) else None)
    sample.full_clean()
    sample.save()
    audit_create(actor=actor, obj=sample, area_path=policy.actor_area_path(actor), summary=_("创建评估样本：%(s)s") % {"s": sample})
    return sample


@transaction.atomic
def sample_add_households(*, actor: User | None, sample: Sample, households: Iterable[Household]) -> list[SampleHousehold]:
    """Adds households to the sample (those already in it are skipped); one audit row per household."""
    _require_writer(actor)
    households = list(households)
    for household in households:
        policy.check_write(actor, household.area)
    present = set(SampleHousehold.objects.filter(sample=sample).values_list("household_id", flat=True))
    added = []
    for household in households:
        if household.pk in present:
            continue
        entry = SampleHousehold(sample=sample, household=household)
        entry.full_clean()
        entry.save()
        present.add(household.pk)
        added.append(entry)
        audit_create(actor=actor, obj=entry, area_path=household.area_path,
                     summary=_("户 %(n)s 加入评估样本 %(s)s") % {"n": household.number, "s": sample})
    return added


@transaction.atomic
def sample_assign_assessor(*, actor: User | None, sample: Sample, assessor: User) -> SampleAssessor:
    _require_writer(actor)
    policy.check_assignable(assessor, "be_sampled", "assessor", _("只能指派在用的“评估人员”账号"))
    if SampleAssessor.objects.filter(sample=sample, assessor=assessor).exists():
        raise ValidationError({"assessor": _("%(a)s 已被指派到该样本") % {"a": assessor}})
    entry = SampleAssessor(sample=sample, assessor=assessor)
    entry.full_clean()
    entry.save()
    audit_create(actor=actor, obj=entry, area_path=policy.actor_area_path(actor),
                 summary=_("指派评估人员 %(a)s 评估样本 %(s)s") % {"a": assessor, "s": sample})
    return entry


@transaction.atomic
def sample_unassign_assessor(*, actor: User | None, entry: SampleAssessor) -> None:
    _require_writer(actor)
    audit_delete(actor=actor, obj=entry, area_path=policy.actor_area_path(actor),
                 summary=_("撤销评估人员 %(a)s 的样本 %(s)s") % {"a": entry.assessor, "s": entry.sample})
    entry.delete()
