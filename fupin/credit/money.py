"""Money exact to the fen (the one definition is fupin.lib.money, shared with the poverty-fund ledger)."""

from fupin.lib.money import CENT, ZERO, shown, yuan

__all__ = ["CENT", "ZERO", "shown", "yuan"]
