"""Area-code paths (a child's path starts with its parent's)."""

from __future__ import annotations


def common_prefix(paths: list[str]) -> str:
    """The longest prefix every path shares (of the smallest and the largest: every path between
    them shares it too)."""
    first, last = min(paths), max(paths)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]
