#!/usr/bin/env python
"""Pushing a sector list (部门预警名单, issue 14 item 2): time to push ``--rows`` rows (default 100,000; the
issue's bound is 20 s) through fupin.monitoring.alerts.push, against a naive per-row ORM baseline (each row's
member, latest yearly record and open alert read on their own, each alert saved on its own) on a sample,
extrapolated, in the same run.

    createdb -h 127.0.0.1 -U postgres h_alerts_s10
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_alerts_s10 fupin migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_alerts_s10 fupin demo --scale 10     # ~3 min
    .venv/bin/python benchmarks/monitoring_push.py --database-url postgres://postgres@127.0.0.1:5432/h_alerts_s10

The rows are generated from the database's members (a medical list, the heaviest rule: it reads each
household's latest yearly record and the monitoring line): about 90 % real members (some with a 15-digit
number, some with another spelling of the name), 5 % numbers that match no one, 5 % malformed rows. A member
may appear more than once (a second row for a household is a duplicate). Everything runs in one
transaction rolled back at the end: the database is left as it was. Prints the figures and saves
``benchmarks/results/monitoring_push-<database>.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def backend_cpu_seconds(connection) -> float | None:
    """CPU time of this connection's PostgreSQL backend process (same machine only): the database's share of
    the work, which the wall clock on a busy shared machine cannot tell apart from waiting for a core."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2000, help="rows of the naive baseline")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from fupin.areas.models import Area, Level
    from fupin.lib import idnumber
    from fupin.monitoring import alerts, sectors
    from fupin.monitoring.models import Alert, AlertStatus, ListKind
    from fupin.registry.choices import LineKind, Status
    from fupin.registry.models import Member, PovertyLine, YearlyRecord

    rnd = random.Random(args.seed)
    today = timezone.localdate()
    bill = today - datetime.timedelta(days=3)
    database = connection.settings_dict["NAME"]
    result: dict = {"database": str(database), "vendor": connection.vendor, "rows": args.rows}
    with transaction.atomic():
        if not PovertyLine.objects.filter(year=bill.year, kind=LineKind.MONITORING).exists():
            PovertyLine.objects.create(year=bill.year, kind=LineKind.MONITORING, area=None, amount=Decimal("6000"),
                                       note="基准测试")
        started = time.perf_counter()
        members = list(Member.objects.filter(active=True).exclude(household__status=Status.CANCELLED)
                       .values_list("id_number", "name", "citizen_id", "birth_date"))
        result["members_in_db"] = len(members)
        rows = []
        for i in range(args.rows):
            draw = rnd.random()
            cost = str(rnd.choice([600, 2500, 6000, 12000, 30000]))
            if draw < 0.05:  # matches no one
                number = idnumber.make("110101", datetime.date(1950 + i % 50, 1 + i % 12, 1 + i % 28), i % 500, "1")
                rows.append([number, "查无此人", "", "", "", f"B{i}", cost, bill.isoformat(), "县医院"])
            elif draw < 0.10:  # malformed: a date that does not exist
                number, name, _c, _b = rnd.choice(members)
                rows.append([number, name, "", "", "", f"B{i}", cost, "2024-02-30", "县医院"])
            else:
                number, name, citizen, birth = rnd.choice(members)
                if draw < 0.12 and birth.year < 2000 and number == citizen:
                    number = number[:6] + number[8:17]
                if draw > 0.98:
                    name = name[:1] + "某"
                rows.append([number, name, "", "", "", f"B{i}", cost, bill.isoformat(), "县医院"])
        header = ",".join(c.name for c in sectors.columns(ListKind.MEDICAL))
        data = ("\r\n".join([header, *(",".join(r) for r in rows)]) + "\r\n").encode("utf-8")
        result["generate_seconds"] = round(time.perf_counter() - started, 2)
        result["file_mb"] = round(len(data) / 2**20, 1)
        county = Area.objects.filter(level=Level.COUNTY).order_by("path").first()
        root = Area.objects.filter(path="").first() or Area.objects.order_by("path").first()
        area = root if root is not None and Area.objects.filter(level=Level.COUNTY).count() > 1 else county
        if connection.vendor == "postgresql":  # the foreign keys checked as written, as a real commit pays
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        db_cpu = backend_cpu_seconds(connection)
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            pushed = alerts.push(actor=None, kind=ListKind.MEDICAL, area=area, filename="benchmark.csv", data=data)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if db_cpu is not None:
            db_cpu = backend_cpu_seconds(connection) - db_cpu
            result.update(set_based_db_cpu_seconds=round(db_cpu, 2), set_based_total_cpu_seconds=round(cpu + db_cpu, 2))
        result["load_average_before"] = round(load, 1)
        result.update(area=area.name, set_based_seconds=round(wall, 2), set_based_cpu_seconds=round(cpu, 2),
                      matched=pushed.matched, raised=pushed.raised, unmatched=pushed.unmatched,
                      malformed=pushed.malformed, reported=len(pushed.report))

        # The naive baseline: each row on its own, read and written through the ORM one query at a time.
        sample = rows[:args.sample]
        Alert.objects.filter(sector_list=pushed).delete()
        lines = alerts.Lines()
        raised = 0
        wall = time.perf_counter()
        for number, _name, *_rest in sample:
            cost = Decimal(_rest[4])
            try:
                info = idnumber.parse(number)
            except idnumber.IdNumberError:
                continue
            member = (Member.objects.select_related("household").filter(active=True, citizen_id=info.citizen_id)
                      .exclude(household__status=Status.CANCELLED).first())
            if member is None:
                continue
            record = YearlyRecord.objects.filter(household=member.household).order_by("-year").first()
            line = lines.monitoring(bill.year, member.household.area_path)
            if record is None or line is None:
                continue
            if record.per_capita_income - cost / max(record.member_count, 1) >= line:
                continue
            if Alert.objects.filter(household=member.household, kind=ListKind.MEDICAL, status=AlertStatus.OPEN).exists():
                continue
            village = Area.objects.filter(path=member.household.area_path[:12]).first() or member.household.area
            Alert.objects.create(kind=ListKind.MEDICAL, household=member.household, member=member, village=village,
                                 area_path=member.household.area_path, reason="基准", raised_on=today,
                                 due_on=today, sector_list=pushed)
            raised += 1
        naive = time.perf_counter() - wall
        per_row = naive / max(1, len(sample))
        result.update(naive_sample=len(sample), naive_sample_seconds=round(naive, 2), naive_raised=raised,
                      naive_ms_per_row=round(per_row * 1000, 3),
                      naive_extrapolated_seconds=round(per_row * args.rows, 1),
                      set_based_ms_per_row=round(result["set_based_seconds"] * 1000 / max(1, args.rows), 4))
        result["ratio"] = round(result["naive_extrapolated_seconds"] / max(result["set_based_seconds"], 1e-9), 1)
        transaction.set_rollback(True)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"monitoring_push-{Path(str(database)).stem}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
