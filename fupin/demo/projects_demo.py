"""项目资金 for the demo county (issue 16, demo16): seed 000's eight kinds of projects (八大扶贫工程) with their
lead departments, the fund documents that paid for them from every level and several channels 2015 to this
year, allocations (some held at a township), contracts, payments, household subsidy batches paid to
beneficiary households' accounts, 公告公示, the assets the projects left (经营性, 公益性, 到户类) with their
maintenance and income shared among the households — and, on purpose, one of each slip the alerts find:

* 资金滞留 — an allocation held at a township for months, nothing paid out of it;
* 进度滞后 — two projects past their planned end and not finished: one far behind (30 %), one nearly done;
* 验收滞后 — a project finished two months ago, still not accepted;
* 补助未按时发放 — a subsidy batch drawn up 45 days ago, not paid;
* 资金分配未公开 — a late document's allocation never disclosed;
* 负面清单 — a payment for a car (交通工具), a use the negative list forbids.

The ledger reconciles exactly (the invariants of fupin.projects.models; tests/demo/test_projects_demo.py
checks them on the demo): every amount is an integer number of fen until it is written; a document is
never allocated beyond its amount; an allocation never pays out more than it got; a subsidy payment is the
sum of its batch's lines; a batch pays only the project's beneficiaries, never a cancelled household; an
income's shares sum to its distributable part (split to the fen: equal shares, the remaining fen one each
to the first households of the list, by household number).

Synthetic data inside the loader's transaction: bulk rows (``area_path`` set as ``save()`` would), no audit
row per row (the loader writes one for the whole demo), every row ``synthetic`` where the model has the
flag and every name of a company marked （演示）. Deterministic for a seed and a day: one ``Random`` seeded
with the seed and the county's code, rows read in a fixed order, dates relative to today.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from fupin.accounts import policy
from fupin.accounts.models import User
from fupin.areas.models import Area, Level
from fupin.assistance import checks
from fupin.assistance.models import AreaLink, HelpingUnit, UnitKind
from fupin.assistance.rules import threshold
from fupin.projects.models import (
    Allocation,
    Asset,
    AssetIncome,
    AssetMaintenance,
    Beneficiary,
    Contract,
    DepartmentStaff,
    Disclosure,
    DisclosureKind,
    FundDocument,
    IncomeShare,
    NegativeUse,
    Payment,
    Project,
    ProjectEvent,
    SubsidyBatch,
    SubsidyLine,
)
from fupin.projects.rules import (
    LEAD_DEPARTMENTS,
    NOT_EVENLY,
    PATH,
    PAYABLE,
    AssetKind,
    BatchStatus,
    Category,
    Channel,
    Nature,
    PaymentKind,
    Stage,
)
from fupin.projects.rules import Level as FundLevel
from fupin.registry.choices import Status
from fupin.registry.models import Household

FIRST_YEAR = 2015
#: The assistance demo's full names of the departments seed 000 names short (the same department): the
#: lead of a project is that unit; a name not found at all is created as a 县直部门.
ALIASES = {"县住建局": "县住房和城乡建设局", "县农业局": "县农业农村局", "县旅游局": "县文化和旅游局",
           "县教育局": "县教育体育局"}
#: Stages of this year's projects, in order (every stage of the lifecycle, and the slips).
STAGES_NOW = (
    Stage.PROPOSED, Stage.TOWNSHIP_REVIEWED, Stage.APPRAISED, Stage.APPROVED, Stage.NOTICE, Stage.LIBRARY,
    Stage.PLANNED, Stage.IMPLEMENTING, Stage.IMPLEMENTING, Stage.IMPLEMENTING, Stage.IMPLEMENTING,
    Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.CANCELLED,
)
#: Last year's: most done, one never accepted (验收滞后), one being announced.
STAGES_LAST = (Stage.OPERATING, Stage.HANDED_OVER, Stage.ANNOUNCED, Stage.ANNOUNCED, Stage.ACCEPTED,
               Stage.IMPLEMENTING, Stage.OPERATING, Stage.HANDED_OVER)
KINDS = (Category.HOUSING, Category.ROADS, Category.WATER, Category.POWER, Category.INDUSTRY, Category.TOURISM,
         Category.EDUCATION, Category.INFORMATION)
#: What a project of each kind builds: (name pattern, tasks, target indicator, unit, typical size, budget range
#: in yuan for the works, subsidy per household in yuan or 0).
WORKS: dict[str, tuple[str, str, str, str, tuple[int, int], tuple[int, int], int]] = {
    Category.HOUSING: ("{v}农村危房改造项目", "D级危房拆除重建、C级危房加固改造", "改造危房", "户", (6, 14), (0, 0), 20000),
    Category.ROADS: ("{v}村组道路硬化工程", "硬化村组道路，路面宽 4.5 米，C25 混凝土", "硬化道路", "公里", (2, 9),
                     (600000, 1800000), 0),
    Category.WATER: ("{v}农村饮水安全巩固提升工程", "新建蓄水池、铺设供水管网，入户到院", "受益人口", "人", (300, 1200),
                     (300000, 900000), 0),
    Category.POWER: ("{v}农网改造升级工程", "新增配电变压器，改造低压线路", "改造低压线路", "公里", (3, 12),
                     (400000, 1200000), 0),
    Category.INDUSTRY: ("{v}特色种养殖产业扶贫项目", "建设标准化养殖小区，到户发放种苗、畜禽", "带动贫困户", "户", (20, 60),
                        (300000, 800000), 3000),
    Category.TOURISM: ("{v}乡村旅游扶贫示范点建设", "建设游客接待中心、停车场和农家乐", "接待游客", "人次", (5000, 20000),
                       (500000, 1500000), 0),
    Category.EDUCATION: ("{v}村卫生室和幼儿园建设项目", "新建村卫生室、附设幼儿班教室", "新建校舍", "平方米", (200, 600),
                         (400000, 1000000), 0),
    Category.INFORMATION: ("{v}电商服务站和宽带网络建设", "建设村级电商服务站，光纤宽带入村", "宽带入户", "户", (100, 400),
                           (150000, 450000), 0),
}
ASSET_KIND = {Category.HOUSING: AssetKind.HOUSEHOLD, Category.INDUSTRY: AssetKind.PRODUCTIVE,
              Category.TOURISM: AssetKind.PRODUCTIVE}
#: The category's own fund (integrated funds keep their original channel and sector): (channel, level,
#: department of the original channel, original use).
PRIMARY: dict[str, tuple[str, str, str, str]] = {
    Category.HOUSING: (Channel.SPECIAL, FundLevel.CENTRAL, "县乡村振兴局", ""),
    Category.ROADS: (Channel.INTEGRATED, FundLevel.CENTRAL, "县交通运输局", "车购税农村公路建设"),
    Category.WATER: (Channel.INTEGRATED, FundLevel.PROVINCE, "县水务局", "农村饮水安全巩固提升"),
    Category.POWER: (Channel.SPECIAL, FundLevel.COUNTY, "县乡村振兴局", ""),
    Category.INDUSTRY: (Channel.INTEGRATED, FundLevel.CENTRAL, "县农业农村局", "农业生产发展资金"),
    Category.TOURISM: (Channel.EAST_WEST, FundLevel.PROVINCE, "东部协作城市对口帮扶工作组", ""),
    Category.EDUCATION: (Channel.PAIRED, FundLevel.PROVINCE, "省级定点帮扶单位（演示）", ""),
    Category.INFORMATION: (Channel.SPECIAL, FundLevel.CITY, "县乡村振兴局", ""),
}
SECONDARY = ((Channel.SPECIAL, FundLevel.PROVINCE, "县乡村振兴局", ""), (Channel.SPECIAL, FundLevel.CITY, "县乡村振兴局", ""))
DOC_PREFIX = {FundLevel.CENTRAL: "财农", FundLevel.PROVINCE: "云财农", FundLevel.CITY: "曲财农", FundLevel.COUNTY: "罗财农"}
LEVEL_NAME = {FundLevel.CENTRAL: "中央", FundLevel.PROVINCE: "省级", FundLevel.CITY: "市级", FundLevel.COUNTY: "县级"}
COMPANIES = ("云南滇东建设工程有限公司（演示）", "曲靖宏达路桥工程有限公司（演示）", "罗平县鑫源水利工程有限公司（演示）",
             "云南电网施工有限公司（演示）", "罗平县惠农农业开发有限公司（演示）", "云南恒信建筑安装有限公司（演示）",
             "曲靖天网信息技术有限公司（演示）")
PROCUREMENT = ("公开招标", "竞争性谈判", "询价", "公开招标", "竞争性磋商")
#: Registered households a subsidy may go to (never a cancelled one).
PAYABLE_STATUSES = (Status.POOR, Status.EXITED, Status.EXITED_STABLE, Status.RETURNED, Status.MONITOR_RISK,
                    Status.MONITOR_CLEARED)
#: The negative list's entry the demo's one forbidden payment hits (money16's migration seeds the list).
NEGATIVE = ("交通工具及通讯设备", ("购置车辆", "公务用车", "小汽车", "手机", "通讯设备"))
NEGATIVE_PURPOSE = "购置车辆用于产业基地巡查"
HOTLINE = "12317"
#: The fields of a project row its steps and progress reports write (the engine's values, progress_report's):
#: a proposed row has them as below; the demo's copy in memory holds their values after the last step.
LATER = ("stage", "stage_on", "progress", "started_on", "finished_on", "accepted_on")
PROPOSED_ROW: dict[str, Any] = {"stage": Stage.PROPOSED, "progress": 0, "started_on": None, "finished_on": None,
                                "accepted_on": None}
#: The opinion recorded with each step.
REASONS = {Stage.PROPOSED: "村民代表大会讨论通过，村委会申报", Stage.TOWNSHIP_REVIEWED: "乡镇审核同意上报",
           Stage.APPRAISED: "行业部门论证可行", Stage.APPROVED: "县扶贫开发领导小组审定",
           Stage.NOTICE: "入库公示", Stage.LIBRARY: "公示无异议，纳入项目库",
           Stage.PLANNED: "纳入年度实施计划", Stage.IMPLEMENTING: "完成招标采购，开工建设",
           Stage.ACCEPTED: "竣工验收合格", Stage.ANNOUNCED: "竣工公告期满无异议",
           Stage.HANDED_OVER: "资产移交村集体", Stage.OPERATING: "落实管护主体，进入管护运营",
           Stage.CANCELLED: "部门论证未通过：选址位于生态保护红线内，项目终止（演示数据）"}


@dataclass
class ProjectsResult:
    projects: int = 0
    documents: int = 0
    documents_total: Decimal = Decimal("0.00")
    allocated: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    subsidy_households: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)
    #: The slips made on purpose, by alert: project codes / document numbers.
    slips: dict[str, list[str]] = field(default_factory=dict)


def graded(per: int, n: int) -> list[int]:
    """Each household's subsidy in fen for a kind that must not be split evenly (seed 002, ``rules.NOT_EVENLY``:
    危房改造 by 一户一方案): D级 rebuilt at 5/4 of the standard and C级 reinforced at 3/4, alternating, the last of an
    odd number at the standard — so the batch's sum is still ``per`` × ``n`` exactly."""
    high = per * 5 // 4
    low = 2 * per - high
    return [high if i % 2 == 0 else low for i in range(n - n % 2)] + [per] * (n % 2)


