"""Shared data of the alerts tests: the test day, the monitoring line, sector lists written as CSV text."""

from __future__ import annotations

import datetime
from decimal import Decimal

from fupin.registry.choices import Relation

LINE_YEAR = 2024
LINE = Decimal("7000")
TODAY = datetime.date(2025, 3, 1)


def csv_of(kind_columns: list[str], rows: list[list[object]]) -> bytes:
    header = ["id_number", "name", "birth_date", "sex", "area_code", "source_ref", *kind_columns]
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def head_of(household):
    return household.members.get(relation=Relation.HEAD)
