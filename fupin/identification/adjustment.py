"""The yearly dynamic adjustment (动态调整, issue 13 item 5; REFERENCE §5).

A run for one year and one area is computed by a background job (fupin.jobs, kind ``adjustment``):
:func:`propose` looks at every household of the area at once, in four set-based passes, and stores one
:class:`Proposal` per household and kind — never a query per household:

* **清退 removals** — households in the register (not 注销, not 申请中: an applicant's refusal is its
  case's 不予通过) that have no member left in the household (注销原因 全户死亡 when every member left by
  death, else 全户迁出), or for which the year's exclusion rules (七不进) in force at their area hold
  (注销原因 错评). Without an exclusion rule set for the year no exclusion removal is proposed, and the run
  says so.
* **脱贫 exits** — 贫困户(未脱贫) and 返贫 households for which the exit criteria (一超两不愁三保障) in
  force at their area hold (fupin.standards.services.area_outcomes: one query per rule set).
* **返贫 returns** — exited households (已脱贫(享受政策), 脱贫不再享受政策, 监测对象(风险未消除): the
  statuses from which the registry's status table allows 返贫) whose recorded per-capita net income of
  the year is at or below the year's poverty line at their area. Income is the yardstick, not the whole
  exit check: a guarantee (两不愁三保障) that slips for an exited household is 防返贫监测's business,
  and a year's record that lacks a guarantee flag would otherwise send every such household back.
  Households without a record for the year are not proposed.
* **新识别 entrants** — identification cases at 逐级核 whose second notice is over with no open
  objection and none upheld against them (the set-based form of services.notice_blocker).

A household proposed for removal is proposed for nothing else. The many rows (exits, returns) are written
by one INSERT … SELECT per pass and rule set, reason and evidence built in SQL, so no row passes through
Python; the others (entrants, empty households, exclusion hits, whose reason names the conditions hit) by
``bulk_create`` in batches of BATCH from ``values_list`` iterators. The job's progress is reported and its
cancel honoured between passes and batches (a cancelled run keeps no proposal: one transaction).

Confirming (:func:`proposals_confirm`) is one workflow transition per proposal, each in its own
savepoint, audited: an entrant's case goes to 县确认 (services.case_step, which makes the household
贫困户); an exit is judged again by the criteria in force (services.exit_decision keeps a standards
Decision with the rule version) and the household goes to 已脱贫 by 动态调整; a return goes to 返贫; a
removal to 注销 with its reason. A household that changed since the run (its version moved) or that no
longer qualifies is refused by name; the others go through. 不采纳 (:func:`proposals_decline`) needs a
reason.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat, JSONObject, Left
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import policy
from fupin.areas.models import Area
from fupin.audit.services import audit_status
from fupin.jobs import kinds, runner
from fupin.registry.choices import NOT_EXITED_STATUSES, CancelReason, Procedure, RemovalReason, Status
from fupin.registry.models import Household, Member

from . import rules
from .models import Case, CaseKind, NoticeEntry, Objection, ObjectionStatus, Step
from .models_adjustment import AdjustmentRun, Proposal, ProposalKind, ProposalState, RunStatus

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.jobs.models import Job

JOB_KIND = "adjustment"
BATCH = 5000
#: Exited statuses from which the registry's status table allows 返贫.
RETURN_FROM = (Status.EXITED, Status.EXITED_STABLE, Status.MONITOR_RISK)
#: The statuses a removal may start from: in the register, and not an applicant (whose case decides).
REMOVABLE_EXCLUDED = (Status.CANCELLED, Status.APPLYING)
#: The order of the passes (removals first: a household proposed for removal is proposed for nothing else).
KIND_ORDER = (ProposalKind.REMOVAL, ProposalKind.EXIT, ProposalKind.RETURN, ProposalKind.ENTRANT)
STAGES = {
    ProposalKind.REMOVAL: gettext_lazy("计算清退（无在户成员、七不进）"),
    ProposalKind.EXIT: gettext_lazy("计算脱贫（退出标准）"),
    ProposalKind.RETURN: gettext_lazy("计算返贫（当年收入）"),
    ProposalKind.ENTRANT: gettext_lazy("计算新识别（公示期满的识别案件）"),
}

Report = Callable[[int, int], None]


def register_kind() -> None:
    kinds.register(JOB_KIND, label=gettext_lazy("动态调整"), handler=run_job)


def _money(value: Any) -> str:
    return f"{Decimal(value):.2f}" if value is not None else ""


# --- starting a run ---------------------------------------------------------------------------------------


def _require_adjust(actor: User | None) -> None:
    if actor is not None and not policy.can(actor, "adjust"):
        raise PermissionDenied(_("您的角色不能办理动态调整（限县级管理员、系统管理员）"))


def year_error(year: Any) -> str | None:
    from fupin.registry import rules as registry_rules

    return registry_rules.report_year_error(year)


@transaction.atomic
def run_start(*, actor: User | None, year: int, area: Area, background: bool = True) -> AdjustmentRun:
    """A new run for ``year`` in ``area`` (inside the actor's write scope). ``background``: computed by a
    background job owned by the actor (limited like every user's jobs); otherwise (the command line) the
    run is left for the caller to compute with :func:`propose`."""
    _require_adjust(actor)
    policy.check_write(actor, area)
    error = year_error(year)
    if error:
        raise ValidationError({"year": error})
    job = None
    if background:
        if actor is None or actor.pk is None:
            raise ValidationError({"user": _("后台测算须由登录用户发起")})
        job = runner.job_create(kind=JOB_KIND, user=actor, area=area, filename=f"{year} {area.name}",
                                params={"year": year}, limited=True)
    run = AdjustmentRun.objects.create(year=year, area=area, job=job,
                                       created_by=actor if getattr(actor, "pk", None) else None)
    audit_status(actor=actor, obj=run, area_path=area.path,
                 summary=_("发起 %(y)d 年%(a)s动态调整") % {"y": year, "a": area.name},
                 data={"year": year, "area": area.code, "job": str(job.pk) if job else None})
    if job is not None:
        runner.submit(job)
    return run


def run_job(job: Job) -> None:
    """The job's handler: compute the run's proposals; a cancelled job leaves the run cancelled and empty."""
    run = AdjustmentRun.objects.select_related("area").get(job=job)
    try:
        counts = propose(run, job=job)
    except runner.JobCancelled:
        AdjustmentRun.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED, finished_at=timezone.now())
        raise
    except Exception:
        AdjustmentRun.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED, finished_at=timezone.now(),
                                                       counts={"error": True})
        raise
    job.result = counts


# --- proposing --------------------------------------------------------------------------------------------


def _scope(run: AdjustmentRun) -> QuerySet[Household]:
    return Household.objects.filter(area_path__startswith=run.area.path)


def _not_removed(run: AdjustmentRun) -> Q:
    """Not proposed for removal in this run. NOT IN over the run's removals (PostgreSQL hashes it once) rather
    than NOT EXISTS per household: the table was filled a moment ago and its statistics still say empty, so
    an anti-join would read every removal of the run for each household."""
    return ~Q(pk__in=Proposal.objects.filter(run=run, kind=ProposalKind.REMOVAL).values("household_id"))


def _with_income(households: QuerySet[Household], year: int, lines: Any) -> QuerySet[Household]:
    """``adj_income`` (the year's per-capita income, through the same LEFT JOIN on the year's record as the
    standards' fields: one lookup per household however often it is mentioned) and ``adj_line``."""
    from fupin.standards import engine

    households, record = engine.with_record(households, year)
    return households.annotate(adj_income=F(f"{record}__per_capita_income"),
                               adj_line=engine.line_expression(year, lines))


class _Text(Func):
    """A number as text with two decimals (the money columns), in SQL."""

    template = "CAST(%(expressions)s AS TEXT)"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="printf('%%%%.2f', %(expressions)s)", **extra)


def _batches(rows: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclasses.dataclass
class _Pass:
    """One pass's writer: rows read in Python (entrants, empty households, exclusion hits) with
    ``bulk_create`` in batches from an iterator; the many (exits, returns) with INSERT … SELECT, so that no
    row travels through Python. Progress is reported and the cancel honoured between batches."""

    run: AdjustmentRun
    kind: str
    report: Report
    index: int
    written: int = 0

    def write(self, rows: Iterable[tuple[int, str, dict[str, Any]]], skip: set[int] | None = None) -> int:
        for batch in _batches(rows):
            objs = [Proposal(run=self.run, household_id=hid, kind=self.kind, reason=reason[:300], details=details)
                    for hid, reason, details in batch if not (skip and hid in skip)]
            Proposal.objects.bulk_create(objs, batch_size=BATCH)
            self.written += len(objs)
            self.report(self.index, len(KIND_ORDER))
        return self.written

    def insert_select(self, households: QuerySet[Household], reason: Any, details: Any) -> int:
        """INSERT INTO proposals SELECT … FROM ``households`` (already filtered to those proposed), with
        ``reason`` and ``details`` as SQL expressions over its annotations: one statement, no row through
        Python. One statement and not ranges of household ids: PostgreSQL reads the year's records and
        the members once, with hash joins, where each range of ids would read them all again (at
        --scale 100, 25 ranges made the 脱贫 pass 126 s instead of about 15)."""
        table = connection.ops.quote_name(Proposal._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in
                            ("household_id", "reason", "details", "run_id", "kind", "state", "note"))
        rows = (households.annotate(p_household=F("pk"), p_reason=Left(reason, 300), p_details=details)
                .values("p_household", "p_reason", "p_details").order_by())
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT q.p_household, q.p_reason, q.p_details, "
                           f"%s, %s, %s, %s FROM ({sql}) q",
                           (self.run.pk, self.kind, ProposalState.PENDING.value, "", *params))
            self.written += max(cursor.rowcount, 0)
        return self.written


def _removals(run: AdjustmentRun, step: _Pass, notes: list[str]) -> None:
    from fupin.standards import engine
    from fupin.standards import services as standards
    from fupin.standards.models import RuleKind

    candidates = _scope(run).exclude(status__in=REMOVABLE_EXCLUDED)
    inactive = Member.objects.filter(household=OuterRef("pk"), active=False)
    empty = (candidates.filter(~Exists(Member.objects.filter(household=OuterRef("pk"), active=True)))
             .annotate(left=Subquery(inactive.values("household").annotate(n=Count("pk")).values("n")[:1]),
                       deaths=Subquery(inactive.filter(removal_reason=RemovalReason.DEATH).values("household")
                                       .annotate(n=Count("pk")).values("n")[:1]))
             .values_list("pk", "left", "deaths").order_by().iterator(chunk_size=BATCH))

    def empty_rows() -> Iterator[tuple[int, str, dict[str, Any]]]:
        for hid, left, deaths in empty:
            all_dead = bool(left) and deaths == left
            reason = CancelReason.ALL_DEAD if all_dead else CancelReason.MOVED_AWAY
            yield hid, _("无在户成员（%(r)s）") % {"r": reason.label}, {
                "cancel_reason": reason.value, "members_left": left or 0, "deaths": deaths or 0}

    step.write(empty_rows())
    governed = standards.governed(RuleKind.EXCLUSION, run.year, run.area, households=candidates)
    if not governed:
        notes.append(_("%(y)d 年没有适用的排除规则（七不进），未按排除规则提出清退建议") % {"y": run.year})
        return
    for ruleset, decided in governed:
        conditions = standards.conditions_of(ruleset)
        # The hits through the WHERE clause (engine.holding); each condition's flag read for them only. The
        # reason names the conditions that hold and is written in Python: as one SQL expression (a CONCAT of
        # a CASE per condition) the statement nested deeper than SQLite's parser allows once 七不进 has eight
        # conditions.
        hits = engine.holding(decided, conditions, ruleset.match, run.year).filter(_not_removed(run))
        flags = [f"std_c{i}" for i in range(len(conditions))]
        rows = (engine.annotate(hits, conditions, ruleset.match, run.year).values_list("pk", "version", *flags)
                .order_by().iterator(chunk_size=BATCH))

        def hit_rows(ruleset: Any = ruleset, conditions: Any = conditions,
                     rows: Any = rows) -> Iterator[tuple[int, str, dict[str, Any]]]:
            head = _("符合排除规则（") + ruleset.name + _(" 第 ") + str(ruleset.version) + _(" 版）：")
            for hid, version, *held in rows:
                names = "".join(f"{c.name}；" for c, on in zip(conditions, held, strict=True) if on)
                yield hid, head + names, {"cancel_reason": CancelReason.WRONGLY_REGISTERED.value,
                                          "ruleset": ruleset.pk, "ruleset_version": ruleset.version,
                                          "version": version}

        step.write(hit_rows())


def _exits(run: AdjustmentRun, step: _Pass, notes: list[str]) -> None:
    from fupin.registry.services import poverty_lines
    from fupin.standards import engine
    from fupin.standards import services as standards
    from fupin.standards.models import RuleKind

    lines = poverty_lines()
    # A household on an open exit case is left to its case (its notice, its announcement, its 销号).
    on_case = Exists(Case.objects.filter(household=OuterRef("pk"), kind=CaseKind.EXIT).exclude(
        step__in=rules.FINAL))
    households = (_scope(run).filter(status__in=list(NOT_EXITED_STATUSES)).filter(_not_removed(run))
                  .filter(~on_case))
    governed = standards.governed(RuleKind.EXIT, run.year, run.area, households=households)
    if not governed:
        notes.append(_("%(y)d 年没有适用的脱贫退出标准，未提出脱贫建议") % {"y": run.year})
        return
    # One statement per rule set in force (most often one, the county's or the nation's), each with its
    # conditions in the WHERE clause (engine.holding) and its name and version as constants.
    for ruleset, decided in governed:
        holding = engine.holding(decided, standards.conditions_of(ruleset), ruleset.match, run.year, lines)
        holding = _with_income(holding, run.year, lines)
        reason = Concat(
            Value(str(_("达到脱贫退出标准（"))), Value(ruleset.name), Value(str(_(" 第 "))), Value(str(ruleset.version)),
            Value(str(_(" 版）：人均纯收入 "))), _Text(F("adj_income")), Value(str(_(" 元，标准 "))), _Text(F("adj_line")),
            Value(str(_(" 元"))), output_field=CharField())
        details = JSONObject(ruleset=Value(ruleset.pk), ruleset_version=Value(ruleset.version),
                             income=_Text(F("adj_income")), line=_Text(F("adj_line")), version=F("version"))
        step.insert_select(holding, reason, details)


def _returns(run: AdjustmentRun, step: _Pass, notes: list[str]) -> None:
    from fupin.registry.services import poverty_lines

    lines = poverty_lines()
    below = (_with_income(_scope(run).filter(status__in=RETURN_FROM).filter(_not_removed(run)), run.year, lines)
             .filter(adj_income__isnull=False, adj_line__isnull=False, adj_income__lte=F("adj_line")))
    reason = Concat(Value(str(_("%(y)d 年人均纯收入 ") % {"y": run.year})), _Text(F("adj_income")),
                    Value(str(_(" 元，不高于当年扶贫标准 "))), _Text(F("adj_line")), Value(str(_(" 元"))),
                    output_field=CharField())
    details = JSONObject(income=_Text(F("adj_income")), line=_Text(F("adj_line")), status=F("status"),
                         version=F("version"))
    step.insert_select(below, reason, details)
    notes.append(_("返贫按当年人均纯收入不高于扶贫标准判断；监测对象(风险已消除)须先转为风险未消除，不直接提出返贫"))


def entrant_cases(area: Area, year: int, today: datetime.date | None = None) -> QuerySet[Case]:
    """Identification cases at 逐级核 inside ``area`` (of ``year`` or before) whose second notice is over, with
    no open objection (to the case or to the notice as a whole) and none upheld against the case: the
    set-based form of services.notice_blocker(case, Step.TOWNSHIP), one query."""
    today = today or timezone.localdate()
    kind = rules.NOTICE_BEFORE_LEAVING[Step.TOWNSHIP]
    latest = (NoticeEntry.objects.filter(case=OuterRef("pk"), struck=False, notice__kind=kind, notice__withdrawn=False)
              .order_by("-notice__ends_on", "-id"))
    open_objection = Objection.objects.filter(notice=OuterRef("notice_id"), status=ObjectionStatus.OPEN).filter(
        Q(entry=OuterRef("entry_id")) | Q(entry__isnull=True))
    upheld = Objection.objects.filter(entry=OuterRef("entry_id"), status=ObjectionStatus.UPHELD)
    return (Case.objects.filter(kind=CaseKind.IDENTIFICATION, step=Step.TOWNSHIP, year__lte=year,
                                area_path__startswith=area.path, household__status=Status.APPLYING)
            .annotate(entry_id=Subquery(latest.values("pk")[:1]), notice_id=Subquery(latest.values("notice_id")[:1]),
                      notice_end=Subquery(latest.values("notice__ends_on")[:1]))
            .filter(notice_end__lt=today).filter(~Exists(open_objection), ~Exists(upheld)))


def _entrants(run: AdjustmentRun, step: _Pass, notes: list[str]) -> None:
    rows = (entrant_cases(run.area, run.year).filter(~Exists(Proposal.objects.filter(
        run=run, kind=ProposalKind.REMOVAL, household=OuterRef("household_id"))))
        .values_list("household_id", "pk", "version", "notice_end").iterator(chunk_size=BATCH))

    def entrant_rows() -> Iterator[tuple[int, str, dict[str, Any]]]:
        for hid, case_id, version, end in rows:
            yield hid, _("识别案件已完成逐级核，第二次公示 %(d)s 期满，无待处理异议") % {"d": end.isoformat()}, {
                "case": case_id, "case_version": version, "notice_end": end.isoformat()}

    step.write(entrant_rows())


PASSES = {ProposalKind.REMOVAL: _removals, ProposalKind.EXIT: _exits, ProposalKind.RETURN: _returns,
          ProposalKind.ENTRANT: _entrants}


def propose(run: AdjustmentRun, *, job: Job | None = None) -> dict[str, Any]:
    """Compute the run's proposals (replacing any it had) in one transaction; returns the counts stored
    on the run. With ``job`` the progress is reported to it and its cancel honoured between batches."""
    notes: list[str] = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Each range's query is costed high enough for PostgreSQL to compile it (JIT): ~1.5 s a query,
            # longer than running it. Off for this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        run.proposals.all().delete()
        seconds: dict[str, float] = {}
        for index, kind in enumerate(KIND_ORDER):
            report: Report = runner.reporter(job, str(STAGES[kind])) if job is not None else (lambda d, t: None)
            report(index, len(KIND_ORDER))
            started = time.perf_counter()
            PASSES[kind](run, _Pass(run=run, kind=kind, report=report, index=index), notes)
            seconds[kind.value] = round(time.perf_counter() - started, 2)
        counts = dict(run.proposals.values_list("kind").annotate(n=Count("pk")).order_by())
        counts = {kind.value: counts.get(kind.value, 0) for kind in KIND_ORDER}
        counts["households"] = _scope(run).count()
        counts["notes"] = notes
        #: Each pass's wall time, shown on the run's page (a slow year is visible, and where it went).
        counts["seconds"] = seconds
        run.counts = counts
        run.status = RunStatus.REVIEW
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "status", "finished_at"])
    if job is not None:
        runner.set_progress(job.id, len(KIND_ORDER), len(KIND_ORDER), _("计算完成"))
    return counts


