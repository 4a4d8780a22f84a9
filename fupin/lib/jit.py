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
def without_jit() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield
