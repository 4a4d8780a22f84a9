#!/usr/bin/env python
"""PDF documents benchmark (issue 12): how many 户档案 (household records) per second
fupin.documents renders, in one process, one after another; ``--mode notice`` (issue 13): how long a
public notice (公示/公告) of 500 names takes.

    FUPIN_DATA_DIR=/tmp/bench-var .venv/bin/fupin demo --if-empty      # once: the demo county
    FUPIN_DATA_DIR=/tmp/bench-var .venv/bin/python benchmarks/documents.py [--count 300] [--user county]
    .venv/bin/python benchmarks/documents.py --mode notice [--count 500] [--runs 5]   # no database
    FUPIN_DATA_DIR=/tmp/bench-var .venv/bin/python benchmarks/documents.py --mode stored-notice [--user county]

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

``--mode notice`` builds ``--count`` made-up households (names, 18-digit ID numbers, groups, reasons of
one or two lines; different names in every run, as Typst memoises) and times ``notice_pdf`` for a
county announcement — the check of the data, the masking (policy.mask_id), the character check and
the Typst render of one multi-page document — over ``--runs`` runs after a warm-up, plus the cold
first notice of the process (font loaded, template parsed). Baseline: the naive way of printing the
same list, one document per sheet (the list cut into page-sized pieces, each rendered on its own).

``--mode stored-notice`` prints the way the notice pages do: cases of the demo county listed on a county
announcement by ``services.notice_publish`` (the masked values stored with the entries), then the scoped
read and ``notice_document`` from the stored entries (what /notices/<pk>/notice.pdf does but HTTP and
the audit row); it times publishing too. Everything is rolled back at the end.
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


def notice_entries(count: int, seed: int) -> list:
    import random

    from fupin.documents.notices import Entry

    rng = random.Random(seed)
    surnames, given = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "文明建国秀英志强玉兰德华春梅海燕永红金凤光荣"
    reasons = ["因病：户主患慢性病，长期服药", "缺劳力", "因学：两个子女在读高中和大学，教育支出大", "缺技术",
               "因残：配偶二级肢体残疾，家庭主要劳力外出困难，收入低于当年扶贫标准"]
    return [Entry(name=rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2)))),
                  members=rng.randint(1, 7), id_number=f"530324{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}"
                  f"{rng.randint(1, 28):02d}{rng.randint(0, 9999):04d}", group=f"第{rng.randint(1, 9)}村民小组",
                  reason=rng.choice(reasons), village=rng.choice(("甲一村", "甲二村", "甲三村")))
            for _ in range(count)]


def page_count(pdf: bytes) -> int:
    import subprocess

    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def notice_mode(args: argparse.Namespace) -> None:
    import datetime
    import resource

    from fupin.documents import notices
    from fupin.documents.render import check_printable, render_pdf

    area = notices.Area(county="罗平县", township="甲乡")
    period = notices.Period(datetime.date(2026, 12, 7), datetime.date(2026, 12, 13))
    hotline = notices.Hotline(phone="0874-8212345", address="罗平县扶贫开发领导小组办公室")
    issued = datetime.date(2026, 12, 6)

    def notice(entries: list) -> bytes:
        return notices.notice_pdf("county", area, entries, period, hotline, issued)

    print(f"notice of {args.count} names (county announcement), {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    cpu0, t0 = time.process_time(), time.perf_counter()
    pdf = notice(notice_entries(args.count, seed=0))
    print(f"cold     first notice of the process: wall {time.perf_counter() - t0:5.2f} s   "
          f"cpu {time.process_time() - cpu0:5.2f} s")
    pages = page_count(pdf)
    per_page = -(-args.count // pages)

    walls, cpus, stages = [], [], {"data": [], "check": [], "render": []}
    naive_walls, naive_cpus = [], []
    for run in range(1, args.runs + 1):
        entries = notice_entries(args.count, seed=run)
        cpu0, t0 = time.process_time(), time.perf_counter()
        notice(entries)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - cpu0)
        # the stages, on another list (Typst would remember this one)
        entries = notice_entries(args.count, seed=1000 + run)
        t0 = time.perf_counter()
        data = notices.notice_data("county", area, entries, period, hotline, issued)
        labels = notices.labels(data)
        stages["data"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        check_printable(data, labels=labels)
        stages["check"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        render_pdf(notices.TEMPLATE, data, labels=labels)
        stages["render"].append(time.perf_counter() - t0 - stages["check"][-1])  # render_pdf checks again
        # naive: one document per sheet
        entries = notice_entries(args.count, seed=2000 + run)
        cpu0, t0 = time.process_time(), time.perf_counter()
        for i in range(0, len(entries), per_page):
            notice(entries[i:i + per_page])
        naive_walls.append(time.perf_counter() - t0)
        naive_cpus.append(time.process_time() - cpu0)

    def line(label: str, values: list[float], cpu: list[float] | None = None) -> None:
        extra = f"   cpu median {statistics.median(cpu):5.2f} s" if cpu else ""
        print(f"{label:<34} median {statistics.median(values):6.3f} s   max {max(values):6.3f} s{extra}")

    line("whole (notice_pdf, one document)", walls, cpus)
    line("  data (checks, masking, labels)", stages["data"])
    line("  character check", stages["check"])
    line("  Typst render", stages["render"])
    line(f"naive: {-(-args.count // per_page)} documents of {per_page} rows", naive_walls, naive_cpus)
    print(f"PDF: {pages} pages, {len(pdf) / 1024:.0f} KiB; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; target ≤ 3 s: "
          f"{'met' if max(walls) <= 3 else 'NOT met'}")


def stored_notice_mode(args: argparse.Namespace) -> None:
    """The notice as the pages print it (issue 13): ``--count`` cases of the demo county at 县确认 listed on a
    county announcement through ``services.notice_publish`` (the masked values stored with the entries),
    then what /notices/<pk>/notice.pdf does but the HTTP layer and the audit row: the scoped read
    (``notice_get``), the stored entries, ``notice_document`` (the data, the character check, Typst).
    One notice per run, each of different households (Typst memoises); all rolled back at the end."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from fupin.accounts.models import User
    from fupin.identification import selectors, services
    from fupin.identification.models import Case, CaseKind, NoticeKind, Step
    from fupin.identification.views_notices import listed_entries, notice_document
    from fupin.registry.models import Household

    user = User.objects.select_related("area").get(username=args.user)
    county = user.area
    if county is None or county.level != "county":
        sys.exit("--user must be a county account (the demo's 'county'): the announcement hangs in its county")
    households = list(Household.objects.filter(area_path__startswith=county.path, cases__isnull=True, member_count__gt=0)
                      .exclude(head_name="").select_related("area")
                      .order_by("number")[:args.count * (args.runs + 1)])
    if len(households) < args.count * (args.runs + 1):
        sys.exit("not enough households: load the demo first (fupin demo --if-empty)")
    today = timezone.localdate()
    print(f"stored notice of {args.count} names (county announcement of {county.name}), {args.runs} runs after a "
          f"warm-up; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    publish, whole, cpus, pages = [], [], [], 0
    with transaction.atomic():
        parents = {h.area_id: (h.area.parent if h.area.level == "group" else h.area) for h in households}
        cases = Case.objects.bulk_create([
            Case(kind=CaseKind.IDENTIFICATION, household=h, area=parents[h.area_id], area_path=h.area_path,
                 year=today.year, step=Step.COUNTY, reason="") for h in households])
        for run in range(args.runs + 1):
            chunk = cases[run * args.count:(run + 1) * args.count]
            t0 = time.perf_counter()
            notice = services.notice_publish(actor=None, kind=NoticeKind.COUNTY, area=county, cases=chunk,
                                             starts_on=today, ends_on=today + datetime.timedelta(days=6),
                                             hotline="0874-8212345", address="罗平县扶贫开发领导小组办公室")
            published = time.perf_counter() - t0
            cpu0, t0 = time.process_time(), time.perf_counter()
            read = selectors.notice_get(user, notice.pk)
            pdf = notice_document(read, listed_entries(read))
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            if run == 0:
                print(f"cold     first notice of the process: wall {wall:5.2f} s   cpu {cpu:5.2f} s")
                pages = page_count(pdf)
                continue
            publish.append(published)
            whole.append(wall)
            cpus.append(cpu)
        transaction.set_rollback(True)
    print(f"{'publish (notice_publish, 500 entries)':<40} median {statistics.median(publish):6.3f} s   "
          f"max {max(publish):6.3f} s")
    print(f"{'print (notice_get + entries + PDF)':<40} median {statistics.median(whole):6.3f} s   "
          f"max {max(whole):6.3f} s   cpu median {statistics.median(cpus):5.2f} s")
    print(f"PDF: {pages} pages, {len(pdf) / 1024:.0f} KiB; target ≤ 3 s: {'met' if max(whole) <= 3 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("records", "notice", "stored-notice"), default="records")
    parser.add_argument("--count", type=int, default=None, help="records: 300 households; notice: 500 names")
    parser.add_argument("--runs", type=int, default=5, help="notice mode: timed runs")
    parser.add_argument("--user", default="county")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    if args.mode in ("notice", "stored-notice"):
        args.count = args.count or 500
        (notice_mode if args.mode == "notice" else stored_notice_mode)(args)
        return
    args.count = args.count or 300
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
