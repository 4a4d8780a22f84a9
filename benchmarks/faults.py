#!/usr/bin/env python
"""Load and faults: concurrent API writers with a county import (SQLite), and a killed import (PostgreSQL).

    .venv/bin/python benchmarks/faults.py                      # --engine sqlite: a scratch file in /tmp
    .venv/bin/python benchmarks/faults.py --engine postgresql \\
        --database-url postgres://postgres@127.0.0.1:5432/loadrun

Each run prepares its database the way an office would: `fupin migrate`, `fupin demo --if-empty`,
then `fupin export FILE --user county` (the county officer's sheet, 罗平县), and changes every
household's 开户银行 in that sheet (a new name per run, so the import always has something to write).

sqlite (the embedded default): gunicorn (sync workers, 2 × CPUs + 1, as api.py) serves the file
database; N client threads (default 10) for T seconds (default 20) each loop: half reads (list page or
detail), half writes (GET a household's detail for its ETag, PATCH its 住房面积 with If-Match; a 409 is
counted apart and the write retried from a fresh GET, up to 5 times). Two seconds in, `fupin import FILE
--user county` runs in parallel. Reports requests, status codes, 5xx, p50/p95, "database is locked"
anywhere in the server's or the import's output, and the import's exit status and time. Targets: no
5xx, no "database is locked".

postgresql: checksums the registry (md5 of the ordered rows of registry_household, registry_member,
registry_yearlyrecord, registry_statuschange, and the audit row count), then (1) starts the import and
SIGKILLs it once its backend holds row locks on the registry (the write stage), (2) starts it again and
terminates its backend (pg_terminate_backend) at the same point; after each, the checksum must equal
the one before (the import is one transaction). Last, a control: the same import run to completion must
change the checksum (the killed imports did have something to write). Results are saved to
benchmarks/results/faults-<engine>.json.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import GUNICORN, Api, free_port, percentile, wait_until_up  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FUPIN = Path(sys.executable).with_name("fupin")
PASSWORD = os.environ.get("FUPIN_DEMO_PASSWORD", "fupin-demo-2026")
LOCKED = "database is locked"
APP_NAME = "fupin-faults-import"
BANK = re.compile("罗平县农村(?:信用合作联社|商业银行-[0-9]+)".encode())


def fupin(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(FUPIN), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise SystemExit(f"fupin {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


FIRST_T = re.compile(rb"<t>([^<]*)</t>")


def export_sheet(env: dict, workdir: Path) -> Path:
    """Migrate, load the demo if empty, and export the county officer's sheet."""
    fupin(env, "migrate", "--noinput")
    fupin(env, "demo", "--if-empty")
    exported = workdir / "county.xlsx"
    fupin(env, "export", str(exported), "--user", "county", "--no-progress")
    return exported


def cancelled_numbers(env: dict) -> set[str]:
    """Cancelled (注销) households cannot be changed: the import would refuse them and exit 1."""
    code = ("from fupin.registry.models import Household; "
            "print(' '.join(Household.objects.filter(status='cancelled').values_list('number', flat=True)))")
    return set(fupin(env, "shell", "-c", code).stdout.split())


def change_banks(exported: Path, out: Path, skip: set[str], drop: set[str] = frozenset()) -> tuple[int, int]:
    """Write ``out``: ``exported`` with a new 开户银行 (new per run) in every row whose 户编号 (column A, the
    row's first text) is not in ``skip``, and without the rows of the households in ``drop``. Returns (rows
    changed, rows dropped)."""
    new_name = f"罗平县农村商业银行-{time.time_ns() // 1000}".encode()
    changed = dropped = 0
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet1"):
                pieces = data.split(b"</row>")
                last = len(pieces) - 1  # what follows the last row: </sheetData> and the rest
                kept_pieces = []
                for i, piece in enumerate(pieces):
                    start = piece.find(b"<row ")
                    first = FIRST_T.search(piece, start) if start >= 0 else None
                    number = first.group(1).decode() if first else None
                    if number in drop:
                        kept_pieces.append(piece[:start])  # the row's end tag is left out with it
                        dropped += 1
                        continue
                    if number and number not in skip and BANK.search(piece):
                        piece = BANK.sub(new_name, piece)
                        changed += 1
                    kept_pieces.append(piece if i == last else piece + b"</row>")
                data = b"".join(kept_pieces)
            dst.writestr(item, data)
    if not changed:
        raise SystemExit("no 开户银行 cell found to change in the exported sheet")
    print(f"prepared {out.name}: 开户银行 changed in {changed:,} member rows, {dropped:,} rows left out")
    return changed, dropped