def fen(value: int) -> Decimal:
    """An integer number of fen as yuan, exactly."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    return Decimal(f"{sign}{value // 100}.{value % 100:02d}")


def split_fen(total: int, n: int) -> list[int]:
    """``total`` fen in ``n`` shares that sum exactly: equal shares, the remaining fen one each to the first."""
    base, rest = divmod(total, n)
    return [base + (1 if i < rest else 0) for i in range(n)]


def _d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, 28))


def build_projects(*, county: Area, seed: int, today: datetime.date | None = None) -> ProjectsResult:
    """Write the county's projects and funds (bulk; every project's steps checked by the workflow engine's
    rule, :meth:`_Build.lifecycle`). Returns counts."""
    started = time.perf_counter()
    b = _Build(county, seed, today or timezone.localdate())
    b.departments()
    b.department_account()
    b.staff()
    b.projects()
    b.money()
    b.disclosures()
    b.assets()
    result = b.result
    result.seconds = time.perf_counter() - started
    return result


class _Build:
    def __init__(self, county: Area, seed: int, today: datetime.date) -> None:
        self.county, self.today = county, today
        self.rng = Random(f"projects-{seed}-{county.code}")
        self.result = ProjectsResult()
        self.townships = {a.pk: a for a in Area.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code")}
        villages = list(Area.objects.filter(path__startswith=county.path, level=Level.VILLAGE).order_by("path"))
        poor = set(Area.objects.filter(path__startswith=county.path).filter(checks.poor_village_q(""))
                   .values_list("pk", flat=True))
        self.villages = villages
        # Poor villages first (most projects go there), then the others.
        self.sites = [v for v in villages if v.pk in poor] + [v for v in villages if v.pk not in poor]
        self.households: dict[str, list[dict[str, Any]]] = defaultdict(list)
        width = len(villages[0].path) if villages else 0
        for row in (Household.objects.filter(area_path__startswith=county.path, status__in=PAYABLE_STATUSES)
                    .order_by("area_path", "number")
                    .values("id", "area_path", "head_name", "member_count", "bank_account", "number")):
            self.households[row["area_path"][:width]].append(row)
        self.units: dict[str, HelpingUnit] = {}
        self.projects_list: list[Project] = []
        self.plan: dict[int, dict[str, Any]] = {}  # project pk → what the money step needs

    # --- departments -------------------------------------------------------------------------------------

    def departments(self) -> None:
        """The eight leads (reusing the assistance demo's 县直部门 of the same name or full name) and the units
        funds are credited to."""
        existing = {u.name: u for u in HelpingUnit.objects.filter(area=self.county).order_by("pk")}
        wanted = [*LEAD_DEPARTMENTS.values(), "县乡村振兴局", "县财政局"]
        wanted += [p[2] for p in PRIMARY.values()]
        created = []
        for name in dict.fromkeys(wanted):
            unit = existing.get(name) or existing.get(ALIASES.get(name, ""))
            if unit is None:
                paired = name.endswith("（演示）") or name.startswith("东部")
                unit = HelpingUnit.objects.create(name=name, area=self.county,
                                                  kind=UnitKind.PAIRED if paired else UnitKind.DEPARTMENT)
                created.append(unit)
            self.units[name] = unit
        # A department made here helps villages like every other (部门包村: the assistance checks' rule), so the
        # who-helps gaps stay the ones the assistance demo made on purpose.
        limit = threshold("department_min_villages", self.county)
        villages = self.sites[:24] or self.villages
        links = [AreaLink(unit=unit, area=villages[(i * 5 + k) % len(villages)], start=datetime.date(2016, 3, 1),
                          note="部门包村（演示数据）")
                 for i, unit in enumerate(u for u in created if u.kind == UnitKind.DEPARTMENT) for k in range(limit)
                 if villages]
        AreaLink.objects.bulk_create(links)
        self.result.counts["departments"] = len({self.units[n].pk for n in LEAD_DEPARTMENTS.values()})

    # --- who takes the steps -------------------------------------------------------------------------------

    def staff(self) -> None:
        """The accounts whose roles take the projects' steps (the engine checks each): the county's 县级管理员
        account; for each township the demo's 乡镇 account where it is placed, else a 乡镇扶贫专干 account made
        here (no password: it cannot log in, it is the 经办人 of its township's 乡镇审核 and works); the
        village's account proposes its village's projects (the township's otherwise); the 行业部门 account
        (department_account) appraises, builds and accepts its department's projects."""
        role = next(r for r in sorted(policy.CAPABILITIES["project_township"])
                    if "township" in policy.ROLE_AREA_LEVELS.get(r, ()))
        self.township_staff: dict[int, User] = {}
        for township in self.townships.values():
            user = User.objects.filter(role=role, area=township, is_active=True).order_by("pk").first()
            if user is None:
                username, n = f"township-{township.code[:9]}", 1
                while User.objects.filter(username=username).exists():
                    n += 1
                    username = f"township-{township.code[:9]}-{n}"
                user = User.objects.create_user(username=username, password=None, role=role, area=township,
                                                display_name=f"{township.name}扶贫专干（演示）")
            self.township_staff[township.pk] = user
        county = [u for u in User.objects.filter(area=self.county, is_active=True).order_by("pk")
                  if policy.can(u, "project_county")]
        admins = [u for u in User.objects.filter(area__isnull=True, is_active=True).order_by("pk")
                  if policy.can(u, "project_county")]
        self.county_staff: list[User] = (county or admins)[:1]
        self.village_staff = {u.area_id: u for u in User.objects.filter(
            area__path__startswith=self.county.path, area__level=Level.VILLAGE, is_active=True).order_by("-pk")
            if policy.can(u, "project_propose")}

    def _township_staff(self, project: Project) -> User | None:
        township = project.area if project.area.level == Level.TOWNSHIP else self.townships.get(project.area.parent_id)
        return self.township_staff.get(township.pk) if township is not None else None

    def _publisher(self, area: Area) -> User | None:
        """Who publishes a notice on ``area``'s board: the village's account (else its township's), the township's,
        the county's — the first whose role may (capability ``disclose``)."""
        candidates = [self.village_staff.get(area.pk), self.township_staff.get(area.parent_id)] \
            if area.level == Level.VILLAGE else [self.township_staff.get(area.pk)] if area.level == Level.TOWNSHIP else []
        return next((u for u in (*candidates, *self.county_staff) if u is not None and policy.can(u, "disclose")), None)

    def _proposer(self, project: Project) -> User | None:
        return (self.village_staff.get(project.area_id) or self._township_staff(project)
                or next(iter(self.county_staff), None))

    # --- projects, their steps and beneficiaries ------------------------------------------------------------

    def _site(self, n: int, year: int) -> Area:
        sites = self.sites
        if n % 4 == 3 and len(sites) > 1:  # a quarter elsewhere than the poor villages' round
            return sites[(year * 7 + n * 13) % len(sites)]
        return sites[(year * 3 + n) % min(len(sites), 24)]

    def projects(self) -> None:
        today, rng, county = self.today, self.rng, self.county
        rows: list[tuple[Project, dict[str, Any]]] = []
        this_year = today.year
        for year in range(FIRST_YEAR, this_year + 1):
            age = this_year - year
            stages = STAGES_NOW if age == 0 else STAGES_LAST if age == 1 else (
                (Stage.OPERATING,) * 5 + (Stage.HANDED_OVER, Stage.OPERATING, Stage.CANCELLED if year % 4 == 1
                                          else Stage.OPERATING))
            for n, stage in enumerate(stages):
                kind = KINDS[(n if age == 0 else n + year) % len(KINDS)]
                village = self._site(n, year)
                township = self.townships.get(village.parent_id) or county
                at_township = kind == Category.ROADS and n % 2 == 0
                site = township if at_township else village
                name_pattern, tasks, indicator, unit, size, budget_range, per_household = WORKS[kind]
                project = Project(
                    area=site, area_path=site.path, code=f"{county.code[:6]}-{year}-{n + 1:03d}",
                    name=f"{year}年" + name_pattern.format(v=site.name), category=kind,
                    nature=Nature.EXTENSION if n % 5 == 4 else Nature.NEW,
                    site=f"{township.name}{'' if at_township else village.name}",
                    lead=self.units[self._lead(kind)], implementer=f"{township.name}人民政府" if per_household
                    else self.units[self._lead(kind)].name, tasks=tasks, year=year,
                    financing="财政专项扶贫资金和统筹整合涉农资金" if kind != Category.TOURISM else "东西部扶贫协作资金和财政专项扶贫资金",
                    targets=[{"indicator": indicator, "unit": unit, "target": str(rng.randint(*size)), "actual": ""}],
                    participation="村民代表大会讨论确定，群众投工投劳参与建设和管护（演示数据）",
                    mechanism="优先吸纳贫困劳动力务工，资产收益和到户补助带动贫困户增收（演示数据）",
                    stage=stage, synthetic=True)
                plan = self._schedule(project, n, age)
                self._pick_beneficiaries(project, plan)
                self._budget(project, plan, len(rows))
                rows.append((project, plan))
        # Each row as the village proposed it (村级申报, version 0), then taken along its path by the engine's
        # rule in memory (lifecycle): what it holds then is what the schedule planned — one INSERT, no UPDATE.
        events: list[ProjectEvent] = []
        for project, plan in rows:
            planned = {name: getattr(project, name) for name in LATER}
            for name, value in PROPOSED_ROW.items():
                setattr(project, name, value)
            project.stage_on = plan["steps"][Stage.PROPOSED]
            project.created_by = self._proposer(project)
            # 村级申报: the row's first event, as services_library.project_create writes it.
            events.append(ProjectEvent(project=project, source="", target=Stage.PROPOSED,
                                       on=plan["steps"][Stage.PROPOSED], reason=REASONS[Stage.PROPOSED],
                                       actor=project.created_by))
            events += self.lifecycle(project, plan, planned)
        Project.objects.bulk_create([p for p, _plan in rows])
        self.projects_list = [p for p, _plan in rows]
        beneficiaries = []
        for project, plan in rows:
            self.plan[project.pk] = plan
            note = {Category.HOUSING: "危房改造补助", Category.INDUSTRY: "产业到户补助"}.get(project.category, "受益于项目建设")
            beneficiaries += [Beneficiary(project=project, household_id=h["id"], people=h["member_count"], note=note)
                              for h in plan["households"]]
        ProjectEvent.objects.bulk_create(events, batch_size=2000)
        Beneficiary.objects.bulk_create(beneficiaries, batch_size=2000)
        self.result.projects = len(rows)
        self.result.counts["events"] = len(events)
        self.result.counts["beneficiaries"] = len(beneficiaries)
        self.result.stages = dict(Counter(str(p.stage) for p in self.projects_list))

    def _lead(self, kind: str) -> str:
        return LEAD_DEPARTMENTS[kind]

    GAPS = {Stage.TOWNSHIP_REVIEWED: 12, Stage.APPRAISED: 15, Stage.APPROVED: 12, Stage.NOTICE: 5,
            Stage.LIBRARY: 14, Stage.PLANNED: 20, Stage.IMPLEMENTING: 60, Stage.ACCEPTED: 210,
            Stage.ANNOUNCED: 16, Stage.HANDED_OVER: 20, Stage.OPERATING: 10, Stage.CANCELLED: 9}
    #: This year's projects under way (in STAGES_NOW's order): days since the start, planned days, progress
    #: (None: by the days gone) and the slip — two on time, one far behind and past its planned end (进度滞后:
    #: the alert's definition is "past the planned end, not finished"), one past its planned end at 70 %
    #: (超过计划完工), one whose money a township holds unspent (资金滞留).
    UNDER_WAY = ((90, 300, None, ""), (60, 300, None, ""), (220, 200, 30, "behind"), (230, 218, 70, "overdue"),
                 (150, 300, None, "stuck"))

    def _schedule(self, project: Project, n: int, age: int) -> dict[str, Any]:
        """The dates of the project's steps (the plan year's calendar for past years; this year's counted
        back from today, every step at least its usual time after the one before), its progress, its slip."""
        today, year, stage, rng, gaps = self.today, project.year, project.stage, self.rng, self.GAPS
        plan: dict[str, Any] = {"slip": "", "steps": {}}
        steps: dict[str, datetime.date] = plan["steps"]
        chain = list(PATH[:PATH.index(Stage.APPRAISED) + 1]) + [Stage.CANCELLED] if stage == Stage.CANCELLED \
            else list(PATH[:PATH.index(stage) + 1])
        under_way = None
        if age >= 1:
            on = _d(year - 1, 8, 1 + rng.randint(0, 25))
            steps[Stage.PROPOSED] = on
            for step in chain[1:]:
                on = on + datetime.timedelta(days=gaps[step] + rng.randint(0, 6))
                if step == Stage.PLANNED and on.year < year:
                    on = _d(year, 1, 10 + rng.randint(0, 15))
                steps[step] = on
        else:
            if stage == Stage.IMPLEMENTING:
                under_way = self.UNDER_WAY[sum(1 for s in STAGES_NOW[:n] if s == Stage.IMPLEMENTING)]
                on = today - datetime.timedelta(days=under_way[0])
            else:
                on = today - datetime.timedelta(days=4 + n % 3)
            steps[chain[-1]] = on
            for k in range(len(chain) - 1, 0, -1):
                on = on - datetime.timedelta(days=gaps[chain[k]])
                steps[chain[k - 1]] = on
        implementing = steps.get(Stage.IMPLEMENTING)
        project.starts_on = implementing or (steps[Stage.PROPOSED] + datetime.timedelta(days=150))
        project.ends_on = project.starts_on + datetime.timedelta(days=200)
        project.started_on = implementing
        if Stage.ACCEPTED in steps:
            project.finished_on = steps[Stage.ACCEPTED] - datetime.timedelta(days=12)
            project.ends_on = project.finished_on + datetime.timedelta(days=rng.randint(0, 20))
            project.accepted_on = steps[Stage.ACCEPTED]
            project.progress = 100
        elif under_way is not None:
            _days, planned, progress, slip = under_way
            project.ends_on = project.starts_on + datetime.timedelta(days=planned)
            project.progress = progress if progress is not None else max(5, min(95, _days * 100 // planned))
            plan["slip"] = slip
        elif stage == Stage.IMPLEMENTING:
            # 验收滞后 (last year's): finished two months ago, planned to end before that, still not accepted.
            project.finished_on = today - datetime.timedelta(days=75)
            project.ends_on = today - datetime.timedelta(days=60)
            project.progress = 100
            plan["slip"] = "acceptance_late"
        project.stage_on = steps[chain[-1]]
        return plan

    def _pick_beneficiaries(self, project: Project, plan: dict[str, Any]) -> None:
        """Registered households of the site (all of a township's villages for a township's works); a household
        project names a few, public works up to forty, and counts the village's other households too."""
        rng = self.rng
        if project.area.level == Level.TOWNSHIP:
            pool = [h for v in self.villages if v.parent_id == project.area_id for h in self.households[v.path]]
        else:
            pool = self.households[project.area.path]
        per_household = WORKS[project.category][6]
        size = WORKS[project.category][4]
        if project.category == Category.HOUSING:
            k = min(len(pool), rng.randint(*size))
        elif per_household:
            k = min(len(pool), rng.randint(8, 16))
        else:
            k = min(len(pool), 40)
        chosen = sorted(rng.sample(pool, k), key=lambda h: h["number"]) if k else []
        plan["households"] = chosen
        poor_people = sum(h["member_count"] for h in chosen)
        others = 0 if project.category == Category.HOUSING else rng.randint(30, 250)
        project.poor_households, project.poor_people = len(chosen), poor_people
        project.households, project.people = len(chosen) + others, poor_people + others * 3
        if project.category == Category.HOUSING:
            project.targets[0]["target"] = str(len(chosen))
        if project.stage in (Stage.ACCEPTED, Stage.ANNOUNCED, Stage.HANDED_OVER, Stage.OPERATING):
            project.targets[0]["actual"] = project.targets[0]["target"]

    def _budget(self, project: Project, plan: dict[str, Any], index: int) -> None:
        """The project's money in parts, each from a document of its year — (document key, fen, "works" or
        "subsidy") — for the projects taken into the plan; an estimate for those not yet (budget only)."""
        rng, p = self.rng, project
        low, high = WORKS[p.category][5]
        per_household = WORKS[p.category][6]
        plan["parts"] = []
        if p.stage not in PATH or PATH.index(p.stage) < PATH.index(Stage.PLANNED):
            p.budget = fen(0 if p.stage == Stage.CANCELLED else
                           (rng.randint(low // 1000, high // 1000) * 1000 if high else 200000) * 100)
            return
        works = rng.randint(low // 1000, high // 1000) * 100000 if high else 0  # whole thousands of yuan
        subsidy = per_household * 100 * len(plan["households"])
        primary = (p.year, *PRIMARY[p.category][:2])
        secondary = (p.year, *SECONDARY[index % 2][:2])
        if works:
            first = works * 6 // 10 if p.category != Category.INDUSTRY else works
            plan["parts"].append((primary, first, "works"))
            if works - first:
                plan["parts"].append((secondary, works - first, "works"))
        if subsidy:
            plan["parts"].append((secondary if works else primary, subsidy, "subsidy"))
        p.budget = fen(works + subsidy)

    # --- money ---------------------------------------------------------------------------------------------

    def money(self) -> None:
        """Documents, allocations, contracts, payments and subsidy batches, in fen until written."""
        funded = [p for p in self.projects_list if self.plan[p.pk]["parts"]]
        parts = {p.pk: self.plan[p.pk]["parts"] for p in funded}
        documents = self._documents(parts)
        self._allocations(funded, parts, documents)

    def _documents(self, parts: dict[int, list[tuple[tuple, int, str]]]) -> dict[tuple, FundDocument]:
        rng, county, today = self.rng, self.county, self.today
        need: dict[tuple, int] = defaultdict(int)
        for rows in parts.values():
            for key, amount, _purpose in rows:
                need[key] += amount
        # Every year has the four levels' special funds, even when no project drew on one of them.
        for year in range(FIRST_YEAR, today.year + 1):
            for level in FundLevel.values:
                need.setdefault((year, Channel.SPECIAL, level), 0)
            if year >= 2017:
                need.setdefault((year, Channel.EAST_WEST, FundLevel.PROVINCE), 0)
        docs: dict[tuple, FundDocument] = {}
        numbers: Counter = Counter()
        for (year, channel, level), amount in sorted(need.items()):
            dept_name, use = next(((d, u) for c, lv, d, u in (*PRIMARY.values(), *SECONDARY)
                                   if c == channel and lv == level), ("县乡村振兴局", ""))
            # Some money left over (结余) in most documents; this year's documents have more of it.
            slack = (rng.randint(5, 30) if year == today.year else rng.choice((0, 0, 2, 5, 8))) * amount // 100
            total = amount + slack or rng.randint(20, 80) * 1000000  # a document nothing drew on yet
            numbers[(level, year)] += 1
            prefix = DOC_PREFIX[level] if level != FundLevel.COUNTY else county.name[:2] + "财农"
            number = f"{prefix}〔{year}〕{numbers[(level, year)] * 7 + 3}号"
            label = Channel(channel).label
            issued = _d(year, 1 + (numbers[(level, year)] - 1) % 2, 8 + rng.randint(0, 15))
            docs[(year, channel, level)] = FundDocument(
                area=county, area_path=county.path, number=number,
                title=f"关于下达{year}年{LEVEL_NAME[level]}{label}的通知", level=level, channel=channel,
                department=self.units[dept_name] if dept_name in self.units else None, original_use=use,
                purpose="用于" + ("" if not use else use + "，") + "贫困村基础设施、产业发展和到户扶持（演示数据）",
                year=year, amount=fen(total), issued_on=issued, received_on=issued + datetime.timedelta(days=10),
                note="合成演示数据", synthetic=True)
        # 资金分配未公开: a late second batch of this year's city funds, allocated 40 days ago, never disclosed.
        late = FundDocument(area=county, area_path=county.path, number=f"曲财农〔{today.year}〕88号",
                            title=f"关于下达{today.year}年第二批市级财政专项扶贫资金的通知", level=FundLevel.CITY,
                            channel=Channel.SPECIAL, department=self.units["县乡村振兴局"],
                            purpose="用于产业到户扶持（演示数据）", year=today.year, amount=fen(60000000),
                            issued_on=today - datetime.timedelta(days=55), received_on=today - datetime.timedelta(days=48),
                            note="合成演示数据", synthetic=True)
        docs[("late",)] = late
        FundDocument.objects.bulk_create(list(docs.values()))
        self.result.documents = len(docs)
        self.result.documents_total = sum((d.amount for d in docs.values()), Decimal("0.00"))
        self.documents = docs
        return docs

    def _allocations(self, funded: list[Project], parts: dict[int, list[tuple[tuple, int, str]]],
                     docs: dict[tuple, FundDocument]) -> None:
        rng, today = self.rng, self.today
        allocations: list[tuple[Allocation, Project, str, int]] = []
        for p in funded:
            steps = self.plan[p.pk]["steps"]
            slip = self.plan[p.pk]["slip"]
            township = p.area if p.area.level == Level.TOWNSHIP else self.townships.get(p.area.parent_id)
            for k, (key, amount, purpose) in enumerate(parts[p.pk]):
                doc = docs[key]
                on = max(doc.received_on, steps[Stage.PLANNED]) + datetime.timedelta(days=10 + rng.randint(0, 20))
                if slip == "stuck" and k == 0:
                    on = today - datetime.timedelta(days=130)
                on = min(on, today - datetime.timedelta(days=20))
                held = township if township and self._held_at_township(p, purpose, slip) else self.county
                allocations.append((Allocation(document=doc, project=p, area=held, area_path=held.path, amount=fen(amount),
                                               allocated_on=on, note="演示数据", synthetic=True), p, purpose, amount))
        # 资金分配未公开: the late document tops up this year's first project under way (none in a tiny county).
        target = next((p for p in funded if p.year == today.year and p.stage == Stage.IMPLEMENTING
                       and self.plan[p.pk]["slip"] == ""), None)
        if target is not None:
            late = Allocation(document=docs[("late",)], project=target, area=self.county, area_path=self.county.path,
                              amount=fen(18000000), allocated_on=today - datetime.timedelta(days=40),
                              note="追加资金（演示数据）", synthetic=True)
            allocations.append((late, target, "late", 18000000))
            self.result.slips["undisclosed"] = [docs[("late",)].number]
        Allocation.objects.bulk_create([a for a, *_rest in allocations], batch_size=1000)
        self.allocations = allocations
        self.result.counts["allocations"] = len(allocations)
        self.result.allocated = sum((a.amount for a, *_r in allocations), Decimal("0.00"))
        self._spend(allocations)

    def _held_at_township(self, p: Project, purpose: str, slip: str) -> bool:
        """Whether the township's account holds the money: the 资金滞留 slip's; else, of the finished projects
        (all paid out), the subsidies and a third of the works whose 质保金 was released. Money of projects under
        way and warranty money stays with the county, so the one slip is the only township money left unspent
        past the threshold."""
        if slip == "stuck":
            return True
        if p.stage == Stage.IMPLEMENTING:
            return False
        released = p.accepted_on is not None and (self.today - p.accepted_on).days > 400
        return purpose == "subsidy" or (p.pk % 3 == 0 and released)

    def _spend(self, allocations: list[tuple[Allocation, Project, str, int]]) -> None:
        """Contracts and payments for works, subsidy batches for households, per allocation (never more than it)."""
        works_total: dict[int, int] = defaultdict(int)
        for _a, p, purpose, amount in allocations:
            if purpose == "works":
                works_total[p.pk] += amount
        contracts: dict[int, Contract] = {}
        for p in self.projects_list:
            if works_total.get(p.pk) and p.stage in PAYABLE:
                signed = self.plan[p.pk]["steps"][Stage.IMPLEMENTING] - datetime.timedelta(days=5)
                contracts[p.pk] = Contract(project=p, number=f"HT-{p.code}-01", party=COMPANIES[p.pk % len(COMPANIES)],
                                           procurement=PROCUREMENT[p.pk % len(PROCUREMENT)],
                                           amount=fen(works_total[p.pk]), signed_on=signed, synthetic=True)
        Contract.objects.bulk_create(list(contracts.values()))
        self.payments: list[Payment] = []
        self.negative_done = False
        drawn: list[tuple[SubsidyBatch, Payment | None, list[SubsidyLine]]] = []
        for a, p, purpose, amount in allocations:
            if p.stage not in PAYABLE:
                continue  # planned: allocated, nothing paid before work starts
            if purpose == "works" and self.plan[p.pk]["slip"] != "stuck":  # 资金滞留: nothing paid out of it
                self._pay_works(a, p, amount, contracts[p.pk])
            elif purpose == "subsidy":
                drawn += self._batches(a, p)
            # purpose "late": the top-up was allocated and not yet spent.
        for _a, p, _purpose, _amount in allocations:
            slip = self.plan[p.pk]["slip"]
            if slip and p.code not in self.result.slips.setdefault(slip, []):
                self.result.slips[slip].append(p.code)
        SubsidyBatch.objects.bulk_create([b for b, _p, _l in drawn])
        payments, lines = self.payments, []
        for batch, payment, group_lines in drawn:
            for line in group_lines:
                line.batch = batch
            lines += group_lines
            if payment is not None:
                payment.batch = batch
                payments.append(payment)
        SubsidyLine.objects.bulk_create(lines, batch_size=2000)
        Payment.objects.bulk_create(payments, batch_size=1000)
        self.batches = [b for b, _p, _l in drawn]
        self.result.counts.update({"contracts": len(contracts), "payments": len(payments),
                                   "batches": len(self.batches), "lines": len(lines)})
        self.result.paid = sum((x.amount for x in payments), Decimal("0.00"))
        self.result.subsidy_households = len({line.household_id for line in lines
                                              if line.batch.status == BatchStatus.PAID})
        self._negative_list()

    def _payment(self, a: Allocation, p: Project, part: int, on: datetime.date, purpose: str, *,
                 contract: Contract | None, kind: str = PaymentKind.CONTRACT, payee: str = "") -> None:
        self.payments.append(Payment(allocation=a, project=p, kind=kind, contract=contract, amount=fen(part), paid_on=on,
                                     payee=payee or (contract.party if contract else ""), purpose=purpose,
                                     voucher=f"PZ{on:%Y%m}{len(self.payments) + 1:05d}", synthetic=True))

    def _pay_works(self, a: Allocation, p: Project, amount: int, contract: Contract) -> None:
        """An advance, progress payments, the final account less 3 % held for the warranty (released a year after
        acceptance); under way: the advance, and a progress payment past half-way."""
        today = self.today
        done = p.stage != Stage.IMPLEMENTING
        start = max(a.allocated_on, p.started_on or a.allocated_on)
        shares = (30, 40, 27) if done else (30,) if p.progress < 50 else (30, 30)
        paid = 0
        for k, share in enumerate(shares):
            part = amount * share // 100
            on = min(start + datetime.timedelta(days=20 + 70 * k), today - datetime.timedelta(days=3))
            purpose = ("预付款", "进度款", "进度款")[k]
            if done and k == len(shares) - 1:
                part = amount - paid - amount * 3 // 100  # 质保金 3 % held back until the warranty ends
                on = min(p.accepted_on + datetime.timedelta(days=20), today - datetime.timedelta(days=2))
                purpose = "竣工结算款（扣留 3% 质保金）"
            if part > 0:
                paid += part
                self._payment(a, p, part, on, purpose, contract=contract)
        part = amount * 3 // 100
        if not (done and p.accepted_on and (today - p.accepted_on).days > 400 and part):
            return
        on = p.accepted_on + datetime.timedelta(days=380)
        if not self.negative_done and p.category == Category.INDUSTRY:
            # 负面清单: the held-back money of one old project bought a car — left in the ledger for the alert.
            self._payment(a, p, part, on, NEGATIVE_PURPOSE, contract=None, kind=PaymentKind.OTHER,
                          payee="罗平县某汽车销售有限公司（演示）")
            self.negative_done = True
            self.result.slips["negative"] = [p.code]
        else:
            self._payment(a, p, part, on, "质保金", contract=contract)

    def _batches(self, a: Allocation, p: Project) -> list[tuple[SubsidyBatch, Payment | None, list[SubsidyLine]]]:
        """The beneficiaries' subsidies in one or two batches, each paid a fortnight after it was drawn up, from
        this allocation (the allocation is exactly their sum). A project under way has its last batch unpaid:
        this year's drawn 45 days ago (补助未按时发放), last year's drawn 10 days ago (still in time)."""
        today = self.today
        households = self.plan[p.pk]["households"]
        per = WORKS[p.category][6] * 100
        groups = [households] if len(households) < 10 else [households[: len(households) // 2],
                                                             households[len(households) // 2:]]
        out = []
        for k, group in enumerate(groups):
            if not group:
                continue
            drawn = max(a.allocated_on, (p.started_on or a.allocated_on)) + datetime.timedelta(days=15 + 60 * k)
            paid_on: datetime.date | None = drawn + datetime.timedelta(days=14)
            status = BatchStatus.PAID
            if p.stage == Stage.IMPLEMENTING and k == len(groups) - 1:
                drawn = today - datetime.timedelta(days=45 if p.year == today.year else 10)
                paid_on, status = None, BatchStatus.DRAFT
            elif paid_on >= today:
                paid_on = today - datetime.timedelta(days=1)
                drawn = min(drawn, paid_on - datetime.timedelta(days=12))
            batch = SubsidyBatch(project=p, allocation=a, area=p.area, area_path=p.area.path,
                                 title=f"{p.name}到户补助第{k + 1}批", status=status, total=fen(per * len(group)),
                                 lines_count=len(group), source_name=f"{p.code}-补助清单-{k + 1}.xlsx（演示）",
                                 drawn_on=drawn, paid_on=paid_on, synthetic=True)
            amounts = graded(per, len(group)) if p.category in NOT_EVENLY else [per] * len(group)
            lines = [SubsidyLine(batch=batch, household_id=h["id"], row=r, payee=h["head_name"],
                                 bank_account=h["bank_account"] or f"6217{h['id']:012d}", amount=fen(amount),
                                 content=WORKS[p.category][2] + "补助")
                     for r, (h, amount) in enumerate(zip(group, amounts, strict=True), start=1)]
            payment = None
            if paid_on is not None:
                payment = Payment(allocation=a, project=p, kind=PaymentKind.SUBSIDY, amount=fen(per * len(group)),
                                  paid_on=paid_on, payee=f"{len(group)} 户（一卡通）", purpose=batch.title,
                                  voucher=f"PZ{paid_on:%Y%m}B{len(out) + 1:04d}{p.pk:05d}", synthetic=True)
            elif p.year == today.year:
                self.result.slips.setdefault("unpaid_batch", []).append(batch.title)
            out.append((batch, payment, lines))
        return out

    def _negative_list(self) -> None:
        name, words = NEGATIVE
        if not NegativeUse.objects.filter(name=name).exists():
            NegativeUse.objects.create(name=name, keywords="\n".join(words), note="REFERENCE §9 负面清单（措辞待核实）")

    # --- 公告公示 --------------------------------------------------------------------------------------------

    def disclosures(self) -> None:
        """Plans before the library, completions after acceptance (village boards), each document's
        allocations (the county's website), each paid batch's list: at least 10 days each (12 here). Each
        notice's content is what the publish service freezes (services_disclosures.notice_content: the same
        facts and tables, names masked, as a published notice; its page and its PDF print it)."""
        from fupin.projects.services_disclosures import notice_content

        today, county = self.today, self.county
        rows: list[Disclosure] = []

        def add(kind: str, area: Area, starts: datetime.date, *, project: Project | None = None,
                document: FundDocument | None = None, batch: SubsidyBatch | None = None) -> None:
            board = "县人民政府网站" if area.level == Level.COUNTY else f"{area.name}村务公开栏" \
                if area.level == Level.VILLAGE else f"{area.name}政务公开栏"
            ends = starts + datetime.timedelta(days=11)
            content = notice_content(kind=kind, area=area, place=board, starts_on=starts, ends_on=ends,
                                     hotline=HOTLINE, project=project, document=document, batch=batch)
            rows.append(Disclosure(kind=kind, area=area, area_path=area.path, project=project, document=document,
                                   batch=batch, title=content["title"][:200], place=board, starts_on=starts,
                                   ends_on=ends, hotline=HOTLINE, content=content, published_by=self._publisher(area),
                                   synthetic=True))

        for p in self.projects_list:
            steps = self.plan[p.pk]["steps"]
            if Stage.NOTICE in steps:
                add(DisclosureKind.PLAN, p.area, steps[Stage.NOTICE], project=p)
            if Stage.ACCEPTED in steps:
                starts = steps[Stage.ACCEPTED] + datetime.timedelta(days=2)
                if starts <= today:
                    add(DisclosureKind.COMPLETION, p.area, starts, project=p)
        last: dict[int, datetime.date] = {}
        for a, _p, _purpose, _amount in self.allocations:
            last[a.document_id] = max(last.get(a.document_id, a.allocated_on), a.allocated_on)
        late = self.documents[("late",)]
        for doc in self.documents.values():
            if doc.pk in last and doc.pk != late.pk:
                add(DisclosureKind.ALLOCATION, county, min(last[doc.pk] + datetime.timedelta(days=5), today),
                    document=doc)
        for batch in self.batches:
            starts = batch.drawn_on + datetime.timedelta(days=1)
            if starts <= today:
                add(DisclosureKind.BENEFICIARIES, batch.area, starts, project=batch.project, batch=batch)
        Disclosure.objects.bulk_create(rows, batch_size=1000)
        self.result.counts["disclosures"] = len(rows)

    # --- assets -----------------------------------------------------------------------------------------------

    def assets(self) -> None:
        """An asset per handed-over project (a house per household for 危房改造), owned, managed and kept;
        productive ones earn yearly, 60 % of it shared among the project's beneficiary households."""
        today, rng = self.today, self.rng
        assets: list[Asset] = []
        per_asset_households: dict[int, list[dict[str, Any]]] = {}
        for p in self.projects_list:
            if p.stage not in (Stage.HANDED_OVER, Stage.OPERATING):
                continue
            handed = self.plan[p.pk]["steps"][Stage.HANDED_OVER]
            kind = ASSET_KIND.get(p.category, AssetKind.PUBLIC)
            village = p.area.name
            if kind == AssetKind.HOUSEHOLD:
                for n, h in enumerate(self.plan[p.pk]["households"], start=1):
                    assets.append(Asset(project=p, area=p.area, area_path=p.area.path, code=f"ZC-{p.code}-{n:02d}",
                                        name=f"危房改造住房（{h['head_name']}户）", kind=kind, household_id=h["id"],
                                        owner=h["head_name"], ownership_confirmed_on=handed, manager=h["head_name"],
                                        value=fen(WORKS[p.category][6] * 100), handed_over_on=handed, synthetic=True))
                continue
            owner = f"{village}股份经济合作社" if kind == AssetKind.PRODUCTIVE else f"{village}村民委员会"
            manager = ("罗平县惠农种养殖专业合作社（演示）" if kind == AssetKind.PRODUCTIVE
                       else f"{village}公益性岗位管护员")
            asset = Asset(project=p, area=p.area, area_path=p.area.path, code=f"ZC-{p.code}-01",
                          name=p.name.removeprefix(f"{p.year}年").replace("项目", "").replace("工程", "") + "形成资产",
                          kind=kind, owner=owner, ownership_confirmed_on=handed + datetime.timedelta(days=rng.randint(5, 40)),
                          manager=manager, value=p.budget, handed_over_on=handed, synthetic=True)
            assets.append(asset)
            per_asset_households[id(asset)] = self.plan[p.pk]["households"]
        Asset.objects.bulk_create(assets, batch_size=1000)
        maintenance, incomes, income_households = [], [], []
        for asset in assets:
            if asset.kind == AssetKind.HOUSEHOLD:
                continue
            start = asset.handed_over_on.year + 1
            for year in range(start, today.year + 1):
                on = _d(year, 6, 10 + asset.pk % 15)
                if on >= today:
                    continue
                maintenance.append(AssetMaintenance(asset=asset, on=on, work="日常巡查、清理维护" if year % 2 else "破损修补",
                                                    cost=fen(rng.randint(5, 40) * 10000), by=asset.manager))
                if asset.kind == AssetKind.PRODUCTIVE and year < today.year:
                    amount = int(asset.value * 100) * rng.randint(4, 8) // 100
                    households = per_asset_households.get(id(asset)) or []
                    distributable = amount * 60 // 100 if households else 0
                    income = AssetIncome(asset=asset, year=year, amount=fen(amount), distributable=fen(distributable),
                                         received_on=_d(year, 12, 15),
                                         note="资产收益：60% 分配到户，40% 留作村集体公益事业和管护（演示数据）")
                    incomes.append(income)
                    income_households.append((income, households, distributable))
        AssetMaintenance.objects.bulk_create(maintenance, batch_size=2000)
        AssetIncome.objects.bulk_create(incomes, batch_size=2000)
        shares = []
        for income, households, distributable in income_households:
            if not households or not distributable:
                continue
            for h, amount in zip(households, split_fen(distributable, len(households)), strict=True):
                if amount > 0:
                    shares.append(IncomeShare(income=income, household_id=h["id"], amount=fen(amount),
                                              paid_on=income.received_on + datetime.timedelta(days=10)))
        IncomeShare.objects.bulk_create(shares, batch_size=2000)
        self.result.counts.update({"assets": len(assets), "maintenance": len(maintenance), "incomes": len(incomes),
                                   "shares": len(shares)})
        kinds = Counter(a.kind for a in assets)
        for kind in AssetKind:
            self.result.counts[f"asset_{kind.value}"] = kinds.get(kind.value, 0)

    # --- the 行业部门 demo account --------------------------------------------------------------------------

    def department_account(self) -> None:
        """The demo 行业部门 account acts for the lead of 乡村道路畅通 (县交通运输局)."""
        user = User.objects.filter(username="department", role=policy.role_fit_for("be_department_staff")).first()
        if user is not None and not DepartmentStaff.objects.filter(user=user).exists():
            DepartmentStaff.objects.create(user=user, department=self.units[LEAD_DEPARTMENTS[Category.ROADS]])
        #: The 行业部门 accounts of the county's departments (who appraise, build and accept their projects).
        self.department_staff: dict[int, User] = {
            s.department_id: s.user for s in DepartmentStaff.objects.filter(
                user__is_active=True, department__in=list(self.units.values())).select_related("user__area")
            .order_by("-pk")}


    # --- the steps, by the workflow engine's rule ----------------------------------------------------------------

    def lifecycle(self, project: Project, plan: dict[str, Any], planned: dict[str, Any]) -> list[ProjectEvent]:
        """The project's steps in date order, each built as the project page builds it and checked by the rule
        the workflow engine applies to every step (services_library.project_replay → fupin.workflow.replay:
        the transition table, the actor's capability and scope), each by the first account of the project's
        (its department's, its township's, the county's) the engine lets take it; and the progress reports
        while 实施中, checked as the progress form's are (services_library.progress_replay). All in memory,
        on the unsaved row: its stage, dates, progress and ``version`` (one per step and report) are what
        they leave, which must be what the schedule planned. Returns the event rows, unsaved. The guards,
        which read the database, are met by the data written with them (the notices, the assets)."""
        from fupin.projects import services_library as library

        candidates = [u for u in (self.department_staff.get(project.lead_id), self._township_staff(project),
                                  *self.county_staff) if u]
        events: list[ProjectEvent] = []
        for stage, on in sorted(plan["steps"].items(), key=lambda item: item[1])[1:]:
            actor = self._actor(library, candidates, project, stage)
            events += library.project_replay(project=project, steps=[(actor, stage, REASONS[stage], on)])
            if stage == Stage.IMPLEMENTING:
                for day, progress, finished in self._reports(planned, on):
                    events.append(library.progress_replay(actor=actor, project=project, progress=progress, on=day,
                                                           finished_on=finished))
        left = {name: getattr(project, name) for name in LATER}
        if left != planned:  # a bug of the schedule, not of the data: say what differs
            raise RuntimeError(f"演示数据：项目 {project.code} 的进程与计划不符：{left} ≠ {planned}")
        return events

    @staticmethod
    def _actor(library: Any, candidates: list[User], project: Project, stage: str) -> User:
        kind = "cancel" if stage == Stage.CANCELLED else "forward"
        for user in candidates:
            if library.actions_for(user, project)[kind]:
                return user
        raise RuntimeError(f"演示数据：没有账号可以把项目 {project.code} 推进到“{Stage(stage).label}”")

    def _reports(self, planned: dict[str, Any], started: datetime.date) -> list[tuple[datetime.date, int, Any]]:
        """形象进度 a month after the start (half-way for works since finished), and 100 % with the day they were
        finished (before 竣工验收, whose guard asks for both)."""
        first = min(self.today, started + datetime.timedelta(days=30))
        finished = planned["finished_on"]
        if finished is None:
            return [(first, planned["progress"], None)]
        return [(min(first, finished), 50, None), (finished, 100, finished)]


def summary_lines(result: ProjectsResult | None) -> list[str]:
    """What ``fupin demo`` prints about projects and funds (nothing when they were not built)."""
    if result is None:
        return []
    c = result.counts
    stages = "，".join(f"{Stage(s).label} {n}" for s, n in sorted(result.stages.items(), key=lambda x: PATH.index(x[0])
                                                                     if x[0] in PATH else 99))
    wan = lambda d: f"{d / 10000:,.1f}"  # noqa: E731
    return [
        f"  项目资金（{FIRST_YEAR}–{timezone.localdate().year} 年，"
        f"用时 {result.seconds:.1f} 秒）：项目 {result.projects} 个（{stages}），牵头部门 {c.get('departments', 0)} 个，"
        f"受益户 {c.get('beneficiaries', 0):,} 户次",
        f"    资金文件 {result.documents} 份 {wan(result.documents_total)} 万元，分配 {c.get('allocations', 0)} 笔 "
        f"{wan(result.allocated)} 万元，支付 {c.get('payments', 0)} 笔 {wan(result.paid)} 万元；合同 {c.get('contracts', 0)} 份；"
        f"到户补助 {c.get('batches', 0)} 批 {c.get('lines', 0):,} 户次（已发放到 {result.subsidy_households:,} 户）；"
        f"公告公示 {c.get('disclosures', 0)} 条",
        f"    资产 {c.get('assets', 0)} 项（经营性 {c.get('asset_productive', 0)}，公益性 {c.get('asset_public', 0)}，"
        f"到户类 {c.get('asset_household', 0)}），管护记录 {c.get('maintenance', 0)} 条，收益 {c.get('incomes', 0)} 笔、"
        f"分配 {c.get('shares', 0):,} 户次",
        "    演示预警：" + "；".join(f"{label} {len(result.slips.get(key, []))}" for key, label in SLIP_LABELS.items()),
    ]


SLIP_LABELS = {"stuck": "乡镇资金滞留", "behind": "进度滞后", "overdue": "超过计划完工", "acceptance_late": "验收滞后",
               "unpaid_batch": "补助未按时发放", "undisclosed": "资金分配未公开", "negative": "负面清单"}


def ledger_totals(county: Area) -> dict[str, Decimal]:
    """Σ documents, allocations and payments of the county (for the summary and the tests)."""
    path = county.path
    zero = Decimal("0.00")
    return {
        "documents": FundDocument.objects.filter(area_path__startswith=path).aggregate(s=Sum("amount"))["s"] or zero,
        "allocations": Allocation.objects.filter(project__area_path__startswith=path).aggregate(s=Sum("amount"))["s"] or zero,
        "payments": Payment.objects.filter(project__area_path__startswith=path).aggregate(s=Sum("amount"))["s"] or zero,
    }
