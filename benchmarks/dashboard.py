#!/usr/bin/env python
"""Dashboard benchmark (issue 14 item 4: any area dashboard at ``--scale 100`` on PostgreSQL ≤ 300 ms
server time, as-of included), on a database that already holds the demo.

    .venv/bin/python benchmarks/dashboard.py --database-url postgres://postgres@127.0.0.1:5432/dash_s100

For one area per level (the province or the user's root, its first county, that county's first township
and village; ``--county CODE`` picks another county) and for each date (today, last year's end,
2019-12-31), the server time of ``GET /dashboard/?area=…&on=…`` and ``GET /api/stats/?area=…&date=…``
through the whole Django stack (test client, session, middleware, template), as a system administrator
(``--user``), median of ``--runs``:

* **cold**: the rollups of the area and of every area below it deleted first, so the figures are computed
  live from the registry (a county in one pass broken down by village, which stores every rollup below it;
  a province summed from its counties, each computed so);
* **warm**: served from the area's rollup (fupin.monitoring.rollups: current while no write concerns it);
* **after a write** (``--after-write``, default county and province): a household of the county's first
  village changed through the registry service (its main cause, so the figures do change), then the first
  view of the county or province: the village is computed live and the rollups on its way up re-summed,
  the rest served as stored. Its **naive baseline** is what the first view after a write cost before
  per-area rollups, the area computed live in one pass (``figures.compute_raw``, not stored; the page
  adds its rendering), timed in the same run for the county; for the province only with ``--province-baseline``
  (minutes per date);
* **naive household loop** (as-of only): the same county's households rebuilt one by one in Python (its
  status history and members read per household, the status and people as of the date worked out in a
  loop), timed on ``--naive-sample`` households and scaled to the county.

Also times ``fupin dashboard refresh`` of the county (in-process). Prints a table and writes
benchmarks/results/dashboard-<database>.json. It writes to the database (the after-write case): run it on
a copy (``createdb -T``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(url: str | None) -> None:
    if url:
        os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--county", default="", help="县级区划代码（默认第一个有农户的县）")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-sample", type=int, default=300)
    parser.add_argument("--levels", default="county,township,village",
                        help="levels to time (add province,city for the whole tree: its cold figures take long)")
    parser.add_argument("--after-write", default="county,province",
                        help="levels whose first view after a write in one village is timed ('' for none)")
    parser.add_argument("--province-baseline", action="store_true",
                        help="also time the province computed live in one pass (the naive baseline; minutes)")
    args = parser.parse_args()
    setup(args.database_url)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from fupin.accounts.models import User
    from fupin.areas.models import Area, Level
    from fupin.monitoring import rollups
    from fupin.monitoring.models import FigureRollup
    from fupin.registry.models import Household, Member, StatusChange

    settings.ALLOWED_HOSTS = ["*"]
    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    if args.county:
        county = Area.objects.get(code=args.county)
    else:
        first = Household.objects.order_by("area_path").values_list("area_path", flat=True).first()
        county = Area.objects.get(path=first[:6])
    township = Area.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code").first()
    village = Area.objects.filter(parent=township, level=Level.VILLAGE).order_by("code").first()
    top = Area.objects.filter(path__in=[county.path[:2], county.path[:4]]).order_by("path")
    levels = set(args.levels.split(","))
    areas = [a for a in [*top, county, township, village] if a.level in levels]
    today = timezone.localdate()
    dates = [None, datetime.date(today.year - 1, 12, 31), datetime.date(2019, 12, 31)]
    counts = {a.code: Household.objects.filter(area_path__startswith=a.path).count() for a in [*areas, county]}
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor}); households: {Household.objects.count():,}")

    def timed(url: str, params: dict) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as q:
            started = time.perf_counter()
            response = client.get(url, params)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, params, response.status_code)
        return elapsed * 1000, len(q.captured_queries)

    rows = []
    client.get("/dashboard/")  # warm-up: imports, templates
    for area in areas:
        for on in dates:
            for page, url, key in (("dashboard", "/dashboard/", "on"), ("api", "/api/stats/", "date")):
                params = {"area": area.code}
                if on:
                    params[key] = on.isoformat()
                day = on.isoformat() if on else "today"
                cold = []
                for _ in range(max(1, args.runs // 2)):
                    FigureRollup.objects.filter(area_path__startswith=area.path, day=day).delete()
                    cold.append(timed(url, params)[0])
                warm, queries = [], 0
                for _ in range(args.runs):
                    ms, queries = timed(url, params)
                    warm.append(ms)
                row = {"level": area.level, "area": area.name, "households": counts[area.code], "page": page,
                       "date": day, "cold_ms": round(statistics.median(cold)), "warm_ms": round(statistics.median(warm)),
                       "queries": queries}
                rows.append(row)
                print(f"{row['level']:9} {row['area']:8} {row['households']:>9,}户 {page:9} {day:10} "
                      f"cold {row['cold_ms']:>6} ms  warm {row['warm_ms']:>4} ms  ({queries} queries)")

    # Naive baseline: each household of the county rebuilt in Python as of last year's end.
    on = dates[1]
    ids = list(Household.objects.filter(area_path__startswith=county.path).order_by("id")
               .values_list("id", flat=True)[:args.naive_sample])
    started = time.perf_counter()
    naive: dict[str, list[int]] = {}
    for pk in ids:
        changes = list(StatusChange.objects.filter(household_id=pk, date__lte=on).order_by("date", "id")
                       .values_list("to_status", flat=True))
        if not changes:
            continue
        people = sum(1 for m in Member.objects.filter(household_id=pk).only("active", "removed_on")
                     if m.active or (m.removed_on and m.removed_on > on))
        h, p = naive.setdefault(changes[-1], [0, 0])
        naive[changes[-1]] = [h + 1, p + people]
    per = (time.perf_counter() - started) / max(1, len(ids))
    naive_ms = round(per * counts[county.code] * 1000)
    print(f"naive baseline ({len(ids)} households sampled, scaled to {counts[county.code]:,}): "
          f"county as of {on}: {naive_ms:,} ms (statuses only, before any other figure)")

    started = time.perf_counter()
    rollups.refresh(user=user, areas=[county], dates=dates)
    refresh_s = round(time.perf_counter() - started, 1)
    print(f"fupin dashboard refresh of the county (live, every rollup below it) × {len(dates)} dates: {refresh_s} s")

    after = after_write(args, client, timed, user, county, dates)

    out = ROOT / "benchmarks" / "results" / f"dashboard-{connection.settings_dict['NAME']}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "naive_ms": naive_ms, "naive_sample": len(ids), "refresh_s": refresh_s,
                               "after_write": after, "load": os.getloadavg(), "at": timezone.now().isoformat()},
                              ensure_ascii=False, indent=1))
    print(f"saved {out.relative_to(ROOT)}")


def after_write(args: argparse.Namespace, client: object, timed: object, user: object, county: object,
                dates: list) -> list[dict]:
    """The first view of the county and the province after a write in one village (and the second), with
    the naive baseline: the area computed live in one pass."""
    from fupin.areas.models import Area, Level
    from fupin.monitoring import figures, rollups
    from fupin.registry import services
    from fupin.registry.choices import Cause
    from fupin.registry.models import Household
    from fupin.registry.selectors import browse_area_children

    levels = [lv for lv in args.after_write.split(",") if lv]
    targets = [a for a in [Area.objects.get(path=county.path[:2]), county] if a.level in levels]
    household = Household.objects.filter(area_path__startswith=county.path).order_by("area_path", "id").first()
    causes = [c for c in Cause.values if c != household.main_cause][:1] + [household.main_cause]
    out = []
    for area in targets:
        for on in dates:
            params = {"area": area.code, **({"on": on.isoformat()} if on else {})}
            day = on.isoformat() if on else "today"
            if area.level == Level.PROVINCE:
                started = time.perf_counter()
                rollups.refresh(user=user, areas=[area], dates=[on])  # the counties live, the province summed
                print(f"  (province {day}: rollups of every county computed and summed in "
                      f"{time.perf_counter() - started:.0f} s)")
            timed("/dashboard/", params)  # current again before the first write
            first, second, queries = [], [], 0
            for i in range(args.runs):
                household = Household.objects.get(pk=household.pk)
                services.household_update(actor=user, household=household, data={"main_cause": causes[i % 2]})
                ms, queries = timed("/dashboard/", params)
                first.append(ms)
                second.append(timed("/dashboard/", params)[0])
            baseline = None
            if area.level != Level.PROVINCE or args.province_baseline:
                children = list(browse_area_children(user=user, area=area))
                length = len(children[0].path) if children else None
                started = time.perf_counter()
                figures.compute_raw(user=user, area=area, on=on, child_length=length)
                baseline = round((time.perf_counter() - started) * 1000)
            row = {"level": area.level, "area": area.name, "date": day, "first_ms": round(statistics.median(first)),
                   "first_max_ms": round(max(first)), "second_ms": round(statistics.median(second)),
                   "queries": queries, "naive_live_ms": baseline}
            out.append(row)
            print(f"after a write in one village: {area.level:8} {area.name:8} {day:10} first view "
                  f"{row['first_ms']:>5} ms (max {row['first_max_ms']}, {queries} queries), next {row['second_ms']:>4} ms; "
                  f"naive live {baseline if baseline is not None else '—'} ms")
    return out


if __name__ == "__main__":
    main()
