"""The first view of a day of the 帮扶缺口 report (day15): the stored counts are yesterday's.

The clock is moved one day forward (time-machine, in this process only), so the counts stored by the last
`fupin gaps refresh` are "yesterday's" without changing them; the page of the top area (the province) is
then timed: it must serve the stored counts labelled with their date and start one background refresh
(not run here: ``runner.submit`` is replaced by a no-op), instead of computing ~100 counties inline. Then
the same with nothing stored for the province and its cities (deleted inside the transaction): the
progress page. Then a county's first view of the day (computed inline, as before). Everything runs in
one transaction that is rolled back: the database is left as it was.

    .venv/bin/python benchmarks/gaps_first_view.py --database-url postgres://postgres@127.0.0.1:5432/gaps_s100 \
        [--user admin] [--county 530324000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime
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


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--county", default="", help="also time this county's first view of the day (inline)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup(args.database_url)

    import time_machine
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.assistance import gaps
    from fupin.assistance.models import GapRollup
    from fupin.jobs import runner
    from fupin.jobs.models import Job

    setup_test_environment()  # the responses carry their template context
    settings.ALLOWED_HOSTS = ["*"]
    runner.submit = lambda job: None  # the job is created (and rolled back), not run
    user = User.objects.get(username=args.user)
    top = Area.objects.filter(parent__isnull=True).order_by("path").first()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"database: {connection.settings_dict['NAME']}; top area: {top.name}; load: {load}")
    print(f"now: stale counties for {top.name}: {len(gaps.freshness(user=user, area=top).stale)}; "
          f"rollups stored: {GapRollup.objects.count():,}")

    def timed(client: Client, area: Area) -> tuple[float, int, object]:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/assistance/gaps/", {"area": area.code})
            seconds = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return seconds, len(queries), response

    try:
        with transaction.atomic():
            today = Client()
            today.force_login(user)
            today.get("/assistance/gaps/", {"area": top.code})  # warm-up
            times = [timed(today, top)[:2] for _ in range(args.runs)]
            print(f"today, the counts current: {top.name} cold (Django cache emptied) "
                  f"{' / '.join(f'{s:.3f}' for s, _n in times)} s, {times[0][1]} queries (the check included)")
            tomorrow = timezone.now() + datetime.timedelta(days=1)
            with time_machine.travel(tomorrow, tick=True):
                client = Client()
                client.force_login(user)  # signed in "tomorrow" (a session idle for a day has expired)
                village = Area.objects.filter(path__startswith=top.path, level="village").order_by("path").first()
                client.get("/assistance/gaps/", {"area": village.code})  # warm-up: imports, templates (inline)
                started = time.perf_counter()
                stale = gaps.freshness(user=user, area=top).stale
                print(f"tomorrow ({timezone.localdate()}): the check alone {time.perf_counter() - started:.3f} s, "
                      f"{len(stale)} counties not current")
                times = []
                for i in range(args.runs):
                    seconds, n, response = timed(client, top)
                    times.append(seconds)
                    ctx = response.context
                    print(f"  {top.name} first view of the day, run {i + 1}: {seconds:.3f} s, {n} queries; labelled "
                          f"{ctx.get('stale')} 截至 {timezone.localtime(ctx['stored_at']):%m-%d %H:%M}; "
                          f"jobs {Job.objects.filter(kind=gaps.JOB_KIND).count()}")
                print(f"  median {statistics.median(times):.3f} s")
                GapRollup.objects.filter(area_path__in=list(Area.objects.filter(path__startswith=top.path, level__in=(
                    "province", "city")).values_list("path", flat=True))).delete()
                times = []
                for i in range(args.runs):
                    seconds, n, response = timed(client, top)
                    times.append(seconds)
                    print(f"  nothing stored for {top.name} and its cities, run {i + 1}: {seconds:.3f} s, {n} queries; "
                          f"progress page {response.context['stored_at'] is None and not response.context['totals']}")
                print(f"  median {statistics.median(times):.3f} s")
                if args.county:
                    county = Area.objects.get(code=args.county)
                    seconds, n, response = timed(client, county)
                    print(f"  {county.name} first view of the day (inline, {len(stale and [county.path])} county): "
                          f"{seconds:.3f} s, {n} queries; labelled {bool(response.context.get('stale'))}")
            raise Rollback
    except Rollback:
        pass
    print(f"rolled back; load: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
