"""Money exact to the fen: every amount of a ledger (microcredit, poverty funds) is a Decimal with two
places, rounded half up (四舍五入) where a rate makes a fraction of a fen. Never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def yuan(value: Decimal | int | str) -> Decimal:
    """``value`` rounded to the fen."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def shown(value: Decimal | None) -> str:
    """50000 → "50,000.00" (for messages)."""
    return f"{yuan(value or 0):,.2f}"


def Money(verbose_name: str, **kwargs: Any) -> models.DecimalField:  # noqa: N802 - reads like a field class
    """A money column: up to 999,999,999,999.99 yuan, two places."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)
