"""Open identification and exit cases for the demo county (issue 13 item 7), through the real services.

After the households are written, ``build_cases`` runs a small identification round and exit round in a
few villages of the three poor townships, in the current year (``timezone.localdate().year``), with
every date in the past weeks, so that *today* the county holds a case at every step of
fupin.identification.rules.PATHS, notices running (entries masked as on paper), objections open and
resolved (one upheld, one dismissed per village), a 不予通过 and a 撤回:

识别 (per village): 户申报 · 小组议 · 村评定 ×2 on a **running** first notice with one **open** objection ·
入户查 (first notice ended; a **dismissed** objection) · 逐级核 on a **running** second notice · 县确认
(household now 贫困户; the **running** county announcement) · 市抽查 (done) · 不予通过 (an **upheld**
objection) · 撤回.

退出 (per village, households that returned to poverty): 民主评议 · 户认可 on a **running** exit notice ·
乡镇审核 on the **running** exit announcement · 销号 (household now 已脱贫). One more proposal is refused
by the exit check; its message is kept for the demo's printed summary.

Every write goes through fupin.identification.services, fupin.registry.services and
fupin.standards.services with actor None (the system): the demo obeys the rules people do (votes with
their quorum, the home-visit checklist, notice periods, objections resolved before a step). Cases,
notices and objections are marked synthetic; the new households are marked synthetic like the
generated ones; the current year's poverty line and exit criteria are named "演示数据".

The registry's seeded standards stop at 2020 (national lines 2011–2020; exit criteria 2014–2020); the
demo's loader carries the 2020 line on the province to 2026 as demo data (fupin.demo.loader), and its
yearly records run to 2026-11-30 (fupin.demo.generator.AS_OF): households whose history moved after a
day the cases write on are left out of the rounds. For the current year the demo county gets, as demo data:

* a county-level poverty line: the 2020 national line (4,000 yuan) carried forward (REFERENCE §3);
* a county exit-criteria rule set copying the conditions of the latest national rule set (REFERENCE §4);
* a current-year yearly record for each household it proposes for exit.

Deterministic: one ``random.Random`` seeded with the demo's seed and the county code, households and
villages taken in code order; two builds on the same day give the same cases.
"""

from __future__ import annotations

import datetime
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from fupin.areas.models import Area
from fupin.identification import rules as case_rules
from fupin.identification import services as cases
from fupin.identification.models import Case, CaseKind, Notice, NoticeKind, Objection, ObjectionStatus, Step
from fupin.lib import idnumber
from fupin.registry import rules as registry_rules
from fupin.registry import services as registry
from fupin.registry.choices import LineKind, Procedure, Status
from fupin.registry.models import Household, Member, PovertyLine, StatusChange
from fupin.standards import engine
from fupin.standards import services as standards
from fupin.standards.fields import Facts
from fupin.standards.models import RuleKind, RuleSet

from . import pools
from .generator import NATIONAL_LINES, Weighted

DEMO = "演示数据"
#: The poverty line the demo county uses for the current year: the last national line (2020).
CARRIED_LINE_YEAR = max(NATIONAL_LINES)
LINE_NOTE = (f"{DEMO}：{CARRIED_LINE_YEAR} 年后国家不再公布扶贫标准，演示县沿用 {CARRIED_LINE_YEAR} 年国家扶贫标准 "
             f"{NATIONAL_LINES[CARRIED_LINE_YEAR]} 元，仅供演示当年的识别与退出")
RULESET_NAME = f"{DEMO}：脱贫退出标准（沿用国家标准）"
RULESET_NOTE = f"{DEMO}：复制最新一版国家脱贫退出标准的条件，供演示县办理当年的退出"

#: Identification cases per village, by the step they are in today.
IDENTIFICATION_PLAN: tuple[tuple[str, int], ...] = (
    (Step.CITY, 1), (Step.COUNTY, 1), (Step.TOWNSHIP, 1), (Step.VISITED, 1), (Step.REJECTED, 1),
    (Step.VILLAGE, 2), (Step.GROUP, 1), (Step.APPLIED, 1), (Step.WITHDRAWN, 1),
)
#: The identification cases that went through the earlier first notice (ended weeks ago).
EARLY = frozenset({Step.CITY, Step.COUNTY, Step.TOWNSHIP, Step.VISITED, Step.REJECTED})
#: Exit cases per village, by the step they are in today (rotated per village, so that a village short
#: of candidates still leaves every step covered somewhere).
EXIT_PLAN: tuple[str, ...] = (Step.CLOSED, Step.REVIEWED, Step.AGREED, Step.PROPOSED)
#: How many villages: one in each of the (three) poor townships.
VILLAGES = 3
#: How many households of a village the exit round looks at, at most, to find its candidates.
EXAMINED = 80
HOTLINE = "12317"

