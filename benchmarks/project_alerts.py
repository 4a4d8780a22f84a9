#!/usr/bin/env python
"""Project and fund alerts benchmark (issue 16: the alerts of the county ≤ 2 s), with a naive per-project
baseline in the same run.

    createdb -h 127.0.0.1 -U postgres alerts_bench
    .venv/bin/python benchmarks/project_alerts.py --database-url postgres://postgres@127.0.0.1:5432/alerts_bench

Migrates the database, then (once: skipped when the county exists) builds a county of its own, 基准县
(530399000000: 12 townships × 15 villages), with ten years (2016–2025) of projects and money written with
bulk_create: ``--projects`` projects (default 4,000), two allocations each from 40 fund documents (half held by
the township), payments covering most of them, a subsidy batch for every fifth project (some left unpaid),
allocation notices for most documents, a negative list with a few hits. Deterministic (ids hashed, no random).

Then, as a county account of 基准县, the median of ``--runs``:

* **report**: fupin.projects.alerts.report for the county (the six set-based queries and the items);
* **page**: ``GET /projects/alerts/?area=<county>`` through the whole stack (test client, session, template);
* **naive**: the same findings worked out one project at a time (its allocations, their payments, its batches,
  its notices, the negative list read per project), on every project (``--naive-sample`` to time a sample and
  scale it).

Prints a table and writes benchmarks/results/project_alerts-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTY = "530399000000"
TODAY = datetime.date(2026, 6, 30)


def setup(url: str | None) -> None:
    if url:
        os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()


def _area(code: str, name: str, level: str, parent):  # noqa: ANN001, ANN202
    from fupin.areas.models import Area

    return Area.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent,
                                                           "path": Area.path_for(code, level)})[0]


def prepare(n_projects: int) -> None:  # noqa: C901 - one straight build
    from django.db import transaction

    from fupin.accounts.models import Role, User
    from fupin.assistance.models import HelpingUnit
    from fupin.projects.models import (
        Allocation,
        Disclosure,
        DisclosureKind,
        FundDocument,
        NegativeUse,
        Payment,
        Project,
        SubsidyBatch,
    )
    from fupin.projects.rules import BatchStatus, Category, Channel, Level, PaymentKind, Stage

    province = _area("530000000000", "云南省", "province", None)
    city = _area("530300000000", "曲靖市", "city", province)
    if Project.objects.filter(area_path__startswith="530399").exists():
        return
    with transaction.atomic():
        county = _area(COUNTY, "基准县", "county", city)
        villages = []
        for t in range(12):
            township = _area(f"530399{100 + t:03d}000", f"基准{t + 1}乡", "township", county)
            for v in range(15):
                villages.append(_area(f"530399{100 + t:03d}{200 + v:03d}", f"基准{t + 1}乡{v + 1}村", "village", township))
        if not User.objects.filter(username="bench_pub16").exists():
            User.objects.create_user(username="bench_pub16", password="bench-pass-123456", role=Role.COUNTY, area=county)
        units = [HelpingUnit.objects.get_or_create(name=f"基准县{n}", area=county)[0]
                 for n in ("住建局", "交通运输局", "水务局", "农业局", "旅游局")]
        docs = FundDocument.objects.bulk_create([
            FundDocument(area=county, area_path=county.path, number=f"基准财〔{2016 + i % 10}〕{i + 1}号", title=f"资金文件{i}",
                         level=list(Level.values)[i % 4], channel=list(Channel.values)[i % 7], purpose="脱贫攻坚",
                         year=2016 + i % 10, amount=Decimal("50000000.00"), issued_on=datetime.date(2016 + i % 10, 2, 1),
                         synthetic=True)
            for i in range(40)])
        cats = list(Category.values)
        stages = [Stage.OPERATING] * 5 + [Stage.ACCEPTED, Stage.IMPLEMENTING, Stage.IMPLEMENTING, Stage.PLANNED,
                                          Stage.ANNOUNCED]
        projects = []
        for i in range(n_projects):
            v = villages[i % len(villages)]
            year = 2016 + i % 10
            stage = stages[(i * 7) % len(stages)]
            ends = datetime.date(year, 10, 31)
            finished = ends if stage not in (Stage.PLANNED, Stage.IMPLEMENTING) or i % 3 == 0 else None
            projects.append(Project(
                area=v, area_path=v.path, code=f"JZ{i:06d}", name=f"{v.name}项目{i}", category=cats[i % 8],
                lead=units[i % 5], year=year, starts_on=datetime.date(year, 3, 1), ends_on=ends, started_on=datetime.date(year, 3, 10),
                finished_on=finished, accepted_on=datetime.date(year, 12, 1) if stage not in (Stage.PLANNED, Stage.IMPLEMENTING) else None,
                budget=Decimal("400000.00"), stage=stage, progress=100 if finished else 60, synthetic=True))
        projects = Project.objects.bulk_create(projects, batch_size=2000)
        allocations = []
        for i, p in enumerate(projects):
            doc = docs[(i * 3) % 40]
            for k in range(2):
                holder = p.area.parent if k == 1 else doc.area
                allocations.append(Allocation(document=doc, project=p, area=holder, area_path=holder.path,
                                              amount=Decimal("150000.00"), allocated_on=datetime.date(p.year, 3 + k, 15),
                                              synthetic=True))
        allocations = Allocation.objects.bulk_create(allocations, batch_size=5000)
        payments = []
        for i, a in enumerate(allocations):
            if i % 13 == 0:
                continue  # never paid: stuck
            amount = Decimal("150000.00") if i % 7 else Decimal("90000.00")
            purpose = "购置办公用车" if i % 997 == 0 else "工程进度款"
            payments.append(Payment(allocation=a, project=a.project, kind=PaymentKind.OTHER, amount=amount,
                                    paid_on=a.allocated_on + datetime.timedelta(days=40), payee="某建筑公司", purpose=purpose,
                                    synthetic=True))
        Payment.objects.bulk_create(payments, batch_size=5000)
        batches = [SubsidyBatch(project=p, allocation=allocations[2 * i], area=p.area.parent, area_path=p.area.parent.path,
                                title=f"{p.name}到户补助", status=BatchStatus.DRAFT if i % 15 == 0 else BatchStatus.PAID,
                                total=Decimal("0.00"), lines_count=0, drawn_on=datetime.date(p.year, 6, 1), synthetic=True)
                   for i, p in enumerate(projects) if i % 5 == 0]
        SubsidyBatch.objects.bulk_create(batches, batch_size=2000)
        Disclosure.objects.bulk_create([
            Disclosure(kind=DisclosureKind.ALLOCATION, area=county, area_path=county.path, document=d, title=d.title,
                       place="县政府网站", starts_on=datetime.date(d.year, 12, 20), ends_on=datetime.date(d.year, 12, 31),
                       content={}, synthetic=True)
            for i, d in enumerate(docs) if i % 4])
        NegativeUse.objects.get_or_create(name="购置交通工具", defaults={"keywords": "办公用车\n小汽车"})
        NegativeUse.objects.get_or_create(name="发放工资福利", defaults={"keywords": "工资\n奖金\n福利"})


def naive(projects: list, today: datetime.date) -> dict[str, int]:
    """The findings one project at a time, reading its rows per project (the N+1 way)."""
    from django.db.models import Sum

    from fupin.projects.models import Disclosure, DisclosureKind, NegativeUse, ProjectRule
    from fupin.projects.rules import RULE_DEFAULTS, BatchStatus, Stage

    counts = dict.fromkeys(("stuck_funds", "behind_schedule", "acceptance_late", "subsidy_unpaid", "undisclosed",
                            "negative_use"), 0)

    def rule(key: str, path: str) -> int:
        best = None
        for r in ProjectRule.objects.filter(key=key).select_related("area"):
            p = r.area.path if r.area_id else ""
            if path.startswith(p) and (best is None or len(p) > best[0]):
                best = (len(p), r.value)
        return best[1] if best else RULE_DEFAULTS[key]

    for p in projects:
        words = [w for n in NegativeUse.objects.filter(active=True) for w in n.words()]
        for a in p.allocations.all():
            paid = a.payments.aggregate(s=Sum("amount"))["s"] or 0
            if paid < a.amount and a.allocated_on + datetime.timedelta(days=rule("stuck_days", a.area_path)) < today:
                counts["stuck_funds"] += 1
            shown = Disclosure.objects.filter(kind=DisclosureKind.ALLOCATION, withdrawn=False,
                                              starts_on__gte=a.allocated_on, document_id=a.document_id).exists() or \
                Disclosure.objects.filter(kind=DisclosureKind.ALLOCATION, withdrawn=False, starts_on__gte=a.allocated_on,
                                          project_id=p.pk).exists()
            if not shown and a.allocated_on + datetime.timedelta(days=rule("disclose_days", p.area_path)) < today:
                counts["undisclosed"] += 1
            for pay in a.payments.all():
                if any(w in pay.purpose for w in words):
                    counts["negative_use"] += 1
        if p.stage in (Stage.PLANNED, Stage.IMPLEMENTING):
            if p.finished_on is None and p.ends_on and p.ends_on < today:
                counts["behind_schedule"] += 1
            due = p.finished_on or p.ends_on
            if p.accepted_on is None and due and due + datetime.timedelta(days=rule("acceptance_days", p.area_path)) < today:
                counts["acceptance_late"] += 1
        for b in p.subsidy_batches.filter(status=BatchStatus.DRAFT):
            if b.drawn_on + datetime.timedelta(days=rule("subsidy_days", b.area_path)) < today:
                counts["subsidy_unpaid"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--projects", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-sample", type=int, default=0, help="time the baseline on this many projects and scale")
    args = parser.parse_args()
    setup(args.database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    prepare(args.projects)
    prepared = time.perf_counter() - t0

    import time_machine

    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.projects import alerts
    from fupin.projects.models import Allocation, Payment, Project

    county = Area.objects.get(code=COUNTY)
    user = User.objects.get(username="bench_pub16")
    sizes = {"projects": Project.objects.filter(area_path__startswith="530399").count(),
             "allocations": Allocation.objects.filter(project__area_path__startswith="530399").count(),
             "payments": Payment.objects.filter(project__area_path__startswith="530399").count()}

    def timed(fn, runs):  # noqa: ANN001, ANN202
        out = []
        result = None
        for _ in range(runs):
            t = time.perf_counter()
            result = fn()
            out.append(time.perf_counter() - t)
        return statistics.median(out), result

    alerts.report(user=user, area=county, today=TODAY)  # warm-up: the URLconf's first import is the process's, not the report's
    report_s, found = timed(lambda: alerts.report(user=user, area=county, today=TODAY), args.runs)
    counts = {k: len(v) for k, v in found.items()}
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(user)
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(9), datetime.UTC), tick=False):
        page_s, response = timed(lambda: client.get("/projects/alerts/", {"area": COUNTY}), args.runs)
    assert response.status_code == 200, response.status_code
    projects = list(Project.objects.filter(area_path__startswith="530399").order_by("pk"))
    sample = projects[: args.naive_sample] if args.naive_sample else projects
    t = time.perf_counter()
    naive_counts = naive(sample, TODAY)
    naive_s = (time.perf_counter() - t) * len(projects) / len(sample)
    if not args.naive_sample:
        assert naive_counts == counts, (naive_counts, counts)
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    name = settings.DATABASES["default"]["NAME"]
    result = {"database": f"{engine}:{Path(str(name)).name}", "sizes": sizes, "counts": counts,
              "report_s": round(report_s, 3), "page_s": round(page_s, 3), "naive_s": round(naive_s, 2),
              "naive_sampled": len(sample), "speedup": round(naive_s / report_s, 1), "prepare_s": round(prepared, 1),
              "naive_matches": naive_counts == counts if not args.naive_sample else None}
    print(f"county 基准县: {sizes['projects']:,} projects, {sizes['allocations']:,} allocations, "
          f"{sizes['payments']:,} payments (prepared in {prepared:.1f} s)")
    print("alerts:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"{'report (six queries + items)':34} {report_s * 1000:9.0f} ms   (target ≤ 2000 ms)")
    print(f"{'page /projects/alerts/':34} {page_s * 1000:9.0f} ms")
    print(f"{'naive per-project baseline':34} {naive_s * 1000:9.0f} ms   ({result['speedup']}× the report; "
          f"{len(sample):,} projects timed{', same counts' if result['naive_matches'] else ''})")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"project_alerts-{Path(str(name)).name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
