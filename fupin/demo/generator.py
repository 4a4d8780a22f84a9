"""The deterministic synthetic county (REFERENCE §14, seed 000).

Pure Python, no database: ``generate_county(spec, seed=..., lines=...)`` returns plain row dicts
(keyed by model attnames, with primary keys numbered within the county) for areas, designations,
households, members, yearly records and status changes. ``fupin.demo.loader`` writes them in bulk.

Determinism: every random choice comes from one ``random.Random`` seeded with the seed and the county
code, consumed in a fixed order; nothing iterates a set or depends on hash order. The same seed and
spec give the same rows (the loader shifts primary keys past whatever the database already holds).

The shape follows seed 000 (罗平县 2015, "33688" plan): 12,285 households / 41,685 people identified
in 2014 (a few in 2015/2016), 3 poor townships and 24 poor villages holding most of them, first exits
of 7,685 people in 2015, 17,000 in 2016 and 17,000 in 2017, plus households that returned to poverty
(返贫) and exited again a year later; by 2020 all have exited (已脱贫 or 脱贫不再享受政策), a few were
cancelled (注销).

2021–2026 (since 2021 a county office's daily work is 防返贫监测, REFERENCE §7): yearly records go on to
2026 with incomes growing (a dip in 2022 for those who work away from home), above the monitoring line
unless the household is monitored; exited households become 脱贫不再享受政策 as their income passes the
county average (过渡期); a few more are cancelled. Monitoring episodes (``h["episodes"]``, written as
fupin.monitoring MonitoringObject rows with their Measures) start in 2020: 脱贫不稳定户 among exited
households, 突发严重困难户 (即时帮扶), households checked and not enrolled, a few cleared households
enrolled again; and households never registered poor enter the registry through monitoring
(边缘易致贫户, 突发严重困难户; rules.INITIAL_STATUSES), apart from seed 000's 12,285 / 41,685. Each
enrolled episode is a 监测对象(风险未消除) status row on its enrolment day and, when the risk was
eliminated (≥ half a year later, in a later year, after ≥ 1 measure, income above the line), a
(风险已消除) row; households with no labour force stay monitored. Targets (seed 000's quotas) per county
and township. Member attributes (age-dependent school status, labour ability and so on) describe the
household as of ``AS_OF`` (2026-11-30), where the data stops. Not modelled: births, deaths and moves of
single members after identification (a household's members stay as identified, or all leave with a
注销).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from fupin.lib import pinyin
from fupin.registry import rules
from fupin.registry.choices import LineKind

from . import pools

if TYPE_CHECKING:
    from .counties import CountyRef

D = datetime.date
#: Where the data stops: the last month-end before the demo's "today" (2026-12-06), when the month's
#: 防返贫监测 figures are closed. Fixed, not ``today()``: the same seed gives the same county on any day.
AS_OF = D(2026, 11, 30)
SCHOOL_DAY = D(2026, 9, 1)  # ages for school status are taken at the start of the 2026 school year
FIRST_YEAR = 2014
LAST_YEAR = 2026
#: 脱贫攻坚 ends with 2020: the last national poverty line, the last first exits, 返贫 and re-exits.
CAMPAIGN_LAST_YEAR = 2020
YEARS = list(range(FIRST_YEAR, LAST_YEAR + 1))

#: National poverty lines (REFERENCE §3), yuan per person per year.
NATIONAL_LINES = {2011: 2536, 2012: 2625, 2013: 2736, 2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952,
                  2018: 2995, 2019: 3218, 2020: 4000}
#: 防返贫监测线 (REFERENCE §7): 6,000 yuan nationally in 2021 (registry migration 0002); afterwards each
#: province sets its own. Yunnan's lines 2022–2026 are demo data (演示数据) except 2025's 8,700 named by
#: REFERENCE §7; the loader writes them as PovertyLine kind "monitoring" on the province. 2020, when
#: monitoring began before any line was set, takes 1.5 × that year's poverty line (6,000), also as demo data.
NATIONAL_MONITORING_LINES = {2021: 6000}
YUNNAN_MONITORING_LINES = {2020: 6000, 2022: 6500, 2023: 7100, 2024: 7800, 2025: 8700, 2026: 9300}
MONITORING_LINES = {**NATIONAL_MONITORING_LINES, **YUNNAN_MONITORING_LINES}

#: Seed 000: 12,285 households, 41,685 people; exits of 7,685 (2015), 17,000 (2016), 17,000 (2017).
LUOPING_HOUSEHOLDS = 12285
# Seed 000 / REFERENCE §14: 罗平县 has roughly 500,000 rural residents.
RURAL_POPULATION = 500_000
LUOPING_PEOPLE = 41685
LUOPING_QUOTAS = {2015: 7685, 2016: 17000, 2017: 17000}
LUOPING_VILLAGES = 150

CENT = Decimal("0.01")

#: A generated row: model attnames → values (primary keys numbered within the county).
Row = dict[str, Any]
#: A village being filled: its Area row ("row"), township row and name, its group rows and flags
#: (street, poor_t: in a poor township, community, poor, deep).
VillagePlan = dict[str, Any]
#: A member being generated: Member attnames, plus "_age" (at AS_OF), which is not written.
MemberPlan = dict[str, Any]
#: A household being planned: its village, group, members, causes, living conditions and the years of
#: its history (ident, exit1, ret, cancel, monitor, stable); emit() turns it into rows.
HouseholdPlan = dict[str, Any]
#: One year's generated incomes (whole yuan: wage, business, property, transfer, expense) and "poor".
YearIncome = dict[str, int]
V = TypeVar("V")

# Share of causes among main causes (因病 the most common, as in every county's statistics).
MAIN_CAUSE_WEIGHTS = [
    ("illness", 30), ("funds", 17), ("skills", 15), ("labour", 10), ("disability", 8), ("schooling", 7),
    ("transport", 4), ("land", 3), ("disaster", 2.5), ("water", 1.5), ("motivation", 1.5), ("other", 0.5),
]
OTHER_CAUSE_WEIGHTS = [
    ("illness", 4), ("disability", 2), ("schooling", 3), ("disaster", 1), ("land", 2), ("water", 1),
    ("skills", 5), ("labour", 3), ("funds", 5), ("transport", 2), ("motivation", 1), ("other", 0.5),
]
CAUSE_LABELS = {
    "illness": "因病", "disability": "因残", "schooling": "因学", "disaster": "因灾", "land": "缺土地",
    "water": "缺水", "skills": "缺技术", "labour": "缺劳力", "funds": "缺资金", "transport": "交通条件落后",
    "motivation": "自身发展动力不足", "other": "其他",
}
OBJECT_KIND_LABELS = {"unstable": "脱贫不稳定户", "edge": "边缘易致贫户", "sudden": "突发严重困难户"}
PHONE_PREFIXES = ["38", "39", "58", "59", "87", "88", "51", "52", "82", "83", "34", "35", "36", "37", "50", "57"]


@dataclass
class CountySpec:
    code: str  # 6 digits
    name: str
    city_code: str  # 4 digits
    city_name: str
    households: int
    people: int
    villages: int
    quotas: dict[int, int]
    townships: list[tuple[str, str]] | None = None  # (3-digit code, name); None: invented
    poor_townships: list[str] | None = None  # names; None: chosen
    village_weights: dict[str, float] | None = None
    ethnic: dict[str, list[tuple[str, float]]] | None = None  # township name → mix
    ethnic_default: list[tuple[str, float]] = field(default_factory=lambda: list(pools.ETHNIC_DEFAULT))
    n_poor_townships: int = 3
    n_poor_villages: int = 24
    n_deep_poor_villages: int = 6


def scaled_quotas(people: int) -> dict[int, int]:
    """Seed 000's yearly exit quotas, scaled to a county of ``people`` registered poor people."""
    if people == LUOPING_PEOPLE:
        return dict(LUOPING_QUOTAS)
    q2015 = round(people * LUOPING_QUOTAS[2015] / LUOPING_PEOPLE)
    q2016 = round(people * LUOPING_QUOTAS[2016] / LUOPING_PEOPLE)
    return {2015: q2015, 2016: q2016, 2017: people - q2015 - q2016}


def luoping_spec(households: int = LUOPING_HOUSEHOLDS, people: int | None = None,
                 villages: int | None = None) -> CountySpec:
    """罗平县 as in seed 000; smaller ``households`` give a miniature of it (for tests)."""
    if people is None:
        people = LUOPING_PEOPLE if households == LUOPING_HOUSEHOLDS else round(
            households * LUOPING_PEOPLE / LUOPING_HOUSEHOLDS)
    if villages is None:
        villages = LUOPING_VILLAGES if households >= LUOPING_HOUSEHOLDS else max(
            36, round(LUOPING_VILLAGES * households / LUOPING_HOUSEHOLDS))
    return CountySpec(
        code="530324", name="罗平县", city_code="5303", city_name="曲靖市", households=households, people=people,
        villages=villages, quotas=scaled_quotas(people), townships=list(pools.LUOPING_TOWNSHIPS),
        poor_townships=list(pools.LUOPING_POOR_TOWNSHIPS), village_weights=dict(pools.LUOPING_VILLAGE_WEIGHTS),
        ethnic={k: list(v) for k, v in pools.LUOPING_ETHNIC.items()},
    )


def shrink_spec(spec: CountySpec, households: int) -> CountySpec:
    """A miniature of a county, same shape and proportions (tests)."""
    if spec.code == "530324":
        return luoping_spec(households=households)
    people = round(households * spec.people / spec.households)
    villages = max(36, round(spec.villages * households / spec.households))
    return dataclasses.replace(spec, households=households, people=people, villages=villages,
                               quotas=scaled_quotas(people))


# Minority groups named in Yunnan county and prefecture names (GB 3304 codes).
_NAMED_ETHNIC = [("彝族", "07"), ("哈尼族", "16"), ("傣族", "18"), ("白族", "14"), ("苗族", "06"), ("回族", "03"),
                 ("拉祜族", "24"), ("佤族", "21"), ("纳西族", "27"), ("瑶族", "13"), ("傈僳族", "20"), ("藏族", "04"),
                 ("景颇族", "28"), ("布朗族", "34"), ("普米族", "40"), ("独龙族", "51"), ("怒族", "42"), ("壮族", "08"),
                 ("布依族", "09"), ("蒙古族", "02"), ("阿昌族", "39"), ("德昂族", "46"), ("基诺族", "56")]


def county_spec(ref: CountyRef, seed: int) -> CountySpec:
    """A county of the province-sized set: the real code and name, an invented interior."""
    from .counties import HOME_COUNTY

    if ref.code == HOME_COUNTY:
        return luoping_spec()
    rng = Random(f"fupin-demo-spec:{seed}:{ref.code}")
    households = round(LUOPING_HOUSEHOLDS * rng.uniform(0.8, 1.2))
    people = round(households * rng.uniform(3.30, 3.48))
    villages = round(LUOPING_VILLAGES * households / LUOPING_HOUSEHOLDS * rng.uniform(0.85, 1.15))
    named = [code for word, code in _NAMED_ETHNIC if word in ref.name or word in ref.city_name]
    if named:
        mix = [("01", 55.0)] + [(code, 40.0 / len(named)) for code in named] + [("07", 5.0)]
    else:
        mix = [("01", 80.0), ("07", 12.0), ("16", 2.0), ("03", 2.0), ("06", 2.0), ("14", 2.0)]
    merged: dict[str, float] = {}
    for code, weight in mix:
        merged[code] = merged.get(code, 0.0) + weight
    return CountySpec(
        code=ref.code, name=ref.name, city_code=ref.city_code, city_name=ref.city_name, households=households,
        people=people, villages=villages, quotas=scaled_quotas(people), ethnic_default=list(merged.items()),
        n_poor_townships=rng.randint(2, 4), n_poor_villages=rng.randint(18, 32),
        n_deep_poor_villages=rng.randint(3, 8),
    )


