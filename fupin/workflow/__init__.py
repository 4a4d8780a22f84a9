"""Transition tables and one ``transition()`` for every process with a state (ARCHITECTURE: workflow/).

A *process* is a state field of one model (a household's 户状态; later an identification case's step,
a monitoring object's risk, a project's stage) with a table of the steps it may take. Each step says

* ``source`` → ``target``;
* ``may``: who may take it — a capability of ``fupin.accounts.policy.CAPABILITIES`` (``"write"``)
  or a callable ``(actor, obj) -> bool``; every step also needs the actor's write scope over the
  object's area (one check, :func:`check_write`);
* ``procedures``: which procedures may record it (None: any), e.g. 注销 is never done by 数据导入;
* ``guards``: callables ``(step) -> None | message | {field: message}``; any answer but None refuses
  (a process may also have guards of its own, asked for every step: ``Process.guards``);
* ``effects``: callables ``(step) -> None`` run after the state has changed, in the same transaction
  (a failing effect undoes the whole step).

:func:`transition` takes one step: it checks the actor, the reason, the table, the procedure and the
guards, validates the object, then **claims** the step with a conditional UPDATE
(``UPDATE … SET status = to, version = version + 1 WHERE pk = ? AND status = from``). When another user
moved the object first, the UPDATE matches no row and the caller gets :class:`Conflict` ("该户状态已被他人
变更…"), never a second, silent change: of two people acting at once exactly one succeeds. Then the
process writes its history row and its audit row, and the effects run — all in one transaction.

Declaring a process (the tables are pure data; the model and the writers are attached where the
services live)::

    from fupin import workflow

    CASE_STEPS = workflow.Table(
        states=CaseStep.values,
        transitions=[
            workflow.Transition(CaseStep.APPLIED, CaseStep.GROUP_REVIEWED, may="write"),
            workflow.Transition(CaseStep.GROUP_REVIEWED, CaseStep.NOTICE, guards=(quorum_reached,)),
            workflow.Transition(CaseStep.NOTICE, CaseStep.CONFIRMED, guards=(notice_period_over,),
                                effects=(register_household,)),
        ],
    )
    CASE = workflow.Process(name="identification_case", table=CASE_STEPS, model=Case, field="step",
                            area=lambda case: case.village, history=write_case_history,
                            audit=audit_case_step, label=lambda s: CaseStep(s).label,
                            stale_message=_("该案件已被他人推进到“%(now)s”，请刷新后重试"))

    workflow.transition(process=CASE, actor=user, obj=case, to=CaseStep.NOTICE, reason="村评定通过",
                        procedure=Procedure.IDENTIFICATION)

The household status (``fupin.registry.rules.HOUSEHOLD_STATUS``, attached in
``fupin.registry.services.HOUSEHOLD_STATUS_PROCESS``) is the first process built this way.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area

Guard = Callable[["Step"], "str | Mapping[str, str] | None"]
Effect = Callable[["Step"], None]


class Conflict(ValidationError):
    """Someone else moved the object since the caller read it; nothing was written. The message says
    what the state is now. A ValidationError, so that forms and services report it like any refusal;
    the API answers it with 409."""


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    #: Called only for a user: the system (actor None) may take every step.
    may: str | Callable[[User, Any], bool] | None = None
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()
    procedures: frozenset[str] | None = None


class Table:
    """The steps of one process, looked up by (source, target). Pure data: no database."""

    def __init__(self, *, states: Iterable[str], transitions: Iterable[Transition]) -> None:
        self.states = tuple(str(s) for s in states)
        self.transitions = tuple(transitions)
        self._by_pair: dict[tuple[str, str], Transition] = {}
        for t in self.transitions:
            key = (str(t.source), str(t.target))
            if key in self._by_pair:
                raise ValueError(f"duplicate transition {key}")
            if key[0] not in self.states or key[1] not in self.states:
                raise ValueError(f"unknown state in {key}")
            self._by_pair[key] = t

    def find(self, source: str, target: str) -> Transition | None:
        return self._by_pair.get((source, target))

    def targets(self, source: str) -> frozenset[str]:
        return frozenset(t for s, t in self._by_pair if s == source)

    def as_dict(self) -> dict[str, frozenset[str]]:
        """{source: {targets}} for every state (a final state maps to an empty set)."""
        return {state: self.targets(state) for state in self.states}

    def refusal(self, source: str, target: str, *, procedure: str | None = None,
                label: Callable[[str], str] = str, procedure_label: Callable[[str], str] = str) -> str | None:
        """Why the table refuses ``source → target`` recorded by ``procedure``, or None. Pure: the same
        answer for the services, the forms, the API, the importer and the demo."""
        t = self.find(source, target)
        if t is None:
            return _("不能从“%(a)s”变更为“%(b)s”") % {"a": label(source), "b": label(target)}
        if procedure is not None and t.procedures is not None and procedure not in t.procedures:
            return _("“%(p)s”不能把状态从“%(a)s”变更为“%(b)s”") % {
                "p": procedure_label(procedure), "a": label(source), "b": label(target)}
        return None


@dataclass
class Step:
    """What guards, effects and the history and audit writers see of one step."""

    process: Process
    transition: Transition
    #: None: the system (CLI without --user, data migrations).
    actor: User | None
    obj: models.Model
    source: str
    target: str
    reason: str
    date: datetime.date
    procedure: str
    #: Other fields written with the state (e.g. 注销原因, 脱贫年度), already set on ``obj``.
    values: dict[str, Any] = field(default_factory=dict)
    #: Their values (and the state's) before the step, for the audit row's before/after.
    before: dict[str, Any] = field(default_factory=dict)
    #: Anything else the caller hands to its guards and effects.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def changes(self) -> dict[str, tuple[Any, Any]]:
        """{field: (before, after)} of the fields this step wrote, those that changed."""
        out = {}
        for name, old in self.before.items():
            new = getattr(self.obj, name)
            if old != new:
                out[name] = (old, new)
        return out


@dataclass(frozen=True)
class Process:
    name: str
    table: Table
    model: type[models.Model]
    #: The area whose write scope the actor needs (a household's village or group).
    area: Callable[[Any], Area]
    #: Writes the history row (e.g. registry StatusChange) — inside the step's transaction.
    history: Callable[[Step], None]
    #: Writes the audit row — inside the step's transaction.
    audit: Callable[[Step], None]
    stale_message: str
    field: str = "status"
    label: Callable[[str], str] = str
    #: Validates the object with the step's values set (default: full_clean()); raises ValidationError.
    validate: Callable[[Any], None] | None = None
    #: Guards asked of every step of the process, before each transition's own (e.g. the step's date
    #: in order with the history).
    guards: tuple[Guard, ...] = ()
    version_field: str | None = "version"
    touch_field: str | None = "updated_at"
    #: The scope check of every step, ``(actor, obj) -> None`` raising PermissionDenied / ValidationError
    #: (default None: :func:`check_write` on ``area(obj)``). For a process some of whose steps are taken
    #: by roles that are not registry writers (issue 16: a 行业部门 appraises and accepts its projects).
    scope: Callable[[Any, Any], None] | None = None
    #: The history row of a step, unsaved (for :func:`replay`'s bulk writer; ``history`` saves the same row).
    history_row: Callable[[Step], models.Model] | None = None

    def check_scope(self, actor: User | None, obj: Any) -> None:
        if self.scope is not None:
            self.scope(actor, obj)
        else:
            check_write(actor, self.area(obj))

    def state_label(self, state: str) -> str:
        try:
            return str(self.label(state))
        except ValueError:  # an unknown code: show it as given
            return str(state)


def check_write(actor: User | None, area: Area) -> None:
    """The write-scope check of every step, in one place (raises PermissionDenied / ValidationError).

    The access policy decides (fupin.accounts.policy.check_write)."""
    from fupin.accounts import policy

    policy.check_write(actor, area)


def _may(rule: str | Callable[[User, Any], bool] | None, actor: User | None, obj: models.Model) -> bool:
    if rule is None or actor is None:  # None: the system (CLI without --user, data migrations)
        return True
    if isinstance(rule, str):
        from fupin.accounts import policy

        return policy.can(actor, rule)
    return bool(rule(actor, obj))


def _errors(answer: str | Mapping[str, str] | None, field_name: str) -> dict[str, list[str]]:
    if answer is None:
        return {}
    if isinstance(answer, Mapping):
        return {k: [str(v)] for k, v in answer.items()}
    return {field_name: [str(answer)]}


def _allowed(process: Process, actor: User | None, obj: models.Model, source: str, to: str, reason: str,
             procedure: str, procedure_label: Callable[[str], str]) -> Transition:
    """The step's transition, once the actor's scope, the reason, the table, the procedure and the
    actor's capability allow it; otherwise PermissionDenied or ValidationError."""
    process.check_scope(actor, obj)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("状态变更必须注明原因")})
    message = process.table.refusal(source, to, procedure=procedure, label=process.state_label,
                                    procedure_label=procedure_label)
    if message:
        raise ValidationError({process.field: message})
    t = process.table.find(source, to)
    if not _may(t.may, actor, obj):
        raise PermissionDenied(_("您的角色不能把状态从“%(a)s”变更为“%(b)s”") % {
            "a": process.state_label(source), "b": process.state_label(to)})
    return t


