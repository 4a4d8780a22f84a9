#!/usr/bin/env python
"""The rule preview of the 标准 editor (issue 13 item 2): how long the database takes to say how many
households an edited rule set would change, against a naive per-household Python evaluation in the
same run.

    .venv/bin/python benchmarks/rule_preview.py                      # the default SQLite database (var/)
    .venv/bin/python benchmarks/rule_preview.py --database-url postgres://postgres@127.0.0.1:5432/fupin_bench
    .venv/bin/python benchmarks/rule_preview.py --database-url postgres://… --load --scale 100

Expects a database with the demo loaded (`fupin demo`, any --scale), or --load: drop and create the
PostgreSQL database of --database-url and load `fupin demo --scale N` into it first (timed). For each
seeded national rule set of --year (退出标准, 七不进, 四看) it edits one condition and times
(median of --repeat runs): the preview over the demo county's households (罗平县; at --scale N every
county: the whole database), and the same through the page (POST /standards/preview/ as the demo
县级管理员, whose county it is). Then the baseline: every household read and judged one by one in Python
(engine.facts_for + engine.evaluate for the old and the new rules, as a loop over households would),
on at most --baseline-limit households (timed per household and extrapolated above that, said so),
and checks that its counts equal the preview's. Targets (issue 13): ≤ 0.5 s on the demo county,
≤ 5 s at --scale 100.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load(url: str, scale: int) -> float:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url}
    fupin = str(Path(sys.executable).with_name("fupin"))
    started = time.perf_counter()
    subprocess.run([fupin, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([fupin, "demo", "--scale", str(scale), "--no-progress"], env=env, check=True)
    return time.perf_counter() - started


def edited(kind: str, conditions: list[dict]) -> list[dict]:
    """One condition changed, as a county admin would: a threshold moved or a set widened."""
    out = [dict(c) for c in conditions]
    if kind == "exit_criteria":
        out[0] = {**out[0], "value": "4000"}  # 一超: above 4,000 rather than the line
    elif kind == "exclusion":
        out[2] = {**out[2], "value": "20000"}  # vehicles from 20,000 yuan
    else:
        out[5] = {**out[5], "points": 15}  # 耕地 2 亩: 10 → 15 points
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--load", action="store_true", help="drop, create and load the PostgreSQL database first")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-limit", type=int, default=2000)
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if args.load:
        if not args.database_url.startswith("postgres"):
            sys.exit("--load needs a PostgreSQL --database-url")
        print(f"load: fupin demo --scale {args.scale}: {load(args.database_url, args.scale):.0f} s")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from fupin.accounts.models import User
    from fupin.areas.models import Area, Level
    from fupin.registry.models import Household
    from fupin.registry.services import poverty_lines
    from fupin.standards import engine, scoring, services
    from fupin.standards.models import RuleKind, RuleSet

    settings.ALLOWED_HOSTS = ["*"]
    engine_name = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1]
    county = Area.objects.filter(level=Level.COUNTY).order_by("path").first()
    counties = Area.objects.filter(level=Level.COUNTY).count()
    households = Household.objects.all() if counties > 1 else Household.objects.filter(
        area_path__startswith=county.path)
    total = households.count()
    where = "every county" if counties > 1 else county.name
    print(f"{engine_name}, {counties} county(ies), {total:,} households ({where}); year {args.year}")
    officer = User.objects.filter(role="county", area=county).first()
    client = Client()
    if officer is not None:
        client.force_login(officer)

    rows = []
    for kind in (RuleKind.EXIT, RuleKind.EXCLUSION, RuleKind.SCORING):
        ruleset = RuleSet.objects.get(kind=kind, year=args.year, area=None, version=1)
        conditions = edited(kind, ruleset.conditions)
        times, page_times = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            lines = poverty_lines()
            if kind == RuleKind.SCORING:
                result = scoring.preview(ruleset, conditions, households, args.year, lines)
                counts = (result.total, result.changed)
            else:
                result = services.preview_revision(ruleset, conditions, households, args.year, lines=lines)
                counts = (result.total, result.gained + result.lost)
            times.append(time.perf_counter() - started)
        if officer is not None and counties == 1:
            data = {"ruleset": ruleset.pk, "match": ruleset.match}
            for i, c in enumerate(conditions):
                for key, value in c.items():
                    if key == "value" and value == "@poverty_line":
                        data[f"c-b{i}-line"] = "1"
                    elif key == "value" and isinstance(value, list):
                        data[f"c-b{i}-values"] = value
                    else:
                        data[f"c-b{i}-{key}"] = value
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.post(reverse("standards:preview"), data, HTTP_HOST="localhost")
                page_times.append(time.perf_counter() - started)
                assert response.status_code == 200 and b"errorlist" not in response.content, response.content[:500]

        # The baseline: one household at a time, read and judged in Python (old and new rules).
        sample = list(households.order_by("pk")[: args.baseline_limit])
        old = services.conditions_of(ruleset)
        new = engine.parse_conditions(conditions, scoring=kind == RuleKind.SCORING)
        lines = poverty_lines()
        started = time.perf_counter()
        changed = 0
        for h in sample:
            facts = engine.facts_for(h, args.year, lines)
            if kind == RuleKind.SCORING:
                before = sum(c.points for c in old if engine.evaluate_condition(c, facts).holds)
                after = sum(c.points for c in new if engine.evaluate_condition(c, facts).holds)
            else:
                before = engine.evaluate(old, ruleset.match, facts).holds
                after = engine.evaluate(new, ruleset.match, facts).holds
            changed += before != after
        naive = time.perf_counter() - started
        extrapolated = len(sample) < total
        naive_total = naive / len(sample) * total if sample else 0.0
        if not extrapolated:
            assert changed == counts[1], (kind, changed, counts)
        rows.append((kind.label, counts, statistics.median(times),
                     statistics.median(page_times) if page_times else None, naive_total, extrapolated, changed))

    print(f"{'rule set':34} {'households':>10} {'changed':>8} {'preview':>9} {'page':>9} {'naive Python':>14} {'×':>6}")
    for label, counts, preview, page, naive, extrapolated, _changed in rows:
        page_text = f"{page:8.3f}s" if page is not None else "       —"
        naive_text = f"{naive:12.1f}s{'*' if extrapolated else ' '}"
        print(f"{label:34} {counts[0]:>10,} {counts[1]:>8,} {preview:8.3f}s {page_text} {naive_text} "
              f"{naive / preview:6.0f}")
    if any(r[5] for r in rows):
        print(f"* extrapolated from the first {args.baseline_limit:,} households")
    print("target: preview ≤ 0.5 s on the demo county, ≤ 5 s at --scale 100; the naive loop's counts equal the "
          "preview's (checked when it ran over every household)")


if __name__ == "__main__":
    main()
