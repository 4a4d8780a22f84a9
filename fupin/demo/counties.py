"""Real Yunnan county-level codes for the province-sized data set (``fupin demo --scale N``).

The list comes from python-stdnum's ``cn/loc`` database (the same one that fupin.lib.idnumber checks
the first six digits of an ID number against), so every generated ID number has a real area code.
Only units that exist today are used; 罗平县 always comes first, then counties before city districts,
each in code order, so that ``--scale 5`` is a prefix of ``--scale 6``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb

PROVINCE_CODE = "53"
PROVINCE_NAME = "云南省"
HOME_COUNTY = "530324"

_SEGMENT_RE = re.compile(r"^(?:\[(\d{4})?-(\d{4})?\])?(.*)$")


@dataclass(frozen=True)
class CountyRef:
    code: str  # 6 digits
    name: str
    city_code: str  # 4 digits
    city_name: str


def _current_name(raw: str) -> str | None:
    """'[2003-2006]思茅市,[2007-]普洱市' → '普洱市'; None when the unit no longer exists."""
    match = _SEGMENT_RE.match(raw.split(",")[-1])
    if match is None or match.group(2):
        return None
    return match.group(3)


@lru_cache(maxsize=1)
def yunnan_counties() -> tuple[CountyRef, ...]:
    for _length, low, _high, props, children in numdb.get("cn/loc").prefixes:
        if low != PROVINCE_CODE:
            continue
        assert props.get("province") == PROVINCE_NAME
        cities: dict[str, str] = {}
        units: list[tuple[str, str]] = []
        for _l, code4, _h, cprops, _c in children:
            name = _current_name(cprops.get("county", ""))
            if not name:
                continue
            if code4 == "0000":
                continue
            if code4.endswith("00"):
                cities[code4[:2]] = name
            elif name != "市辖区":
                units.append((code4, name))
        refs = [CountyRef(PROVINCE_CODE + code4, name, PROVINCE_CODE + code4[:2], cities.get(code4[:2], ""))
                for code4, name in units if code4[:2] in cities]

        def order(ref: CountyRef) -> tuple[bool, bool, str]:
            return (ref.code != HOME_COUNTY, ref.name.endswith("区"), ref.code)

        return tuple(sorted(refs, key=order))
    raise LookupError("python-stdnum has no 云南省 entries")


def counties_for_scale(scale: int) -> list[CountyRef]:
    refs = yunnan_counties()
    if not 1 <= scale <= len(refs):
        raise ValueError(f"scale must be between 1 and {len(refs)}")
    return list(refs[:scale])