#: Why a household applies, by its main cause.
APPLY_REASONS = {
    "illness": "家庭成员患慢性病长期服药，医疗支出大，人均纯收入低于扶贫标准",
    "disability": "家庭成员残疾，缺少劳动能力，收入来源少",
    "schooling": "子女上学支出大，家庭收入难以维持",
    "disaster": "今年遭受冰雹灾害，农作物大面积减产，住房受损",
    "labour": "家中缺少劳动力，仅靠少量种植维持生活",
    "funds": "缺少发展生产的资金，收入来源单一",
    "skills": "缺少劳动技能，务工收入低且不稳定",
}
CAUSES = Weighted([("illness", 30), ("funds", 17), ("skills", 15), ("labour", 10), ("disability", 8),
                   ("schooling", 7), ("disaster", 4)])
CHECKLIST_NOTES = {
    "housing": "砖木结构住房，面积与申报一致",
    "grain": "耕地与种植情况与申报一致",
    "labour": "劳动力与务工情况已核实",
    "schooling": "适龄子女均在校",
    "assets": "无小轿车、商品房和经营实体",
    "registries": "已与公安、车管、工商、不动产信息比对，无异常",
    "consent": "户主已签字同意信息核查",
}
OBJECTION_UPHELD = ("反映该户家庭成员在县城事业单位工作，属财政供养人员",
                    "经乡村两级入户核实，反映情况属实，属“七不进”情形，异议成立")
OBJECTION_DISMISSED = ("反映该户家中有小轿车",
                       "经核查，该户车辆为农用三轮车，不属于“七不进”所列车辆，异议不成立")
#: The guarantees of a year's record left unrecorded when the household fails the exit check.
UNRECORDED = ("education_secure", "medical_secure", "housing_secure", "water_secure")
EXIT_REASON = "人均纯收入{pc}元，超过当年扶贫标准{line}元，“两不愁三保障”和饮水安全达标，提名脱贫退出"
OBJECTION_OPEN = "反映该户长期在外务工，家庭实际收入较高"


@dataclass
class CasesResult:
    year: int = 0
    villages: list[str] = field(default_factory=list)
    #: {(kind, step): cases}, kind and step as codes.
    steps: dict[tuple[str, str], int] = field(default_factory=dict)
    notices_running: int = 0
    objections: dict[str, int] = field(default_factory=dict)
    #: The exit proposals the exit check refused: "户编号 户主：message".
    refused: list[str] = field(default_factory=list)
    line: str = ""
    ruleset: str = ""
    #: What finished_adjustment_year() did (None: not wired yet).
    adjustment: Any = None
    seconds: float = 0.0


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _changed_since(day: datetime.date) -> Any:
    """Households whose status history has a row after ``day``: the generated history runs to
    fupin.demo.generator.AS_OF, which may lie after the day the cases are built on (a test travelling
    back in time); a status written on ``day`` could not precede it (registry: history in date order)."""
    return StatusChange.objects.filter(date__gt=day).values("household_id")