# --- sqlite: concurrent API writers and a county import ---------------------------------------------


def writer_loop(port: int, token: str, ids: list[int], stop_at: float, seed: int, out: dict, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    api = Api(port, token)
    statuses: collections.Counter = collections.Counter()
    latencies: list[float] = []
    conflicts = gave_up = writes_ok = 0

    def call(method: str, path: str, body: dict | None = None, if_match: str | None = None) -> tuple[int, bytes, dict]:
        headers = {"Accept": "application/json", "Authorization": f"Token {token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if if_match:
            headers["If-Match"] = if_match
        t0 = time.perf_counter()
        for attempt in (1, 2):
            try:
                api.conn.request(method, path, body=data, headers=headers)
                r = api.conn.getresponse()
                body_out = r.read()
                break
            except (ConnectionError, OSError):
                api.conn.close()
                if attempt == 2:
                    statuses["connection error"] += 1
                    return 0, b"", {}
        latencies.append(time.perf_counter() - t0)
        statuses[r.status] += 1
        return r.status, body_out, dict(r.getheaders())

    while time.monotonic() < stop_at:
        pk = rng.choice(ids)
        if rng.random() < 0.5:
            if rng.random() < 0.5:
                call("GET", f"/api/households/?page={rng.randint(1, 5)}")
            else:
                call("GET", f"/api/households/{pk}/")
            continue
        for _attempt in range(5):
            status, _body, headers = call("GET", f"/api/households/{pk}/")
            if status != 200:
                break
            etag = headers.get("ETag") or headers.get("etag")
            area = f"{rng.randint(20, 300)}.{rng.randint(0, 99):02d}"
            status, _body, _h = call("PATCH", f"/api/households/{pk}/", {"house_area": area}, if_match=etag)
            if status == 409:
                conflicts += 1
                continue
            if status == 200:
                writes_ok += 1
            elif status != 409 and len(out["samples"]) < 5:
                out["samples"][f"{status} PATCH {pk}"] = _body[:200].decode(errors="replace")
            break
        else:
            gave_up += 1
    with lock:
        out["statuses"].update(statuses)
        out["latencies"].extend(latencies)
        out["conflicts"] += conflicts
        out["gave_up"] += gave_up
        out["writes_ok"] += writes_ok


def household_ids(api: Api) -> tuple[list[int], set[str]]:
    """The writers' households: the county list's first 1,000 (pages of 200), cancelled ones left out."""
    ids, numbers = [], set()
    for page in range(1, 6):
        rows = json.loads(api.request("GET", f"/api/households/?page_size=200&page={page}")[1])["results"]
        for row in rows:
            status = row["status"]["code"] if isinstance(row["status"], dict) else row["status"]
            if status != "cancelled":
                ids.append(row["id"])
                numbers.add(row["number"])
    return ids, numbers


def run_sqlite(args: argparse.Namespace) -> dict:
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "fupin.sqlite3"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db}", FUPIN_DEBUG="0", FUPIN_LOG_LEVEL="WARNING",
               PYTHONUNBUFFERED="1")
    exported = export_sheet(env, workdir)
    cancelled = cancelled_numbers(env)
    port = free_port()
    workers = args.workers or 2 * (os.cpu_count() or 2) + 1
    server_log = workdir / "gunicorn.log"
    with open(server_log, "w") as log:
        server = subprocess.Popen([str(GUNICORN), "fupin.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                   "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning",
                                   "--timeout", "60"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    rounds = []
    try:
        wait_until_up(port, server)
        status, body = Api(port).request("POST", "/api/auth/token/", {"username": "county", "password": PASSWORD})
        if status != 200:
            raise SystemExit(f"sign-in failed ({status}): {body[:300]!r}")
        token = json.loads(body)["token"]
        ids, numbers = household_ids(Api(port, token))
        for overlap in (["disjoint", "same"] if args.overlap == "both" else [args.overlap]):
            # disjoint: the writers' households are left out of the sheet (their exported 住房面积 would be
            # stale); same: the sheet holds them as exported, so the import would revert the writers' PATCHes.
            sheet = workdir / f"county-{overlap}.xlsx"
            rows_changed, rows_dropped = change_banks(exported, sheet, cancelled,
                                                      numbers if overlap == "disjoint" else set())
            r = sqlite_round(args, env, port, token, ids, sheet)
            r.update(overlap=overlap, sheet_rows_changed=rows_changed, sheet_rows_left_out=rows_dropped)
            print(json.dumps(r, ensure_ascii=False, indent=2))
            rounds.append(r)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    server_text = server_log.read_text(errors="replace")
    result = {"engine": "sqlite", "server": f"gunicorn {workers} sync workers", "clients": args.clients,
              "seconds": args.seconds, "writer_households": len(ids), "rounds": rounds,
              "server_database_is_locked": server_text.count(LOCKED), "server_tracebacks": server_text.count("Traceback")}
    result["pass"] = (all(r["5xx"] == 0 and r["connection_errors"] == 0 and r["import_database_is_locked"] == 0
                          for r in rounds) and result["server_database_is_locked"] == 0)
    return result


def sqlite_round(args: argparse.Namespace, env: dict, port: int, token: str, ids: list[int], sheet: Path) -> dict:
    out = {"statuses": collections.Counter(), "latencies": [], "conflicts": 0, "gave_up": 0, "writes_ok": 0,
           "samples": {}}
    lock = threading.Lock()
    t_start = time.monotonic()
    stop_at = t_start + args.seconds
    threads = [threading.Thread(target=writer_loop, args=(port, token, ids, stop_at, n, out, lock))
               for n in range(args.clients)]
    for t in threads:
        t.start()
    time.sleep(2)
    t_import = time.monotonic()
    imp = subprocess.Popen([str(FUPIN), "import", str(sheet), "--user", "county", "--no-progress"], cwd=ROOT,
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    imp_out, _ = imp.communicate()
    import_seconds = time.monotonic() - t_import
    import_ended = import_seconds + 2
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t_start
    statuses = out["statuses"]
    lat = out["latencies"]
    lines = imp_out.strip().splitlines()
    return {
        "elapsed_s": round(elapsed, 1), "requests": len(lat), "rps": round(len(lat) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "5xx": sum(v for k, v in statuses.items() if isinstance(k, int) and k >= 500),
        "connection_errors": statuses.get("connection error", 0),
        "writes_ok": out["writes_ok"], "409_retried": out["conflicts"], "writes_given_up_after_5": out["gave_up"],
        "other_4xx_samples": out["samples"],
        "p50_ms": round(percentile(lat, 0.5) * 1000, 1) if lat else None,
        "p95_ms": round(percentile(lat, 0.95) * 1000, 1) if lat else None,
        "p99_ms": round(percentile(lat, 0.99) * 1000, 1) if lat else None,
        "max_ms": round(max(lat) * 1000, 1) if lat else None,
        "import_exit": imp.returncode, "import_seconds": round(import_seconds, 1),
        "import_ended_before_load": import_ended < args.seconds,
        "import_summary": [ln for ln in lines if ln.startswith(("county-", "  新增", "已导入", "检查之后", "有 "))]
        or lines[-3:],
        "import_database_is_locked": imp_out.count(LOCKED),
    }


# --- postgresql: kill the import mid-write ----------------------------------------------------------


CHECKSUM_SQL = """
SELECT (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM registry_household t),
       (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM registry_member t),
       (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM registry_yearlyrecord t),
       (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM registry_statuschange t),
       (SELECT count(*) FROM audit_auditevent)
"""

WRITING_SQL = """
SELECT a.pid, count(l.*) FROM pg_stat_activity a
JOIN pg_locks l ON l.pid = a.pid AND l.mode = 'RowExclusiveLock'
JOIN pg_class c ON c.oid = l.relation AND c.relname LIKE 'registry_%%'
WHERE a.application_name = %s AND a.xact_start IS NOT NULL GROUP BY a.pid
"""


def checksum(conn) -> dict:
    with conn.cursor() as cur:
        cur.execute(CHECKSUM_SQL)
        h, m, y, s, audit = cur.fetchone()
    return {"household": h, "member": m, "yearlyrecord": y, "statuschange": s, "audit_rows": audit}


def run_import_and_kill(env: dict, conn, sheet: Path, how: str, delay: float) -> dict:
    """Start the import; once its backend holds RowExclusiveLock on a registry table (it is writing),
    wait ``delay`` seconds more and kill the process (``how`` = "sigkill") or its backend ("terminate")."""
    t0 = time.monotonic()
    imp = subprocess.Popen([str(FUPIN), "import", str(sheet), "--user", "county", "--no-progress"], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    backend = None
    while imp.poll() is None and time.monotonic() - t0 < 120:
        with conn.cursor() as cur:
            cur.execute(WRITING_SQL, (APP_NAME,))
            row = cur.fetchone()
        if row:
            backend = row[0]
            break
        time.sleep(0.05)
    if backend is None:
        out, _ = imp.communicate()
        return {"how": how, "killed": False, "note": "the import finished before it was seen writing",
                "exit": imp.returncode, "output": out.strip().splitlines()[-8:]}
    seen_writing = time.monotonic() - t0
    time.sleep(delay)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock' AND c.relname LIKE 'registry_%%'", (backend,))
        locks_at_kill = cur.fetchone()[0]
        cur.execute("SELECT state, now() - xact_start FROM pg_stat_activity WHERE pid = %s", (backend,))
        state = cur.fetchone()
    killed_at = time.monotonic() - t0
    alive = imp.poll() is None
    if how == "sigkill":
        imp.send_signal(signal.SIGKILL)
    else:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", (backend,))
    out, _ = imp.communicate()
    # The server notices the dead client and rolls back; wait until its backend is gone.
    for _ in range(100):
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (backend,))
            if cur.fetchone()[0] == 0:
                break
        time.sleep(0.1)
    return {"how": how, "killed": alive, "seen_writing_after_s": round(seen_writing, 1),
            "killed_after_s": round(killed_at, 1), "registry_tables_locked_for_write": locks_at_kill,
            "backend_state_at_kill": state[0] if state else None,
            "transaction_age_at_kill_s": round(state[1].total_seconds(), 1) if state and state[1] else None,
            "exit": imp.returncode, "output": out.strip().splitlines()[-6:]}


def run_postgresql(args: argparse.Namespace) -> dict:
    import psycopg

    if not args.database_url.startswith("postgres"):
        raise SystemExit("--engine postgresql needs --database-url postgres://…")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    sep = "&" if "?" in args.database_url else "?"
    env = dict(os.environ, DATABASE_URL=f"{args.database_url}{sep}application_name={APP_NAME}", FUPIN_DEBUG="0",
               FUPIN_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    exported = export_sheet(env, workdir)
    sheet = workdir / "county-changed.xlsx"
    change_banks(exported, sheet, cancelled_numbers(env))
    conn = psycopg.connect(args.database_url.replace("postgres://", "postgresql://", 1), autocommit=True)
    before = checksum(conn)
    print("before:", before)
    runs = []
    for how in ("sigkill", "terminate"):
        r = run_import_and_kill(env, conn, sheet, how, args.delay)
        r["after"] = checksum(conn)
        r["unchanged"] = r["after"] == before
        print(how, json.dumps(r, ensure_ascii=False))
        runs.append(r)
    t0 = time.monotonic()
    control = fupin(env, "import", str(sheet), "--user", "county", "--no-progress", check=False)
    control_seconds = time.monotonic() - t0
    after_control = checksum(conn)
    changed = [k for k in before if before[k] != after_control[k]]
    conn.close()
    result = {
        "engine": "postgresql", "before": before, "runs": runs,
        "control": {"exit": control.returncode, "seconds": round(control_seconds, 1), "changed": changed,
                    "audit_rows_after": after_control["audit_rows"],
                    "output": control.stdout.strip().splitlines()[-4:]},
    }
    result["pass"] = all(r["killed"] and r["unchanged"] for r in runs) and bool(changed)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default="", help="postgresql only: a database of its own (it is migrated, "
                                                          "the demo loaded if empty, and written to)")
    parser.add_argument("--workdir", default="/tmp/fupin-faults", help="scratch directory (SQLite file, sheets, logs)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--overlap", choices=["disjoint", "same", "both"], default="both",
                        help="sqlite: whether the import changes the households the API writers write (same: the "
                             "import must refuse, its check being stale), or others (disjoint: it must apply)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn sync workers (default 2 × CPUs + 1)")
    parser.add_argument("--delay", type=float, default=1.0,
                        help="postgresql: seconds between the import's first registry write lock and the kill")
    args = parser.parse_args()
    result = run_sqlite(args) if args.engine == "sqlite" else run_postgresql(args)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "benchmarks" / "results" / f"faults-{args.engine}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"{'PASS' if result['pass'] else 'FAIL'}; saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
