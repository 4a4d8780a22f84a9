#!/usr/bin/env python
"""Assistance gaps benchmark (issue 15 item 4: the gap report for the county and at ``--scale 100`` ≤ 2 s each
on PostgreSQL), on a database that already holds the demo.

    .venv/bin/python benchmarks/assistance_gaps.py --database-url postgres://postgres@127.0.0.1:5432/gaps_s100 --prepare
    .venv/bin/python benchmarks/assistance_gaps.py --database-url postgres://postgres@127.0.0.1:5432/gaps_s100

``--prepare`` (PostgreSQL) generates the assistance records a real province would have, set-based in SQL
(INSERT … SELECT, deterministic hashes of the ids), for every household that must have a cadre
(fupin.assistance.gaps.NEEDS_CADRE) and has none yet: one cadre per 8 households of a village (12 in one
village of 20: overloaded), 95 % paired; 1–2 visits in the last 200 days for 92 %; a work team per village
with two full-time members and last month's days (some below 20); this year's plan with a measure for the
main cause (6 % left out) and for the first other cause, 45 % done, 10 % overdue, 4 % stray. Rows are marked
``gapbench`` and the step is skipped when they exist. Never run it on a database you care about.

Then:

* **refresh**: ``fupin gaps refresh`` (fupin.assistance.gaps.refresh) from no stored counts at all: every
  county computed from the tables in one pass by village (its townships' and villages' counts stored), the
  cities and the province summed — the nightly job, and what the first view of a day costs without it;

and for the county (``--county CODE``, default the first) and the whole tree (the province: every county),
median of ``--runs``, ``GET /assistance/gaps/?area=…`` through the whole stack (test client, session,
template), as ``--user`` (a system administrator by default), with the overloaded cadres and the teams listed:

* **cold**: the Django cache emptied first, the counts served from the stored rollups (current: no write
  concerning the area since they were computed, computed today);
* **after a write**: a visit recorded through the service (fupin.assistance.services_visits.visit_create,
  audited) for a household of the county, then the page: the village written is recomputed from the tables,
  the township, county, city and province summed again from their children's rollups (the write and what
  was stored meanwhile rolled back after each run);
* **warm**: the same page again, the report from the Django cache (no write since);
* **live county**: the county's page with no stored counts for it (its rollups deleted): computed from the
  tables;
* **naive baseline**: the county's gaps worked out one household at a time in Python (its pairings, visits,
  plan measures, village team read per household), timed on ``--naive-sample`` households and scaled.

Prints a table and writes benchmarks/results/assistance_gaps-<database>.json.
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
MARK = "gapbench"


def setup(url: str | None) -> None:
    if url:
        os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()


def _h(expr: str, salt: str) -> str:
    """A deterministic 0–99 from an id (PostgreSQL's hashtext)."""
    return f"(abs(hashtext({expr}::text || '{salt}')) % 100)"


ST = "(m.hid || '-' || m.i)"
PREPARE = [
    # The households that must have a cadre and have none, numbered within their village.
    """CREATE TEMP TABLE gb_hh AS
       SELECT h.id, h.main_cause, h.other_causes, substr(h.area_path, 1, 12) AS v,
              row_number() OVER (PARTITION BY substr(h.area_path, 1, 12) ORDER BY h.id) - 1 AS rn
       FROM registry_household h
       WHERE h.status IN ('poor', 'returned', 'exited', 'monitor_risk')
         AND NOT EXISTS (SELECT 1 FROM assistance_pairing p WHERE p.household_id = h.id AND p."end" IS NULL)""",
    f"""ALTER TABLE gb_hh ADD COLUMN chunk int; UPDATE gb_hh SET chunk = rn / (CASE WHEN {_h('v', 'load')} < 5 THEN 12 ELSE 8 END)""",
    # Cadres: one per chunk, managed by the county.
    f"""INSERT INTO assistance_cadre (name, post, rank, phone, area_id, created_at)
       SELECT DISTINCT '{MARK}:' || g.v || ':' || g.chunk, '', 'staff', '', c.id, now()
       FROM gb_hh g JOIN areas_area c ON c.path = substr(g.v, 1, 6)""",
    f"""INSERT INTO assistance_pairing (cadre_id, household_id, start, "end", note, created_at)
       SELECT c.id, g.id, DATE '2016-01-01', NULL, '{MARK}', now()
       FROM gb_hh g JOIN assistance_cadre c ON c.name = '{MARK}:' || g.v || ':' || g.chunk
       WHERE {_h('g.id', 'pair')} >= 5""",
    f"""INSERT INTO assistance_visit (household_id, cadre_id, "on", purpose, findings, help_given, follow_up, created_at)
       SELECT p.household_id, p.cadre_id, current_date - {_h('p.household_id', 'day')} * 2, '{MARK}', '', '', '', now()
       FROM assistance_pairing p WHERE p.note = '{MARK}' AND {_h('p.household_id', 'visit')} >= 8
       UNION ALL
       SELECT p.household_id, p.cadre_id, current_date - 150 - {_h('p.household_id', 'day2')}, '{MARK}', '', '', '', now()
       FROM assistance_pairing p WHERE p.note = '{MARK}' AND {_h('p.household_id', 'visit2')} < 50""",
    # A work team per village that has such households, with two full-time members (cadres of their own).
    f"""INSERT INTO assistance_workteam (village_id, start, "end", note)
       SELECT a.id, DATE '2016-03-01', NULL, '{MARK}' FROM (SELECT DISTINCT v FROM gb_hh) g
       JOIN areas_area a ON a.path = g.v
       WHERE NOT EXISTS (SELECT 1 FROM assistance_workteam t WHERE t.village_id = a.id AND t."end" IS NULL)""",
    f"""INSERT INTO assistance_cadre (name, post, rank, phone, area_id, created_at)
       SELECT '{MARK}:team:' || t.id || ':' || r, '', 'staff', '', t.village_id, now()
       FROM assistance_workteam t CROSS JOIN (VALUES (1), (2)) AS roles(r) WHERE t.note = '{MARK}'""",
    f"""INSERT INTO assistance_teamposting (team_id, cadre_id, role, full_time, start, "end")
       SELECT t.id, c.id, CASE WHEN r = 1 THEN 'secretary' ELSE 'member' END, true, DATE '2016-03-01', NULL
       FROM assistance_workteam t CROSS JOIN (VALUES (1), (2)) AS roles(r)
       JOIN assistance_cadre c ON c.name = '{MARK}:team:' || t.id || ':' || r
       WHERE t.note = '{MARK}'""",
    f"""INSERT INTO assistance_presencemonth (posting_id, month, days)
       SELECT p.id, date_trunc('month', current_date - interval '1 month')::date, 16 + {_h('p.id', 'days')} % 10
       FROM assistance_teamposting p JOIN assistance_workteam t ON t.id = p.team_id WHERE t.note = '{MARK}'""",
    # This year's plan for the paired households, a measure for the main cause and the first other one.
    f"""INSERT INTO assistance_plan (household_id, year, note, version, created_at, updated_at)
       SELECT p.household_id, extract(year FROM current_date)::int, '{MARK}', 1, now(), now()
       FROM assistance_pairing p WHERE p.note = '{MARK}'
       ON CONFLICT DO NOTHING""",
    f"""CREATE TEMP TABLE gb_m AS
       SELECT pl.id AS plan_id, p.cadre_id, g.id AS hid, g.main_cause AS cause, 0 AS i
       FROM gb_hh g JOIN assistance_pairing p ON p.household_id = g.id AND p.note = '{MARK}'
       JOIN assistance_plan pl ON pl.household_id = g.id AND pl.note = '{MARK}'
       WHERE {_h('g.id', 'skip')} >= 6
       UNION ALL
       SELECT pl.id, p.cadre_id, g.id, g.other_causes ->> 0, 1
       FROM gb_hh g JOIN assistance_pairing p ON p.household_id = g.id AND p.note = '{MARK}'
       JOIN assistance_plan pl ON pl.household_id = g.id AND pl.note = '{MARK}'
       WHERE jsonb_array_length(g.other_causes) > 0
       UNION ALL
       SELECT pl.id, p.cadre_id, g.id, '', 2
       FROM gb_hh g JOIN assistance_pairing p ON p.household_id = g.id AND p.note = '{MARK}'
       JOIN assistance_plan pl ON pl.household_id = g.id AND pl.note = '{MARK}'
       WHERE {_h('g.id', 'stray')} < 4""",
    f"""INSERT INTO assistance_planmeasure (plan_id, cadre_id, category, name, cause, planned_on, funds, status, done_on, result)
       SELECT m.plan_id, m.cadre_id,
              CASE m.cause WHEN 'illness' THEN 'health' WHEN 'disability' THEN 'health' WHEN 'schooling' THEN 'education'
                   WHEN 'skills' THEN 'employment' WHEN 'labour' THEN 'employment' WHEN 'funds' THEN 'finance'
                   WHEN 'disaster' THEN 'relief' WHEN 'water' THEN 'infrastructure' WHEN 'transport' THEN 'infrastructure'
                   WHEN 'land' THEN 'ecology' ELSE 'other' END,
              '{MARK}', m.cause,
              CASE WHEN {_h(ST, 'st')} BETWEEN 60 AND 69 THEN current_date - 1 - {_h('m.hid', 'late')} % 60
                   ELSE make_date(extract(year FROM current_date)::int, 12, 31) END,
              1500.00,
              CASE WHEN {_h(ST, 'st')} < 45 THEN 'done' WHEN {_h(ST, 'st')} < 60 THEN 'ongoing'
                   ELSE 'planned' END,
              CASE WHEN {_h(ST, 'st')} < 45 THEN current_date - 10 ELSE NULL END, ''
       FROM gb_m m WHERE m.cause IS NOT NULL""",
]


def prepare() -> None:
    from django.db import connection, transaction

    from fupin.assistance.models import Cadre

    if connection.vendor != "postgresql":
        raise SystemExit("--prepare is for PostgreSQL")
    if Cadre.objects.filter(name__startswith=f"{MARK}:").exists():
        print("prepare: already done (gapbench rows found), skipped")
        return
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for sql in PREPARE:
            t = time.perf_counter()
            cursor.execute(sql)
            print(f"  {time.perf_counter() - t:6.1f} s  {cursor.rowcount:>9,} rows  {' '.join(sql.split())[:70]}")
    with connection.cursor() as cursor:
        for table in ("assistance_cadre", "assistance_pairing", "assistance_visit", "assistance_workteam",
                      "assistance_teamposting", "assistance_presencemonth", "assistance_plan", "assistance_planmeasure"):
            cursor.execute(f"ANALYZE {table}")
    print(f"prepare: {time.perf_counter() - started:.1f} s")


def naive(county_path: str, sample: int) -> tuple[float, dict[str, int], int]:
    """Each gap of the county's households worked out one household at a time (a loop a first version
    would write): seconds per household, the gaps of the sample, the sample size."""
    from django.db.models import Q
    from django.utils import timezone

    from fupin.assistance import gaps
    from fupin.assistance.models import PlanMeasure, PresenceMonth, TeamPosting, Visit, WorkTeam
    from fupin.assistance.rules import threshold
    from fupin.registry.models import Household

    today = timezone.localdate()
    first, last = gaps.last_month(today)
    households = list(Household.objects.filter(area_path__startswith=county_path, status__in=gaps.NEEDS_CADRE)
                      .select_related("area").order_by("id")[:sample])
    found: dict[str, int] = {}
    started = time.perf_counter()
    for h in households:
        pairings = list(h.pairings.filter(Q(end__isnull=True) | Q(end__gt=today), start__lte=today).select_related("cadre__area"))
        flags = {"no_cadre": not pairings}
        flags["overload"] = any(p.cadre.pairings.filter(end__isnull=True).count()
                                > threshold("cadre_max_households", p.cadre.area) for p in pairings)
        days = threshold("visit_interval_days", h.area)
        flags["not_visited"] = not Visit.objects.filter(household=h, on__gt=today - datetime.timedelta(days=days)).exists()
        measures = list(PlanMeasure.objects.filter(plan__household=h, plan__year=today.year).exclude(status="cancelled"))
        causes = {h.main_cause, *(h.other_causes or [])}
        flags["cause_unanswered"] = bool(causes - {m.cause for m in measures})
        flags["measure_no_cause"] = any(m.cause not in causes for m in measures)
        flags["overdue"] = PlanMeasure.objects.filter(plan__household=h, status__in=gaps.OPEN_MEASURE,
                                                      planned_on__lt=today).exists()
        village = h.area if h.area.level == "village" else h.area.parent
        below = False
        for team in WorkTeam.objects.filter(village=village, end__isnull=True):
            limit = threshold("team_min_days", village)
            for posting in TeamPosting.objects.filter(team=team, full_time=True, end__isnull=True):
                m = PresenceMonth.objects.filter(posting=posting, month=first).first()
                below = below or (m.days if m else 0) < limit
        flags["team_presence"] = below
        for key, on in flags.items():
            found[key] = found.get(key, 0) + int(on)
    return (time.perf_counter() - started) / max(1, len(households)), found, len(households)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--prepare", action="store_true", help="generate the assistance records first (PostgreSQL)")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--county", default="", help="县级区划代码（默认第一个有农户的县）")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--skip-refresh", action="store_true",
                        help="keep the stored counts (a run after one that refreshed them), time no refresh")
    args = parser.parse_args()
    setup(args.database_url)

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.assistance import gaps
    from fupin.assistance.models import GapRollup, Pairing
    from fupin.assistance.services_visits import visit_create
    from fupin.monitoring import rollups
    from fupin.registry.models import Household

    if args.prepare:
        prepare()
    settings.ALLOWED_HOSTS = ["*"]
    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    if args.county:
        county = Area.objects.get(code=args.county)
    else:
        first = Household.objects.order_by("area_path").values_list("area_path", flat=True).first()
        county = Area.objects.get(path=first[:6])
    top = Area.objects.filter(path=county.path[:2]).first() or county
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor}); households: "
          f"{Household.objects.count():,}; load: {load}")
    client.get("/assistance/gaps/", {"area": county.code})  # warm-up: imports, templates

    # The nightly refresh, from nothing stored.
    refresher = User(username="gaps-refresh", is_superuser=True)
    areas = list(Area.objects.filter(level__in=["province", "city", "county"]).order_by("path"))
    refresh_s = None
    if args.skip_refresh:
        print(f"refresh   skipped: {GapRollup.objects.count():,} rollups stored, "
              f"{rollups.stale_count(gaps.KIND):,} not current")
    else:
        GapRollup.objects.all().delete()
        cache.clear()
        t = time.perf_counter()
        gaps.refresh(user=refresher, areas=areas)
        refresh_s = time.perf_counter() - t
        print(f"refresh   {len(areas)} areas (counties live, the levels above summed): {refresh_s:.1f} s, "
              f"{GapRollup.objects.count():,} rollups stored; load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    paired = (Pairing.objects.ongoing().filter(household__area_path__startswith=county.path)
              .select_related("household", "cadre").order_by("id").first())

    def page(area: Area) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            response = client.get("/assistance/gaps/", {"area": area.code})
            seconds = time.perf_counter() - t
        assert response.status_code == 200, response.status_code
        return seconds, len(q.captured_queries)

    rows = []
    for area in ([county, top] if top != county else [county]):
        n = Household.objects.filter(area_path__startswith=area.path).count()
        cold_s, write_s, warm_s, queries, write_queries = [], [], [], 0, 0
        for _ in range(args.runs):
            cache.clear()
            seconds, queries = page(area)
            cold_s.append(seconds)
            warm_s.append(page(area)[0])  # warm: the report from the cache (no write since)
            if paired is not None:
                with transaction.atomic():
                    visit_create(actor=None, household=paired.household, cadre=paired.cadre, client_id=None,
                                 on=timezone.localdate(), purpose=MARK)
                    seconds, write_queries = page(area)
                    write_s.append(seconds)
                    transaction.set_rollback(True)
        totals = {r.gap.key: r.total for r in gaps.report(user=user, area=area)}
        row = {"area": area.name, "level": area.level, "households": n,
               "page_cold_s": round(statistics.median(cold_s), 3), "cold_runs": [round(x, 3) for x in cold_s],
               "page_after_write_s": round(statistics.median(write_s), 3) if write_s else None,
               "after_write_runs": [round(x, 3) for x in write_s],
               "page_warm_s": round(statistics.median(warm_s), 3), "queries": queries,
               "queries_after_write": write_queries, "gaps": totals, "load": os.getloadavg()}
        rows.append(row)
        print(f"{area.level:9} {area.name:8} {n:>10,}户  page cold {row['page_cold_s']:6.3f} s ({queries} queries; "
              f"runs {row['cold_runs']}), after a write {row['page_after_write_s']} s ({write_queries} queries; "
              f"runs {row['after_write_runs']}), warm {row['page_warm_s']:6.3f} s  {totals}; "
              f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    # The county with nothing stored for it (a new day before the refresh): computed from the tables.
    live_s = []
    for _ in range(args.runs):
        cache.clear()
        GapRollup.objects.filter(area_path__in=[county.path[:i] for i in range(len(county.path) + 1)]).delete()
        GapRollup.objects.filter(area_path__startswith=county.path).delete()
        live_s.append(page(county)[0])
    # Stored again for the next run: the county (and below) by its page above, its city and the province summed.
    gaps.refresh(user=refresher, areas=[a for a in areas if county.path.startswith(a.path) and a != county])
    print(f"live county (nothing stored): page {statistics.median(live_s):.3f} s (runs {[round(x, 3) for x in live_s]})")
    per, found, sampled = naive(county.path, args.naive_sample)
    county_n = rows[0]["households"]
    print(f"naive baseline: {per * 1000:.1f} ms a household ({sampled} sampled: {found}); the county "
          f"({county_n:,}) ≈ {per * county_n:.1f} s, the whole tree ≈ {per * rows[-1]['households'] / 60:.0f} min")
    out = ROOT / "benchmarks" / "results" / f"assistance_gaps-{connection.settings_dict['NAME']}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "refresh_s": round(refresh_s, 1) if refresh_s else None,
                               "live_county_s": round(statistics.median(live_s), 3), "naive_ms_per_household": round(per * 1000, 2), "naive_sample": sampled,
                               "load": os.getloadavg(), "at": timezone.now().isoformat()}, ensure_ascii=False, indent=1))
    print(f"saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
