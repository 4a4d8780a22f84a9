"""The kinds of background job: a name → the handler that runs it, registered by each domain app in its
``AppConfig.ready()``:

    from fupin.jobs.kinds import register
    register("export", label=_("导出"), handler=run_export, model=SheetJob)

A handler takes the job (an instance of ``model``, a proxy of fupin.jobs.models.Job that may add the
domain's file names) and does the work; it reports progress with ``runner.set_progress`` /
``runner.reporter`` and stores its outcome in ``job.result``. It ends the job by returning (done) or by
raising ``runner.JobCancelled`` or ``runner.JobRefused(message)`` (failed, with a message for the
user); any other exception fails the job with an internal-error message and a log entry. The runner
claims, finishes and times the job; the handler never changes ``job.state``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.utils.functional import Promise

from .models import Job

Handler = Callable[[Job], None]


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str
    label: str | Promise
    handler: Handler
    model: type[Job] = Job
    #: rq's limit for one run (seconds); the thread runner has none.
    timeout: int = 6 * 3600


_KINDS: dict[str, Kind] = {}


def register(name: str, *, label: str | Promise, handler: Handler, model: type[Job] = Job,
             timeout: int = 6 * 3600) -> Kind:
    """Register a kind of job. Names are global across domains (the column holds 40 characters); a
    name registered twice with another handler is a programming error."""
    if len(name) > Job._meta.get_field("kind").max_length:
        raise ValueError(f"job kind name too long: {name!r}")
    if not issubclass(model, Job):
        raise TypeError(f"{model!r} is not fupin.jobs.models.Job or a proxy of it")
    kind = Kind(name=name, label=label, handler=handler, model=model, timeout=timeout)
    existing = _KINDS.get(name)
    if existing is not None and existing != kind:
        raise ValueError(f"job kind {name!r} is already registered by {existing.handler.__module__}")
    _KINDS[name] = kind
    return kind


def unregister(name: str) -> None:
    """For tests that register a kind of their own."""
    _KINDS.pop(name, None)


def get(name: str) -> Kind | None:
    return _KINDS.get(name)


def label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind is not None else name
