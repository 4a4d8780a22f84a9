"""The thresholds of issue 16 (rules.RULE_DEFAULTS) as data: ProjectRule rows override per area, the most
specific area on a row's path wins, a row without an area applies everywhere, else the default.

``threshold(key, area)`` reads one value (a disclosure's minimum days). ``segments(key)`` returns the rule
rows of a key as (path prefix, value), most specific first, ending with ("", the everywhere value): the
alerts turn them into one filter per query (``dated_q``) instead of one query per area.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q

from .models import ProjectRule
from .rules import RULE_DEFAULTS

if TYPE_CHECKING:
    from fupin.areas.models import Area


def segments(key: str) -> list[tuple[str, int]]:
    """[(area path, value), …] most specific first; the last is ("", value for everywhere)."""
    rows = list(ProjectRule.objects.filter(key=key).select_related("area").values_list("area__path", "value"))
    everywhere = next((value for path, value in rows if path is None), RULE_DEFAULTS[key])
    specific = sorted(((path, value) for path, value in rows if path), key=lambda pv: -len(pv[0]))
    return [*specific, ("", everywhere)]


def value_for(path: str, segs: list[tuple[str, int]]) -> int:
    """The value of the most specific segment holding ``path``."""
    return next(value for prefix, value in segs if path.startswith(prefix))


def threshold(key: str, area: Area | None = None) -> int:
    return value_for(area.path if area is not None else "", segments(key))


def dated_q(segs: list[tuple[str, int]], path_field: str, date_field: str, today: datetime.date) -> Q:
    """Rows whose ``date_field`` lies more than the threshold (days) of their area before ``today``:
    ``date + days < today``, the threshold taken from the most specific segment of ``path_field``."""
    out = Q(pk__in=[])
    covered: Q | None = None
    for prefix, days in segs:
        part = Q(**{f"{path_field}__startswith": prefix}) if prefix else Q()
        if covered is not None:
            part &= ~covered
        out |= part & Q(**{f"{date_field}__lt": today - datetime.timedelta(days=days)})
        if prefix:
            covered = Q(**{f"{path_field}__startswith": prefix}) if covered is None else (
                covered | Q(**{f"{path_field}__startswith": prefix}))
    return out