def _check_guards(step: Step) -> None:
    """Every guard is asked (the process's, then the transition's), so that one refusal lists all that
    stand in the way."""
    errors: dict[str, list[str]] = {}
    for guard in (*step.process.guards, *step.transition.guards):
        for key, messages in _errors(guard(step), step.process.field).items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _set_and_validate(step: Step) -> None:
    """Put the step's state and values on the object and validate it; on failure the caller's copy is
    left as it was read."""
    obj = step.obj
    try:
        setattr(obj, step.process.field, step.target)
        for name, value in step.values.items():
            setattr(obj, name, value)
        (step.process.validate or (lambda o: o.full_clean()))(obj)
    except Exception:
        _restore(step)
        raise


def _restore(step: Step) -> None:
    for name, value in step.before.items():
        setattr(step.obj, name, value)


def _claim(step: Step, expected_version: int | None) -> None:
    """The claim: the row moves only if it is still where the caller saw it; otherwise Conflict, with
    the caller's copy restored."""
    process, obj, state = step.process, step.obj, step.process.field
    where: dict[str, Any] = {"pk": obj.pk, state: step.source}
    writes: dict[str, Any] = {state: step.target, **{process.model._meta.get_field(n).attname: getattr(obj, n)
                                                    for n in step.values}}
    if process.version_field:
        if expected_version is not None:
            where[process.version_field] = expected_version
        writes[process.version_field] = F(process.version_field) + 1
    if process.touch_field:
        writes[process.touch_field] = timezone.now()
    if process.model._default_manager.filter(**where).update(**writes):
        return
    _restore(step)
    now = process.model._default_manager.filter(pk=obj.pk).values_list(state, flat=True).first()
    if now is not None and now == step.source:
        # The state is as the caller saw it, but the version is not: something else changed.
        raise Conflict(_("该记录刚被他人修改过，请刷新后重试"))
    raise Conflict(process.stale_message % {"now": process.state_label(now) if now else _("已删除")})


