"""One large read-only query cut into slices of ids, run side by side (PostgreSQL only).

PostgreSQL runs a query's GROUP BY over a join in one process when the grouping needs the rows in order
(a merge join under a GroupAggregate): the other cores stay idle however many there are. Cut into slices
of household ids, each slice on its own connection and core, the same work takes about 1/N of the time
(the rule preview at --scale 100 on two cores: 5.4 s → 2.5 s).

The slices read one **shared snapshot**: the calling connection opens a REPEATABLE READ transaction and
exports its snapshot (``pg_export_snapshot``), each slice's connection imports it before its query, so
the slices together see the database exactly as one query would, whatever is written meanwhile.
Used only outside a transaction (a caller inside one may have uncommitted writes the other connections
cannot see, and its isolation level is already fixed): there, and on SQLite, callers run one query.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, QuerySet

Query = tuple[str, Sequence[Any]]
_SNAPSHOT = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?$")


def available() -> bool:
    """Whether queries may be sliced here: PostgreSQL, more than one slice configured, no transaction open."""
    return (connection.vendor == "postgresql" and settings.FUPIN_QUERY_SLICES > 1
            and not connection.in_atomic_block)


def id_ranges(queryset: QuerySet, slices: int | None = None, min_rows: int | None = None) -> list[tuple[int, int]] | None:
    """``slices`` ranges [first, end) of equal width covering the primary keys of ``queryset``; None when it
    holds fewer than ``min_rows`` rows (a single query is as fast)."""
    slices = slices or settings.FUPIN_QUERY_SLICES
    min_rows = settings.FUPIN_SLICE_MIN_ROWS if min_rows is None else min_rows
    bounds = queryset.order_by().aggregate(lo=Min("pk"), hi=Max("pk"), n=Count("pk"))
    if not bounds["n"] or bounds["n"] < max(min_rows, 1) or slices < 2:
        return None
    lo, end = bounds["lo"], bounds["hi"] + 1
    step = math.ceil((end - lo) / slices)
    return [(lo + i * step, min(lo + (i + 1) * step, end)) for i in range(slices) if lo + i * step < end]


def run_in_snapshot(queries: Sequence[Query], *, work_mem_mb: int | None = None) -> list[list[tuple]]:
    """Run each (sql, params) on its own connection, side by side, all in this connection's snapshot;
    the rows of each, in order. Outside a transaction only (``available()``)."""
    if connection.in_atomic_block:
        raise RuntimeError("run_in_snapshot needs to open its own transaction")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # The exporting transaction stays open until every slice has imported and read its snapshot.
        with ThreadPoolExecutor(max_workers=len(queries)) as pool:
            return list(pool.map(partial(_run, snapshot=snapshot, work_mem_mb=work_mem_mb), queries))


def _run(query: Query, *, snapshot: str, work_mem_mb: int | None) -> list[tuple]:
    if not _SNAPSHOT.match(snapshot):  # SET TRANSACTION SNAPSHOT takes no parameter: it is spelled out
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    sql, params = query
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            # One core per slice: the slices are the parallelism. Without JIT (seconds of compiling).
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute("SET LOCAL jit = off")
            if work_mem_mb:
                cursor.execute(f"SET LOCAL work_mem = '{int(work_mem_mb)}MB'")
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()  # this thread's connection: the pool's threads end here
