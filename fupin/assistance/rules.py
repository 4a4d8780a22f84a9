"""Assistance rules (REFERENCE §8, seed 000's 挂包帮): the thresholds the gap checks use, as data.

``DEFAULTS`` are the values where no AssistanceRule row is set for an area or above it. Seed 000 fixes
the 20 days a month in the village for full-time cadres and "县级领导 visit at least 2 poor villages";
the load of a cadre and the visit interval are not fixed by the seeds: 10 households and 90 days (a
visit each quarter) are editable starting points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import AssistanceRule, RuleKey

if TYPE_CHECKING:
    from fupin.areas.models import Area

DEFAULTS: dict[str, int] = {
    RuleKey.CADRE_MAX_HOUSEHOLDS: 10,
    RuleKey.VISIT_INTERVAL_DAYS: 90,
    RuleKey.TEAM_MIN_DAYS: 20,
    RuleKey.LEADER_MIN_VILLAGES: 2,
    RuleKey.DEPARTMENT_MIN_VILLAGES: 1,
}


def threshold(key: str, area: Area | None = None) -> int:
    """The value of ``key`` for ``area``: the row of the most specific area on its path, else the row
    without an area, else DEFAULTS."""
    rows = AssistanceRule.objects.filter(key=key).select_related("area")
    best: tuple[int, int] | None = None
    for row in rows:
        if row.area_id is None:
            depth = 0
        elif area is not None and area.path.startswith(row.area.path):
            depth = len(row.area.path)
        else:
            continue
        if best is None or depth > best[0]:
            best = (depth, row.value)
    return best[1] if best is not None else DEFAULTS[key]