@transaction.atomic
def transition(*, process: Process, actor: User | None, obj: models.Model, to: str, reason: str,
               date: datetime.date | None = None, procedure: str, values: Mapping[str, Any] | None = None,
               expected_version: int | None = None, procedure_label: Callable[[str], str] = str,
               extra: Mapping[str, Any] | None = None) -> models.Model:
    """Take one step of ``process`` for ``obj`` (see the module's docstring). ``obj`` is the copy the
    caller read: its state is the step's source, and the step is refused (Conflict) when the row has
    moved on since. On success ``obj`` holds the row as written (state, values, version)."""
    state = process.field
    source = getattr(obj, state)
    process.check_scope(actor, obj)
    if expected_version is not None and process.version_field \
            and getattr(obj, process.version_field) != expected_version:
        # The caller's page is older than the copy read now: say so before the table or any guard
        # compares the step with what the page did not show (e.g. a later status change, or the very
        # step the page offers, already taken by someone else).
        raise Conflict(_("该记录刚被他人修改过，请刷新后重试"))
    t = _allowed(process, actor, obj, source, to, reason, procedure, procedure_label)
    values = dict(values or {})
    before = {name: getattr(obj, name) for name in [state, *values]}
    step = Step(process=process, transition=t, actor=actor, obj=obj, source=source, target=to,
                reason=reason.strip(), date=date or timezone.localdate(), procedure=procedure, values=values,
                before=before, extra=dict(extra or {}))
    _check_guards(step)
    _set_and_validate(step)
    _claim(step, expected_version)
    # The row as written (the caller's copy may predate other fields' changes, e.g. the member count
    # the history row records); the row lock taken by the UPDATE keeps it so until commit.
    obj.refresh_from_db()
    process.history(step)
    process.audit(step)
    for effect in t.effects:
        effect(step)
    return obj


