"""The thresholds of issue 16 (rules.RULE_DEFAULTS) as data: ProjectRule rows override per area, the most
specific area on a row's path wins, a row without an area applies everywhere, else the default.

This module is the ONE reader of ProjectRule: ``threshold(key, area)`` reads one value (a disclosure's
minimum days, the lifecycle's notice guards in services_library); ``segments(key)`` returns the rule rows of a
key as (path prefix, value), most specific first, ending with ("", the everywhere value): the alerts turn
them into one filter per query (``dated_q``) instead of one query per area; ``standing(area)`` gives the
规则与阈值 page every key's value in force for an area — from the same ``segments``, so the page shows
exactly what the alerts and the disclosures use. Writes: services_rules.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


@dataclass(frozen=True)
class Standing:
    """One threshold for an area: the value in force and where it comes from."""

    key: str
    default: int          # rules.RULE_DEFAULTS
    everywhere: int       # the row without an area (全国), else the default
    value: int            # in force for the area: what threshold(key, area) returns
    source: Any           # the ProjectRule giving ``value`` (None: the default)
    own: Any              # the area's own ProjectRule (None: it inherits)


def standing(area: Area | None) -> list[Standing]:
    """Every key of RULE_DEFAULTS for ``area`` (None: 全国), in RULE_DEFAULTS' order. The value is
    ``value_for(path, segments(key))`` — what threshold() and the alerts compute."""
    path = area.path if area is not None else ""
    rows = {(r.key, r.area.path if r.area_id else ""): r
            for r in ProjectRule.objects.select_related("area", "changed_by")}
    out = []
    for key, default in RULE_DEFAULTS.items():
        segs = segments(key)
        source_path = next(prefix for prefix, _value in segs if path.startswith(prefix))
        out.append(Standing(key=key, default=default, everywhere=segs[-1][1], value=value_for(path, segs),
                            source=rows.get((key, source_path)), own=rows.get((key, path))))
    return out


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