class _Builder:
    def __init__(self, *, county: Area, seed: int) -> None:
        self.county = county
        self.rng = Random(f"fupin-demo-cases:{seed}:{county.code}")
        self.today = timezone.localdate()
        self.year = self.today.year
        #: A notice runs exactly the minimum period; running notices began ``self.lead`` days ago.
        self.period = case_rules.notice_min_days()
        self.lead = min(3, self.period - 1)
        self.county_city: list[Case] = []  # at 县确认, for the announcement that has ended
        self.county_now: list[Case] = []  # at 县确认, for the announcement running today
        self.exit_closing: list[Case] = []  # at 乡镇审核, for the exit announcement that has ended
        self.exit_now: list[Case] = []  # at 乡镇审核, for the exit announcement running today
        self.refused: list[str] = []

    def day(self, offset: int) -> datetime.date:
        """``offset`` days from today (negative: in the past)."""
        return self.today + _days(offset)

    # --- the year's standards ---------------------------------------------------------------------

    def standards(self) -> tuple[PovertyLine, Any]:
        line = PovertyLine.objects.filter(year=self.year, area=self.county).first() or registry.poverty_line_set(
            actor=None, year=self.year, amount=Decimal(NATIONAL_LINES[CARRIED_LINE_YEAR]), kind=LineKind.NATIONAL,
            area=self.county, note=LINE_NOTE)
        ruleset = standards.ruleset_for(RuleKind.EXIT, self.year, self.county)
        if ruleset is None:
            national = standards.ruleset_for(RuleKind.EXIT, CARRIED_LINE_YEAR, None)
            if national is None:
                raise ValidationError(f"没有 {CARRIED_LINE_YEAR} 年的国家脱贫退出标准，无法生成演示退出案件")
            ruleset = standards.ruleset_create(
                actor=None, kind=RuleKind.EXIT, year=self.year, area=self.county, name=RULESET_NAME,
                conditions=list(national.conditions), match=national.match, note=RULESET_NOTE)
        return line, ruleset

    # --- where ------------------------------------------------------------------------------------

    def villages(self, demo_village: Area | None) -> list[Area]:
        """One village in each poor township (any township when the county has none designated), in code
        order: the demo accounts' village in its own township, elsewhere the poor village with the most
        households."""
        inside = Area.objects.filter(path__startswith=self.county.path)
        townships = list(inside.filter(level="township", designations__kind="poor_township").distinct()
                         .order_by("code")) or list(inside.filter(level="township").order_by("code"))
        sizes = Counter(Household.objects.filter(area_path__startswith=self.county.path)
                        .values_list("area_path", flat=True))
        chosen: list[Area] = []
        for township in townships[:VILLAGES]:
            if demo_village is not None and demo_village.parent_id == township.pk:
                chosen.append(demo_village)
                continue
            villages = (Area.objects.filter(parent=township, level="village")
                        .annotate(poor=Count("designations", filter=Q(designations__kind="poor_village"))))
            ranked = sorted(villages, key=lambda v: (v.poor == 0, -sum(n for path, n in sizes.items()
                                                                       if path.startswith(v.path)), v.code))
            if ranked:
                chosen.append(ranked[0])
        return chosen

    # --- identification ---------------------------------------------------------------------------

    def _person(self, relation: str, sex: str, birth: datetime.date, surname: str) -> dict[str, Any]:
        rng = self.rng
        gen = 0 if birth.year < 1970 else (1 if birth.year < 1995 else 2)
        first, second = pools.GIVEN[(sex, min(gen, 2))]
        given = rng.choice(second) if rng.random() < 0.15 else rng.choice(first) + rng.choice(second)
        seq = rng.randrange(500)
        number = idnumber.make(self.county.code[:6], birth, seq, sex)
        while Member.objects.filter(citizen_id=number[:18], active=True).exists():
            seq = (seq + 1) % 500
            number = idnumber.make(self.county.code[:6], birth, seq, sex)
        age = self.today.year - birth.year - ((self.today.month, self.today.day) < (birth.month, birth.day))
        if age < 6:
            school = "preschool" if age >= 3 else "none"
        elif age <= 11:
            school = "primary"
        elif age <= 14:
            school = "junior"
        elif age <= 17:
            school = "senior"
        else:
            school = "none"
        return {"name": surname + given, "id_number": number, "relation": relation, "sex": sex,
                "birth_date": birth, "school_status": school,
                "education": {"primary": "primary", "junior": "junior", "senior": "senior"}.get(
                    school, "" if age < 16 else rng.choice(["primary", "junior"])),
                "labour": "none" if age < 16 or school != "none" else ("weak" if age >= 65 else "normal")}

    def _cause(self, family: list[dict[str, Any]]) -> str:
        """The main cause, and the member it concerns made to agree with it (REFERENCE §6.4: 因病 with
        somebody ill, 因残 with somebody disabled and certified, 因学 with somebody at school)."""
        rng = self.rng
        cause = CAUSES(rng)
        adult = family[rng.randrange(min(2, len(family)))]
        if cause == "schooling" and not any(m["school_status"] in ("primary", "junior", "senior") for m in family):
            cause = "funds"
        if cause == "illness":
            adult.update(health="serious" if rng.random() < 0.3 else "chronic", labour="weak")
        elif cause == "disability":
            category, grade = "4", rng.choice("34")
            adult.update(health="disabled", disability_category=category, disability_grade=grade,
                         disability_cert_no=adult["id_number"] + category + grade, labour="weak")
        return cause

    def _family(self) -> list[dict[str, Any]]:
        rng = self.rng
        surname = Weighted(pools.HAN_SURNAMES)(rng)
        head_age = rng.randint(32, 72)
        head_birth = datetime.date(self.today.year - head_age, rng.randint(1, 12), rng.randint(1, 28))
        family = [self._person("head", "1", head_birth, surname)]
        size = rng.choice([1, 2, 2, 3, 3, 4, 4, 5])
        if size >= 2:
            spouse_birth = head_birth + _days(rng.randint(-700, 2200))
            family.append(self._person("spouse", "2", spouse_birth, Weighted(pools.HAN_SURNAMES)(rng)))
        for _i in range(max(0, size - 2)):
            child_age = rng.randint(3, max(3, min(25, head_age - 22)))
            sex = "1" if rng.random() < 0.52 else "2"
            birth = datetime.date(self.today.year - child_age, rng.randint(1, 12), rng.randint(1, 28))
            family.append(self._person("son" if sex == "1" else "daughter", sex, birth, surname))
        return family

    def _applicant(self, village: Area, applied_on: datetime.date) -> Household:
        groups = list(Area.objects.filter(parent=village, level="group").order_by("code")) or [village]
        numbers = Household.objects.filter(area_path__startswith=village.path).values_list("number", flat=True)
        number = registry_rules.next_household_number(
            village.code, numbers, taken=lambda n: Household.objects.filter(number=n).exists())
        family = self._family()
        cause = self._cause(family)
        rng = self.rng
        household = registry.household_create(
            actor=None, area=rng.choice(groups), number=number, members=family,
            status=Status.APPLYING, procedure=Procedure.REGISTRATION, date=applied_on,
            reason=f"{DEMO}：农户提出贫困户申请", main_cause=cause, identified_year=applied_on.year,
            house_area=Decimal(rng.randint(45, 120)), house_structure=rng.choice(["brick_wood", "earth_wood"]),
            road_type=rng.choice(["cement", "gravel"]), fuel=rng.choice(["firewood", "coal", "electric"]),
            cultivated_land=Decimal(rng.randint(2, 12)) / 2)
        Household.objects.filter(pk=household.pk).update(synthetic=True)
        household.synthetic = True
        household.apply_reason = APPLY_REASONS[cause]
        return household

    def _votes(self) -> dict[str, int]:
        rng = self.rng
        total = rng.randint(25, 41)
        present = rng.randint(math.ceil(total * 2 / 3) + 1, total)
        against = rng.randint(0, 2)
        abstain = rng.randint(0, 2)
        return {"representatives": total, "present": present, "votes_for": present - against - abstain,
                "votes_against": against, "votes_abstain": abstain}

    def _open(self, village: Area, applied_on: datetime.date) -> Case:
        household = self._applicant(village, applied_on)
        origin = "cadre_report" if self.rng.random() < 0.2 else "application"
        return cases.case_open(actor=None, kind=CaseKind.IDENTIFICATION, household=household, year=self.year,
                               reason=household.apply_reason, origin=origin, date=applied_on, synthetic=True,
                               opinion="干部摸排发现，代为申报" if origin == "cadre_report" else "农户提出申请，签字同意信息核查")

    def _step(self, case: Case, to: str, offset: int, opinion: str, **extra: Any) -> Case:
        return cases.case_step(actor=None, case=case, to=to, opinion=opinion, date=self.day(offset), **extra)

    def _group(self, case: Case, offset: int) -> Case:
        return self._step(case, Step.GROUP, offset, "村民小组户主会议评议，同意推荐")

    def _village(self, case: Case, offset: int) -> Case:
        return self._step(case, Step.VILLAGE, offset, "村民代表会议民主评定通过，驻村工作队核实无误",
                          votes=self._votes())

    def _visit(self, case: Case, offset: int) -> Case:
        checklist = {key: {"ok": True, "note": note} for key, note in CHECKLIST_NOTES.items()}
        return self._step(case, Step.VISITED, offset, "乡村干部和驻村工作队入户核查，情况属实", checklist=checklist)

    def _notice(self, kind: str, area: Area, listed: list[Case], starts: int, address: str) -> Notice:
        return cases.notice_publish(actor=None, kind=kind, area=area, cases=listed, starts_on=self.day(starts),
                                    ends_on=self.day(starts + self.period - 1), hotline=HOTLINE, address=address,
                                    year=self.year, synthetic=True)

    def _entry(self, notice: Notice, case: Case):
        return notice.entries.get(case=case)

    def identification(self, village: Area) -> None:
        p, lead = self.period, self.lead
        township = village.parent
        counts = dict(IDENTIFICATION_PLAN)
        # The earlier round: its first notice ran out weeks ago.
        early = [step for step, n in IDENTIFICATION_PLAN if step in EARLY for _i in range(n)]
        start = -(3 * p + 12)
        by_target: dict[str, list[Case]] = {}
        for target in early:
            case = self._open(village, self.day(start))
            case = self._group(case, start + 2)
            case = self._village(case, start + 4)
            by_target.setdefault(target, []).append(case)
        first_start = start + 5
        first_end = first_start + p - 1
        first = self._notice(NoticeKind.FIRST, village, [c for cs in by_target.values() for c in cs], first_start,
                             f"{village.name}村民委员会")
        rejected = by_target[Step.REJECTED][0]
        kept = by_target[Step.VISITED][0]
        upheld = cases.objection_record(actor=None, notice=first, entry=self._entry(first, rejected),
                                        content=OBJECTION_UPHELD[0], received_on=self.day(min(first_start + 2, first_end)),
                                        raised_by="匿名", synthetic=True)
        dismissed = cases.objection_record(actor=None, notice=first, entry=self._entry(first, kept),
                                           content=OBJECTION_DISMISSED[0],
                                           received_on=self.day(min(first_start + 1, first_end)),
                                           raised_by="村民", synthetic=True)
        cases.objection_resolve(actor=None, objection=upheld, status=ObjectionStatus.UPHELD,
                                resolution=OBJECTION_UPHELD[1], date=self.day(first_end + 1))
        cases.objection_resolve(actor=None, objection=dismissed, status=ObjectionStatus.DISMISSED,
                                resolution=OBJECTION_DISMISSED[1], date=self.day(first_end + 1))
        self._step(rejected, Step.REJECTED, first_end + 2, "公示期间群众反映问题经核查属实，属“七不进”情形，不予通过")
        self._visit(kept, -5)
        visit_day = first_end + 2  # = -(2p + 6)
        reviewed = [self._step(self._visit(case, visit_day), Step.TOWNSHIP, -4, "乡镇审核通过，报县扶贫办")
                    for case in by_target[Step.TOWNSHIP]]
        self._notice(NoticeKind.SECOND, village, reviewed, -lead, f"{township.name}人民政府扶贫工作站")
        ahead = []
        for case in [*by_target[Step.CITY], *by_target[Step.COUNTY]]:
            case = self._visit(case, visit_day)
            ahead.append(self._step(case, Step.TOWNSHIP, visit_day + 1, "乡镇审核通过，报县扶贫办"))
        second_start = visit_day + 2  # = -(2p + 4)
        self._notice(NoticeKind.SECOND, village, ahead, second_start, f"{township.name}人民政府扶贫工作站")
        confirm = "县扶贫开发领导小组办公室审定，确认为建档立卡贫困户"
        for case in ahead:
            if case.pk in {c.pk for c in by_target[Step.CITY]}:
                self.county_city.append(self._step(case, Step.COUNTY, -(p + 4), confirm))
            else:
                self.county_now.append(self._step(case, Step.COUNTY, -4, confirm))
        # The later round: still in the village.
        voting = []
        for _i in range(counts[Step.VILLAGE]):
            case = self._open(village, self.day(-12))
            case = self._group(case, -9)
            voting.append(self._village(case, -6))
        running = self._notice(NoticeKind.FIRST, village, voting, -lead, f"{village.name}村民委员会")
        cases.objection_record(actor=None, notice=running, entry=self._entry(running, voting[0]),
                               content=OBJECTION_OPEN, received_on=self.day(-min(1, lead)), raised_by="匿名",
                               synthetic=True)
        for _i in range(counts[Step.GROUP]):
            self._group(self._open(village, self.day(-7)), -3)
        for _i in range(counts[Step.APPLIED]):
            self._open(village, self.day(-2))
        for _i in range(counts[Step.WITHDRAWN]):
            withdrawn = self._group(self._open(village, self.day(-10)), -8)
            self._step(withdrawn, Step.WITHDRAWN, -5, "家庭成员外出务工收入增加，户主本人申请撤回")

    def county_notices(self) -> None:
        p, lead = self.period, self.lead
        address = f"{self.county.name}扶贫开发领导小组办公室"
        if self.county_city:
            self._notice(NoticeKind.COUNTY, self.county, self.county_city, -(p + 3), address)
            for case in self.county_city:
                self._step(case, Step.CITY, -3, "市级抽查入户复核，识别准确")
        if self.county_now:
            self._notice(NoticeKind.COUNTY, self.county, self.county_now, -lead, address)
        if self.exit_closing:
            self._notice(NoticeKind.EXIT_ANNOUNCEMENT, self.county, self.exit_closing, -(p + 7), address)
            for case in self.exit_closing:
                self._step(case, Step.CLOSED, -6, "退出公告期满无异议，县扶贫办批准销号")
        if self.exit_now:
            self._notice(NoticeKind.EXIT_ANNOUNCEMENT, self.county, self.exit_now, -lead, address)

    # --- exit -------------------------------------------------------------------------------------

    def _record_data(self, household: Household, line: Decimal, above: bool) -> dict[str, Any]:
        """This year's record: a per-capita income well above the line (or, ``above`` False, under it),
        from wages when somebody works away, else from farming. The guarantees are marked held: the record
        of a household that fails one (the exit check's pre-check says) leaves them unrecorded."""
        rng = self.rng
        n = household.member_count or 1
        per_head = line * Decimal(str(rng.uniform(1.25, 2.1) if above else rng.uniform(0.6, 0.85)))
        total = int(per_head * n)
        transfer = int(total * rng.uniform(0.12, 0.25))
        prop = int(total * rng.uniform(0, 0.04))
        working = household.members.filter(active=True).exclude(work_status="").exists()
        business = int(total * rng.uniform(0.1, 0.25)) if working else total - transfer - prop
        expense = int(business * rng.uniform(0.2, 0.4))
        if working:
            wage = total - transfer - business - prop + expense
        else:
            wage, business = 0, business + expense
        return {"wage_income": Decimal(wage), "business_income": Decimal(business), "property_income": Decimal(prop),
                "transfer_income": Decimal(transfer), "business_expense": Decimal(expense),
                "food_clothing_secure": True, "education_secure": True, "medical_secure": True,
                "housing_secure": True, "water_secure": True, "note": f"{DEMO}：{self.year} 年度收入"}

    def _precheck(self, ruleset: Any, household: Household, data: dict[str, Any], line: Decimal) -> engine.Result:
        """The exit check on the record about to be written (not saved), to choose households."""
        from fupin.registry.models import YearlyRecord

        record = YearlyRecord(household=household, year=self.year, member_count=household.member_count or 1,
                              **{k: v for k, v in data.items() if k != "note"})
        record.derive()
        facts = Facts(household=household, members=list(household.members.filter(active=True)), record=record,
                      year=self.year, poverty_line=line)
        return engine.evaluate(standards.conditions_of(ruleset), ruleset.match, facts)

    def _return(self, household: Household, offset: int) -> Household:
        reason = self.rng.choice(pools.RETURN_REASONS)[1]
        return registry.household_change_status(actor=None, household=household, to_status=Status.RETURNED,
                                                reason=f"{reason}（{DEMO}）", date=self.day(offset),
                                                procedure=Procedure.ADJUSTMENT)

    def _candidates(self, village: Area, ruleset: Any, line: Decimal, wanted: int) -> tuple[list, Any]:
        """Up to ``wanted`` households of the village (exited or monitored; in a shuffled order) that would
        pass this year's exit check with an income above the line, each with the record to write; and
        the county's one refused proposal while it has none: a household failing a guarantee by its
        recorded facts, else one whose income this year stays under the line."""
        pool = list(Household.objects.filter(
            area_path__startswith=village.path,
            status__in=[Status.EXITED, Status.EXITED_STABLE, Status.MONITOR_RISK])
            .exclude(pk__in=_changed_since(self.day(-(3 * self.period + 40)))).order_by("number"))
        self.rng.shuffle(pool)
        passing: list[tuple[Household, dict[str, Any]]] = []
        failing: tuple[Household, dict[str, Any]] | None = None
        for household in pool[:EXAMINED]:
            data = self._record_data(household, line, above=True)
            if self._precheck(ruleset, household, data, line).holds:
                passing.append((household, data))
            elif failing is None:
                failing = (household, {**data, **dict.fromkeys(UNRECORDED)})
            if len(passing) > wanted and (failing is not None or self.refused):
                break
        refusal = None
        if not self.refused:
            if failing is not None:
                refusal = failing
            elif len(passing) > wanted:
                household, _data = passing.pop()
                refusal = (household, self._record_data(household, line, above=False))
        return passing[:wanted], refusal

    def _refuse(self, household: Household, data: dict[str, Any], returned_on: int) -> None:
        """A proposal the exit check refuses: the message is kept for the printed summary."""
        self._return(household, returned_on)
        registry.yearly_record_save(actor=None, household=household, year=self.year, data=data)
        try:
            cases.case_open(actor=None, kind=CaseKind.EXIT, household=household, year=self.year,
                            reason="村委会和驻村工作队提名脱贫退出", votes=self._votes(), date=self.day(-2),
                            synthetic=True)
        except ValidationError as exc:
            self.refused.append(f"{household.number} {household.head_name}：{'；'.join(exc.messages)}")
        else:  # the service and the pre-check disagree: a bug, not a demo to show
            raise AssertionError(f"the exit check did not refuse {household.number}")

    def exit(self, village: Area, index: int, ruleset: Any, line: Decimal) -> None:
        p, lead = self.period, self.lead
        targets = list(EXIT_PLAN[index % len(EXIT_PLAN):] + EXIT_PLAN[:index % len(EXIT_PLAN)])
        chosen, refusal = self._candidates(village, ruleset, line, len(targets))
        returned_on = -(3 * p + 40)
        if refusal is not None:
            self._refuse(*refusal, returned_on)
        agreeing, reviewing = [], []
        for (household, data), target in zip(chosen, targets, strict=False):
            self._return(household, returned_on)
            record = registry.yearly_record_save(actor=None, household=household, year=self.year, data=data)
            reason = EXIT_REASON.format(pc=f"{record.per_capita_income:.0f}", line=f"{line:.0f}")
            early = target in (Step.CLOSED, Step.REVIEWED)
            opened = -(2 * p + 12) if early else (-8 if target == Step.AGREED else -2)
            case = cases.case_open(actor=None, kind=CaseKind.EXIT, household=household, year=self.year,
                                   reason=reason[:300], votes=self._votes(), date=self.day(opened), synthetic=True,
                                   opinion="村民代表大会民主评议，同意提名脱贫退出")
            if target == Step.PROPOSED:
                continue
            case = self._step(case, Step.AGREED, opened + 3 if early else -6, "户主签字认可脱贫退出")
            (reviewing if early else agreeing).append((case, target))
        address = f"{village.name}村民委员会"
        if reviewing:
            self._notice(NoticeKind.EXIT_NOTICE, village, [c for c, _t in reviewing], -(2 * p + 8), address)
            for case, target in reviewing:
                case = self._step(case, Step.REVIEWED, -(p + 8), "退出公示期满无异议，乡镇审核通过")
                (self.exit_closing if target == Step.CLOSED else self.exit_now).append(case)
        if agreeing:
            self._notice(NoticeKind.EXIT_NOTICE, village, [c for c, _t in agreeing], -lead, address)


