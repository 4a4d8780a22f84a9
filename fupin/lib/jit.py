"""PostgreSQL's JIT compiler, off for one transaction.

The planner prices a query with a correlated subquery per row (the rule engine's field values, one
per household) as expensive, so PostgreSQL JIT-compiles it: on the demo county that is ~3 s of
compilation for a query that runs in ~0.3 s. ``without_jit()`` turns it off for the enclosing
transaction (``SET LOCAL``); on other databases it does nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def without_jit(*, work_mem_mb: int | None = None) -> Iterator[None]:
    """With ``work_mem_mb``, also that much memory for each sort and hash of the transaction's queries (a
    preview grouping a million households sorts on disk with PostgreSQL's default 4 MB)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            if work_mem_mb:
                cursor.execute(f"SET LOCAL work_mem = '{int(work_mem_mb)}MB'")
        yield
