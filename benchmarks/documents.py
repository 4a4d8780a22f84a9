#!/usr/bin/env python
"""PDF documents benchmark (issue 12): how many 户档案 (household records) per second
fupin.documents renders, in one process, one after another.

    FUPIN_DATA_DIR=/tmp/bench-var .venv/bin/fupin demo --if-empty      # once: the demo county
    FUPIN_DATA_DIR=/tmp/bench-var .venv/bin/python benchmarks/documents.py [--count 300] [--user county]

For ``--count`` households of the user's scope (the first by number; the demo county officer by
default) it times, after one warm-up render:

* **whole**: what the download view does but the HTTP layer — the scoped read
  (``household_get``), the data for that user (masking through the policy), the character check and
  the Typst render;
* **render**: ``render_pdf`` alone on data built before (character check + Typst);
* **check**: ``check_printable`` alone.

It prints cards/s (1 card = one household's PDF), ms per card (median and p95), the PDF size and
page count, CPU seconds and cards per CPU-second (what one idle core would give: on a loaded machine
the wall-clock rate mostly measures the other work). Typst memoises: rendering the very same data
twice costs almost nothing, so every card here is a different household. Nothing is written to the database (the view's audit row is not).
The machine is shared (2 cores, other work running): figures vary by ±30 % between runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(label: str, items: list, fn) -> list:
    out, each = [], []
    cpu0, t0 = time.process_time(), time.perf_counter()
    for item in items:
        s = time.perf_counter()
        out.append(fn(item))
        each.append((time.perf_counter() - s) * 1000)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(f"{label:<8} {len(items) / wall:8.1f} cards/s   median {statistics.median(each):6.1f} ms   "
          f"p95 {pct(each, 0.95):6.1f} ms   wall {wall:6.2f} s   cpu {cpu:6.2f} s   "
          f"({len(items) / max(cpu, 1e-9):.0f} cards per CPU-second)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--user", default="county")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from fupin.accounts.models import User
    from fupin.documents import records
    from fupin.documents.render import check_printable, render_pdf
    from fupin.registry import selectors

    user = User.objects.select_related("area").get(username=args.user)
    ids = list(selectors.household_scope(user).order_by("number").values_list("pk", flat=True)[:args.count])
    if not ids:
        sys.exit("no households: load the demo first (fupin demo --if-empty)")
    print(f"{len(ids)} households of {user} ({user.area or '全部'}), one process, one after another; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    def whole(pk: int) -> bytes:
        household = selectors.household_get(user=user, pk=pk)
        data = records.household_record(user=user, household=household)
        return render_pdf(records.TEMPLATE, data, labels=records.labels())

    whole(ids[0])  # warm-up: the font is loaded and the templates parsed once per process
    pdfs = timed("whole", ids, whole)
    data = [records.household_record(user=user, household=selectors.household_get(user=user, pk=pk)) for pk in ids]
    timed("render", data, lambda d: render_pdf(records.TEMPLATE, d, labels=records.labels()))
    timed("check", data, lambda d: check_printable(d, labels=records.labels()))

    import subprocess

    sizes = [len(p) for p in pdfs]
    print(f"PDF size: median {statistics.median(sizes) / 1024:.0f} KiB, max {max(sizes) / 1024:.0f} KiB")
    try:
        pages = []
        for pdf in pdfs[:50]:
            info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
            pages.append(int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))))
        print(f"pages (first {len(pages)}): {min(pages)}–{max(pages)}, median {statistics.median(pages):.0f}")
    except FileNotFoundError:
        print("pages: pdfinfo missing (apt-get install poppler-utils)")


if __name__ == "__main__":
    main()