@dataclass
class CountyData:
    spec: CountySpec
    areas: list[Row] = field(default_factory=list)  # parents before children
    designations: list[Row] = field(default_factory=list)
    households: list[Row] = field(default_factory=list)
    members: list[Row] = field(default_factory=list)
    yearly: list[Row] = field(default_factory=list)
    changes: list[Row] = field(default_factory=list)
    #: 防返贫监测 (fupin.monitoring.models): MonitoringObject and Measure rows, and the county's and
    #: townships' Target rows (area_id 0: the county).
    objects: list[Row] = field(default_factory=list)
    measures: list[Row] = field(default_factory=list)
    targets: list[Row] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # figures for the loader's report (counts by year, status)
    county_code: str = ""
    demo_township_code: str = ""  # a poor township, for the demo accounts
    demo_village_code: str = ""  # a poor village in it
    rural_population: int = 0  # the county's 农村户籍人口


# --- small helpers ------------------------------------------------------------------------------

#: Sex codes (GB/T 2261.1) as the ID number and the Member model write them.
M, F = "1", "2"
#: One person of a generated family: (relation, sex, age in mid-2014).
Person = tuple[str, str, int]



class Weighted(Generic[V]):
    """A fixed weighted choice, drawn with one ``rng.random()`` and a bisection."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[V, float]]) -> None:
        self.values = [v for v, _w in pairs]
        self.cum = list(itertools.accumulate(w for _v, w in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: Random) -> V:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


DISABILITY_CATEGORIES = Weighted([("4", 45), ("1", 12), ("2", 10), ("3", 3), ("5", 12), ("6", 10), ("7", 8)])
DISABILITY_GRADES = Weighted([("1", 15), ("2", 30), ("3", 30), ("4", 25)])
DIBAO_AMOUNTS = Weighted([(1380, 15), (2280, 30), (3120, 25), (3960, 20), (4500, 10)])  # yuan/person, 2020
TEKUN_AMOUNTS = Weighted([(4800, 25), (5400, 35), (6000, 30), (6600, 10)])
STRUCTURES_OLD = Weighted([("earth_wood", 45), ("brick_wood", 28), ("brick_concrete", 17), ("bamboo_adobe", 6),
                           ("concrete", 3), ("other", 1)])
FUELS = Weighted([("firewood", 38), ("coal", 27), ("electric", 25), ("lpg", 5), ("biogas", 4), ("other", 1)])
ROADS = Weighted([("cement", 65), ("gravel", 15), ("dirt", 8), ("asphalt", 12)])
W_SCHOOL_15 = Weighted([("junior", 35), ("senior", 40), ("vocational", 25)])
W_SCHOOL_16 = Weighted([("senior", 50), ("vocational", 33), ("none", 17)])
W_SCHOOL_18 = Weighted([("senior", 20), ("vocational", 10), ("higher_vocational", 12), ("undergraduate", 8),
                        ("none", 50)])
W_SCHOOL_19 = Weighted([("higher_vocational", 10), ("undergraduate", 8), ("none", 82)])
W_LABOUR_75 = Weighted([("none", 40), ("lost", 30), ("weak", 30)])
W_LABOUR_65 = Weighted([("weak", 60), ("lost", 20), ("normal", 20)])
W_LABOUR = Weighted([("normal", 80), ("skilled", 15), ("weak", 5)])
W_WORK = Weighted([("outside", 35), ("province", 30), ("county", 20), ("township", 15)])
W_MONTHS = Weighted([(12, 30), (11, 15), (10, 20), (9, 10), (8, 10), (6, 10), (4, 5)])
W_N_OTHER = Weighted([(0, 30), (1, 40), (2, 22), (3, 8)])


def _pick(rng: Random, weighted: Sequence[tuple[V, float]]) -> V:
    total = 0.0
    for _v, w in weighted:
        total += w
    x = rng.random() * total
    for value, w in weighted:
        x -= w
        if x < 0:
            return value
    return weighted[-1][0]


def _date(rng: Random, start: D, end: D) -> D:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _age(birth: D, on: D) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _mu(value: float) -> Decimal:
    return Decimal(round(value * 10)) / 10 if value > 0 else Decimal(0)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties by position)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [math.floor(r) for r in raw]
    rest = total - sum(out)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def _yuan(amount: Decimal) -> str:
    return f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"


def _luhn_complete(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def _cn_number(n: int) -> str:
    digits = pools.GROUP_NUMERALS
    if n <= 10:
        return digits[n - 1]
    if n < 20:
        return "十" + digits[n - 11]
    tens, ones = divmod(n, 10)
    return digits[tens - 1] + "十" + (digits[ones - 1] if ones else "")


class _PlaceNames:
    """Unique village name stems for one county: the shuffled pool first, then two-syllable blends."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        stems = list(pools.PLACE_STEMS)
        rng.shuffle(stems)
        self.stems = iter(stems)

    def take(self, stem: str) -> str:
        self.used.add(stem)
        return stem

    def community_stems(self) -> list[str]:
        """The unused 社区 stems, shuffled (taken from the end)."""
        stems = [s for s in pools.COMMUNITY_STEMS if s not in self.used]
        self.rng.shuffle(stems)
        return stems

    def fresh(self) -> str:
        for stem in self.stems:
            if stem not in self.used:
                return self.take(stem)
        while True:  # the pool ran out: combine two syllables
            a, b = self.rng.choice(pools.PLACE_STEMS), self.rng.choice(pools.PLACE_STEMS)
            stem = a[0] + b[1]
            if stem not in self.used:
                return self.take(stem)


#: One status history row: (from status, to status, date, reason, procedure).
Change = tuple[str, str, D, str, str]


class _Housing(NamedTuple):
    """A household's house as it stands at the end (and the years it and its water were fixed)."""

    relocation_year: int | None
    fix_year: int | None  # rebuilt, repaired or moved into a new house
    water_fix_year: int | None
    structure: str
    built_year: int
    grade: str
    area: Decimal


def _per_capita(incomes: dict[int, YearIncome], year: int, n: int) -> Decimal:
    """Per-capita net income of a year's generated incomes, by the registry's rule."""
    inc = incomes[year]
    return rules.derive_income(
        wage=Decimal(inc["wage"]), business=Decimal(inc["business"]),
        property_=Decimal(inc["property"]), transfer=Decimal(inc["transfer"]),
        expense=Decimal(inc["expense"]), member_count=n)[1]


# --- the generator ------------------------------------------------------------------------------