@dataclass(frozen=True)
class Planned:
    """One step of a path :func:`replay` checks: where to, who, when, why, and what else it writes."""

    to: str
    actor: User | None
    date: datetime.date
    reason: str
    values: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


def replay(*, process: Process, obj: models.Model, steps: Iterable[Planned], procedure: str,
           procedure_label: Callable[[str], str] = str) -> list[Step]:
    """A path ``obj`` took before it is written, for a bulk writer (the demo county): each step checked by
    the rule :func:`transition` applies (the actor's scope, the reason, the table, the procedure, the actor's
    capability: one ``_allowed``) and taken on ``obj`` in memory — its state and values set, its version
    counted as the claim counts it. Returns the Steps, whose history rows ``process.history_row`` makes
    (unsaved). Nothing is written and the guards are not asked (they read the database as it is when the
    step is taken, not as it was on the step's date): the caller writes a path its data already meets, the
    row, the history rows and one audit row for the whole load. Raises as transition() does, on the first
    step the rule refuses."""
    state, out = process.field, []
    for planned in steps:
        source = getattr(obj, state)
        t = _allowed(process, planned.actor, obj, source, planned.to, planned.reason, procedure, procedure_label)
        values = dict(planned.values)
        step = Step(process=process, transition=t, actor=planned.actor, obj=obj, source=source, target=planned.to,
                    reason=planned.reason.strip(), date=planned.date, procedure=procedure, values=values,
                    before={name: getattr(obj, name) for name in [state, *values]}, extra=dict(planned.extra))
        setattr(obj, state, planned.to)
        for name, value in values.items():
            setattr(obj, name, value)
        if process.version_field:
            setattr(obj, process.version_field, (getattr(obj, process.version_field) or 0) + 1)
        out.append(step)
    return out


def claim_many(*, process: Process, steps: Iterable[tuple[Any, str, str]]) -> list[Any]:
    """The bulk path's claim (an import moving hundreds of households): ``steps`` are (pk, source,
    target); one conditional UPDATE per (source, target) pair sets the state where it still is the
    source. Returns the primary keys that had moved on (the caller refuses the whole batch: it runs in
    the caller's transaction). History, audit and versions are the bulk writer's job."""
    by_pair: dict[tuple[str, str], list[Any]] = {}
    for pk, source, target in steps:
        by_pair.setdefault((source, target), []).append(pk)
    manager = process.model._default_manager
    lost: list[Any] = []
    for (source, target), pks in by_pair.items():
        for start in range(0, len(pks), 900):  # SQLite's bound-parameter limit
            chunk = pks[start:start + 900]
            # Lock the rows first (PostgreSQL; SQLite holds the whole database): what is not at the
            # source now has been moved by someone else since the import was checked.
            now = dict(manager.select_for_update().filter(pk__in=chunk).values_list("pk", process.field))
            moved = [pk for pk in chunk if now.get(pk) != source]
            lost.extend(moved)
            if len(moved) < len(chunk):
                manager.filter(pk__in=[pk for pk in chunk if now.get(pk) == source]).update(
                    **{process.field: target})
    return lost
