"""The demo county's assistance forces (issue 15 item 8, who15): helping units, cadres, leaders' and
departments' links, a work team per poor village with its postings and a year of days in the village,
and a cadre for every registered and monitored household — so that every page of 精准帮扶 and the gap
report show real content, gaps included.

Seed 000's 挂包帮 shape: each county leader links a township and two poor villages; each of ~30 county
departments links one or two villages; township governments and departments send their staff to pair
with households (mostly ≤ the CADRE_MAX_HOUSEHOLDS threshold, a few over); every poor village has a
resident team (第一书记 + 1–2 members, full time, a few months below TEAM_MIN_DAYS). On purpose: one
leader links only one village, two departments link none, a handful of households have no cadre, and
one cadre left three weeks ago with households not yet reassigned.

Synthetic data inside the loader's transaction: bulk rows, no audit row per row (the loader writes one
audit row for the whole demo), like fupin.demo.accounts.pair_demo_cadre. Deterministic for a seed and a
day (names and draws from one Random; dates relative to today). Only the first county (like the cases).
"""

from __future__ import annotations

import datetime
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass, field
from random import Random

from django.utils import timezone

from fupin.areas.models import Area, Level
from fupin.assistance import checks
from fupin.assistance.models import (
    AreaLink,
    Cadre,
    CadreRank,
    HelpingUnit,
    Pairing,
    PostRole,
    PresenceMonth,
    TeamPosting,
    UnitKind,
    WorkTeam,
)
from fupin.assistance.rules import threshold

from .pools import GIVEN, HAN_SURNAMES

DEPARTMENTS = (
    "县委办公室", "县人民政府办公室", "县委组织部", "县委宣传部", "县发展和改革局", "县财政局", "县教育体育局",
    "县卫生健康局", "县人力资源和社会保障局", "县住房和城乡建设局", "县交通运输局", "县水务局", "县农业农村局",
    "县林业和草原局", "县民政局", "县乡村振兴局", "县自然资源局", "县商务局", "县文化和旅游局", "县市场监督管理局",
    "县医疗保障局", "县审计局", "县统计局", "县公安局", "县司法局", "县应急管理局", "县退役军人事务局",
    "县供销合作社联合社", "县妇女联合会", "县残疾人联合会",
)
OTHER_UNITS = (
    ("县农业投资开发有限公司", UnitKind.ENTERPRISE), ("滇东油菜籽加工有限公司", UnitKind.ENTERPRISE),
    ("县农村信用合作联社", UnitKind.ENTERPRISE), ("县供电有限公司", UnitKind.ENTERPRISE),
    ("东部协作城市对口帮扶工作组", UnitKind.PAIRED), ("省级定点帮扶单位（演示）", UnitKind.PAIRED),
)
LEADER_POSTS = ("县委书记", "县长", "县委副书记", "常务副县长", "副县长", "副县长", "副县长", "副县长",
                "县人大常委会主任", "县政协主席", "县委常委、组织部部长", "县委常委、纪委书记")
STAFF_POSTS = ("科员", "科员", "科员", "副主任科员", "股长", "副局长", "办公室主任", "四级主任科员")
TOWNSHIP_POSTS = ("乡镇干部", "乡镇干部", "扶贫专干", "副乡镇长", "党委委员")
#: Households per pairing cadre: most cadres get about this many (the threshold is checked separately).
LOAD = 6
#: Households left without a cadre on purpose (the gap report's first line).
UNPAIRED = 6
#: Cadres given more households than the threshold on purpose.
OVERLOADED = 3


@dataclass
class AssistanceResult:
    units: int = 0
    cadres: int = 0
    links: int = 0
    teams: int = 0
    postings: int = 0
    presence: int = 0
    pairings: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


class _Names:
    """Realistic Chinese names from the demo generator's pools (Han surnames, generation-1 given names)."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.surnames = [s for s, _w in HAN_SURNAMES]
        self.weights = [w for _s, w in HAN_SURNAMES]
        self.seen: set[str] = set()

    def __call__(self) -> str:
        for _ in range(20):
            sex = "1" if self.rng.random() < 0.68 else "2"
            first, second = GIVEN[(sex, 1)]
            given = self.rng.choice(first) + (self.rng.choice(second) if self.rng.random() < 0.8 else "")
            name = self.rng.choices(self.surnames, self.weights)[0] + given
            if name not in self.seen:
                self.seen.add(name)
                return name
        return name


def _phone(rng: Random) -> str:
    return rng.choice(("139", "138", "158", "187", "135")) + f"{rng.randrange(10**8):08d}"


def _months_back(today: datetime.date, n: int) -> list[datetime.date]:
    month, out = today.replace(day=1), []
    for _ in range(n):
        out.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return out[::-1]


def build_assistance(*, county: Area, seed: int) -> AssistanceResult:
    """Write the county's units, cadres, links, teams, postings, days and pairings (bulk). Returns counts."""
    started = time.perf_counter()
    b = _Build(county, seed)
    result = AssistanceResult()
    result.units = b.units()
    result.links = b.leaders_and_links()
    plan, team_cadres = b.cadres()
    result.cadres = len(b.all_cadres) + len(b.leaders)
    b.gaps(plan)
    result.pairings = b.pairings(plan)
    result.teams, result.postings, result.presence = b.teams(team_cadres)
    result.counts = {"without_cadre": checks.households_without_cadre(county).count(),
                     "departed": checks.pairings_of_departed_cadres(county).count(),
                     "over": checks.cadres_over_capacity(county).count(),
                     "low_presence": checks.presence_below_minimum(county).count()}
    result.seconds = time.perf_counter() - started
    return result


