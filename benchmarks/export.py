#!/usr/bin/env python
"""Export benchmark: time and peak memory of the household export (and the summary tables) on a
database that already holds the demo county.

    DATABASE_URL=sqlite:///var/fupin.sqlite3 .venv/bin/python benchmarks/export.py
    .venv/bin/python benchmarks/export.py --database-url postgres://postgres@127.0.0.1:5432/fupin_export_bench

Each run is a fresh process (peak memory is the process's maximum resident set, Django included),
exporting what the given user sees (default: the demo county officer ``county``; ``--user ""``: the
system, everything). Prints rows, wall and CPU seconds, peak RSS and the file size per run, then
the median of the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from fupin.accounts.models import User
    from fupin.areas.selectors import area_root
    from fupin.registry.selectors import HouseholdFilters, household_list
    from fupin.sheets.export import export_households
    from fupin.sheets.management.commands.export import system_user
    from fupin.sheets.summary import export_summary, summary_tables

    user = User.objects.get(username=args.user) if args.user else system_user()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.xlsx"
        wall, cpu = time.perf_counter(), time.process_time()
        if args.summary:
            tables = summary_tables(user, area_root(user=user), None)
            export_summary(tables, out)
            rows, households = sum(len(t.rows) for t in tables), tables[0].total[0]
        else:
            result = export_households(household_list(user=user, filters=HouseholdFilters()), out)
            rows, households = result.rows, result.households
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = out.stat().st_size
    print(json.dumps({"rows": rows, "households": households, "wall": wall, "cpu": cpu,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "rss_before_mb": rss_before, "file_mb": size / 2**20}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--user", default="county", help='username whose scope is exported ("" = system)')
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--summary", action="store_true", help="time the summary tables instead")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if args.child:
        child(args)
        return
    runs = []
    for i in range(args.runs):
        cmd = [sys.executable, __file__, "--child", "--user", args.user] + (["--summary"] if args.summary else [])
        out = subprocess.run(cmd, env=os.environ, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        run = json.loads(out.strip().splitlines()[-1])
        runs.append(run)
        print(f"run {i + 1}: {run['rows']:,} rows ({run['households']:,} households)  wall {run['wall']:.2f} s  "
              f"cpu {run['cpu']:.2f} s  peak RSS {run['peak_rss_mb']:.0f} MB "
              f"(before export {run['rss_before_mb']:.0f} MB)  file {run['file_mb']:.1f} MB")
    print(f"median: wall {statistics.median(r['wall'] for r in runs):.2f} s, "
          f"cpu {statistics.median(r['cpu'] for r in runs):.2f} s, "
          f"peak RSS {max(r['peak_rss_mb'] for r in runs):.0f} MB "
          f"({os.environ.get('DATABASE_URL', 'default database').split('@')[-1]})")


if __name__ == "__main__":
    main()
