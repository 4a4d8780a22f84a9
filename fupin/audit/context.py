"""Who is acting, from where: the request context the audit trail records without every call site
passing it through.

Held in a ``contextvars.ContextVar``, not in a module global: the threaded server serves several
requests at once in one process, and a global would let one request's address land in another's audit
rows. A context variable is private to its thread (and to its asyncio task); a new thread starts
with the default, so background jobs carry the submitting request's address over explicitly with
``audit_context(ip=...)`` (fupin.jobs.runner does this from the job's ``params["ip"]``).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from contextvars import ContextVar


@dataclasses.dataclass(frozen=True)
class AuditContext:
    ip: str | None = None


_NONE = AuditContext()
_context: ContextVar[AuditContext | None] = ContextVar("fupin_audit_context", default=None)


def current() -> AuditContext:
    return _context.get() or _NONE


def current_ip() -> str | None:
    """The client address of the request (or of the request that submitted the job) being served."""
    return current().ip


@contextlib.contextmanager
def audit_context(*, ip: str | None) -> Iterator[AuditContext]:
    """Record ``ip`` on the audit rows written inside the block; the previous context comes back after
    it, also when the block raises."""
    token = _context.set(AuditContext(ip=ip or None))
    try:
        yield current()
    finally:
        _context.reset(token)