Plan = list[tuple[int, list[tuple[int, "int | None"]]]]  # (index in all_cadres, [(household id, identified year)])


class _Build:
    def __init__(self, county: Area, seed: int) -> None:
        self.county = county
        self.rng = Random(f"assistance-{seed}-{county.code}")
        self.names = _Names(self.rng)
        self.today = timezone.localdate()
        self.townships = list(Area.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code"))
        self.villages = list(Area.objects.filter(path__subtree=county.path, level=Level.VILLAGE).order_by("path"))
        poor = set(Area.objects.filter(path__subtree=county.path).filter(checks.poor_village_q(""))
                   .values_list("pk", flat=True))
        self.poor_villages = [v for v in self.villages if v.pk in poor]
        self.link_start = datetime.date(2016, 3, 1)

    def _cadre(self, **kwargs: object) -> Cadre:
        return Cadre(name=self.names(), phone=_phone(self.rng), **kwargs)

    def units(self) -> int:
        """~30 departments, a few enterprises and paired units, one government per township."""
        rng, county = self.rng, self.county
        units = [HelpingUnit(name=name, kind=UnitKind.DEPARTMENT, area=county,
                             phone=f"0874-8{rng.randrange(10**6):06d}") for name in DEPARTMENTS]
        units += [HelpingUnit(name=name, kind=kind, area=county) for name, kind in OTHER_UNITS]
        units += [HelpingUnit(name=f"{t.name}人民政府", kind=UnitKind.TOWNSHIP, area=t) for t in self.townships]
        units = HelpingUnit.objects.bulk_create(units)
        self.departments = [u for u in units if u.kind == UnitKind.DEPARTMENT]
        self.township_unit = {u.area_id: u for u in units if u.kind == UnitKind.TOWNSHIP}
        return len(units)

    def leaders_and_links(self) -> int:
        """County leaders, each linked to a township and two poor villages (the last one: one village);
        departments linked to a poor village each, some to a second one, the last two to none."""
        depts, start = self.departments, self.link_start
        self.leaders = Cadre.objects.bulk_create([
            self._cadre(post=post, rank=CadreRank.COUNTY_LEADER, area=self.county,
                        unit=depts[i] if i < 2 else None) for i, post in enumerate(LEADER_POSTS)])
        villages_of = defaultdict(list)
        for v in self.poor_villages:
            villages_of[v.parent_id].append(v)
        links = []
        for i, leader in enumerate(self.leaders):
            township = self.townships[i % len(self.townships)]
            links.append(AreaLink(cadre=leader, area=township, start=start, note="领导联乡"))
            # Two poor villages of the township when it has them (the second leader of a township its
            # next two), else the county's next ones round the list.
            own = villages_of.get(township.pk, [])[(i // len(self.townships)) * 2:]
            rest = [v for v in self.poor_villages[2 * i:] + self.poor_villages[:2 * i] if v not in own]
            picked = (own + rest)[:2]
            for v in picked[: 1 if i == len(self.leaders) - 1 else 2]:
                links.append(AreaLink(cadre=leader, area=v, start=start, note="领导包村"))
        poor = self.poor_villages
        for i, unit in enumerate(depts[:-2]):
            links.append(AreaLink(unit=unit, area=poor[i % len(poor)], start=start, note="部门包村"))
            other = self.villages[(i * 7) % len(self.villages)]
            if i % 3 == 0 and other != poor[i % len(poor)]:
                links.append(AreaLink(unit=unit, area=other, start=start, note="部门包村"))
        # One link of the past, for the history: a department's earlier village.
        links.append(AreaLink(unit=depts[2], area=self.villages[-1], start=datetime.date(2015, 9, 1),
                              end=datetime.date(2017, 12, 31), note="调整前挂包村"))
        AreaLink.objects.bulk_create(links)
        self.dept_of_village = {lk.area_id: lk.unit for lk in links if lk.unit is not None and lk.end is None}
        return len(links)

    def _to_pair(self) -> dict[str, list[tuple[int, int | None]]]:
        """The households that must have a cadre and have none yet (the demo cadre's are paired), by township."""
        county = self.county
        must = (checks.must_have_cadre(county).order_by("area_path", "number")
                .values_list("pk", "area_path", "identified_year"))
        already = set(Pairing.objects.ongoing(self.today).filter(household__area_path__startswith=county.path)
                      .values_list("household_id", flat=True))
        width = len(self.townships[0].path)
        by_township: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
        for pk, path, year in must:
            if pk not in already:
                by_township[path[:width]].append((pk, year))
        return by_township

    def cadres(self) -> tuple[Plan, list[tuple[Area, Cadre, str]]]:
        """Pairing cadres per township (its government's staff, departments' staff), ~LOAD households each,
        and the work teams' cadres (a 第一书记 and one or two members per poor village)."""
        rng, by_township = self.rng, self._to_pair()
        cadres: list[Cadre] = []
        plan: Plan = []
        biggest = max(self.townships, key=lambda t: len(by_township.get(t.path, [])))
        for township in self.townships:
            todo = by_township.get(township.path, [])
            if township == biggest:  # a handful left without a cadre on purpose
                todo = todo[:-UNPAIRED]
            n = max(1, -(-len(todo) // LOAD))
            for k in range(n):
                if k % 3 == 0:
                    cadres.append(self._cadre(unit=self.township_unit[township.pk], post=rng.choice(TOWNSHIP_POSTS),
                                              rank=CadreRank.TOWNSHIP, area=township))
                else:
                    cadres.append(self._cadre(unit=rng.choice(self.departments), post=rng.choice(STAFF_POSTS),
                                              rank=CadreRank.STAFF, area=self.county))
                chunk = todo[k * LOAD:(k + 1) * LOAD]
                if chunk:
                    plan.append((len(cadres) - 1, chunk))
        team_cadres: list[tuple[Area, Cadre, str]] = []
        for v in self.poor_villages:
            unit = self.dept_of_village.get(v.pk) or rng.choice(self.departments)
            team_cadres.append((v, self._cadre(unit=unit, post="驻村第一书记", rank=CadreRank.STAFF, area=self.county),
                                PostRole.SECRETARY))
            for _m in range(rng.choice((1, 2))):
                team_cadres.append((v, self._cadre(unit=unit, post=rng.choice(STAFF_POSTS), rank=CadreRank.STAFF,
                                                   area=self.county), PostRole.MEMBER))
        self.all_cadres = Cadre.objects.bulk_create(cadres + [c for _v, c, _r in team_cadres])
        return plan, team_cadres

    def gaps(self, plan: Plan) -> None:
        """A few cadres take over their neighbours' households (over the threshold); one cadre left three
        weeks ago, their households not yet reassigned."""
        limit = threshold("cadre_max_households", self.county)
        for j in range(min(OVERLOADED, len(plan) // 30)):
            a = 5 + j * 10
            for b in range(a + 1, a + 4):  # leave the neighbours one household each
                extra = min(limit + 1 + j - len(plan[a][1]), len(plan[b][1]) - 1)
                if extra > 0:
                    plan[a] = (plan[a][0], plan[a][1] + plan[b][1][:extra])
                    plan[b] = (plan[b][0], plan[b][1][extra:])
        if plan:
            departed = self.all_cadres[plan[len(plan) // 2][0]]
            Cadre.objects.filter(pk=departed.pk).update(left_on=self.today - datetime.timedelta(days=21))

    def pairings(self, plan: Plan) -> int:
        """From the household's identification (not before 2016); one household in forty was first helped
        by another cadre who handed it over in 2019 (history)."""
        cadres, today = self.all_cadres, self.today
        rows = []
        for k, chunk in plan:
            for n, (household_id, year) in enumerate(chunk):
                start = datetime.date(min(max(year or 2016, 2016), today.year), 1, 1)
                if n == 0 and k % 40 == 1:
                    handed = max(start, datetime.date(2019, 7, 1))
                    rows.append(Pairing(cadre=cadres[(k + 1) % len(plan)], household_id=household_id, start=start,
                                        end=handed, note="工作调整，转交"))
                    start = handed
                rows.append(Pairing(cadre=cadres[k], household_id=household_id, start=start, note="演示数据"))
        Pairing.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    def teams(self, team_cadres: list[tuple[Area, Cadre, str]]) -> tuple[int, int, int]:
        """A team per poor village, its postings, the last twelve whole months of days in the village (a
        few below the threshold; this month's days are not in yet)."""
        rng = self.rng
        minimum = threshold("team_min_days", self.county)
        team_start = datetime.date(2017, 3, 1)
        teams = WorkTeam.objects.bulk_create([
            WorkTeam(village=v, unit=self.dept_of_village.get(v.pk), start=team_start, note="演示数据")
            for v in self.poor_villages])
        team_of = {t.village_id: t for t in teams}
        postings = TeamPosting.objects.bulk_create([
            TeamPosting(team=team_of[v.pk], cadre=c, role=role, full_time=True,
                        start=team_start if role == PostRole.SECRETARY else datetime.date(2019, 3, 1))
            for v, c, role in team_cadres])
        months = _months_back(self.today.replace(day=1) - datetime.timedelta(days=1), 12)
        rows = []
        for p, month in itertools.product(postings, months):
            days = rng.randint(minimum, min(minimum + 7, 28))
            if rng.random() < 0.03:
                days = rng.randint(max(0, minimum - 9), minimum - 1)
            rows.append(PresenceMonth(posting=p, month=month, days=days))
        PresenceMonth.objects.bulk_create(rows, batch_size=2000)
        return len(teams), len(postings), len(rows)
