#!/usr/bin/env python
"""Exit check benchmark (issue 13 item 4): the bulk check of a whole county against a naive
per-household Python evaluation, in the same run, on a database that already holds the demo.

    .venv/bin/python benchmarks/exit_check.py                       # the default SQLite database (var/)
    .venv/bin/python benchmarks/exit_check.py --database-url postgres://postgres@127.0.0.1:5432/fupin_bench

Measures, for ``--year`` (default 2020) over the households of ``--user`` (default the demo county
officer ``county``; ``--user ""``: the system, everything):

1. ``fupin exit-check --year Y --all --out FILE.xlsx`` as a fresh process (Django start-up, the query,
   the file and the audit row): the figure the issue's target (≤ 10 s for the county) is about;
2. ``exit_check_rows`` in-process, every row consumed (one query, streamed), with peak memory;
3. ``exit_check_counts`` (the page's counts: one aggregate query);
4. the naive baseline: for each household ``engine.facts_for`` + ``engine.evaluate`` with the rule set in
   force at its area (resolved once per area), the way a per-household loop would do it.

``--all`` checks every household in the register (the 回头看): in the demo every household has exited
by 2020, so the default scope (not yet exited) would be nearly empty. The bulk and the naive answers are
compared household by household; a difference fails the run. Prints the figures and the ratio and saves
them to benchmarks/results/exit_check-<database>-<households>.json. On a large database (``fupin demo --scale 10``)
``--naive-sample 5000`` times the loop on 5,000 households and scales it up.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def command(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "exit-check.xlsx"
        cmd = [str(Path(sys.executable).with_name("fupin")), "exit-check", "--year", str(args.year), "--all",
               "--out", str(out), "--no-progress"]
        if args.user:
            cmd += ["--user", args.user]
        started = time.perf_counter()
        run = subprocess.run(cmd, env=os.environ, cwd=ROOT, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - started
        return {"wall": wall, "file_mb": out.stat().st_size / 2**20, "output": run.stdout.strip().splitlines()}


def in_process(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.db import connection, reset_queries

    from fupin.accounts import policy
    from fupin.accounts.models import User
    from fupin.identification import exitcheck
    from fupin.registry.services import poverty_lines
    from fupin.sheets.management.commands.export import system_user
    from fupin.standards import engine
    from fupin.standards import services as standards
    from fupin.standards.models import RuleKind

    user = User.objects.select_related("area").get(username=args.user) if args.user else system_user()
    households = policy.visible_households(user)
    area = user.area
    year = args.year
    result: dict = {"database": connection.vendor, "user": args.user or "system", "year": year}

    rss_before = rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    bulk = {}
    for row in exitcheck.exit_check_rows(households, year, area=area, scope=exitcheck.REGISTER):
        bulk[row.household_id] = (row.exitable, row.failed)
    result["bulk"] = {"households": len(bulk), "wall": time.perf_counter() - started,
                      "cpu": time.process_time() - cpu, "peak_rss_mb": rss_mb(), "rss_before_mb": rss_before}

    started = time.perf_counter()
    counts = exitcheck.exit_check_counts(exitcheck.judge(households, year, area=area, scope=exitcheck.REGISTER))
    result["counts"] = {"wall": time.perf_counter() - started, "total": counts.total,
                        "exitable": counts.exitable, "not_exitable": counts.not_exitable}

    # The naive baseline: one household at a time, its facts read by the ORM and judged in Python.
    started, cpu = time.perf_counter(), time.process_time()
    lines = poverty_lines()
    by_area: dict[str, tuple] = {}
    naive = {}
    queryset = exitcheck.households_in_scope(households, exitcheck.REGISTER)
    if area is not None:
        queryset = queryset.filter(area_path__startswith=area.path)
    if args.naive_sample:
        queryset = queryset.order_by("number")[:args.naive_sample]
    for h in queryset.select_related("area").iterator(chunk_size=2000):
        if h.area_path not in by_area:
            ruleset = standards.ruleset_for(RuleKind.EXIT, year, h.area)
            by_area[h.area_path] = (ruleset, standards.conditions_of(ruleset))
        ruleset, conditions = by_area[h.area_path]
        outcome = engine.evaluate(conditions, ruleset.match, engine.facts_for(h, year, lines))
        naive[h.pk] = (outcome.holds, tuple(o.label for o in outcome.failed))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    # A sample is scaled up to every household (the loop's cost is per household).
    scale = len(bulk) / len(naive) if naive else 1
    result["naive"] = {"households": len(naive), "wall": wall, "cpu": cpu, "sampled": bool(args.naive_sample),
                       "wall_all": wall * scale, "cpu_all": cpu * scale}
    differ = [pk for pk in naive if bulk.get(pk) != naive[pk]]
    result["differences"] = len(differ) + (0 if args.naive_sample else len(set(bulk) ^ set(naive)))
    result["ratio"] = result["naive"]["wall_all"] / result["bulk"]["wall"]
    reset_queries()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--user", default="county", help='whose households are checked ("" = the system, all)')
    parser.add_argument("--naive-sample", type=int, default=0, metavar="N",
                        help="time the naive loop on the first N households only and scale it up (large databases)")
    parser.add_argument("--skip-command", action="store_true", help="do not time the command as a fresh process")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    cli = {"wall": 0.0, "file_mb": 0.0, "output": []} if args.skip_command else command(args)
    result = in_process(args)
    result["command"] = cli
    b, n, c = result["bulk"], result["naive"], result["counts"]
    print(f"database {result['database']}, user {result['user']}, year {result['year']}")
    print(f"fupin exit-check --all --out .xlsx (fresh process):  {cli['wall']:6.2f} s   file {cli['file_mb']:.2f} MiB")
    for line in cli["output"]:
        print(f"    {line}")
    print(f"exit_check_rows (one query, streamed):  {b['households']:,} households  {b['wall']:6.2f} s wall "
          f"{b['cpu']:6.2f} s CPU  peak RSS {b['peak_rss_mb']:.0f} MiB (before {b['rss_before_mb']:.0f})")
    print(f"exit_check_counts (one aggregate):      {c['wall']:6.2f} s  ({c['exitable']:,} 可退出, "
          f"{c['not_exitable']:,} 不可退出)")
    print(f"naive per-household loop:               {n['households']:,} households  {n['wall']:6.2f} s wall "
          f"{n['cpu']:6.2f} s CPU" + (f"  → all {b['households']:,}: {n['wall_all']:.0f} s wall "
                                      f"{n['cpu_all']:.0f} s CPU (scaled from the sample)" if n["sampled"] else ""))
    print(f"ratio naive / bulk: {result['ratio']:.1f}×   answers that differ: {result['differences']}")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / f"exit_check-{result['database']}-{result['bulk']['households']}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    if result["differences"]:
        sys.exit("the bulk and the per-household answers differ")


if __name__ == "__main__":
    main()
