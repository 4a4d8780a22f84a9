"""Write the synthetic county (or province) to the database, fast.

The registry services are the only writers of real data, but calling them 12,285 times (×100 for
``--scale 100``) with an audit row per object would take an hour. The demo instead writes rows that
the generator has already made consistent in exactly the way the services would (``area_path``,
``head_name``, ``member_count``, derived incomes, one status row per change), in bulk, inside one
transaction, with explicit primary keys:

* SQLite: ``executemany`` of a prepared INSERT;
* PostgreSQL: ``COPY ... FROM STDIN`` through psycopg;
* other databases: ``bulk_create``.

One AuditEvent (kind "import") records the load.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Count, Max, Sum

from fupin.areas.models import Area, AreaDesignation
from fupin.audit.services import audit_import
from fupin.lib.bulk import BulkWriter, bulk_method
from fupin.monitoring.models import (
    Alert,
    AlertStatus,
    Measure,
    MonitoringObject,
    ObjectKind,
    ObjectState,
    Target,
)
from fupin.registry import rules
from fupin.registry.choices import LineKind
from fupin.registry.models import Household, Member, PovertyLine, StatusChange, YearlyRecord
from fupin.registry.services import poverty_line_set, poverty_lines

from . import counties
from .accounts import DEFAULT_PASSWORD, create_demo_accounts, pair_demo_cadre
from .alerts_demo import AlertsResult, build_alerts
from .assistance_demo import AssistanceResult, build_assistance
from .cases import CasesResult, build_cases
from .credit_demo import CreditResult, build_credit
from .generator import (
    CAMPAIGN_LAST_YEAR,
    LAST_YEAR,
    NATIONAL_LINES,
    NATIONAL_MONITORING_LINES,
    YUNNAN_MONITORING_LINES,
    CountyData,
    CountySpec,
    county_spec,
    generate_county,
    shrink_spec,
)
from .monitoring_cases import build_monitoring_cases
from .plans_demo import build_plans
from .projects_demo import ProjectsResult, build_projects
from .visits_demo import build_visits

TABLES: dict[str, type[models.Model]] = {
    "area": Area, "designation": AreaDesignation, "household": Household, "member": Member,
    "yearly": YearlyRecord, "change": StatusChange, "mobject": MonitoringObject, "measure": Measure,
    "target": Target,
}
#: The notes of the monitoring lines the demo writes (REFERENCE §7).
NATIONAL_MONITORING_NOTE = "防止返贫监测范围（原则上不低于扶贫标准的1.5倍）"
YUNNAN_MONITORING_NOTES = {
    2020: "演示数据：2020 年开展监测时按当年扶贫标准的1.5倍（6000元）",
    2025: "演示数据：云南省 2025 年防返贫监测标准 8700 元（REFERENCE §7）",
}
CARRIED_LINE_NOTE = (f"演示数据：2020 年后国家不再公布扶贫标准，演示数据沿用 2020 年国家扶贫标准 "
                     f"{NATIONAL_LINES[2020]} 元（REFERENCE §3）")
YUNNAN_MONITORING_NOTE = "演示数据：云南省当年防返贫监测标准（演示用数字，可在“标准”页修改）"


T = TypeVar("T")


class ProgressBar(Protocol):
    """What the loader needs of a progress bar (a ``tqdm`` has it)."""

    total: float

    def refresh(self) -> object: ...

    def update(self, n: float = 1) -> object: ...

    def set_description(self, desc: str | None = None, refresh: bool = True) -> None: ...


class DemoRefused(Exception):
    """The database already holds households; ``message`` says so in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class LoadResult:
    scale: int
    seed: int
    counties: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    first_exits: dict[int, int] = field(default_factory=dict)  # people, per year
    reexits: dict[int, int] = field(default_factory=dict)
    returns: dict[int, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    quotas: dict[int, int] = field(default_factory=dict)
    #: 建档立卡: the registered poor (seed 000's households and people); the households monitoring
    #: enrolled without ever registering them (边缘易致贫户, 突发严重困难户) are counted apart.
    registered_households: int = 0
    registered_people: int = 0
    monitored_only_households: int = 0
    monitored_only_people: int = 0
    #: Monitoring objects by "kind:state", and their measures.
    monitoring: dict[str, int] = field(default_factory=dict)
    accounts_created: list[str] = field(default_factory=list)
    accounts_skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    method: str = ""
    #: Open data-quality findings stored after the load (None: not computed, for a large --scale).
    findings: int | None = None
    #: The demo county's identification and exit cases (fupin.demo.cases; None: not built).
    cases: CasesResult | None = None
    #: The demo county's assistance forces (fupin.demo.assistance_demo, issue 15; None: not built).
    assistance: AssistanceResult | None = None
    #: (alerts) the demo county's sector lists and warnings (fupin.demo.alerts_demo; None: not built).
    alerts: AlertsResult | None = None
    #: (issue 15 #7) the demo county's ratings, loans, repayments and subsidies (fupin.demo.credit_demo).
    credit: CreditResult | None = None
    #: (issue 16, demo16) the demo county's projects and funds (fupin.demo.projects_demo; None: not built).
    projects: ProjectsResult | None = None


def ensure_poverty_lines() -> rules.PovertyLines:
    """National lines 2011–2020 (REFERENCE §3), unless someone (a data migration, an admin) already
    set them. Returns every line: the generator takes each record's line by the registry's rule (the
    most specific line for the household's area), as yearly_record_save() would."""
    for year, amount in NATIONAL_LINES.items():
        if not PovertyLine.objects.filter(year=year, kind=LineKind.NATIONAL, area__isnull=True).exists():
            line = PovertyLine(year=year, kind=LineKind.NATIONAL, area=None, amount=Decimal(amount),
                               note="国家扶贫标准（2010年不变价2300元，按年度调整）")
            line.full_clean()
            line.save()
    return poverty_lines()


def ensure_monitoring_lines(province: Area) -> rules.PovertyLines:
    """The lines after 2020 (REFERENCE §3, §7), unless someone already set them — they are editable like
    any line: 防返贫监测线, the national 6,000 yuan of 2021 (registry migration 0002 writes it; put back if
    missing) and the province's own (YUNNAN_MONITORING_LINES, 演示数据); and, since no national poverty
    line is published after 2020, the province's 2020 line carried forward as 演示数据, so that the
    yearly records to 2026 take "the line in force" by the registry's rule like any record written
    later (fupin.demo.cases does the same for the demo county's current year). Returns every line."""
    carried = Decimal(NATIONAL_LINES[CAMPAIGN_LAST_YEAR])
    for year in range(CAMPAIGN_LAST_YEAR + 1, LAST_YEAR + 1):
        if not PovertyLine.objects.filter(year=year, kind__in=[LineKind.NATIONAL, LineKind.PROVINCIAL],
                                          area__isnull=True).exists() \
                and not PovertyLine.objects.filter(year=year, kind=LineKind.PROVINCIAL, area=province).exists():
            poverty_line_set(actor=None, year=year, amount=carried, kind=LineKind.PROVINCIAL, area=province,
                             note=CARRIED_LINE_NOTE)
    for year, amount in NATIONAL_MONITORING_LINES.items():
        if not PovertyLine.objects.filter(year=year, kind=LineKind.MONITORING, area__isnull=True).exists():
            poverty_line_set(actor=None, year=year, amount=Decimal(amount), kind=LineKind.MONITORING,
                             note=NATIONAL_MONITORING_NOTE)
    for year, amount in YUNNAN_MONITORING_LINES.items():
        if not PovertyLine.objects.filter(year=year, kind=LineKind.MONITORING, area=province).exists():
            poverty_line_set(actor=None, year=year, amount=Decimal(amount), kind=LineKind.MONITORING, area=province,
                             note=YUNNAN_MONITORING_NOTES.get(year, YUNNAN_MONITORING_NOTE))
    return poverty_lines()


def _code(prefix: str) -> str:
    """The 12-digit statistical code of a province, city or county from its prefix."""
    return prefix.ljust(rules.STATISTICAL_CODE_WIDTH, "0")


def _next_ids() -> dict[str, int]:
    return {key: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for key, model in TABLES.items()}


def _area(ids: dict[str, int], code: str, name: str, level: str, parent: Area | None) -> Area:
    """An area above the generated tree (province, city, county): reused when it exists."""
    existing = Area.objects.filter(code=code).first()
    if existing is not None:
        return existing
    area = Area(id=ids["area"], code=code, name=name, level=level, parent=parent,
                path=Area.path_for(code, level), synthetic=True)
    ids["area"] += 1
    area.full_clean()
    area.save(force_insert=True)
    return area


class _Progress:
    """Feeds a tqdm-like bar from both threads, never past its total (tqdm drops the total then)."""

    def __init__(self, bar: ProgressBar | None, total: int) -> None:
        self.bar, self.done, self.lock = bar, 0.0, threading.Lock()
        if bar is not None:
            bar.total = total
            bar.refresh()

    def add(self, n: float) -> None:
        if self.bar is None:
            return
        with self.lock:
            n = min(n, self.bar.total - self.done)
            if n > 0:
                self.done += n
                self.bar.update(n)

    def describe(self, text: str) -> None:
        if self.bar is not None:
            with self.lock:
                self.bar.set_description(text)


class _Later(Generic[T]):
    """A stand-in for a Future that does the work when its result is asked for (no overlap)."""

    def __init__(self, fn: Callable[..., T], *args: Any) -> None:
        self.fn, self.args = fn, args

    def result(self) -> T:
        return self.fn(*self.args)


def _shift_ids(data: CountyData, ids: dict[str, int], county_id: int) -> None:
    """The generator numbers rows from 1 in each county (0 stands for the county itself); move them
    to free primary keys of this database, fixing the references with them."""
    off = {key: ids[key] - 1 for key in ids}
    a, h = off["area"], off["household"]
    for row in data.areas:
        row["id"] += a
        row["parent_id"] = county_id if row["parent_id"] == 0 else row["parent_id"] + a
    for row in data.targets:
        row["id"] += off["target"]
        row["area_id"] = county_id if row["area_id"] == 0 else row["area_id"] + a
    for key, rows, fk, fk_off in (("designation", data.designations, "area_id", a),
                                  ("household", data.households, "area_id", a),
                                  ("member", data.members, "household_id", h),
                                  ("yearly", data.yearly, "household_id", h),
                                  ("change", data.changes, "household_id", h),
                                  ("mobject", data.objects, "household_id", h),
                                  ("measure", data.measures, "object_id", off["mobject"])):
        o = off[key]
        for row in rows:
            row["id"] += o
            row[fk] += fk_off
    for key, rows in _tables(data):
        if rows:
            ids[key] = max(ids[key], rows[-1]["id"] + 1)


def _tables(data: CountyData) -> tuple[tuple[str, list], ...]:
    """The generated rows of a county by TABLES key, in the order they are written (referenced first)."""
    return (("area", data.areas), ("designation", data.designations), ("household", data.households),
            ("member", data.members), ("yearly", data.yearly), ("change", data.changes),
            ("mobject", data.objects), ("measure", data.measures), ("target", data.targets))


def _reuse_existing_areas(data: CountyData, county: Area) -> None:
    """Areas of the county that already exist (an earlier area import) are kept, not duplicated:
    generated rows with the same code are dropped and references moved to the existing row."""
    existing = dict(Area.objects.filter(path__startswith=county.path).exclude(pk=county.pk)
                    .values_list("code", "id"))
    if not existing:
        return
    remap: dict[int, int] = {}
    kept = []
    for row in data.areas:
        if row["parent_id"] in remap:
            row["parent_id"] = remap[row["parent_id"]]
        if row["code"] in existing:
            remap[row["id"]] = existing[row["code"]]
        else:
            kept.append(row)
    data.areas = kept
    have = set(AreaDesignation.objects.filter(area_id__in=list(existing.values()))
               .values_list("area_id", "year", "kind"))
    designations = []
    for row in data.designations:
        row["area_id"] = remap.get(row["area_id"], row["area_id"])
        if (row["area_id"], row["year"], row["kind"]) not in have:
            designations.append(row)
    data.designations = designations
    for row in data.households:
        row["area_id"] = remap.get(row["area_id"], row["area_id"])
    for row in data.targets:
        row["area_id"] = remap.get(row["area_id"], row["area_id"])


def specs_for(*, scale: int, seed: int, households: int | None = None) -> list[CountySpec]:
    """The county specs of a load. ``households`` (tests) shrinks every county to that many."""
    specs = [county_spec(ref, seed) for ref in counties.counties_for_scale(scale)]
    if households is not None:
        specs = [shrink_spec(spec, households) for spec in specs]
    return specs


def load_demo(*, scale: int = 1, seed: int = 2015, households: int | None = None,
              password: str = DEFAULT_PASSWORD, progress: ProgressBar | None = None, method: str | None = None,
              overlap: bool = True, cases: bool = True, findings: bool = True) -> LoadResult:
    """Generate and write the demo data set; refuses (DemoRefused) when any household exists.

    ``progress`` is an optional tqdm-like object (``update(n)``, ``set_description(s)``, ``total``):
    half of each county's households count for generating, half for writing. ``cases`` (default on)
    runs the first county's identification and exit cases through the real services (fupin.demo.cases);
    ``findings`` (default on) stores the data-quality findings of a one-county load.
    """
    started = time.perf_counter()
    if Household.objects.exists():
        raise DemoRefused("数据库中已有贫困户数据，演示数据只能载入空数据库。"
                          "如需重新载入，请先清空数据库（删除 SQLite 文件或重建 PostgreSQL 数据库）后再运行。")
    specs = specs_for(scale=scale, seed=seed, households=households)
    method = method or bulk_method()
    result = LoadResult(scale=scale, seed=seed, method=method)
    bar = _Progress(progress, sum(spec.households for spec in specs))

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: checked at commit, from a queue
            # held in server memory. Checking each COPY at its end keeps that queue one table small.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        areas_before = Area.objects.count()
        lines = ensure_poverty_lines()
        first = _load_counties(specs, seed=seed, lines=lines, writer=BulkWriter(method, TABLES), bar=bar,
                               result=result, overlap=overlap)
        _sum_rural_population_upwards()
        _reset_sequences()
        result.accounts_created, result.accounts_skipped = create_demo_accounts(areas=first, password=password)
        if "cadre" in result.accounts_created:
            pair_demo_cadre(village=first["village"])
        if cases:
            result.cases = build_cases(county=first["county"], seed=seed, demo_village=first["village"])
            build_monitoring_cases(county=first["county"])  # issue 14 (mproc): monitoring cases at every step
            result.alerts = build_alerts(county=first["county"], seed=seed, demo_village=first["village"])  # (alerts)
            # issue 15 (who15): units, cadres, links, teams and a cadre for every registered and monitored
            # household — after the monitoring cases, whose objects must have a cadre too.
            result.assistance = build_assistance(county=first["county"], seed=seed)
            result.credit = build_credit(county=first["county"], seed=seed, demo_village=first["village"])  # (issue 15 #7)
            result.counts["visit"] = build_visits(seed=seed)  # issue 15 (visit15): a year of visits, some forgotten
            result.counts["plan"] = build_plans(county=first["county"])  # issue 15 (plan15): 一户一策 of paired households
            # issue 16 (demo16): projects and funds — after the assistance demo, whose 县直部门 lead the projects.
            result.projects = build_projects(county=first["county"], seed=seed)
        result.counts["area"] = Area.objects.count() - areas_before
        result.seconds = time.perf_counter() - started
        _record_load(result, county=first["county"])
    if connection.vendor == "postgresql":
        _analyze()
    if scale == 1 and findings:
        result.findings = _store_findings()
    result.seconds = time.perf_counter() - started
    return result


def _store_findings() -> int:
    """The REFERENCE §6 疑点 of the county just loaded, so that 数据质量 shows what a real county would
    (~2 s for the demo county; at --scale 100 it is left to ``fupin quality check``)."""
    from fupin.quality.services import refresh_findings

    ids = list(Household.objects.values_list("id", flat=True))
    return sum(refresh_findings(ids).values())


def _load_counties(specs: list[CountySpec], *, seed: int, lines: rules.PovertyLines, writer: BulkWriter,
                   bar: _Progress, result: LoadResult, overlap: bool) -> dict[str, Area]:
    """Generate and write every county, with the province and cities above them. Returns the first
    county and its demo township and village (the demo accounts' areas)."""
    ids = _next_ids()
    province = _area(ids, _code(counties.PROVINCE_CODE), counties.PROVINCE_NAME, "province", None)
    lines = ensure_monitoring_lines(province)
    first: dict[str, Area] = {}
    generate = functools.partial(generate_county, seed=seed, lines=lines, progress=bar.add)
    # Generating a county is pure Python (no database); it runs one county ahead in a second
    # thread, so that it overlaps with the database's work on the previous county.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fupin-demo") as pool:
        submit = pool.submit if overlap else _Later
        upcoming = submit(generate, specs[0])
        for index, spec in enumerate(specs):
            city = _area(ids, _code(spec.city_code), spec.city_name, "city", province)
            county = _area(ids, _code(spec.code), spec.name, "county", city)
            data = upcoming.result()
            if index + 1 < len(specs):
                upcoming = submit(generate, specs[index + 1])
            _write_county(data, county, ids=ids, writer=writer, bar=bar, result=result)
            if not first:
                first = {"county": county, "township": Area.objects.get(code=data.demo_township_code),
                         "village": Area.objects.get(code=data.demo_village_code)}
            del data
    return first


def _write_county(data: CountyData, county: Area, *, ids: dict[str, int], writer: BulkWriter, bar: _Progress,
                  result: LoadResult) -> None:
    """Write one generated county below its Area row, adding its counts and figures to ``result``."""
    spec = data.spec
    _shift_ids(data, ids, county.pk)
    _reuse_existing_areas(data, county)
    bar.describe(spec.name)
    tables = _tables(data)
    share = spec.households / 2 / sum(len(rows) for _key, rows in tables)

    def written(n: int) -> None:
        bar.add(n * share)

    for key, rows in tables:
        writer.write(key, rows, written)
        result.counts[key] = result.counts.get(key, 0) + len(rows)
    Area.objects.filter(pk=county.pk).update(rural_population=data.rural_population)
    result.counties.append(spec.name)
    stats = data.stats
    result.registered_households += stats["registered_households"]
    result.registered_people += stats["registered_people"]
    result.monitored_only_households += stats["monitored_only_households"]
    result.monitored_only_people += stats["monitored_only_people"]
    for target, source in ((result.first_exits, stats["first_exits"]),
                           (result.reexits, stats["reexits"]), (result.returns, stats["returns"]),
                           (result.statuses, stats["statuses"]), (result.quotas, spec.quotas),
                           (result.monitoring, stats["monitoring"])):
        for k, v in source.items():
            target[k] = target.get(k, 0) + v


def _sum_rural_population_upwards() -> None:
    """农村户籍人口 above the county: the sum of the counties below."""
    for level in ("city", "province"):
        for area in Area.objects.filter(level=level, synthetic=True):
            total = Area.objects.filter(parent=area).aggregate(s=Sum("rural_population"))["s"]
            Area.objects.filter(pk=area.pk).update(rural_population=total)


def _reset_sequences() -> None:
    """Explicit primary keys bypass PostgreSQL's sequences: move them past the new rows."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(TABLES.values())):
            cursor.execute(sql)


def _record_load(result: LoadResult, *, county: Area) -> None:
    """The one audit row of the load."""
    seed, scale = result.seed, result.scale
    audit_import(actor="demo", entity="demo", entity_id=f"seed={seed},scale={scale}",
                 area_path="53" if scale > 1 else county.path,
                 summary=f"载入合成演示数据：{len(result.counties)} 个县，{result.counts.get('household', 0)} 户，"
                         f"{result.counts.get('member', 0)} 人",
                 data={"synthetic": True, "seed": seed, "scale": scale, "counties": result.counties[:200],
                       "counts": result.counts, "first_exits": _keys_to_str(result.first_exits),
                       "reexits": _keys_to_str(result.reexits), "returns": _keys_to_str(result.returns),
                       "statuses": result.statuses, "method": result.method,
                       "registered": [result.registered_households, result.registered_people],
                       "monitored_only": [result.monitored_only_households, result.monitored_only_people],
                       "monitoring": result.monitoring,
                       "accounts_created": result.accounts_created})


def _analyze() -> None:
    """Fresh statistics for the planner: without them it takes the new tables for nearly empty and
    sorts a whole county for each list page (28 req/s instead of 260 in the API benchmark). Outside a
    transaction also VACUUM, which sets the tables' visibility maps: until then an index-only scan (the
    yearly records' (year, household) index carrying the incomes, read by every rule preview and
    adjustment) still visits the table for every row — at --scale 100 the 2019 records took 1.7 s to read
    instead of 0.1 s. Autovacuum would get there, some time after the load."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in TABLES.values():
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def monitoring_summary(counts: dict[str, int]) -> list[str]:
    """"脱贫不稳定户 858 户（风险已消除 561，风险未消除 297，未纳入 72）" per kind, from LoadResult.monitoring."""
    from fupin.monitoring.models import ObjectKind, ObjectState

    out = []
    for kind in ObjectKind:
        states = {state: counts.get(f"{kind.value}:{state.value}", 0) for state in ObjectState}
        total = sum(states.values())
        if total:
            parts = "，".join(f"{state.label} {n:,}" for state, n in states.items() if n)
            out.append(f"{kind.label} {total:,} 户次（{parts}）")
    return out


