#!/usr/bin/env python
"""Registry benchmarks: demo load time and server time of the list and household pages.

    .venv/bin/python benchmarks/run.py                         # default scale, embedded SQLite
    .venv/bin/python benchmarks/run.py --database-url postgres://postgres@127.0.0.1:5432/fupin_bench --scale 100

Loads a fresh database with `fupin demo --scale N` (timed), then measures the pages inside one
process through Django's test client (server time: URL resolution, middleware, queries, template
rendering; no network). The list is filtered by township and main cause, as a township cadre
uses it; each household request opens a different household. Prints median and p95 in ms and the
number of SQL queries per page. `--skip-load` reuses a database that is already loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUPIN = [sys.executable, "-m", "fupin"]


def run(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True)
    return time.perf_counter() - start


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.split("sqlite:///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def measure(client, urls: list[str]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(urls[0])  # warm-up: template loading, connection
    times, queries = [], []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(ctx.captured_queries))
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1), "queries": max(queries), "requests": len(urls)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "fupin.settings"}
    os.environ.update({"DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "fupin.settings"})
    engine = "SQLite" if args.database_url.startswith("sqlite") else "PostgreSQL"
    results: dict = {"engine": engine, "scale": args.scale}
    if not args.skip_load:
        Path(ROOT / "var").mkdir(exist_ok=True)
        fresh_database(args.database_url)
        run([*FUPIN, "migrate", "-v0"], env)
        results["demo_load_s"] = round(run([*FUPIN, "demo", "--scale", str(args.scale), "--seed", str(args.seed)],
                                           env), 1)
        if engine == "PostgreSQL":
            run([*FUPIN, "dbshell", "--", "-c", "VACUUM ANALYZE"], env)

    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from fupin.accounts.models import User
    from fupin.areas.models import Area, Level
    from fupin.registry.models import Household

    setup_test_environment()
    client = Client()
    user = User.objects.get(username="county")
    client.force_login(user)
    rng = random.Random(args.seed)

    results["households"] = Household.objects.count()
    townships = list(Area.objects.filter(level=Level.TOWNSHIP, path__startswith=user.area.path).order_by("code"))
    causes = ["illness", "disability", "skills", "funds", "labour"]
    list_urls = [f"/households/?township={rng.choice(townships).code}&cause={rng.choice(causes)}"
                 f"&page={rng.randint(1, 3)}" for _ in range(args.requests)]
    results["list_filtered"] = measure(client, list_urls)
    results["list_unfiltered"] = measure(client, ["/households/"] * (args.requests // 2))
    ids = list(Household.objects.filter(area_path__startswith=user.area.path).values_list("pk", flat=True)[:5000])
    detail_urls = [f"/households/{rng.choice(ids)}/" for _ in range(args.requests)]
    results["household_page"] = measure(client, detail_urls)
    results["overview"] = measure(client, ["/overview/"] * 10)

    # The same list as a province-wide administrator: the scope no longer narrows the table first.
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    results["admin_list_filtered"] = measure(admin, list_urls)
    results["admin_list_unfiltered"] = measure(admin, ["/households/"] * (args.requests // 2))

    print(f"\nFupin registry benchmark — {engine}, scale {args.scale}, {results['households']:,} households")
    if "demo_load_s" in results:
        print(f"  demo load                        {results['demo_load_s']:>8.1f} s")
    for key, label in [("list_filtered", "list (township + cause filter)"), ("list_unfiltered", "list (county, no filter)"),
                       ("household_page", "household page"), ("overview", "county overview"),
                       ("admin_list_filtered", "admin: list (township + cause)"),
                       ("admin_list_unfiltered", "admin: list (whole province)")]:
        r = results[key]
        print(f"  {label:<32} median {r['median_ms']:>7.1f} ms   p95 {r['p95_ms']:>7.1f} ms   "
              f"{r['queries']} queries")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    name = f"registry-{engine.lower()}-scale{args.scale}.json"
    (out / name).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"  (saved to benchmarks/results/{name})")


if __name__ == "__main__":
    main()
