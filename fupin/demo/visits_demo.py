"""Demo 走访 (issue 15): a year of visits for every ongoing pairing there is when it runs — in a branch
where only the demo cadre is paired, its households; once every household is paired, all of them.

Deterministic (a seeded generator per household number, so the same households are forgotten whatever
else is paired), bulk (one bulk_create, no audit row per visit: the loader writes one for the whole
demo). About 6% of the paired households are never visited and about 8% were last visited long ago
(five to ten months), so that 我的帮扶 and the visit gaps have something to show; the rest are visited
every one to three months, each visit by one of the household's cadres.
"""

from __future__ import annotations

import datetime
import random
import uuid
import zlib

from django.utils import timezone

from fupin.assistance.models import Pairing, Visit

#: Share of the paired households never visited / visited last long ago (per mille; at least one each).
NEVER_PER_MILLE = 60
LONG_AGO_PER_MILLE = 80

PURPOSES = ("季度走访", "了解务工情况", "政策宣传", "核实家庭收入", "产业项目回访", "了解子女就学", "慰问走访",
            "危房改造进度", "医疗报销跟进", "落实帮扶措施")
FINDINGS = ("家中生活正常，两不愁三保障达标。", "户主外出务工，家中老人身体尚可。", "养殖的生猪长势良好，缺少防疫知识。",
            "子女在县城就读，享受教育资助。", "家庭成员慢性病需长期服药，已办理门诊慢病。", "新房已完工入住。",
            "种植的核桃今年挂果，销路未定。", "")
HELP = ("讲解产业扶持政策", "联系就业培训名额", "协调办理医保报销", "送去米面油慰问品", "帮助联系收购商", "")
FOLLOW = ("下季度回访", "跟进培训报名结果", "核实报销到账", "", "")
NAMESPACE = uuid.UUID("6f1b3c1e-2f4e-4c55-9a57-0f5d3c1a7e15")


def _rng(seed: int, number: str) -> random.Random:
    return random.Random(seed * 1_000_003 + zlib.crc32(number.encode()))


def _dates(rng: random.Random, start: datetime.date, today: datetime.date, long_ago: bool) -> list[datetime.date]:
    """Visit dates in the year up to today, after the pairing's start."""
    first = max(start, today - datetime.timedelta(days=365))
    last_allowed = today - datetime.timedelta(days=rng.randint(150, 300)) if long_ago else today
    dates: list[datetime.date] = []
    day = first + datetime.timedelta(days=rng.randint(0, 40))
    while day <= last_allowed:
        dates.append(day)
        day += datetime.timedelta(days=rng.randint(28, 85))
    return dates


def build_visits(*, seed: int = 2015, today: datetime.date | None = None) -> int:
    """Visits for every ongoing pairing; returns how many were written. Households that already have a
    visit are left alone (running it twice adds nothing)."""
    today = today or timezone.localdate()
    pairings = (Pairing.objects.ongoing(today).select_related("household", "cadre")
                .order_by("household_id", "cadre_id"))
    by_household: dict[int, list[Pairing]] = {}
    for p in pairings:
        by_household.setdefault(p.household_id, []).append(p)
    visited = set(Visit.objects.filter(household_id__in=list(by_household)).values_list("household_id", flat=True))
    # Who is forgotten: the households with the lowest draw (a draw per household number, so the same
    # ones whatever else is paired); at least one of each kind as soon as anyone is paired.
    draws = {hid: _rng(seed, pairs[0].household.number).random() for hid, pairs in by_household.items()}
    ranked = sorted(by_household, key=lambda hid: (draws[hid], hid))
    never_n = max(1, round(len(ranked) * NEVER_PER_MILLE / 1000)) if ranked else 0
    long_n = max(1, round(len(ranked) * LONG_AGO_PER_MILLE / 1000)) if ranked else 0
    never, long_ago = set(ranked[:never_n]), set(ranked[never_n:never_n + long_n])
    rows: list[Visit] = []
    for household_id, pairs in by_household.items():
        if household_id in visited or household_id in never:
            continue
        household = pairs[0].household
        rng = _rng(seed, household.number + "/visits")
        start = min(p.start for p in pairs)
        for n, on in enumerate(_dates(rng, start, today, long_ago=household_id in long_ago)):
            pairing = pairs[rng.randrange(len(pairs))]
            phone = rng.random() < 0.4  # logged on the phone: it carries the phone's record id
            rows.append(Visit(
                household_id=household_id, cadre_id=pairing.cadre_id, on=on, purpose=rng.choice(PURPOSES),
                findings=rng.choice(FINDINGS), help_given=rng.choice(HELP), follow_up=rng.choice(FOLLOW),
                client_id=uuid.uuid5(NAMESPACE, f"{household.number}/{n}") if phone else None,
                recorded_by_id=pairing.cadre.user_id))
    Visit.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
