#!/usr/bin/env python
"""The yearly adjustment's proposal (动态调整, issue 13 item 5): time and peak memory of the set-based
computation over every household of the database, against a naive per-household Python evaluation of
the same rules on a sample, in the same run.

    .venv/bin/python benchmarks/adjustment.py --database-url postgres://postgres@127.0.0.1:5432/adjust_s100

Expects the demo loaded (``fupin demo --scale N``). The demo's households have all exited by 2020, so
that the exit pass has work the benchmark first puts the register back as it stood at the start of the
year (``--year``, default 2016: every household that exited in that year or later is 贫困户 again) and
adds a national exclusion rule set (七不进) for the year, so that the removal pass judges every household
in the register; all of it inside one transaction that is rolled back at the end (the database is left
as it was). Then it times ``fupin.identification.adjustment.propose`` for the root area (every
household), and a naive evaluation — each household read on its own, its rule sets resolved, its facts
read and every rule evaluated in Python (fupin.standards.services.evaluate_household) — on ``--sample``
households, extrapolated to all. Prints both side by side with the ratio and saves
``benchmarks/results/adjustment-<database>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EXCLUSION = [
    # Chosen so that a few per cent of the demo's households hit one (the removal pass writes rows too).
    {"field": "per_capita_income", "op": "gt", "value": "6000", "label": "人均纯收入远高于标准"},
    {"field": "house_area", "op": "gt", "value": "140", "label": "住房面积超过 140 平方米"},
    {"field": "cultivated_land", "op": "gt", "value": "12", "label": "耕地超过 12 亩"},
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--year", type=int, default=2016)
    parser.add_argument("--sample", type=int, default=2000, help="households of the naive baseline")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from fupin.areas.models import Area
    from fupin.identification import adjustment
    from fupin.identification.models_adjustment import AdjustmentRun
    from fupin.registry.choices import NOT_EXITED_STATUSES, RemovalReason, Status
    from fupin.registry.models import Household
    from fupin.registry.services import poverty_lines
    from fupin.standards import services as standards
    from fupin.standards.models import RuleKind, RuleSet

    year = args.year
    root = Area.objects.order_by("path").first()
    database = connection.settings_dict["NAME"]
    result: dict = {"database": database, "vendor": connection.vendor, "year": year}
    with transaction.atomic():
        started = time.perf_counter()
        rewound = Household.objects.filter(status__in=[Status.EXITED, Status.EXITED_STABLE],
                                           exit_year__gte=year).update(status=Status.POOR, exit_year=None)
        RuleSet.objects.create(kind=RuleKind.EXCLUSION, year=year, area=None, version=99, name="基准测试七不进",
                               match="any", conditions=EXCLUSION)
        if connection.vendor == "postgresql":  # the statistics as they would be after the year's work
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE registry_household")
        result["setup_seconds"] = round(time.perf_counter() - started, 1)
        total = Household.objects.count()
        result.update(households=total, rewound_to_poor=rewound,
                      not_exited=Household.objects.filter(status__in=list(NOT_EXITED_STATUSES)).count())
        run = AdjustmentRun.objects.create(year=year, area=root)
        if connection.vendor == "postgresql":
            # The foreign keys are checked at commit (deferred); the benchmark rolls back, so check them as
            # the rows are written: the time a real run pays before its commit returns is in the figure.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        rss_before = current_rss_mb()
        wall, cpu = time.perf_counter(), time.process_time()
        counts = adjustment.propose(run)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        result.update(set_based_seconds=round(wall, 2), set_based_cpu_seconds=round(cpu, 2),
                      rss_before_mb=round(rss_before), peak_rss_mb=round(rss_mb()),
                      counts={k: v for k, v in counts.items() if k not in ("notes", "seconds")},
                      pass_seconds=counts.get("seconds", {}))

        # The naive baseline: one household at a time, everything read and judged in Python.
        ids = list(Household.objects.exclude(status=Status.CANCELLED).order_by("?").values_list("pk", flat=True)
                   [:args.sample])
        lines = poverty_lines()
        proposals = {"removal": 0, "exit": 0, "return": 0}
        wall = time.perf_counter()
        for pk in ids:
            household = Household.objects.select_related("area").get(pk=pk)
            members = list(household.members.all())
            if not any(m.active for m in members):
                proposals["removal"] += 1
                _dead = all(m.removal_reason == RemovalReason.DEATH for m in members)
                continue
            exclusion = standards.ruleset_for(RuleKind.EXCLUSION, year, household.area)
            if exclusion and household.status != Status.APPLYING \
                    and standards.evaluate_household(exclusion, household, year, lines).holds:
                proposals["removal"] += 1
                continue
            if household.status in NOT_EXITED_STATUSES:
                criteria = standards.ruleset_for(RuleKind.EXIT, year, household.area)
                if criteria and standards.evaluate_household(criteria, household, year, lines).holds:
                    proposals["exit"] += 1
            elif household.status in adjustment.RETURN_FROM:
                record = household.yearly_records.filter(year=year).first()
                line = lines.amount(year, household.area_path)
                if record is not None and line is not None and record.per_capita_income <= line:
                    proposals["return"] += 1
        naive = time.perf_counter() - wall
        per_household = naive / max(1, len(ids))
        result.update(naive_sample=len(ids), naive_sample_seconds=round(naive, 2),
                      naive_ms_per_household=round(per_household * 1000, 3),
                      naive_extrapolated_seconds=round(per_household * total, 1),
                      set_based_ms_per_household=round(result["set_based_seconds"] * 1000 / max(1, total), 4),
                      naive_sample_proposals=proposals)
        result["ratio"] = round(result["naive_extrapolated_seconds"] / max(result["set_based_seconds"], 1e-9), 1)
        transaction.set_rollback(True)

    if connection.vendor == "postgresql":
        # The rolled-back rewind and proposals leave a million dead rows in each table; without this, every
        # later run (and the other benchmarks on this database) would scan them too.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registry_household, identification_proposal")
    print(f"数据库 {database}（{connection.vendor}），{year} 年，{total:,} 户（其中回溯为未脱贫 {rewound:,} 户）")
    print(f"{'':24}{'集合计算 propose()':>20}{'逐户 Python（外推）':>22}")
    print(f"{'全部户用时（秒）':<22}{result['set_based_seconds']:>20,.1f}{result['naive_extrapolated_seconds']:>22,.1f}")
    print(f"{'每户（毫秒）':<22}{result['set_based_ms_per_household']:>20.4f}{result['naive_ms_per_household']:>22.3f}")
    print(f"倍数：逐户 / 集合 = {result['ratio']:,}×（逐户样本 {len(ids):,} 户，用时 {naive:.1f} 秒）")
    print(f"峰值内存 {result['peak_rss_mb']:,} MB（开始前 {result['rss_before_mb']:,} MB）；"
          f"CPU {result['set_based_cpu_seconds']} 秒；建议：{result['counts']}")
    print("各步用时（秒）：" + "，".join(f"{k} {v}" for k, v in result["pass_seconds"].items()))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"adjustment-{database}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
