"""``path__subtree=P``: the rows whose code path lies inside area P (starts with P).

The same rows as ``path__startswith=P``. On SQLite it is that LIKE. On PostgreSQL it is written as
the byte-order range ``P ≤ path < P'`` (P' = P with its last digit raised by one) with the
operators of the ``varchar_pattern_ops`` prefix indexes (``~>=~``, ``~<~``). For ``LIKE 'P%'``
PostgreSQL derives that same range to search the index, but then checks LIKE again on every row
it finds; a county's 12,285 households cost 1.24 ms to count with LIKE and 0.98 ms with the range
(at ``--scale 100``). Every scoped list, count and page goes through it (``fupin.accounts.policy.area_q``).

Why the range holds exactly the rows that start with P: a string s with P ≤ s < P' agrees with P up
to P's last character (a difference before it would put s below P or at/above P'), and its
character there is P's (one higher would make s ≥ P'). Codes are digits, so raising the last one
never leaves the digits' range of bytes; anything else falls back to LIKE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Lookup
from django.db.models.lookups import StartsWith

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


@CharField.register_lookup
class Subtree(Lookup):
    lookup_name = "subtree"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Sequence[Any]]:
        return compiler.compile(StartsWith(self.lhs, self.rhs))

    def as_postgresql(self, compiler: SQLCompiler,
                      connection: BaseDatabaseWrapper) -> tuple[str, Sequence[Any]]:
        prefix = self.rhs
        if self.rhs_is_direct_value() and isinstance(prefix, str) and prefix.isascii() and prefix.isdigit():
            lhs, lhs_params = self.process_lhs(compiler, connection)
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            return (f"({lhs}::text ~>=~ %s AND {lhs}::text ~<~ %s)",
                    [*lhs_params, prefix, *lhs_params, upper])
        return self.as_sql(compiler, connection)
