#!/usr/bin/env python
"""Fund ledger benchmarks (issue 16): the money trail of a county over ten years ≤ 300 ms, and a household
subsidy batch of 10,000 households read from Excel, matched to the registry and written ≤ 10 s — each with
a naive baseline in the same run.

    .venv/bin/python benchmarks/funds.py                       # a scratch SQLite file in /tmp
    .venv/bin/python benchmarks/funds.py --database-url postgres://postgres@127.0.0.1:5432/fundsbench

The run builds (once; kept for the next run, marked ``FB-``) its own county 基准县 (530399) with 12
townships × 10 villages, ten fund years 2016–2025 (on PostgreSQL then ANALYZE): ``--documents`` documents a year over the four levels and
seven channels, ``--projects`` projects a year spread over the villages and the eight categories, two
allocations per project (county- or township-held), three payments per allocation (contracts and other),
and for a quarter of the projects a paid subsidy batch of 40 households; plus one project with 10,000
registered beneficiary households (members with valid ID numbers), bulk-created.

* **trail**: fupin.projects.selectors_funds.area_trail for the county, 2016–2025, as a system administrator
  (median of ``--runs`` after a warm-up); **naive**: the same flows summed in Python one allocation at a
  time (its document, project and payments read per allocation). The two must give the same links.
* **reconcile**: fupin.projects.reconcile for the county (every level and every invariant), for scale.
* **batch**: a 10,000-row .xlsx (openpyxl) → services_funds.read_list (python-calamine) → batch_create
  (matched by ID number, beneficiaries and status checked, lines bulk-written, audited) → batch_pay; the
  whole run rolled back afterwards so it can be repeated. **naive**: per row one query for the member,
  one for the beneficiary, one INSERT — timed on ``--naive-rows`` rows and scaled to 10,000.

Prints a table and writes benchmarks/results/funds-<engine>.json.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTY = "530399000000"
BIG = 10_000


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _area(code: str, name: str, level: str, parent):  # noqa: ANN001, ANN202
    from fupin.areas.models import Area

    area = Area.objects.filter(code=code).first()
    return area or Area.objects.create(code=code, name=name, level=level, parent=parent, path=Area.path_for(code, level))


def build(documents: int, projects: int) -> dict:
    """The benchmark county and its ten years of money (skipped when already there)."""
    from django.db import transaction

    from fupin.areas.models import Level as AreaLevel
    from fupin.lib import idnumber
    from fupin.projects.models import (
        Allocation,
        Beneficiary,
        Contract,
        FundDocument,
        Payment,
        Project,
        SubsidyBatch,
        SubsidyLine,
    )
    from fupin.projects.rules import Category, Channel, Level, PaymentKind, Stage
    from fupin.registry.models import Household, Member

    province = _area("530000000000", "云南省", AreaLevel.PROVINCE, None)
    city = _area("530300000000", "曲靖市", AreaLevel.CITY, province)
    county = _area(COUNTY, "基准县", AreaLevel.COUNTY, city)
    if FundDocument.objects.filter(area=county, number__startswith="FB-").exists():
        return {"county": county}
    t0 = time.perf_counter()
    with transaction.atomic():
        townships = [_area(f"530399{100 + t:03d}000", f"基准乡{t}", AreaLevel.TOWNSHIP, county) for t in range(12)]
        villages = [_area(f"{tw.code[:9]}{200 + v:03d}", f"{tw.name}{v}村", AreaLevel.VILLAGE, tw)
                    for tw in townships for v in range(10)]
        levels, channels, categories = list(Level.values), list(Channel.values), list(Category.values)[:8]
        docs = []
        for year in range(2016, 2026):
            for i in range(documents):
                docs.append(FundDocument(area=county, area_path=county.path, number=f"FB-{year}-{i:03d}",
                                         title="基准资金", level=levels[i % 4], channel=channels[i % 7], purpose="产业",
                                         year=year, amount=Decimal(3_000_000 + i * 1000), issued_on=datetime.date(year, 3, 1),
                                         synthetic=True))
        FundDocument.objects.bulk_create(docs, batch_size=1000)
        docs = list(FundDocument.objects.filter(area=county, number__startswith="FB-").order_by("year", "number"))
        projs = []
        for year in range(2016, 2026):
            for i in range(projects):
                v = villages[(year * 7 + i) % len(villages)]
                projs.append(Project(area=v, area_path=v.path, code=f"FB-{year}-{i:04d}", name=f"基准项目{year}-{i}",
                                     category=categories[i % 8], year=year, stage=Stage.OPERATING,
                                     budget=Decimal(200_000), synthetic=True))
        Project.objects.bulk_create(projs, batch_size=1000)
        projs = list(Project.objects.filter(code__startswith="FB-").select_related("area"))
        by_year = {}
        for d in docs:
            by_year.setdefault(d.year, []).append(d)
        allocs = []
        for n, p in enumerate(projs):
            year_docs = by_year[p.year]
            for k in range(2):
                d = year_docs[(n + k) % len(year_docs)]
                holder = p.area.parent if k else county
                allocs.append(Allocation(document=d, project=p, area=holder, area_path=holder.path,
                                         amount=Decimal("60000.00"), allocated_on=datetime.date(p.year, 4, 1),
                                         synthetic=True))
        Allocation.objects.bulk_create(allocs, batch_size=2000)
        allocs = list(Allocation.objects.filter(project__code__startswith="FB-"))
        contracts = Contract.objects.bulk_create([Contract(project_id=p.pk, number="HT", party="基准建设公司",
                                                           amount=Decimal("200000.00"), signed_on=datetime.date(p.year, 4, 1),
                                                           synthetic=True) for p in projs], batch_size=2000)
        contract_of = {c.project_id: c.pk for c in contracts}
        pays = []
        for a in allocs:
            for j in range(3):
                kind = PaymentKind.CONTRACT if j < 2 else PaymentKind.OTHER
                pays.append(Payment(allocation_id=a.pk, project_id=a.project_id, kind=kind,
                                    contract_id=contract_of[a.project_id] if kind == PaymentKind.CONTRACT else None,
                                    amount=Decimal("15000.00"), paid_on=a.allocated_on + datetime.timedelta(days=30 + j),
                                    payee="基准建设公司", purpose="进度款", synthetic=True))
        Payment.objects.bulk_create(pays, batch_size=5000)
        # registry households: 40 per subsidised project, 10,000 for the big batch's project
        seq = 0
        hh = []
        subsidised = projs[::4]
        for p in subsidised:
            for _i in range(40):
                seq += 1
                hh.append(Household(number=f"FB{seq:09d}", area=p.area, area_path=p.area.path, head_name=f"户主{seq}",
                                    member_count=1, main_cause="illness", identified_year=2014, synthetic=True))
        big_village = villages[0]
        for _i in range(BIG):
            seq += 1
            hh.append(Household(number=f"FB{seq:09d}", area=big_village, area_path=big_village.path,
                                head_name=f"户主{seq}", member_count=1, main_cause="illness", identified_year=2014,
                                bank_account=f"6228{seq:015d}", synthetic=True))
        Household.objects.bulk_create(hh, batch_size=5000)
        hh = list(Household.objects.filter(number__startswith="FB").order_by("number"))
        members = []
        for n, h in enumerate(hh):
            birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 500)
            number = idnumber.make("530399", birth, n % 500, "1")
            members.append(Member(household=h, name=h.head_name, id_number=number, citizen_id=number, sex="1",
                                  birth_date=birth, relation="head"))
        Member.objects.bulk_create(members, batch_size=5000)
        bens, batches_lines = [], []
        for i, p in enumerate(subsidised):
            for h in hh[i * 40:(i + 1) * 40]:
                bens.append(Beneficiary(project=p, household=h, people=1))
        big = Project.objects.create(area=big_village, code="FB-BIG", name="基准万户到户补助", category=Category.INDUSTRY,
                                     year=2025, stage=Stage.IMPLEMENTING, budget=Decimal(0), synthetic=True)
        bens += [Beneficiary(project=big, household=h, people=1) for h in hh[len(subsidised) * 40:]]
        Beneficiary.objects.bulk_create(bens, batch_size=5000)
        big_doc = FundDocument.objects.create(area=county, number="FB-BIG", title="万户补助资金", level=Level.CENTRAL,
                                              channel=Channel.SPECIAL, purpose="到户补助", year=2025,
                                              amount=Decimal("20000000.00"), issued_on=datetime.date(2025, 3, 1))
        Allocation.objects.create(document=big_doc, project=big, area=county, amount=Decimal("20000000.00"),
                                  allocated_on=datetime.date(2025, 4, 1))
        # a paid batch of 40 households for every fourth project, paid from its township-held allocation
        alloc_of = {(a.project_id, a.area_id != county.pk): a for a in allocs}
        for i, p in enumerate(subsidised):
            a = alloc_of[(p.pk, True)]
            b = SubsidyBatch.objects.create(project=p, allocation=a, area=a.area, title=f"补助{p.code}", status="paid",
                                            total=Decimal("4000.00"), lines_count=40, drawn_on=datetime.date(p.year, 6, 1),
                                            paid_on=datetime.date(p.year, 6, 10), synthetic=True)
            batches_lines += [SubsidyLine(batch=b, household=h, row=r + 3, payee=h.head_name, amount=Decimal("100.00"))
                              for r, h in enumerate(hh[i * 40:(i + 1) * 40])]
            # a's three payments come to 45,000 of 60,000: the batch's 4,000 fits
            Payment.objects.create(allocation=a, project=p, kind=PaymentKind.SUBSIDY, batch=b, amount=Decimal("4000.00"),
                                   paid_on=b.paid_on, payee="40 户（一卡通）", purpose=b.title, synthetic=True)
        SubsidyLine.objects.bulk_create(batches_lines, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh tables: the planner's statistics, as autovacuum would make them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"built the benchmark county in {time.perf_counter() - t0:.1f} s")
    return {"county": county}


def naive_trail(county, y0: int, y1: int) -> dict:  # noqa: ANN001
    """Per allocation: its document, its project and its payments read one by one."""
    from collections import defaultdict

    from fupin.projects.models import Allocation, FundDocument, Payment, Project

    links = defaultdict(Decimal)
    for a in Allocation.objects.filter(project__area_path__startswith=county.path):
        d = FundDocument.objects.get(pk=a.document_id)
        if not y0 <= d.year <= y1:
            continue
        p = Project.objects.get(pk=a.project_id)
        links[(f"l:{d.level}", f"c:{d.channel}")] += a.amount
        links[(f"c:{d.channel}", f"g:{p.category}")] += a.amount
        for pay in Payment.objects.filter(allocation_id=a.pk):
            links[(f"g:{p.category}", f"k:{pay.kind}")] += pay.amount
    for d in FundDocument.objects.filter(area_path__startswith=county.path, year__gte=y0, year__lte=y1):
        left = d.amount - sum((a.amount for a in Allocation.objects.filter(document_id=d.pk)), Decimal(0))
        if left > 0:
            links[(f"l:{d.level}", f"c:{d.channel}")] += left
            links[(f"c:{d.channel}", "g:unallocated")] += left
    return links


def bench_trail(county, runs: int) -> dict:  # noqa: ANN001
    from fupin.accounts.models import Role, User
    from fupin.projects import reconcile, selectors_funds

    admin = User.objects.filter(username="fundsbench").first() or User.objects.create_user(
        username="fundsbench", password="x" * 16, role=Role.ADMIN, is_superuser=True)
    selectors_funds.area_trail(admin, county, 2016, 2025)
    times = []
    for _i in range(runs):
        t = time.perf_counter()
        data = selectors_funds.area_trail(admin, county, 2016, 2025)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    naive = naive_trail(county, 2016, 2025)
    naive_s = time.perf_counter() - t
    got = {(x["source"], x["target"]): Decimal(x["amount"]) for x in data["links"]}
    for key, value in naive.items():
        assert got.get(key) == value, (key, got.get(key), value)
    t = time.perf_counter()
    report = reconcile.reconcile(area=county)
    rec_s = time.perf_counter() - t
    assert report.ok, report.breaks[:5]
    from fupin.projects.models import Allocation, Payment

    return {"trail_ms": statistics.median(times) * 1000, "trail_naive_ms": naive_s * 1000,
            "reconcile_ms": rec_s * 1000, "allocations": Allocation.objects.filter(project__area_path__startswith=county.path).count(),
            "payments": Payment.objects.filter(project__area_path__startswith=county.path).count(),
            "allocated": str(data["allocated"]), "paid": str(data["paid"])}


def big_sheet() -> bytes:
    import openpyxl

    from fupin.registry.models import Member

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("清单")
    ws.append(["基准万户到户补助发放清单"])
    ws.append(["序号", "户主姓名", "证件号码", "一卡通账号", "补助金额（元）", "补助内容"])
    rows = Member.objects.filter(household__project_benefits__project__code="FB-BIG").order_by("household__number") \
        .values_list("name", "id_number", "household__bank_account")
    for i, (name, number, account) in enumerate(rows):
        ws.append([i + 1, name, number, account, "1500.00", "产业补助"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bench_batch(naive_rows: int) -> dict:
    from django.db import transaction

    from fupin.projects import services_funds as funds
    from fupin.projects.models import Allocation, Beneficiary, SubsidyBatch, SubsidyLine
    from fupin.registry.models import Member

    data = big_sheet()
    alloc = Allocation.objects.get(project__code="FB-BIG")
    out = {}

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            t = time.perf_counter()
            rows = funds.read_list(data, "万户清单.xlsx")
            t_read = time.perf_counter() - t
            batch = funds.batch_create(actor=None, allocation=alloc, title="万户补助", rows=rows,
                                       drawn_on=datetime.date(2025, 6, 1), source_name="万户清单.xlsx")
            t_create = time.perf_counter() - t
            funds.batch_pay(actor=None, batch=batch, paid_on=datetime.date(2025, 6, 2))
            t_all = time.perf_counter() - t
            assert batch.lines_count == BIG and batch.total == Decimal("1500.00") * BIG
            out.update(batch_rows=len(rows), batch_read_s=t_read, batch_create_s=t_create, batch_total_s=t_all)
            raise Rollback
    except Rollback:
        pass
    rows = funds.read_list(data)[:naive_rows]
    try:
        with transaction.atomic():
            t = time.perf_counter()
            batch = SubsidyBatch.objects.create(project_id=alloc.project_id, allocation=alloc, area_id=alloc.area_id,
                                                title="naive", drawn_on=datetime.date(2025, 6, 1))
            for r in rows:
                m = Member.objects.filter(citizen_id=r.id_number, active=True).select_related("household").first()
                assert m is not None and Beneficiary.objects.filter(project_id=alloc.project_id,
                                                                    household_id=m.household_id).exists()
                assert m.household.status != "cancelled"
                SubsidyLine.objects.create(batch=batch, household_id=m.household_id, row=r.row, payee=r.payee,
                                           bank_account=r.bank_account, amount=Decimal(r.amount))
            naive = time.perf_counter() - t
            raise Rollback
    except Rollback:
        pass
    out.update(batch_naive_s=naive * BIG / len(rows), batch_naive_measured_rows=len(rows))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database-url", default="sqlite:////tmp/fundsbench.sqlite3")
    parser.add_argument("--documents", type=int, default=40, help="fund documents a year")
    parser.add_argument("--projects", type=int, default=200, help="projects a year")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--naive-rows", type=int, default=1000)
    args = parser.parse_args()
    setup(args.database_url)
    from django.db import connection

    county = build(args.documents, args.projects)["county"]
    result = {"engine": connection.vendor, **bench_trail(county, args.runs), **bench_batch(args.naive_rows)}
    print(f"engine {result['engine']}: {result['allocations']} allocations, {result['payments']} payments (2016–2025)")
    print(f"  money trail, county, 10 years   {result['trail_ms']:8.1f} ms   (target ≤ 300 ms; naive {result['trail_naive_ms']:.0f} ms)")
    print(f"  reconcile, county               {result['reconcile_ms']:8.1f} ms")
    print(f"  batch of {result['batch_rows']} households      {result['batch_total_s']:8.2f} s    (target ≤ 10 s: read "
          f"{result['batch_read_s']:.2f} s, matched+written {result['batch_create_s'] - result['batch_read_s']:.2f} s, "
          f"paid {result['batch_total_s'] - result['batch_create_s']:.2f} s; naive {result['batch_naive_s']:.1f} s, "
          f"scaled from {result['batch_naive_measured_rows']} rows)")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"funds-{result['engine']}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