def monitoring_counts() -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """What the database holds once the demo is loaded (the plan's objects moved on by the procedures, and the
    warnings of the sector lists): monitoring objects by (kind, state) and warnings by state."""
    objects = {(row["kind"], row["state"]): row["n"]
               for row in MonitoringObject.objects.values("kind", "state").annotate(n=Count("pk")).order_by()}
    alerts = {row["status"]: row["n"] for row in Alert.objects.values("status").annotate(n=Count("pk")).order_by()}
    return objects, alerts


def monitoring_count_lines() -> list[str]:
    """The end of ``fupin demo``'s report: "监测对象：脱贫不稳定户 858 户次（未纳入 72，风险未消除 297，…）；…" and
    "预警：待核实 12，已纳入监测 30，…", every kind and state named (0 included), counted in the database."""
    objects, alerts = monitoring_counts()
    kinds = []
    for kind in ObjectKind:
        states = [(state, objects.get((kind.value, state.value), 0)) for state in ObjectState]
        kinds.append(f"{kind.label} {sum(n for _s, n in states):,} 户次（"
                     + "，".join(f"{state.label} {n:,}" for state, n in states) + "）")
    return [f"  监测对象（合计 {sum(objects.values()):,} 户次）：" + "；".join(kinds),
            f"  预警（合计 {sum(alerts.values()):,} 条）：" + "，".join(
                f"{status.label} {alerts.get(status.value, 0):,}" for status in AlertStatus)]


def _keys_to_str(d: dict[int, int]) -> dict[str, int]:
    return {str(k): v for k, v in sorted(d.items())}