class _Gen:
    def __init__(self, spec: CountySpec, seed: int, ids: dict[str, int], lines: rules.PovertyLines) -> None:
        self.spec = spec
        self.rng = Random(f"fupin-demo:{seed}:{spec.code}")
        self.ids = ids
        self.lines = lines
        self._lines_at: dict[str, dict[int, Decimal]] = {}
        self._mlines: dict[tuple[int, str], Decimal] = {}
        self.data = CountyData(spec=spec, county_code=spec.code + "000000")
        self.used_ids: dict[tuple[D, str], set[int]] = {}
        self.surnames = {code: Weighted(pool) for code, pool in pools.SURNAMES_BY_ETHNICITY.items()}
        self.han = Weighted(pools.HAN_SURNAMES)

    def next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # --- areas ---------------------------------------------------------------------------------

    def lines_at(self, path: str) -> dict[int, Decimal]:
        """The poverty line of each year at an area, by the registry's rule (the most specific line)."""
        found = self._lines_at.get(path)
        if found is None:
            found = self._lines_at[path] = {}
            for year in range(FIRST_YEAR, LAST_YEAR + 1):
                amount = self.lines.amount(year, path)
                if amount is None and year > CAMPAIGN_LAST_YEAR:
                    # No national line after 2020: the records carry the last one, as the demo county's own
                    # line of the current year does (fupin.demo.cases.LINE_NOTE).
                    amount = found[year - 1]
                if amount is None:
                    raise ValueError(f"no poverty line for {year} at {path}")
                found[year] = amount
        return found

    def monitoring_line(self, year: int, path: str) -> Decimal:
        """The 防返贫监测线 of a year at an area (the registry's rule, kind "monitoring"); the demo's own
        figures (MONITORING_LINES) when the database holds none."""
        key = (year, path)
        found = self._mlines.get(key)
        if found is None:
            line = rules.resolve_poverty_line(self.lines.by_year.get(year, ()), year=year, area_path=path,
                                              kind=LineKind.MONITORING)
            found = self._mlines[key] = line.amount if line is not None else Decimal(MONITORING_LINES[year])
        return found

    def _area(self, code: str, name: str, level: str, parent_id: int | None) -> Row:
        row = {"id": self.next_id("area"), "code": code, "name": name, "level": level, "parent_id": parent_id,
               "path": code[:rules.code_width(level)], "synthetic": True, "rural_population": None}
        self.data.areas.append(row)
        return row

    def _invent_townships(self) -> list[tuple[str, str]]:
        rng = self.rng
        n = rng.randint(9, 15)
        streets = rng.randint(1, 2)
        towns = max(3, round((n - streets) * rng.uniform(0.4, 0.65)))
        stems = rng.sample(pools.PLACE_STEMS, n)
        out = []
        for i in range(n):
            if i < streets:
                out.append((f"{i + 1:03d}", stems[i] + "街道"))
            elif i < streets + towns:
                out.append((f"{101 + i - streets:03d}", stems[i] + "镇"))
            else:
                out.append((f"{201 + i - streets - towns:03d}", stems[i] + "乡"))
        return out

    def build_areas(self, county_id: int) -> None:
        rng, spec = self.rng, self.spec
        townships = spec.townships or self._invent_townships()
        poor_t = self._poor_townships(townships)
        weights = [(spec.village_weights or {}).get(name, 10 if name.endswith("街道") else rng.uniform(10, 17))
                   for _c, name in townships]
        per_township = _allocate(spec.villages, weights)
        self.townships: list[tuple[Row, str, bool, bool]] = []  # (row, name, is_street, is_poor)
        self.villages: list[VillagePlan] = []
        names = _PlaceNames(rng)
        for (tcode, tname), nv in zip(townships, per_township, strict=True):
            street = tname.endswith("街道")
            trow = self._area(f"{spec.code}{tcode}000", tname, "township", county_id)
            self.townships.append((trow, tname, street, tname in poor_t))
            self._build_villages(trow, tcode, nv, names, poor_t=tname in poor_t)
        self._mark_poor_villages()
        self._designate()
        self._choose_demo_areas()

    def _poor_townships(self, townships: list[tuple[str, str]]) -> list[str]:
        """The spec's poor townships, or some 乡 (codes 2xx; any rural township when none) chosen."""
        spec = self.spec
        if spec.poor_townships:
            return list(spec.poor_townships)
        rural = [name for code, name in townships if not name.endswith("街道")]
        candidates = [name for code, name in townships if code.startswith("2")] or rural
        return self.rng.sample(candidates, min(spec.n_poor_townships, len(candidates)))

    def _build_villages(self, trow: Row, tcode: str, nv: int, names: _PlaceNames, *, poor_t: bool) -> None:
        """The ``nv`` villages of a township (about 40% 社区 in a 街道) and their groups."""
        rng = self.rng
        tname = trow["name"]
        street = tname.endswith("街道")
        communities = max(1, round(nv * 0.4)) if street else 0
        community_stems = names.community_stems()
        for i in range(nv):
            if i < communities and community_stems:
                vname, vcode = names.take(community_stems.pop()) + "社区", f"{i + 1:03d}"
                community = True
            else:
                vname, vcode = names.fresh() + "村", f"{201 + i:03d}"
                community = False
            vrow = self._area(f"{self.spec.code}{tcode}{vcode}", vname, "village", trow["id"])
            n_groups = rng.randint(3, 6) if community else rng.randint(4, 10)
            kind = "居民小组" if community else "村民小组"
            groups = [self._area(f"{vrow['code']}{g:0{rules.GROUP_SUFFIX_WIDTH}d}", f"第{_cn_number(g)}{kind}",
                                 "group", vrow["id"])
                      for g in range(1, n_groups + 1)]
            self.villages.append({"row": vrow, "township": trow, "tname": tname, "street": street,
                                  "poor_t": poor_t, "community": community, "groups": groups,
                                  "poor": False, "deep": False})

    def _mark_poor_villages(self) -> None:
        """贫困村: about 60% in the poor townships, the rest spread over the other rural townships;
        the 深度贫困村 among them, in the poor townships when there are any."""
        rng, spec = self.rng, self.spec
        in_poor = [v for v in self.villages if v["poor_t"] and not v["community"]]
        elsewhere = [v for v in self.villages if not v["poor_t"] and not v["street"] and not v["community"]]
        n_poor = min(spec.n_poor_villages, len(in_poor) + len(elsewhere))
        k_in = min(len(in_poor), round(n_poor * 0.58))
        chosen = rng.sample(in_poor, k_in) + rng.sample(elsewhere, min(len(elsewhere), n_poor - k_in))
        chosen.sort(key=lambda v: v["row"]["code"])
        for v in chosen:
            v["poor"] = True
        deep_pool = [v for v in chosen if v["poor_t"]] or chosen
        for v in rng.sample(deep_pool, min(spec.n_deep_poor_villages, len(deep_pool))):
            v["deep"] = True

    def _designate(self) -> None:
        """Designations (REFERENCE §1): 贫困乡镇 and 贫困村 for 2014–2019, 深度贫困村 from 2017 (when the
        category was introduced) to 2019."""
        for trow, _name, _street, is_poor in self.townships:
            if is_poor:
                for year in range(2014, 2020):
                    self._designation(trow["id"], year, "poor_township")
        for v in self.villages:
            if v["poor"]:
                for year in range(2014, 2020):
                    self._designation(v["row"]["id"], year, "poor_village")
            if v["deep"]:
                for year in range(2017, 2020):
                    self._designation(v["row"]["id"], year, "deep_poor_village")

    def _choose_demo_areas(self) -> None:
        """The demo accounts' township (a poor one) and village (a poor one in it, if any)."""
        demo_t = next((t for t in self.townships if t[3]), self.townships[0])
        self.data.demo_township_code = demo_t[0]["code"]
        demo_v = next((v for v in self.villages if v["township"] is demo_t[0] and v["poor"]), None) \
            or next(v for v in self.villages if v["township"] is demo_t[0])
        self.data.demo_village_code = demo_v["row"]["code"]

    def _designation(self, area_id: int, year: int, kind: str) -> None:
        self.data.designations.append({"id": self.next_id("designation"), "area_id": area_id, "year": year,
                                       "kind": kind})

    # --- people --------------------------------------------------------------------------------

    def _sizes(self) -> list[int]:
        """Household sizes 1–8 summing exactly to the county's people."""
        rng, spec = self.rng, self.spec
        weights = [(1, 12), (2, 18), (3, 23), (4, 24), (5, 14), (6, 6), (7, 2), (8, 1)]
        pick = Weighted(weights)
        sizes = [pick(rng) for _ in range(spec.households)]
        diff = spec.people - sum(sizes)
        if not spec.households <= spec.people <= 8 * spec.households:
            raise ValueError("people must be between households and 8 × households")
        while diff:
            i = rng.randrange(len(sizes))
            if diff > 0 and sizes[i] < 8 and (sizes[i] < 6 or rng.random() < 0.2):
                sizes[i] += 1
                diff -= 1
            elif diff < 0 and sizes[i] > 1 and (sizes[i] > 2 or rng.random() < 0.3):
                sizes[i] -= 1
                diff += 1
        return sizes

    def _family(self, n: int) -> list[tuple[str, str, int]]:
        """(relation, sex, age in mid-2014) for a household of ``n`` people."""
        if n == 1:
            return self._single()
        if n == 2:
            return self._pair()
        r = self.rng.random()
        if r < 0.55:
            return self._nuclear_family(n)
        if r < 0.75:
            return self._with_head_parents(n)
        if r < 0.95:
            return self._three_generations(n)
        return self._single_parent(n)

    def _kid(self, rel_m: str, rel_f: str, age: int) -> Person:
        return (rel_m, M, age) if self.rng.random() < 0.52 else (rel_f, F, age)

    def _kids_of(self, mother_age: int, k: int, rel_m: str = "son", rel_f: str = "daughter") -> list[Person]:
        """``k`` children born when their mother was 19 to 42, eldest first."""
        ages = self.rng.sample(range(max(0, mother_age - 42), mother_age - 19 + 1), k)
        return [self._kid(rel_m, rel_f, a) for a in sorted(ages, reverse=True)]

    def _couple(self, head_age: int, head_male: bool) -> list[Person]:
        rng = self.rng
        spouse_age = max(18, head_age - rng.randint(-3, 6)) if head_male else head_age + rng.randint(-2, 6)
        return [("head", M if head_male else F, head_age), ("spouse", F if head_male else M, spouse_age)]

    def _single(self) -> list[Person]:
        """One person: mostly the elderly, else a middle-aged man or woman living alone."""
        rng = self.rng
        r = rng.random()
        if r < 0.62:
            return [("head", M if rng.random() < 0.5 else F, rng.randint(60, 88))]
        if r < 0.85:
            return [("head", M, rng.randint(32, 59))]
        return [("head", F, rng.randint(40, 75))]

    def _pair(self) -> list[Person]:
        """Two people: an old or young couple, a parent and child, a head and a parent, or siblings."""
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            return self._couple(rng.randint(52, 86), rng.random() < 0.9)
        if r < 0.72:
            h = rng.randint(40, 80)
            return [("head", M if rng.random() < 0.55 else F, h), self._kid("son", "daughter", max(0, h - rng.randint(20, 38)))]
        if r < 0.87:
            return self._couple(rng.randint(20, 50), rng.random() < 0.92)
        if r < 0.96:
            h = rng.randint(24, 55)
            parent = ("mother", F) if rng.random() < 0.65 else ("father", M)
            return [("head", M if rng.random() < 0.85 else F, h), (parent[0], parent[1], min(95, h + rng.randint(20, 34)))]
        h = rng.randint(30, 65)
        return [("head", M, h), ("sibling", M if rng.random() < 0.5 else F, max(18, h + rng.randint(-8, 8)))]

    def _nuclear_family(self, n: int) -> list[Person]:
        rng = self.rng
        k = n - 2
        m = rng.randint(19 + k, min(62, 19 + k + 28))
        head_male = rng.random() < 0.92
        head_age = m + rng.randint(0, 7) if head_male else m
        fam = self._couple(head_age, head_male)
        if head_male:
            fam[1] = ("spouse", F, m)
        else:
            fam[1] = ("spouse", M, m + rng.randint(-2, 7))
        return fam + self._kids_of(m, k)

    def _with_head_parents(self, n: int) -> list[Person]:
        """A couple with children and one or both of the head's parents."""
        rng = self.rng
        p = 2 if n >= 5 and rng.random() < 0.5 else 1
        k = n - 2 - p
        m = rng.randint(19 + k, min(55, 19 + k + 22))
        head_age = max(19, m + rng.randint(-2, 6))
        fam = [("head", M, head_age), ("spouse", F, m)]
        if p == 2:
            fa = min(95, head_age + rng.randint(20, 34))
            fam += [("father", M, fa), ("mother", F, min(95, max(head_age + 18, fa - rng.randint(-2, 6))))]
        elif rng.random() < 0.65:
            fam.append(("mother", F, min(95, head_age + rng.randint(20, 34))))
        else:
            fam.append(("father", M, min(95, head_age + rng.randint(20, 34))))
        return fam + self._kids_of(m, k)

    def _three_generations(self, n: int) -> list[Person]:
        """An older head (with a spouse or not), a married child and grandchildren."""
        rng = self.rng
        with_spouse = n >= 4 and rng.random() < 0.8
        k = n - 1 - with_spouse - 2
        h = rng.randint(48, 80)
        c = max(19 + k + 1, h - rng.randint(22, 36))
        h = max(h, c + 20)
        head_male = rng.random() < 0.85
        fam = self._couple(h, head_male) if with_spouse else [("head", M if head_male else F, h)]
        if rng.random() < 0.85:
            partner = max(19 + k, c + rng.randint(-4, 2))
            fam += [("son", M, c), ("daughter_in_law", F, partner)]
            mother = partner
        else:  # 上门女婿, common among the minorities of the region
            fam += [("daughter", F, c), ("son_in_law", M, c + rng.randint(-2, 5))]
            mother = c
        return fam + self._kids_of(mother, k, "grandson", "granddaughter")

    def _single_parent(self, n: int) -> list[Person]:
        rng = self.rng
        k = n - 1
        m = rng.randint(19 + k, min(62, 19 + k + 25))
        head_male = rng.random() < 0.4
        fam = [("head", M if head_male else F, m + rng.randint(0, 6) if head_male else m)]
        return fam + self._kids_of(m, k)

    def _surname(self, eth: str) -> str:
        return self.surnames.get(eth, self.han)(self.rng)

    def _given(self, sex: str, birth_year: int) -> str:
        rng = self.rng
        gen = 0 if birth_year < 1970 else (1 if birth_year < 1995 else 2)
        first, second = pools.GIVEN[(sex, gen)]
        if rng.random() < 0.15:
            return rng.choice(second)
        return rng.choice(first) + rng.choice(second)

    def _id_number(self, birth: D, sex: str) -> str:
        from fupin.lib import idnumber

        key = (birth, sex)
        used = self.used_ids.get(key)
        if used is None:
            used = self.used_ids[key] = set()
        seq = self.rng.randrange(500)
        while seq in used:
            seq = (seq + 1) % 500
        used.add(seq)
        return idnumber.make(self.spec.code, birth, seq, sex)

    def _school(self, a: int) -> str:
        rng = self.rng
        if a < 3:
            return "none"
        if a <= 5:
            return "preschool" if rng.random() < 0.85 else "none"
        if a == 6:
            return "primary" if rng.random() < 0.75 else "preschool"
        if a <= 11:
            return "primary"
        if a == 12:
            return "junior" if rng.random() < 0.6 else "primary"
        if a <= 14:
            return "junior"
        if a == 15:
            return W_SCHOOL_15(rng)
        if a <= 17:
            return W_SCHOOL_16(rng)
        if a == 18:
            return W_SCHOOL_18(rng)
        if a <= 22:
            return W_SCHOOL_19(rng)
        return "none"

    def _education(self, school: str, birth_year: int, sex: str) -> str:
        if school != "none":
            return {"preschool": "", "primary": "primary", "junior": "junior", "senior": "senior",
                    "vocational": "vocational", "higher_vocational": "college",
                    "undergraduate": "college"}[school]
        if birth_year < 1950:
            w = [("illiterate", 55), ("primary", 38), ("junior", 7)]
        elif birth_year < 1965:
            w = [("illiterate", 30), ("primary", 50), ("junior", 18), ("senior", 2)]
        elif birth_year < 1980:
            w = [("illiterate", 10), ("primary", 45), ("junior", 40), ("senior", 4), ("vocational", 1)]
        elif birth_year < 1990:
            w = [("illiterate", 4), ("primary", 28), ("junior", 58), ("senior", 6), ("vocational", 3), ("college", 1)]
        else:
            w = [("illiterate", 2), ("primary", 15), ("junior", 58), ("senior", 10), ("vocational", 10),
                 ("college", 5)]
        if sex == "2" and birth_year < 1965:
            w = [(k, v + 15 if k == "illiterate" else v) for k, v in w]
        return _pick(self.rng, w)

    def _make_disabled(self, m: MemberPlan) -> None:
        rng = self.rng
        m["health"] = "disabled"
        m["disability_category"] = DISABILITY_CATEGORIES(rng)
        m["disability_grade"] = DISABILITY_GRADES(rng)
        if rng.random() < 0.9:
            m["disability_cert_no"] = m["id_number"] + m["disability_category"] + m["disability_grade"]

    def _health(self, m: MemberPlan, a: int) -> None:
        rng = self.rng
        if a < 16:
            p = (0.01, 0.005, 0.015)
        elif a < 45:
            p = (0.04, 0.015, 0.03)
        elif a < 60:
            p = (0.12, 0.03, 0.05)
        else:
            p = (0.24, 0.04, 0.07)
        r = rng.random()
        if r < p[0]:
            m["health"] = "chronic"
        elif r < p[0] + p[1]:
            m["health"] = "serious"
        elif r < p[0] + p[1] + p[2]:
            self._make_disabled(m)

    def _labour(self, m: MemberPlan, a: int) -> str:
        rng = self.rng
        if a < 16 or m["school_status"] != "none":
            return "none"
        h = m["health"]
        if h == "serious":
            return "lost" if rng.random() < 0.7 else "weak"
        if h == "disabled":
            return "lost" if m["disability_grade"] in ("1", "2") else ("weak" if rng.random() < 0.6 else "normal")
        if a >= 75:
            return W_LABOUR_75(rng)
        if a >= 65:
            return W_LABOUR_65(rng)
        if h == "chronic":
            return "weak" if rng.random() < 0.6 else "normal"
        return W_LABOUR(rng)

    def _work(self, m: MemberPlan, a: int, township: str) -> None:
        rng = self.rng
        if m["labour"] not in ("normal", "skilled") or not 18 <= a <= 58 or m["soldier"]:
            return
        if rng.random() >= (0.55 if a < 40 else 0.35):
            return
        status = W_WORK(rng)
        m["work_status"] = status
        if status in ("outside", "province"):
            m["work_months"] = W_MONTHS(rng)
            pool = pools.WORK_PLACES_OUTSIDE if status == "outside" else [
                p for p in pools.WORK_PLACES_PROVINCE if self.spec.name not in p]
            m["work_place"] = rng.choice(pool)
        elif status == "county":
            m["work_months"] = rng.randint(3, 12)
            name = self.spec.name
            m["work_place"] = f"{name[:-1]}县城" if name.endswith("县") else f"{name}城区"
        else:
            m["work_months"] = rng.randint(2, 10)
            m["work_place"] = township

    # --- households ----------------------------------------------------------------------------

    def build_households(self) -> list[HouseholdPlan]:
        rng, spec = self.rng, self.spec
        sizes = self._sizes()
        weights = []
        for v in self.villages:
            w = 5.0 if v["poor"] else 1.0
            if v["deep"]:
                w *= 1.3
            if v["poor_t"]:
                w *= 1.8
            if v["community"]:
                w *= 0.25
            weights.append(w * rng.uniform(0.6, 1.4))
        per_village = _allocate(spec.households, weights)
        hhs = []
        i = 0
        for v, count in zip(self.villages, per_village, strict=True):
            ethnic = (spec.ethnic or {}).get(v["tname"], spec.ethnic_default)
            for seq in range(1, count + 1):
                hhs.append(self._household(v, seq, sizes[i], ethnic))
                i += 1
        return hhs

    def _household(self, v: VillagePlan, seq: int, n: int, ethnic: list[tuple[str, float]]) -> HouseholdPlan:
        rng = self.rng
        group = rng.choice(v["groups"])
        eth = _pick(rng, ethnic)
        members = self._members(self._family(n), eth, ethnic)
        # Main cause, then make the members agree with it (REFERENCE §6.4).
        main = self._main_cause(members)
        others = self._other_causes(members, main)
        self._activities(members, v["tname"])
        attribute = self._attribute(members, n, main)

        number = rules.household_number(v["row"]["code"], seq)
        head = members[0]
        poor_v = v["poor"]
        hh = {
            "v": v, "group": group, "number": number, "members": members, "n": n, "main": main,
            "others": others, "attribute": attribute, "head": head, "ident": 2014,
            "workers": any(m["work_status"] for m in members), "poor_v": poor_v,
        }
        self._living(hh)
        return hh

    def _members(self, family: list[Person], eth: str, ethnic: list[tuple[str, float]]) -> list[MemberPlan]:
        """Member dicts (names, ID numbers, school and health) for the family of a household of
        ethnicity ``eth``; a spouse may be of another (``ethnic``, the township's mix)."""
        rng = self.rng
        members = []
        head_male = family[0][1] == M
        head_surname = self._surname(eth)
        # Children carry the father's surname: the head's, or the husband's (present or not) when the
        # head is a woman. Grandchildren of a 上门女婿 keep the head's family name.
        kid_surname = head_surname if head_male else self._surname(eth)
        for rel, sex, age14 in family:
            birth = D(2014 - age14, 6, 30) - datetime.timedelta(days=rng.randrange(365))
            if rel in ("head", "father", "sibling"):
                sname = head_surname
            elif rel == "spouse":
                sname = self._surname(eth) if head_male else kid_surname
            elif rel in ("mother", "daughter_in_law", "son_in_law", "other"):
                sname = self._surname(eth)
            else:
                sname = kid_surname
            m_eth = eth if rel != "spouse" or rng.random() < 0.9 else _pick(rng, ethnic)
            a9 = _age(birth, SCHOOL_DAY)
            school = self._school(a9)
            m = {
                "relation": rel, "sex": sex, "birth_date": birth, "ethnicity": m_eth,
                "name": sname + self._given(sex, birth.year), "id_number": self._id_number(birth, sex),
                "school_status": school, "education": self._education(school, birth.year, sex),
                "health": "healthy", "disability_category": "", "disability_grade": "", "disability_cert_no": "",
                "labour": "", "work_status": "", "work_months": 0, "work_place": "", "soldier": False,
                "on_dibao": False, "dibao_amount": Decimal(0), "on_tekun": False, "tekun_amount": Decimal(0),
                "_age": _age(birth, AS_OF),
            }
            self._health(m, m["_age"])
            members.append(m)
        return members

    def _main_cause(self, members: list[MemberPlan]) -> str:
        """The main cause, weighted by what the members are like; an illness or disability is then
        given to a member when the cause needs one and nobody has it."""
        rng = self.rng
        # 因学: the cost of senior, vocational or higher schooling, or of several children at school.
        at_school = [m for m in members if m["school_status"] not in ("none", "preschool")]
        students_hs = len(at_school) >= 2 or any(
            m["school_status"] in ("junior", "senior", "vocational", "higher_vocational", "undergraduate")
            for m in at_school)
        able = sum(1 for m in members if 18 <= m["_age"] <= 59 and m["school_status"] == "none"
                   and m["health"] == "healthy")
        weights = []
        for cause, w in MAIN_CAUSE_WEIGHTS:
            if cause == "schooling" and not students_hs:
                continue
            if cause == "labour" and able > 1:
                continue
            if cause == "illness" and any(m["health"] in ("chronic", "serious") for m in members):
                w *= 1.6
            if cause == "disability" and any(m["health"] == "disabled" for m in members):
                w *= 3
            if cause == "schooling":
                w *= 1.5
            if cause == "labour":
                w *= 2
            weights.append((cause, w))
        main = _pick(rng, weights)
        if main == "illness" and not any(m["health"] in ("chronic", "serious") for m in members):
            adults = [m for m in members if m["_age"] >= 30] or members
            target = rng.choice(adults)
            target["health"] = "serious" if rng.random() < 0.35 else "chronic"
            target["disability_category"] = target["disability_grade"] = target["disability_cert_no"] = ""
        if main == "disability" and not any(m["health"] == "disabled" for m in members):
            self._make_disabled(rng.choice(members))
        return main

    def _other_causes(self, members: list[MemberPlan], main: str) -> list[str]:
        """0–3 other causes besides ``main``, only those the members bear out, in the causes' order."""
        rng = self.rng
        ill = any(m["health"] in ("chronic", "serious") for m in members)
        disabled = any(m["health"] == "disabled" for m in members)
        student = any(m["school_status"] not in ("none", "preschool") for m in members)
        candidates = [(c, w) for c, w in OTHER_CAUSE_WEIGHTS if c != main
                      and (c != "illness" or ill) and (c != "disability" or disabled)
                      and (c != "schooling" or student)]
        others = []
        for _ in range(W_N_OTHER(rng)):
            if not candidates:
                break
            c = _pick(rng, candidates)
            others.append(c)
            candidates = [(x, w) for x, w in candidates if x != c]
        others.sort(key=lambda c: [k for k, _w in OTHER_CAUSE_WEIGHTS].index(c))
        return others

    def _activities(self, members: list[MemberPlan], township: str) -> None:
        """Military service, labour ability, work and pension insurance of each member."""
        rng = self.rng
        for m in members:
            if m["sex"] == M and 18 <= m["_age"] <= 24 and m["school_status"] == "none" \
                    and m["health"] == "healthy" and rng.random() < 0.015:
                m["soldier"] = True
            m["labour"] = self._labour(m, m["_age"])
            self._work(m, m["_age"], township)
            a = m["_age"]
            m["pension_insurance"] = (16 <= a <= 59 and m["school_status"] == "none" and rng.random() < 0.88) \
                or (a >= 60 and rng.random() < 0.96)

    def _attribute(self, members: list[MemberPlan], n: int, main: str) -> str:
        """贫困户属性, with the members' 特困/低保 benefits: 特困 only where nobody of working age can
        work (REFERENCE §6.5)."""
        rng = self.rng
        can_work = any(16 <= m["_age"] <= 65 and m["labour"] in ("normal", "skilled") for m in members)
        tekun_ok = n <= 2 and not can_work and all(
            m["_age"] >= 60 or m["labour"] in ("lost", "none") for m in members)
        p_dibao = 0.18 + (0.22 if main in ("illness", "disability", "labour") else 0) + (0.08 if n == 1 else 0)
        if tekun_ok and rng.random() < 0.25:
            for m in members:
                m["on_tekun"] = True
                m["tekun_amount"] = Decimal(TEKUN_AMOUNTS(rng))
            return "tekun"
        if rng.random() < p_dibao:
            if rng.random() < 0.6:
                covered = members
            else:
                ranked = sorted(members, key=lambda m: (m["health"] == "healthy", -m["_age"]))
                covered = ranked[: rng.randint(1, min(2, n))]
            amount = Decimal(DIBAO_AMOUNTS(rng))
            for m in covered:
                m["on_dibao"] = True
                m["dibao_amount"] = amount
            return "dibao"
        return "general"

    def _living(self, hh: HouseholdPlan) -> None:
        """Production and living conditions (REFERENCE §1), and what was wrong with them in 2014."""
        rng, n, poor_v = self.rng, hh["n"], hh["poor_v"]
        per_head = rng.uniform(0.5, 1.9)
        cultivated = _mu(per_head * max(n, 1.5))
        irrigated = _mu(float(cultivated) * rng.uniform(0.05, 0.6)) if rng.random() < 0.6 else Decimal(0)
        hh["land"] = {
            "cultivated_land": cultivated,
            "irrigated_land": min(irrigated, cultivated),
            "forest_land": _mu(rng.uniform(0.5, 12)) if rng.random() < 0.6 else Decimal(0),
            "returned_farmland": _mu(rng.uniform(0.3, 3)) if rng.random() < 0.25 else Decimal(0),
            "orchard_land": _mu(rng.uniform(0.2, 2)) if rng.random() < 0.15 else Decimal(0),
            "pasture_land": _mu(rng.uniform(0.5, 5)) if rng.random() < 0.05 else Decimal(0),
            "water_surface": _mu(rng.uniform(0.2, 1.5)) if rng.random() < (
                0.08 if "鲁布革" in hh["v"]["tname"] else 0.015) else Decimal(0),
        }
        hh["in_cooperative"] = rng.random() < 0.35
        hh["production_power"] = rng.random() < 0.96
        far = rng.random() < (0.3 if poor_v else 0.15)
        hh["road_distance_km"] = Decimal(round(rng.uniform(2, 6) if far else rng.uniform(0, 2), 1)).quantize(CENT)
        hh["road_type"] = ROADS(rng)
        hh["fuel"] = FUELS(rng)
        hh["sanitary_toilet"] = rng.random() < 0.55
        # Housing before the campaign: C/D dangerous houses were common (seed 000: 25,932 D-class
        # houses in the county); they are rebuilt, repaired or left behind by relocation before exit.
        hh["old_grade"] = _pick(rng, [("D", 30 + 10 * poor_v), ("C", 20), ("B", 25), ("A", 25 - 10 * poor_v)])
        hh["old_structure"] = STRUCTURES_OLD(rng)
        hh["old_built"] = rng.randint(1965, 2010)
        hh["old_area"] = Decimal(rng.randint(8, 28) * 5)
        hh["relocate"] = rng.random() < (0.07 if poor_v else 0.02)
        hh["water_unsafe"] = rng.random() < (0.4 if poor_v else 0.22)
        hh["food_issue"] = rng.random() < 0.08
        hh["medical_issue"] = rng.random() < 0.08
        hh["education_issue"] = rng.random() < 0.03 and any(6 <= m["_age"] - 6 <= 15 for m in hh["members"])
        hh["has_property"] = rng.random() < 0.15
        hh["growth"] = rng.random()

    # --- history ---------------------------------------------------------------------------------

    def plan_history(self, hhs: list[HouseholdPlan]) -> None:
        """Each household's years: identification, first exit, 返贫, 注销, monitoring 2020–2026 and
        脱贫不再享受政策 (the keys ident, exit1, ret, cancel, episodes and stable of its dict)."""
        self._plan_identification(hhs)
        self._plan_first_exits(hhs)
        # One shuffled order (the sick first, for 返贫 and monitoring) serves the later choices; a
        # household takes part in at most one of them.
        order = list(range(len(hhs)))
        self.rng.shuffle(order)
        sick_first = sorted(order, key=lambda i: not any(m["health"] != "healthy" for m in hhs[i]["members"]))
        taken: set[int] = set()
        self._plan_returns(hhs, sick_first, taken)
        self._plan_cancellations(hhs, order, taken)
        self._plan_monitoring(hhs, order, sick_first, taken)
        self._plan_stable(hhs, order, taken)

    def _plan_identification(self, hhs: list[HouseholdPlan]) -> None:
        """A few households identified in the 2015 and 2016 adjustments (REFERENCE §5)."""
        H = len(hhs)
        order = list(range(H))
        self.rng.shuffle(order)
        n2015, n2016 = round(H * 0.015), round(H * 0.008)
        for i in order[:n2015]:
            hhs[i]["ident"] = 2015
        for i in order[n2015:n2015 + n2016]:
            hhs[i]["ident"] = 2016

    def _exit_key(self, h: HouseholdPlan) -> float:
        """Rank for the first exit: the least poor (lowest) first."""
        k = self.rng.random() + 0.35 * h["poor_v"] + 0.15 * h["v"]["poor_t"] - 0.1 * h["workers"]
        k += 0.15 * (h["main"] in ("illness", "disability", "labour")) + 0.2 * (h["attribute"] != "general")
        return k

    def _plan_first_exits(self, hhs: list[HouseholdPlan]) -> None:
        """First exits: the quota of people per year (seed 000), the least poor first; the last year
        takes everyone left."""
        spec = self.spec
        keys = [self._exit_key(h) for h in hhs]
        remaining = sorted(range(len(hhs)), key=lambda i: (keys[i], i))
        achieved = {}
        years = sorted(spec.quotas)
        for year in years:
            if year == years[-1]:
                chosen, remaining = remaining, []
            else:
                chosen, remaining = _fill_quota(hhs, remaining, year, spec.quotas[year])
            for i in chosen:
                hhs[i]["exit1"] = year
            achieved[year] = sum(hhs[i]["n"] for i in chosen)
        self.data.stats["first_exits"] = achieved

    def _plan_returns(self, hhs: list[HouseholdPlan], sick_first: list[int], taken: set[int]) -> None:
        """返贫 in 2016–2019, exiting again the next year (seed 000: "加上年返贫人口")."""
        rng = self.rng
        H = len(hhs)
        want = {2016: round(H * 0.006), 2017: round(H * 0.005), 2018: round(H * 0.004), 2019: round(H * 0.003)}
        for year, count in want.items():
            picked = 0
            for i in sick_first:
                if picked >= count:
                    break
                h = hhs[i]
                if i in taken or h["exit1"] >= year:
                    continue
                h["ret"] = year
                ill = any(m["health"] in ("chronic", "serious") for m in h["members"])
                h["ret_reason"] = pools.RETURN_REASONS[0] if ill and rng.random() < 0.6 else \
                    rng.choice(pools.RETURN_REASONS)
                taken.add(i)
                picked += 1

    def _plan_cancellations(self, hhs: list[HouseholdPlan], order: list[int], taken: set[int]) -> None:
        """注销: a few, always after the first exit (so the exit quotas stay whole)."""
        n_cancel = max(1, round(len(hhs) * 0.006))
        cancel_plan = [("all_dead", n_cancel // 2), ("moved_away", n_cancel // 4),
                       ("wrongly_registered", n_cancel - n_cancel // 2 - n_cancel // 4)]
        for reason, count in cancel_plan:
            picked = 0
            for i in order:
                if picked >= count:
                    break
                if i in taken:
                    continue
                h = hhs[i]
                year = self._cancel_year(reason, h)
                if year is None:
                    continue
                h["cancel"] = (reason, year)
                taken.add(i)
                picked += 1

    def _cancel_year(self, reason: str, h: HouseholdPlan) -> int | None:
        """The year ``h`` is cancelled for ``reason``, or None when the reason cannot fit it: only a
        lone elderly person dies out, only an early exit is found wrongly registered."""
        rng = self.rng
        if reason == "all_dead":
            if h["n"] != 1 or h["members"][0]["_age"] < 72:
                return None
            return rng.randint(max(2017, h["exit1"] + 1), LAST_YEAR)
        if reason == "moved_away":
            return rng.randint(max(2018, h["exit1"] + 1), LAST_YEAR)
        if h["exit1"] > 2016:
            return None
        return rng.randint(h["exit1"] + 1, 2017)

    def _plan_monitoring(self, hhs: list[HouseholdPlan], order: list[int], sick_first: list[int],
                         taken: set[int]) -> None:
        """防返贫监测 of registered households, 2020–2026 (REFERENCE §7): each year a share of exited
        households becomes 脱贫不稳定户 (the sick first in 2020, when monitoring began), a few are hit by
        sudden hardship (突发严重困难户, 即时帮扶), a few are found and checked but not enrolled; some
        cleared households come back later. The plans go to ``h["episodes"]`` (see _episode)."""
        rng, H = self.rng, len(hhs)
        unstable = {2020: 0.015, 2021: 0.015, 2022: 0.012, 2023: 0.008, 2024: 0.007, 2025: 0.006, 2026: 0.005}
        first = iter(sick_first)
        shared = iter(order)  # one pass over the county serves every later year, so each is picked once
        for year, share in unstable.items():
            picks = first if year == 2020 else shared
            for kind, count in (("unstable", round(H * share)),
                                ("sudden", round(H * 0.0015) if year > 2020 else 0),
                                ("not_enrolled", round(H * 0.001) if year > 2020 else 0)):
                picked = 0
                for i in picks:
                    if picked >= count:
                        break
                    h = hhs[i]
                    if i in taken or h["ident"] > 2015:
                        continue
                    h["episodes"] = [self._episode(h, kind, year)]
                    taken.add(i)
                    picked += 1
        # 返贫 guarded: a few cleared households fall back a year or more later and are enrolled again.
        for i in order:
            h = hhs[i]
            first = (h.get("episodes") or [None])[0]
            if first is None or first["cleared"] is None or first["cleared"] > D(LAST_YEAR - 1, 6, 30):
                continue
            if rng.random() < 0.08:
                year = rng.randint(first["cleared"].year + 1, LAST_YEAR)
                again = self._episode(h, "sudden" if rng.random() < 0.4 else "unstable", year,
                                      after=first["cleared"] + datetime.timedelta(days=365))
                if again is not None:
                    h["episodes"].append(again)

    def _risks(self, h: HouseholdPlan, kind: str) -> list[str]:
        """Risk types (main first) from the household's causes and members (脱贫不稳定户, 边缘易致贫户) or
        from the shock that hit it (突发严重困难户)."""
        rng, members = self.rng, h["members"]
        ill = any(m["health"] in ("chronic", "serious") for m in members)
        fits = {"illness": ill, "accident": ill, "disability": any(m["health"] == "disabled" for m in members),
                "schooling": any(m["school_status"] not in ("none", "preschool") for m in members)}
        if kind == "sudden":
            main = _pick(rng, [(r, w) for r, w in (("illness", 45), ("accident", 20), ("disaster", 20),
                                                   ("income_drop", 15)) if fits.get(r, True)])
        else:
            causes = [h["main"], *h["others"]]
            main = pools.CAUSE_RISK.get(causes[0], "other") if rng.random() < 0.5 else _pick(rng, [
                (r, w) for r, w in (("illness", 30), ("employment", 22), ("industry", 15), ("epidemic", 8),
                                    ("schooling", 7), ("labour", 8), ("housing", 5), ("disability", 5))
                if fits.get(r, True)])
        risks = [main]
        for cause in [h["main"], *h["others"]]:
            risk = pools.CAUSE_RISK.get(cause)
            if risk and risk not in risks and risk != "other" and len(risks) < 3 and rng.random() < 0.4:
                risks.append(risk)
        return risks

    def _episode(self, h: HouseholdPlan, kind: str, year: int, *, after: D | None = None) -> dict[str, Any] | None:
        """One monitoring episode of ``h`` found in ``year``: its kind, risk types, channel, dates (found;
        enrolled 15–28 days later, the procedure's 15–20 working days; risk eliminated no sooner than half
        a year after enrolment and in a later year, unless nobody in the household can work) and state.
        None when it cannot fit before AS_OF."""
        rng = self.rng
        start = max(D(year, 3, 1) if year == 2020 else D(year, 1, 5), after or D(2000, 1, 1))
        end = min(D(year, 9, 15) if year == 2020 else D(year, 11, 10), AS_OF - datetime.timedelta(days=30))
        if start > end:
            return None
        found = _date(rng, start, end)
        not_enrolled = kind == "not_enrolled"
        kind = "unstable" if not_enrolled else kind
        sudden = kind == "sudden"
        channel = _pick(rng, [("visit", 40), ("warning", 25), ("in_person", 15), ("hotline", 10), ("mobile", 10)]
                        if year > 2020 else [("visit", 70), ("in_person", 30)])
        risks = self._risks(h, kind)
        ep: dict[str, Any] = {"kind": kind, "risks": risks, "channel": channel, "found": found, "enrolled": None,
                              "cleared": None, "state": "not_enrolled", "instant": False, "expense": 0}
        if sudden:
            ep["expense"] = rng.randint(15, 80) * 1000  # the rigid expense (medical bills, losses), yuan
        if not_enrolled:
            return ep
        ep["state"] = "at_risk"
        ep["enrolled"] = found + datetime.timedelta(days=rng.randint(15, 28))
        ep["instant"] = sudden or rng.random() < 0.1
        workers = any(m["labour"] in ("normal", "skilled", "weak") and 16 <= m["_age"] <= 70 for m in h["members"])
        if workers and rng.random() < 0.9:
            earliest = max(ep["enrolled"] + datetime.timedelta(days=190), D(found.year + 1, 2, 1))
            cleared = earliest + datetime.timedelta(days=rng.randint(0, 420))
            if cleared <= AS_OF - datetime.timedelta(days=5):
                ep["cleared"], ep["state"] = cleared, "cleared"
        return ep

    def plan_monitored_only(self, hhs: list[HouseholdPlan]) -> list[HouseholdPlan]:
        """Households never registered poor that monitoring enrolled from 2021 on: 边缘易致贫户 (income
        under the line or unstable) and 突发严重困难户 (sudden hardship). They enter the registry through
        the monitoring procedure (rules.INITIAL_STATUSES: 防返贫监测 → 监测对象(风险未消除)), with their
        members and the yearly records from the year they were found; they are no part of the 建档立卡
        figures (seed 000's 12,285 households / 41,685 people)."""
        rng, H = self.rng, len(hhs)
        rural = [v for v in self.villages if not v["community"]] or self.villages
        weights = Weighted([(k, (3.0 if v["poor"] else 1.0) * (1.5 if v["poor_t"] else 1.0))
                            for k, v in enumerate(rural)])
        counts: dict[int, int] = {}
        for h in hhs:
            vid = h["v"]["row"]["id"]
            counts[vid] = counts.get(vid, 0) + 1
        out = []
        shares = {2021: 0.006, 2022: 0.005, 2023: 0.004, 2024: 0.0035, 2025: 0.003, 2026: 0.0025}
        for year, share in shares.items():
            for kind, count in (("edge", round(H * share)), ("sudden", round(H * 0.0008))):
                for _ in range(count):
                    v = rural[weights(rng)]
                    vid = v["row"]["id"]
                    counts[vid] = counts.get(vid, 0) + 1
                    ethnic = (self.spec.ethnic or {}).get(v["tname"], self.spec.ethnic_default)
                    h = self._household(v, counts[vid], Weighted([(1, 10), (2, 18), (3, 24), (4, 26), (5, 14),
                                                                  (6, 8)])(rng), ethnic)
                    ep = self._episode(h, kind, year)
                    if ep is None:
                        continue
                    for m in h["members"]:
                        m.update(on_dibao=False, dibao_amount=Decimal(0), on_tekun=False, tekun_amount=Decimal(0))
                    # Its 致贫原因 are those its members bear out (as for any household), its risks follow them.
                    h.update(attribute="general", ident=ep["enrolled"].year, exit1=None, episodes=[ep],
                             monitored_only=True)
                    out.append(h)
        return out

    def _plan_stable(self, hhs: list[HouseholdPlan], order: list[int], taken: set[int]) -> None:
        """脱贫不再享受政策 is considered for general households not taken otherwise (nor back in poverty
        since 2018); emit() grants it only where the income reached the county average."""
        rng = self.rng
        for i in order:
            h = hhs[i]
            if i in taken or h.get("ret", 0) >= 2018 or h["attribute"] != "general":
                continue
            if rng.random() < 0.42:
                h["stable"] = True
            elif rng.random() < 0.5:
                h["stable_late"] = True

    # --- incomes and rows ---------------------------------------------------------------------

    def _transfer(self, h: HouseholdPlan, year: int) -> int:
        factor = 0.55 + 0.075 * (year - 2014)
        total = 0.0
        for m in h["members"]:
            if m["on_dibao"]:
                total += float(m["dibao_amount"]) * factor
            if m["on_tekun"]:
                total += float(m["tekun_amount"]) * factor
            if year - m["birth_date"].year >= 60:
                total += 900 + 56 * (year - 2014)
        land = h["land"]
        total += float(land["cultivated_land"]) * 75 + float(land["forest_land"]) * 12 \
            + float(land["returned_farmland"]) * 125
        return int(round(total))

    def _regimes(self, h: HouseholdPlan) -> dict[int, str]:
        """Per year of the monitoring: "below" the monitoring line (the year found, and every year while
        the risk stands), "above" it (the year the risk was eliminated)."""
        out: dict[int, str] = {}
        for ep in h.get("episodes", ()):
            if ep["state"] == "not_enrolled":
                out.setdefault(ep["found"].year, "checked")
                continue
            last = ep["cleared"].year if ep["cleared"] else LAST_YEAR + 1
            for year in range(ep["found"].year, last):
                out[year] = "sudden" if ep["kind"] == "sudden" and year == ep["found"].year else "below"
            if ep["cleared"]:
                out[ep["cleared"].year] = "above"
        return out

    def _recent_pc(self, h: HouseholdPlan, year: int, pc: float, regime: str | None, growth: float,
                   line: float) -> float:
        """A year's per-capita income after 2020 (or of a household found by monitoring): under the
        monitoring line while at risk, above it the year the risk was eliminated, else last year's grown
        (never under the line: monitoring would have found it)."""
        rng = self.rng
        mline = float(self.monitoring_line(year, h["group"]["path"]))
        if regime == "below":
            pc = mline * rng.uniform(0.72, 0.95)
        elif regime == "sudden":
            pc = mline * rng.uniform(0.8, 1.3)
        elif regime == "above":
            pc = mline * rng.uniform(1.08, 1.4)
        else:
            if not pc:  # a household's first year in the registry, found and not enrolled
                pc = mline * rng.uniform(1.05, 1.3)
            dip = 0.04 if year == 2022 and h["workers"] else 0.0  # 2022: 疫情, work away from home stalled
            pc = pc * (1 + growth - dip) * rng.uniform(0.98, 1.02)
            pc = max(pc, mline * rng.uniform(1.03, 1.2))
        return max(pc, line * 1.05)

    def _incomes(self, h: HouseholdPlan, last_year: int) -> dict[int, YearIncome]:
        rng = self.rng
        n, e1 = h["n"], h["exit1"]
        ret = h.get("ret")
        regimes = self._regimes(h)
        monitored_2020 = regimes.get(2020)
        if monitored_2020 == "below":
            target_2020 = rng.uniform(4150, 5800)
        elif monitored_2020 == "above":
            target_2020 = rng.uniform(6100, 7500)
        elif h.get("stable"):
            target_2020 = rng.uniform(10500, 16000)
        else:
            target_2020 = rng.uniform(4400, 9000)
        linef = {y: float(v) for y, v in self.lines_at(h["group"]["path"]).items()}
        growth = 0.05 + 0.07 * h["growth"]  # yearly real growth after 2020
        pc_exit = linef[e1] * rng.uniform(1.08, 1.55) if e1 else 0.0
        base_f = rng.uniform(0.5, 0.85)
        out = {}
        pc = 0.0
        first = h["ident"] if e1 else min(ep["found"].year for ep in h["episodes"])
        for year in range(first, last_year + 1):
            line = linef[year]
            poor = bool(e1) and (year < e1 or year == ret)
            if year > CAMPAIGN_LAST_YEAR or not e1:
                pc = self._recent_pc(h, year, pc, regimes.get(year), growth, line)
            elif year < e1:
                pc = line * min(0.93, base_f + 0.04 * (year - h["ident"])) * rng.uniform(0.96, 1.0)
            elif year == ret:
                pc = line * rng.uniform(0.6, 0.9)
            else:
                span = CAMPAIGN_LAST_YEAR - e1
                frac = (year - e1) / span if span else 1.0
                pc = pc_exit * (target_2020 / pc_exit) ** frac * rng.uniform(0.97, 1.03)
                if ret and year == ret + 1:
                    pc *= rng.uniform(0.8, 0.95)
                pc = max(pc, line * (1.08 if ret and year == ret + 1 else 1.05))
            out[year] = self._split(h, year, int(round(pc * n)), poor=poor,
                                    capped=regimes.get(year) in ("below", "sudden"))
        return out

    def _split(self, h: HouseholdPlan, year: int, target: int, *, poor: bool, capped: bool) -> YearIncome:
        """A year's household income ``target`` split into its parts: the transfers the household draws
        (capped where it is poor, or under the monitoring line), wages, property and business."""
        rng = self.rng
        transfer = self._transfer(h, year)
        if poor:
            transfer = min(transfer, int(target * 0.85))
        elif capped:
            transfer = min(transfer, int(target * 0.8))
        elif transfer > target:
            target = transfer + int(h["n"] * rng.uniform(200, 800))
        rest = target - transfer
        wage = int(rest * rng.uniform(0.55, 0.88)) if h["workers"] else 0
        prop = int(rest * rng.uniform(0.01, 0.06)) if h["has_property"] else 0
        business_net = rest - wage - prop
        expense = int(business_net * rng.uniform(0.3, 0.7))
        return {"wage": wage, "business": business_net + expense, "property": prop,
                "transfer": transfer, "expense": expense, "poor": poor}

    def emit(self, hhs: list[HouseholdPlan]) -> None:
        """The rows of every planned household: status changes, members, yearly records, the household."""
        stats = self.data.stats
        stats.setdefault("reexits", {})
        stats.setdefault("returns", {})
        stats.setdefault("statuses", {})
        stats.setdefault("monitoring", {})
        for h in hhs:
            self._emit_household(h)

    def _emit_household(self, h: HouseholdPlan) -> None:
        n, e1 = h["n"], h["exit1"]
        cancel = h.get("cancel")
        last_year = cancel[1] - 1 if cancel else LAST_YEAR
        last_year = max(last_year, e1 or 0)
        hid = self.next_id("household")
        lines = self.lines_at(h["group"]["path"])

        # Status history.
        if h.get("monitored_only"):
            house = self._housing_now(h)
            incomes = self._incomes(h, last_year)
            changes: list[Change] = []
            status = self._monitoring_history(h, changes, "")
            exit_year, cancel_reason = None, ""
        else:
            house = self._housing(h)
            changes = [self._identification(h)]
            incomes = self._incomes(h, last_year)
            status, exit_year, cancel_reason = self._later_history(h, changes, incomes, lines)
        self._emit_episodes(h, hid, incomes)
        statuses = self.data.stats["statuses"]
        statuses[status] = statuses.get(status, 0) + 1
        _check_history(h["number"], changes)
        self._emit_changes(hid, n, changes)

        removal = None
        if cancel and cancel[0] in ("all_dead", "moved_away"):
            removal = ("death" if cancel[0] == "all_dead" else "moved_out", changes[-1][2])
        self._emit_members(h, hid, removal)
        self._emit_yearly(h, hid, incomes, lines, house)
        self._emit_household_row(h, hid, house, status=status, exit_year=exit_year, cancel_reason=cancel_reason,
                                 active=removal is None)

    def _housing_now(self, h: HouseholdPlan) -> _Housing:
        """The house of a household never registered poor: as it stood before (a C or D house repaired
        long ago), C while a housing risk stands."""
        grade = {"D": "B", "C": "B"}.get(h["old_grade"], h["old_grade"])
        if _open_risk(h) == "housing":
            grade = "C"
        return _Housing(None, None, None, h["old_structure"], h["old_built"], grade, h["old_area"])

    def _emit_episodes(self, h: HouseholdPlan, hid: int, incomes: dict[int, YearIncome]) -> None:
        """The household's MonitoringObject rows and their measures (帮扶措施台账): one to four per
        enrolled episode from the sectors its risks call for, the first within a month of enrolment (on
        the day found when flagged 即时帮扶), every one before the risk was eliminated."""
        rng, n = self.rng, h["n"]
        path = h["group"]["path"]
        counts = self.data.stats["monitoring"]
        for ep in h.get("episodes", ()):
            found = ep["found"]
            line_year = found.year
            line = self.monitoring_line(line_year, path)
            year_pc = _per_capita(incomes, found.year, n) if found.year in incomes else None
            income = year_pc
            if income is not None and ep["expense"]:
                income = max(Decimal(0), (income - Decimal(ep["expense"]) / n).quantize(CENT))
            label = OBJECT_KIND_LABELS[ep["kind"]]
            if ep["state"] == "not_enrolled":
                note = pools.NOT_ENROLLED_NOTE
            else:
                note = pools.MONITOR_FOUND.get(ep["risks"][0], pools.MONITOR_FOUND["income_drop"]).format(kind=label)
                if ep["expense"]:
                    note += f"；刚性支出约 {ep['expense']:,} 元"
            oid = self.next_id("mobject")
            self.data.objects.append({
                "id": oid, "household_id": hid, "area_path": path, "kind": ep["kind"], "risk_types": list(ep["risks"]),
                "channel": ep["channel"], "found_on": found, "income_12m": income, "income_basis": "entered", "line": line,
                "line_year": line_year, "state": ep["state"], "enrolled_on": ep["enrolled"],
                "cleared_on": ep["cleared"], "instant": ep["instant"], "instant_on": found if ep["instant"] else None,
                "note": note[:500], "alert_id": None, "created_by_id": None, "synthetic": True, "version": 1,
            })
            key = f"{ep['kind']}:{ep['state']}"
            counts[key] = counts.get(key, 0) + 1
            if ep["enrolled"] is None:
                continue
            start = found if ep["instant"] else ep["enrolled"]
            end = (ep["cleared"] - datetime.timedelta(days=20)) if ep["cleared"] else AS_OF
            catalogue = [m for risk in ep["risks"] for m in pools.MEASURES.get(risk, pools.MEASURES["other"])]
            k = min(len(catalogue), rng.randint(1, 4))
            day = start + datetime.timedelta(days=rng.randint(0, 3 if ep["instant"] else 30))
            for sector, category, description, amounts in [catalogue[0], *rng.sample(catalogue[1:], k - 1)]:
                day = min(day, end)
                self.data.measures.append({
                    "id": self.next_id("measure"), "object_id": oid, "sector": sector, "category": category,
                    "description": description, "date": day,
                    "amount": Decimal(rng.randint(*amounts) // 100 * 100) if amounts else None,
                    "actor_id": None, "synthetic": True})
                day = day + datetime.timedelta(days=rng.randint(10, 120))

    def _housing(self, h: HouseholdPlan) -> _Housing:
        """Housing and water: fixed (rebuilt, repaired, relocated, piped) no later than the exit year."""
        rng = self.rng
        n, e1, ident = h["n"], h["exit1"], h["ident"]
        first_fix = max(2015, ident)
        relocation_year = None
        if h["relocate"] and e1 >= 2016:
            relocation_year = rng.randint(max(2016, ident), e1)
        house_fix = None
        if relocation_year:
            house_fix = relocation_year
            structure = "concrete" if rng.random() < 0.6 else "brick_concrete"
            built, grade = relocation_year, "A"
            area = Decimal(min(25 * n, 125) if n > 1 else 20)
        elif h["old_grade"] == "D":
            house_fix = rng.randint(first_fix, max(first_fix, e1))
            structure = "brick_concrete" if rng.random() < 0.7 else "concrete"
            built, grade = house_fix, "A"
            area = Decimal(rng.randint(12, 24) * 5)
        elif h["old_grade"] == "C":
            house_fix = rng.randint(first_fix, max(first_fix, e1))
            structure, built, grade, area = h["old_structure"], h["old_built"], "B", h["old_area"]
        else:
            structure, built, grade, area = h["old_structure"], h["old_built"], h["old_grade"], h["old_area"]
        water_fix = rng.randint(first_fix, max(first_fix, e1)) if h["water_unsafe"] else None
        if _open_risk(h) == "housing":
            grade = "C"
        return _Housing(relocation_year, house_fix, water_fix, structure, built, grade, area)

    def _identification(self, h: HouseholdPlan) -> Change:
        """The first history row: identified as poor in the year's identification campaign."""
        ident = h["ident"]
        ident_date = {2014: (D(2014, 4, 1), D(2014, 10, 31)), 2015: (D(2015, 6, 1), D(2015, 10, 31)),
                      2016: (D(2016, 3, 1), D(2016, 9, 30))}[ident]
        cause_label = CAUSE_LABELS[h["main"]]
        reason = pools.IDENTIFY_REASON.format(cause=cause_label) if ident == 2014 else \
            pools.IDENTIFY_LATER_REASON.format(year=ident, cause=cause_label)
        return ("", "poor", _date(self.rng, *ident_date), reason, "identification")

    def _later_history(self, h: HouseholdPlan, changes: list[Change], incomes: dict[int, YearIncome],
                       lines: dict[int, Decimal]) -> tuple[str, int, str]:
        """Append the rows after identification to ``changes`` (exit, 返贫 and re-exit, 脱贫不再享受政策,
        monitoring, 注销); returns the final status, the (last) exit year and the cancel reason."""
        rng, stats = self.rng, self.data.stats
        n, e1, ret = h["n"], h["exit1"], h.get("ret")
        changes.append(("poor", "exited", _date(rng, D(e1, 11, 1), D(e1, 12, 20)),
                        pools.EXIT_REASON.format(pc=_per_capita(incomes, e1, n), line=_yuan(lines[e1])), "exit"))
        status, exit_year = "exited", e1
        if ret:
            changes.append(("exited", "returned", _date(rng, D(ret, 3, 1), D(ret, 9, 30)), h["ret_reason"][1],
                            "adjustment"))
            changes.append(("returned", "exited", _date(rng, D(ret + 1, 11, 1), D(ret + 1, 12, 20)),
                            pools.REEXIT_REASON.format(pc=_per_capita(incomes, ret + 1, n),
                                                       line=_yuan(lines[ret + 1])), "exit"))
            exit_year = ret + 1
            stats["returns"][ret] = stats["returns"].get(ret, 0) + n
            stats["reexits"][ret + 1] = stats["reexits"].get(ret + 1, 0) + n
        if h.get("stable"):
            year = 2019 if _per_capita(incomes, 2019, n) >= 9000 and rng.random() < 0.5 else 2020
            if _per_capita(incomes, year, n) >= 9000:
                changes.append((status, "exited_stable", _date(rng, D(year, 12, 1), D(year, 12, 28)),
                                pools.STABLE_REASON.format(pc=_per_capita(incomes, year, n)), "adjustment"))
                status = "exited_stable"
        if status == "exited" and h["attribute"] == "general" and not h.get("episodes") \
                and (h.get("stable") or h.get("stable_late")):
            # The transition period (过渡期, 2021–2025): as incomes pass the county's average, the year's
            # adjustment moves the household out of the policies.
            last = max(incomes)
            for year in range(CAMPAIGN_LAST_YEAR + 1, last + 1):
                pc = _per_capita(incomes, year, n)
                if pc >= stable_threshold(year) and rng.random() < 0.6:
                    day = _date(rng, D(year, 12, 1), D(year, 12, 28)) if year < AS_OF.year else \
                        _date(rng, D(year, 11, 1), AS_OF)
                    changes.append((status, "exited_stable", day, pools.STABLE_REASON_LATE.format(pc=pc),
                                    "adjustment"))
                    status = "exited_stable"
                    break
        status = self._monitoring_history(h, changes, status)
        cancel_reason = ""
        cancel = h.get("cancel")
        if cancel:
            reason_code, year = cancel
            cancel_date = _date(rng, D(year, 1, 10), D(year, 10, 31))
            changes.append((status, "cancelled", cancel_date, pools.CANCEL_REASONS[reason_code], "adjustment"))
            status, cancel_reason = "cancelled", reason_code
        return status, exit_year, cancel_reason

    @staticmethod
    def _risk_years(h: HouseholdPlan) -> dict[int, str]:
        """The main risk type of each year the household was at risk (for its "三保障" and water)."""
        out: dict[int, str] = {}
        for ep in h.get("episodes", ()):
            if ep["enrolled"] is None:
                continue
            last = ep["cleared"].year if ep["cleared"] else LAST_YEAR + 1
            for year in range(ep["enrolled"].year, last):
                out[year] = ep["risks"][0]
        return out

    def _monitoring_history(self, h: HouseholdPlan, changes: list[Change], status: str) -> str:
        """The status rows of ``h``'s monitoring episodes (监测对象(风险未消除) on the day of enrolment,
        (风险已消除) on the day the risk was eliminated), appended to ``changes``; the status after them."""
        for ep in h.get("episodes", ()):
            if ep["enrolled"] is None:
                continue
            label = OBJECT_KIND_LABELS[ep["kind"]]
            reason = pools.MONITOR_FOUND.get(ep["risks"][0], pools.MONITOR_FOUND["income_drop"]).format(kind=label)
            changes.append((status, "monitor_risk", ep["enrolled"], reason, "monitoring"))
            status = "monitor_risk"
            if ep["cleared"]:
                changes.append((status, "monitor_cleared", ep["cleared"], pools.MONITOR_CLEARED_REASON_2021,
                                "monitoring"))
                status = "monitor_cleared"
        return status

    def _emit_changes(self, hid: int, n: int, changes: list[Change]) -> None:
        out = self.data.changes
        for from_s, to_s, day, why, procedure in changes:
            out.append({"id": self.next_id("change"), "household_id": hid, "from_status": from_s,
                        "to_status": to_s, "date": day, "reason": why[:200], "procedure": procedure,
                        "actor_id": None, "actor_name": "demo", "member_count": n})

    def _emit_members(self, h: HouseholdPlan, hid: int, removal: tuple[str, D] | None) -> None:
        """Member rows; all inactive, with the removal reason and date, when the household died out or
        moved away."""
        out = self.data.members
        for m in h["members"]:
            row = {k: val for k, val in m.items() if not k.startswith("_")}
            row.update({"id": self.next_id("member"), "household_id": hid, "id_kind": "ric",
                        "citizen_id": row["id_number"][:18],
                        "medical_insurance": True, "serious_illness_insurance": True, "phone": "",
                        "active": removal is None, "removal_reason": removal[0] if removal else "",
                        "removed_on": removal[1] if removal else None, "version": 1})
            out.append(row)

    def _emit_yearly(self, h: HouseholdPlan, hid: int, incomes: dict[int, YearIncome], lines: dict[int, Decimal],
                     house: _Housing) -> None:
        """Yearly records ("两不愁三保障" as they stood each year)."""
        n, e1, ret = h["n"], h["exit1"], h.get("ret")
        risk_years = self._risk_years(h)
        house_fix, water_fix, relocation_year = house.fix_year, house.water_fix_year, house.relocation_year
        out = self.data.yearly
        for year, inc in incomes.items():
            poor = inc["poor"]
            wage, business, prop, transfer, expense = (Decimal(inc[k]) for k in (
                "wage", "business", "property", "transfer", "expense"))
            net, per_capita = rules.derive_income(wage=wage, business=business, property_=prop,
                                                  transfer=transfer, expense=expense, member_count=n)
            notes = []
            if year == house_fix:
                notes.append("易地扶贫搬迁入住新房" if relocation_year else (
                    "D级危房拆除重建" if h["old_grade"] == "D" else "C级危房加固改造"))
            if year == water_fix:
                notes.append("安全饮水工程入户")
            if year == ret:
                notes.append("返贫")
            housing = not (house_fix and year < house_fix)
            if ret == year and h["ret_reason"][0] == "disaster":
                housing = False
            risk = risk_years.get(year)
            if risk == "housing":
                housing = False
            out.append({
                "id": self.next_id("yearly"), "household_id": hid, "year": year, "member_count": n,
                "wage_income": wage, "business_income": business, "property_income": prop,
                "transfer_income": transfer, "business_expense": expense, "net_income": net,
                "per_capita_income": per_capita, "poverty_line": lines[year],
                "food_clothing_secure": not (poor and year < e1 and h["food_issue"]),
                "education_secure": not (poor and year < e1 and h["education_issue"]) and risk != "education",
                "medical_secure": not (poor and year < e1 and h["medical_issue"]) and risk != "medical",
                "housing_secure": housing,
                "water_secure": not (water_fix and year < water_fix) and risk != "water",
                "note": "；".join(notes),
            })

    def _emit_household_row(self, h: HouseholdPlan, hid: int, house: _Housing, *, status: str, exit_year: int,
                            cancel_reason: str, active: bool) -> None:
        """The household row; a household that died out or moved away keeps no head and no members."""
        rng = self.rng
        v, n, relocation_year = h["v"], h["n"], house.relocation_year
        head = h["head"]
        t, vrow, group = v["township"], v["row"], h["group"]
        self.data.households.append({
            "id": hid, "number": h["number"], "area_id": group["id"], "area_path": group["path"],
            "address": f"{t['name']}{vrow['name']}{group['name']}{rng.randint(1, 150)}号",
            "head_name": head["name"] if active else "", "member_count": n if active else 0,
            "head_name_pinyin": pinyin.sort_key(head["name"]) if active else "",
            "phone": "1" + rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}",
            "bank_name": f"{self.spec.name}农村信用合作联社",
            "bank_account": _luhn_complete("622469" + f"{rng.randrange(10 ** 12):012d}"),
            "standard": "national", "attribute": h["attribute"], "main_cause": h["main"],
            "other_causes": list(h["others"]), "identified_year": h["ident"], "exit_year_planned": h["exit1"],
            "exit_year": exit_year, "status": status, "cancel_reason": cancel_reason,
            **h["land"],
            "in_cooperative": h["in_cooperative"], "production_power": h["production_power"],
            "domestic_power": True,
            "water_difficulty": _open_risk(h) in ("disaster", "water") and rng.random() < 0.5,
            "water_safe": True, "road_distance_km": h["road_distance_km"], "road_type": h["road_type"],
            "fuel": h["fuel"], "sanitary_toilet": h["sanitary_toilet"], "house_area": house.area,
            "house_structure": house.structure, "house_built_year": house.built_year, "danger_grade": house.grade,
            "relocated": bool(relocation_year), "relocation_year": relocation_year,
            "relocation_site": self._site(h) if relocation_year else "",
            "relocation_self_paid": Decimal(min(3000 * n, 10000) * rng.randint(3, 10) // 1000 * 100)
            if relocation_year else Decimal(0),
            "relocation_debt": Decimal(_pick(rng, [(0, 70), (rng.randint(10, 90) * 100, 25),
                                                   (rng.randint(105, 200) * 100, 5)]))
            if relocation_year else Decimal(0),
            "synthetic": True, "version": 1,
        })

    def assign_population(self, hhs: list[HouseholdPlan]) -> None:
        """农村户籍人口 of every village and township (the denominator of 贫困发生率, REFERENCE §4).

        Registered poor people make up 15–35% of a poor village and 1–8% elsewhere; other villages are
        then scaled so that the county lands near seed 000's ~500,000 rural people (in proportion for
        other counties). Drawn from a stream of its own, so no other generated value moves.
        """
        rng = Random(f"fupin-demo-population:{self.spec.code}")
        registered: dict[int, int] = {}
        for h in hhs:
            vid = h["v"]["row"]["id"]
            registered[vid] = registered.get(vid, 0) + h["n"]
        pops: dict[int, int] = {}
        for v in self.villages:
            vid = v["row"]["id"]
            r = registered.get(vid, 0)
            rate = rng.uniform(0.15, 0.35) if v["poor"] else (
                rng.uniform(0.005, 0.02) if v["community"] else rng.uniform(0.01, 0.08))
            pops[vid] = max(round(r / rate), r) if r else rng.randint(600, 2500)
        target = round(RURAL_POPULATION * self.spec.households / LUOPING_HOUSEHOLDS)
        fixed = sum(pops[v["row"]["id"]] for v in self.villages if v["poor"])
        rest = sum(pops[v["row"]["id"]] for v in self.villages if not v["poor"])
        factor = (target - fixed) / rest if rest and target > fixed else 1.0
        by_township: dict[int, int] = {}
        for v in self.villages:
            vid = v["row"]["id"]
            value = pops[vid] if v["poor"] else max(registered.get(vid, 0), round(pops[vid] * factor))
            v["row"]["rural_population"] = value
            tid = v["township"]["id"]
            by_township[tid] = by_township.get(tid, 0) + value
        for trow, _name, _street, _poor in self.townships:
            trow["rural_population"] = by_township.get(trow["id"], 0)
        self.data.rural_population = sum(by_township.values())

    def targets(self, hhs: list[HouseholdPlan]) -> None:
        """目标任务 (seed 000's quotas) as data: the county's exit quotas of people (7,685 / 17,000 / 17,000
        for 罗平县, scaled for another county) and households (as planned), shared out to the townships by
        the households planned to exit there; after 2020, the county's rural income goal and no return to
        poverty on a large scale (返贫人数上限 0). All marked 演示数据."""
        spec = self.spec
        people: dict[tuple[int, int], int] = {}
        households: dict[tuple[int, int], int] = {}
        for h in hhs:
            tid = h["v"]["township"]["id"]
            for area in (0, tid):
                key = (area, h["exit1"])
                people[key] = people.get(key, 0) + h["n"]
                households[key] = households.get(key, 0) + 1
        rows = self.data.targets
        quota_note = "演示数据：种子000“33688”计划的年度脱贫任务"

        def add(area_id: int, year: int, kind: str, value: float, note: str) -> None:
            rows.append({"id": self.next_id("target"), "area_id": area_id, "year": year, "kind": kind,
                         "value": Decimal(round(value)), "note": note, "synthetic": True, "updated_by_id": None})

        for year in sorted(spec.quotas):
            add(0, year, "exit_people", spec.quotas[year], quota_note + ("（按人口比例折算）" if spec.code != "530324" else ""))
            add(0, year, "exit_households", households.get((0, year), 0), "演示数据：按计划脱贫户数")
        for trow, _name, _street, _poor in self.townships:
            for year in sorted(spec.quotas):
                if people.get((trow["id"], year)):
                    add(trow["id"], year, "exit_people", people[(trow["id"], year)], "演示数据：县级任务按计划分解到乡镇")
                    add(trow["id"], year, "exit_households", households[(trow["id"], year)],
                        "演示数据：县级任务按计划分解到乡镇")
        for year in range(CAMPAIGN_LAST_YEAR + 1, LAST_YEAR + 1):
            add(0, year, "income", 12800 * 1.075 ** (year - CAMPAIGN_LAST_YEAR),
                "演示数据：农村常住居民人均可支配收入年均增长7.5%")
            add(0, year, "return_cap", 0, "演示数据：守住不发生规模性返贫底线")

    def _site(self, h: HouseholdPlan) -> str:
        streets = [t for t in self.townships if t[2]]
        if streets and self.rng.random() < 0.6:
            seat = self.rng.choice(streets)[1]
            return f"{seat}{self.rng.choice(['城北', '城南', '振兴', '幸福', '安居'])}易地扶贫搬迁安置区"
        return f"{h['v']['tname']}集镇安置点"


def _open_risk(h: HouseholdPlan) -> str | None:
    """The main risk type of the household's episode still at risk at AS_OF, if any."""
    for ep in h.get("episodes", ()):
        if ep["state"] == "at_risk":
            return ep["risks"][0]
    return None


def stable_threshold(year: int) -> float:
    """The county's rural income a household must reach to be 脱贫不再享受政策 (9,000 yuan in 2020, the
    level the campaign years used; growing 7% a year after)."""
    return 9000 * 1.07 ** max(0, year - CAMPAIGN_LAST_YEAR)


def _fill_quota(hhs: list[HouseholdPlan], ranked: list[int], year: int, target: int) -> tuple[list[int], list[int]]:
    """Households (indexes, in ``ranked`` order) identified before ``year`` whose people fit in the
    year's exit quota ``target``, skipping any that would overshoot it; and the rest, in order."""
    total, chosen, rest = 0, [], []
    for i in ranked:
        h = hhs[i]
        if h["ident"] < year and total + h["n"] <= target:
            chosen.append(i)
            total += h["n"]
        else:
            rest.append(i)
    return chosen, rest


def _check_history(number: str, changes: list[Change]) -> None:
    """The generated history obeys the registry's status rules, as the services would enforce them: the
    first row's status is one its procedure may start a household in, each later row a step of the
    status machine recorded by a procedure that may take it. A refusal is a bug of the generator."""
    source = ""
    for from_s, to_s, _day, _why, procedure in changes:
        if from_s != source:
            raise ValueError(f"{number}: history row from {from_s!r} follows {source!r}")
        error = rules.initial_status_error(to_s, procedure) if not source else \
            rules.transition_error(source, to_s, procedure=procedure)
        if error:
            raise ValueError(f"{number}: {error}")
        source = to_s


def generate_county(spec: CountySpec, *, seed: int, lines: rules.PovertyLines | dict[int, Decimal] | None = None,
                    progress: Callable[[float], object] | None = None) -> CountyData:
    """Generate one county (``progress(n)`` is told of half its households in all). Primary keys are numbered from 1 per table within the county, and the
    townships' parent is 0, standing for the county's own Area row; the loader moves them."""
    ids = dict.fromkeys(("area", "designation", "household", "member", "yearly", "change", "mobject", "measure",
                         "target"), 1)
    if lines is None:
        lines = NATIONAL_LINES
    if not isinstance(lines, rules.PovertyLines):  # national lines by year
        lines = rules.PovertyLines.national(lines)
    gen = _Gen(spec, seed, ids, lines)
    gen.build_areas(0)
    hhs = gen.build_households()
    if progress:
        progress(len(hhs) / 4)
    gen.plan_history(hhs)
    extra = gen.plan_monitored_only(hhs)
    gen.emit(hhs)
    registered_people = len(gen.data.members)
    gen.emit(extra)
    gen.assign_population(hhs)
    gen.targets(hhs)
    if progress:
        progress(len(hhs) / 4)
    s = gen.data.stats
    s["households"] = len(gen.data.households)
    s["people"] = len(gen.data.members)
    s["registered_households"] = len(hhs)
    s["registered_people"] = registered_people
    s["monitored_only_households"] = len(extra)
    s["monitored_only_people"] = len(gen.data.members) - registered_people
    s["measures"] = len(gen.data.measures)
    return gen.data
