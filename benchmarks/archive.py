#!/usr/bin/env python
"""Year-end archive benchmark (issue 14 item 5: the demo county's archive ≤ 60 s).

    FUPIN_DATA_DIR=/tmp/bench-var .venv/bin/fupin demo --if-empty        # once: the demo county
    FUPIN_DATA_DIR=/tmp/bench-var .venv/bin/python benchmarks/archive.py [--year 2026] [--user county] [--area CODE]
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/archive.py …    # the same on PostgreSQL

Builds the archive of the user's area (the demo county officer's county by default) exactly as the job
does (``fupin.monitoring.archive.build``) and prints the seconds of each part — tables, list, decisions,
notices, zip — and the total, with the ZIP's size and counts. Then, in the same run, the naive baselines:

* **list, per-row ORM**: the same households through the ORM one by one (the household, its area, its
  members, its yearly record: queries per household) written cell by cell — what the sheets exporter's
  chunked reads and row-at-once XML avoid;
* **notices, one document per entry**: each notice entry printed as its own PDF — what printing each
  notice as one document avoids.

Everything it writes to the database (the archive row, the audit rows) is rolled back, and the ZIP is
deleted. The machine is shared (2 cores): figures vary by ±30 % between runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def naive_list(user, area, year: int, path: Path) -> tuple[float, int]:
    """The household list the slow way: per-household queries, cell-by-cell writes."""
    import xlsxwriter

    from fupin.monitoring.archive import household_queryset
    from fupin.sheets.columns import AREA, COLUMNS, HOUSEHOLD, MEMBER, YEARLY

    started = time.perf_counter()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    for col, c in enumerate(COLUMNS):
        sheet.write_string(0, col, c.header)
    row = 0
    for household in household_queryset(user, area).select_related(None).order_by("number", "id"):
        village = household.area  # a query per household (no select_related)
        record = household.yearly_records.filter(year=year).first()
        for member in household.members.filter(active=True).order_by("id"):
            row += 1
            for col, c in enumerate(COLUMNS):
                source = {HOUSEHOLD: household, MEMBER: member, YEARLY: record, AREA: village}.get(c.target)
                value = getattr(source, c.field, None) if source is not None and c.field else None
                if value not in (None, ""):
                    sheet.write(row, col, str(value))
    book.close()
    return time.perf_counter() - started, row


def naive_notices(user, area, year: int) -> tuple[float, int]:
    """Every entry of every notice of the year printed as a document of its own."""
    from fupin.identification.models import NoticeEntry
    from fupin.identification.views_notices import notice_document
    from fupin.monitoring.archive import _notices

    started = time.perf_counter()
    documents = 0
    for notice in _notices(user, area, year):
        if notice.withdrawn:
            continue
        for entry in NoticeEntry.objects.filter(notice=notice, struck=False).order_by("position"):
            notice_document(notice, [entry])
            documents += 1
    return time.perf_counter() - started, documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", type=int, default=None, help="the archive's year (default: this year)")
    parser.add_argument("--user", default="county", help="whose scope and masking (default: county)")
    parser.add_argument("--area", default="", help="area code (default: the user's area)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baselines")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from fupin.accounts.models import User
    from fupin.areas.selectors import area_get
    from fupin.monitoring import archive as archives

    user = User.objects.select_related("area").get(username=args.user)
    area = area_get(user=user, code=args.area) if args.area else user.area
    year = args.year or timezone.localdate().year
    print(f"year-end archive of {area.name} ({area.code}) for {year}, as {user.username}, on {connection.vendor}")
    timings: dict[str, float] = {}
    with transaction.atomic():
        archive = archives.archive_start(actor=user, area=area, year=year, background=False)
        manifest = archives.build(archive, user=user, timings=timings)
        archive.refresh_from_db()
        size, path = archive.size, archive.path
        transaction.set_rollback(True)
    Path(path).unlink(missing_ok=True)
    for key in ("tables", "households", "decisions", "notices", "zip"):
        print(f"  {key:<11} {timings[key]:7.2f} s")
    print(f"  {'total':<11} {timings['total']:7.2f} s   (limit 60 s)   ZIP {size / 1e6:.1f} MB, "
          f"{len(manifest['files'])} files")
    print("  counts: " + ", ".join(f"{k} {v:,}" for k, v in manifest["counts"].items()))
    if args.no_baseline:
        return
    print("naive baselines (same data, same run):")
    with tempfile.TemporaryDirectory() as tmp:
        seconds, rows = naive_list(user, area, year, Path(tmp) / "naive.xlsx")
    print(f"  list, per-row ORM + cell-by-cell      {seconds:7.2f} s  ({rows:,} rows; archive's list: "
          f"{timings['households']:.2f} s, ×{seconds / max(timings['households'], 1e-9):.1f})")
    seconds, documents = naive_notices(user, area, year)
    print(f"  notices, one document per entry       {seconds:7.2f} s  ({documents} PDFs; archive's notices: "
          f"{timings['notices']:.2f} s, ×{seconds / max(timings['notices'], 1e-9):.1f})")


if __name__ == "__main__":
    main()