# --- reviewing ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    confirmed: int = 0
    declined: int = 0
    #: (户编号 户主, why) of every proposal refused.
    refused: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def _messages(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("无权办理")


def _check_run(actor: User | None, run: AdjustmentRun) -> None:
    _require_adjust(actor)
    policy.check_write(actor, run.area)
    run.refresh_from_db(fields=["status"])
    if run.status not in (RunStatus.REVIEW, RunStatus.CONFIRMED):
        raise ValidationError(_("该次动态调整的状态是“%(s)s”，不能审核") % {"s": run.get_status_display()})


def _apply(actor: User | None, run: AdjustmentRun, proposal: Proposal, day: datetime.date) -> None:
    """The proposal's transition on the workflow (raises when it is refused)."""
    from fupin.registry.services import household_status_transition

    from . import services

    household = Household.objects.select_for_update().select_related("area").get(pk=proposal.household_id)
    details = proposal.details or {}
    reason = _("%(y)d 年动态调整：%(r)s") % {"y": run.year, "r": proposal.reason}
    if proposal.kind == ProposalKind.ENTRANT:
        case = Case.objects.select_related("household", "area").get(pk=details["case"])
        services.case_step(actor=actor, case=case, to=Step.COUNTY, opinion=reason, date=day,
                           expected_version=details.get("case_version"))
        return
    version = details.get("version")
    if proposal.kind == ProposalKind.EXIT:
        if household.status not in NOT_EXITED_STATUSES:
            raise ValidationError(_("现状态为“%(s)s”") % {"s": household.get_status_display()})
        services.exit_decision(actor=actor, household=household, year=run.year)
        household_status_transition(actor=actor, household=household, to_status=Status.EXITED, reason=reason,
                                    procedure=Procedure.ADJUSTMENT, date=day, exit_year=run.year,
                                    expected_version=version)
    elif proposal.kind == ProposalKind.RETURN:
        household_status_transition(actor=actor, household=household, to_status=Status.RETURNED, reason=reason,
                                    procedure=Procedure.ADJUSTMENT, date=day, expected_version=version)
    else:
        household_status_transition(actor=actor, household=household, to_status=Status.CANCELLED, reason=reason,
                                    procedure=Procedure.ADJUSTMENT, date=day,
                                    cancel_reason=details.get("cancel_reason") or CancelReason.WRONGLY_REGISTERED)


def _pending(run: AdjustmentRun, ids: Sequence[int] | None, kind: str | None) -> QuerySet[Proposal]:
    qs = run.proposals.filter(state=ProposalState.PENDING)
    if kind:
        qs = qs.filter(kind=kind)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs


def _finish_if_done(run: AdjustmentRun) -> None:
    if not run.proposals.filter(state=ProposalState.PENDING).exists():
        AdjustmentRun.objects.filter(pk=run.pk, status=RunStatus.REVIEW).update(status=RunStatus.CONFIRMED)


def proposals_confirm(*, actor: User | None, run: AdjustmentRun, ids: Sequence[int] | None = None,
                      kind: str | None = None, date: datetime.date | None = None) -> Outcome:
    """Confirm the pending proposals ``ids`` (None: every pending one, of ``kind`` if given). Each is its
    own transaction: a refused one is reported by household and reason, the others go through."""
    _check_run(actor, run)
    day = date or timezone.localdate()
    outcome = Outcome()
    pending = list(_pending(run, ids, kind).select_related("household").order_by("kind", "id")
                   .values_list("pk", "household__number", "household__head_name"))
    for pk, number, head in pending:
        try:
            with transaction.atomic():
                proposal = Proposal.objects.select_for_update().get(pk=pk)
                if proposal.state != ProposalState.PENDING:
                    continue
                _apply(actor, run, proposal, day)
                proposal.state = ProposalState.CONFIRMED
                proposal.confirmed_by = actor if getattr(actor, "pk", None) else None
                proposal.confirmed_at = timezone.now()
                proposal.save(update_fields=["state", "confirmed_by", "confirmed_at"])
                audit_status(actor=actor, obj=proposal, area_path=run.area.path,
                             summary=_("%(y)d 年动态调整：确认%(k)s %(n)s %(h)s") % {
                                 "y": run.year, "k": proposal.get_kind_display(), "n": number, "h": head},
                             data={"run": run.pk, "kind": proposal.kind, "household": proposal.household_id})
            outcome.confirmed += 1
        except (ValidationError, PermissionDenied, Case.DoesNotExist) as exc:
            outcome.refused.append((f"{number} {head}", _messages(exc)))
    _finish_if_done(run)
    return outcome


@transaction.atomic
def proposals_decline(*, actor: User | None, run: AdjustmentRun, note: str, ids: Sequence[int] | None = None,
                      kind: str | None = None) -> Outcome:
    """不采纳 the pending proposals ``ids`` (None: every pending one, of ``kind`` if given), with a reason."""
    _check_run(actor, run)
    if not (note or "").strip():
        raise ValidationError({"note": _("不采纳须注明理由")})
    outcome = Outcome()
    for proposal in _pending(run, ids, kind).select_for_update().select_related("household"):
        proposal.state = ProposalState.DECLINED
        proposal.note = note.strip()[:300]
        proposal.confirmed_by = actor if getattr(actor, "pk", None) else None
        proposal.confirmed_at = timezone.now()
        proposal.save(update_fields=["state", "note", "confirmed_by", "confirmed_at"])
        audit_status(actor=actor, obj=proposal, area_path=run.area.path,
                     summary=_("%(y)d 年动态调整：不采纳%(k)s %(n)s %(h)s（%(r)s）") % {
                         "y": run.year, "k": proposal.get_kind_display(), "n": proposal.household.number,
                         "h": proposal.household.head_name, "r": proposal.note},
                     data={"run": run.pk, "kind": proposal.kind, "household": proposal.household_id})
        outcome.declined += 1
    _finish_if_done(run)
    return outcome