def build_cases(*, county: Area, seed: int, demo_village: Area | None = None) -> CasesResult:
    """Build the demo county's identification and exit cases (see the module's docstring)."""
    started = time.perf_counter()
    builder = _Builder(county=county, seed=seed)
    result = CasesResult(year=builder.year)
    line, ruleset = builder.standards()
    villages = builder.villages(demo_village)
    for index, village in enumerate(villages):
        builder.identification(village)
        builder.exit(village, index, ruleset, line.amount)
    builder.county_notices()
    result.villages = [v.name for v in villages]
    result.refused = builder.refused
    result.line = f"{line.year} 年 {line.amount:.0f} 元（{line.note}）"
    result.ruleset = f"{ruleset.name} 第 {ruleset.version} 版"
    result.adjustment = finished_adjustment_year(county=county, year=builder.year, builder=builder,
                                                 villages=villages)
    summarise(result, county)
    result.seconds = time.perf_counter() - started
    return result


def summarise(result: CasesResult, county: Area) -> CasesResult:
    """Fill the counts of ``result`` from the database: cases per step, notices running, objections."""
    today = timezone.localdate()
    rows = (Case.objects.filter(area_path__startswith=county.path).values_list("kind", "step")
            .annotate(n=Count("id")))
    result.steps = {(kind, step): n for kind, step, n in rows}
    result.notices_running = Notice.objects.filter(area_path__startswith=county.path, withdrawn=False,
                                                   starts_on__lte=today, ends_on__gte=today).count()
    result.objections = dict(Objection.objects.filter(notice__area_path__startswith=county.path)
                             .values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return result


#: How many households of the demo's villages the year's adjustment finds fallen back (income under the
#: line) and how many 七不进 finds wrongly registered (a car bought for more than the list allows).
ADJUST_RETURNS, ADJUST_EXCLUDED = 4, 2
EXCLUSION_NAME = "演示数据：排除规则（七不进，沿用国家规则）"


def finished_adjustment_year(*, county: Area, year: int, builder: _Builder | None = None,
                             villages: list[Area] | None = None) -> Any:
    """A finished yearly dynamic adjustment (issue 13 item 5) of ``year`` in the demo county, through the
    same services as a county office: this year's incomes of a few exited households of the demo's villages
    fall under the line, two households turn out to own a car bought for 150,000 yuan (七不进, with the
    county's exclusion rules of the year copied from the latest national ones as 演示数据), the run proposes
    and every proposal is confirmed. Returns the run (None when the county has no exclusion rules to copy)."""
    from fupin.identification import adjustment
    from fupin.identification.models_adjustment import ProposalState

    if builder is None or not villages:
        return None
    if standards.ruleset_for(RuleKind.EXCLUSION, year, county) is None:
        national = (RuleSet.objects.filter(kind=RuleKind.EXCLUSION, area=None)
                    .order_by("-year", "-version").first())
        if national is None:
            return None
        standards.ruleset_create(actor=None, kind=RuleKind.EXCLUSION, year=year, area=county, name=EXCLUSION_NAME,
                                 conditions=list(national.conditions), match=national.match,
                                 note=f"{DEMO}：沿用 {national.year} 年国家七不进")
    line = PovertyLine.objects.filter(year=year, area=county).first()
    on_case = Case.objects.filter(household__isnull=False).values("household_id")
    inside = Q()
    for village in villages:
        inside |= Q(area_path__startswith=village.path)
    # Not the demo cadre's paired households: their 帮扶责任人 keeps a view of ten households in the register.
    pool = list(Household.objects.filter(inside, status=Status.EXITED).exclude(pk__in=on_case)
                .exclude(pk__in=_changed_since(builder.today)).exclude(pairings__isnull=False)
                .order_by("number")[:40])
    chosen = builder.rng.sample(pool, min(len(pool), ADJUST_RETURNS + ADJUST_EXCLUDED))
    for household in chosen[:ADJUST_RETURNS]:
        if line is not None:
            registry.yearly_record_save(actor=None, household=household, year=year,
                                        data=builder._record_data(household, line.amount, above=False))
    for household in chosen[ADJUST_RETURNS:]:
        registry.household_update(actor=None, household=household, data={"vehicle_price": Decimal("150000")})
    run = adjustment.run_start(actor=None, year=year, area=county, background=False)
    adjustment.propose(run)
    adjustment.proposals_confirm(actor=None, run=run)
    run.refresh_from_db()
    run.confirmed = run.proposals.filter(state=ProposalState.CONFIRMED).count()
    return run


def summary_lines(result: CasesResult) -> list[str]:
    """What ``fupin demo`` prints about the cases: per kind, the cases at each step; the notices running
    today; the objections; the refused exit proposal; the year's standards."""
    lines = [f"  识别与退出案件（{result.year} 年，{'、'.join(result.villages)}；用时 {result.seconds:.1f} 秒）："]
    for kind in (CaseKind.IDENTIFICATION, CaseKind.EXIT):
        states = [*case_rules.PATHS[kind], Step.REJECTED, Step.WITHDRAWN]
        counts = [(step, result.steps.get((kind, step), 0)) for step in states]
        total = sum(n for _s, n in counts)
        if total:
            lines.append(f"    {CaseKind(kind).label} {total} 件：" + "，".join(
                f"{case_rules.step_label(step)} {n}" for step, n in counts if n))
    open_, upheld, dismissed = (result.objections.get(s, 0) for s in
                                (ObjectionStatus.OPEN, ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED))
    lines.append(f"    正在公示的公示公告 {result.notices_running} 份；异议待处理 {open_} 条，"
                 f"已办结 {upheld + dismissed} 条（异议成立 {upheld}，不成立 {dismissed}）")
    for refused in result.refused:
        lines.append(f"    退出核查未通过（演示）：{refused}")
    lines.append(f"    当年扶贫标准：{result.line}")
    lines.append(f"    当年退出标准：{result.ruleset}")
    run = result.adjustment
    if run is None:
        lines.append("    动态调整：未生成（没有可沿用的七不进规则）")
    else:
        counts = "，".join(f"{label} {run.counts.get(code, 0)}" for code, label in
                          (("entrant", "新识别"), ("exit", "脱贫"), ("return", "返贫"), ("removal", "清退")))
        lines.append(f"    {run.year} 年动态调整（已确认 {run.confirmed} 条）：{counts}")
    return lines
