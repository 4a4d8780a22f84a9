"""Writes of the data-quality findings: recompute them for households, and mark one resolved."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_update
from fupin.lib.bulk import BulkWriter, bulk_method, reserve_ids
from fupin.registry.models import Household, Member, YearlyRecord

from .models import Finding, Source
from .rules import RULES, Subject, check

if TYPE_CHECKING:
    from fupin.accounts.models import User

_T = TypeVar("_T")

CHUNK = 900  # under SQLite's bound-parameter limit in IN (...) lookups
RULE_CODES = tuple(RULES)


def _chunks(items: list[_T], size: int = CHUNK) -> Iterator[list[_T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def load_subjects(household_ids: list[int]) -> list[Subject]:
    """The households with their active members and latest yearly record (three queries per chunk)."""
    today = timezone.localdate()
    households = list(Household.objects.filter(pk__in=household_ids))
    members: dict[int, list[Member]] = {h.pk: [] for h in households}
    for m in Member.objects.filter(household_id__in=household_ids, active=True).order_by("pk"):
        members[m.household_id].append(m)
    yearly = latest_yearly(household_ids)
    return [Subject(h, members[h.pk], yearly.get(h.pk), today) for h in households]


def latest_yearly(household_ids: list[int]) -> dict[int, YearlyRecord]:
    """Each household's latest yearly record, chosen in the database (older years are not loaded)."""
    latest = YearlyRecord.objects.filter(household_id=OuterRef("household_id")).order_by("-year").values("year")[:1]
    out: dict[int, YearlyRecord] = {}
    for chunk in _chunks(sorted(household_ids)):
        for r in YearlyRecord.objects.filter(household_id__in=chunk, year=Subquery(latest)):
            out[r.household_id] = r
    return out


def _fingerprint(household_id: int, member_id: int | None, rule: str, values: dict[str, Any]
                 ) -> tuple[int, int | None, str, str]:
    return household_id, member_id, rule, json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)


def refresh_findings(household_ids: Iterable[int], *, source: str = Source.CHECK,
                     subjects: Iterable[Subject] | None = None,
                     progress: Callable[[int, int], None] | None = None) -> Counter[str]:
    """Recompute the §6 findings of these households, in bulk; returns the open findings per rule.

    Each household's open findings of the rules in :mod:`fupin.quality.rules` are replaced by what the
    rules find now (whichever source found them before: the same rule found twice is one finding).
    A finding a cadre resolved stays resolved and is not raised again while its values are the same
    (the cadre verified them: "explained"); when the values change it is raised anew. ``subjects``
    lets a caller that already holds the records (the importer) pass them instead of a reload; their
    households and members must be saved (have primary keys)."""
    ids = sorted(set(household_ids))
    given = {s.household.pk: s for s in subjects} if subjects is not None else None
    counts: Counter[str] = Counter()
    now = timezone.now()
    done = 0
    for chunk in _chunks(ids):
        batch = [given[i] for i in chunk if i in given] if given is not None else load_subjects(chunk)
        with transaction.atomic():
            resolved = {
                _fingerprint(*row) for row in Finding.objects.filter(
                    household_id__in=chunk, rule__in=RULE_CODES, resolved_at__isnull=False)
                .values_list("household_id", "member_id", "rule", "values")}
            Finding.objects.filter(household_id__in=chunk, rule__in=RULE_CODES, resolved_at__isnull=True).delete()
            rows = []
            for subject in batch:
                h = subject.household
                for hit in (subject.hits if subject.hits is not None else check(subject)):
                    member_id = hit.member.pk if hit.member is not None else None
                    if resolved and _fingerprint(h.pk, member_id, hit.rule, hit.values) in resolved:
                        continue
                    rows.append({"household_id": h.pk, "member_id": member_id, "rule": hit.rule,
                                 "category": RULES[hit.rule].category, "message": hit.message[:300],
                                 "values": hit.values, "field": hit.field, "area_path": h.area_path,
                                 "source": source, "found_at": now, "resolved_at": None, "resolved_by_id": None,
                                 "resolution_note": ""})
                    counts[hit.rule] += 1
            _insert(rows)
        done += len(chunk)
        if progress is not None:
            progress(done, len(ids))
    return counts


def _insert(rows: list[dict[str, Any]]) -> None:
    """INSERT the rows fast (executemany on SQLite, COPY on PostgreSQL), keys reserved first."""
    if not rows:
        return
    method = bulk_method()
    if method != "bulk_create":
        for row, pk in zip(rows, reserve_ids(Finding, len(rows)), strict=True):
            row["id"] = pk
    BulkWriter(method, {"findings": Finding}).write("findings", rows)


@transaction.atomic
def finding_resolve(*, actor: User, finding: Finding, note: str) -> Finding:
    """Mark a finding resolved (verified and fixed, or explained), with the cadre's note; audited.

    ``finding`` comes from the scoped selector; only roles that may write registry data resolve."""
    if not policy.can_write(actor):
        raise PermissionDenied(_("您的角色只能查看，不能处理疑点"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写处理说明（已核实更正，或情况属实的理由）")})
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.resolved_at is not None:
        raise ValidationError(_("该疑点已于 %(t)s 处理") % {"t": timezone.localtime(finding.resolved_at)
                                                          .strftime("%Y-%m-%d %H:%M")})
    before = {"resolved_at": None, "resolution_note": ""}
    finding.resolved_at = timezone.now()
    finding.resolved_by = actor if getattr(actor, "pk", None) else None
    finding.resolution_note = note[:300]
    finding.full_clean()
    finding.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    audit_update(actor=actor, obj=finding, before=before,
                 after={"resolved_at": finding.resolved_at, "resolution_note": finding.resolution_note},
                 area_path=finding.area_path,
                 summary=_("处理数据质量疑点：户 %(n)s %(m)s") % {"n": finding.household.number,
                                                         "m": finding.message})
    return finding
