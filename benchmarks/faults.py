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

Two more modes, PostgreSQL under gunicorn (sync workers, 2 × CPUs + 1, as api.py), on a database with
the demo loaded (`fupin demo --scale 100` for the latency targets of api.py):

    .venv/bin/python benchmarks/faults.py --mode mixed-load --clients 50 --seconds 60 \
        --database-url postgres://postgres@127.0.0.1:5432/loadpg
    .venv/bin/python benchmarks/faults.py --mode kill-worker --clients 50 --seconds 60 --kills 5 \
        --database-url postgres://postgres@127.0.0.1:5432/loadpg

mixed-load: N client threads (signed in as county) for T seconds, without pauses, each loop: 70 %
reads (half a list page 1–5, half a household's detail), 30 % writes (--write-share) over the county
list's first 1,000 non-cancelled households: GET the detail for its ETag, then PATCH two fields together
— address "LOAD-<n>" and house_area paired_area(n), n unique per write — with If-Match; a 409 re-reads and
retries (up to 5 times) and is counted apart as correct behaviour. Reports requests/s, status codes per
kind, 5xx, connection errors, p50/p95/p99 per kind (list, detail, the writers' detail GETs, PATCH), and
checks the targets: list p95 ≤ 150 ms, detail p95 ≤ 50 ms. kill-worker: the same load; --kills times,
evenly spaced, the script finds a gunicorn worker (a child of the master) whose PostgreSQL backend holds
a RowExclusiveLock on registry_household inside an open transaction (a PATCH is writing; the backend's
client port is matched to the worker by `ss`), SIGKILLs it, and checks that the master has respawned a
worker and that requests succeed again within 1 s and 5 s. Both modes end with the pairing check: every
household has address LOAD-n with house_area paired_area(n) (both written), or both fields as they were
before the run (neither); anything else is half written. --think MIN-MAX paces the clients like people:
after each read or write a client pauses a random MIN to MAX seconds (e.g. 0.5-2), and the clients
start staggered; saved as faults-<mode>-paced.json. Pass: no 5xx, nothing half written; mixed-load
also no connection errors; kill-worker also every worker respawned and clients recovering. Saved to
benchmarks/results/faults-<mode>.json.
"""

from __future__ import annotations

import argparse
import collections
import http.client
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


def api_request(token: str, body: dict | None, if_match: str | None) -> tuple[bytes | None, dict]:
    """The body and headers of one API call: JSON, the token, and If-Match for a conditional write."""
    headers = {"Accept": "application/json", "Authorization": f"Token {token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if if_match:
        headers["If-Match"] = if_match
    return data, headers


def writer_loop(port: int, token: str, ids: list[int], stop_at: float, seed: int, out: dict, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    api = Api(port, token)
    statuses: collections.Counter = collections.Counter()
    latencies: list[float] = []
    conflicts = gave_up = writes_ok = 0

    def call(method: str, path: str, body: dict | None = None, if_match: str | None = None) -> tuple[int, bytes, dict]:
        data, headers = api_request(token, body, if_match)
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


# --- postgresql: 50 clients mixing reads and writes; a gunicorn worker killed mid-write ----------------


TAG = "LOAD-"


def paired_area(n: int) -> str:
    """The 住房面积 that goes with address LOAD-<n>: one PATCH writes both, so a household with one and
    not the other was half written."""
    return f"{n % 900000 + 1}.{n % 97:02d}"


def mixed_client(port: int, token: str, ids: list[int], stop_at: float, seed: int, write_share: float,
                 out: dict, lock: threading.Lock, think: tuple[float, float] | None = None) -> None:
    """One client: (1 - write_share) reads, half list pages 1–5, half a household's detail; write_share
    writes: GET the detail for its ETag, PATCH address = LOAD-<n> and house_area = paired_area(n) with
    If-Match; a 409 re-reads and retries (up to 5 times); a dropped connection also re-reads and retries.
    ``think`` (seconds, min and max): after each read or write, the client pauses a random time in that
    range, as a person reads the page before the next click; it starts after a random part of one pause,
    so that the clients do not click in step."""
    rng = random.Random(seed)
    if think:
        time.sleep(rng.uniform(0, think[1]))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    lat: dict[str, list[float]] = collections.defaultdict(list)
    statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    done: list[tuple[float, bool]] = []  # (time, ok) of every request, to see recovery after a kill
    counts = collections.Counter()
    # n unique across runs too (a run's LOAD-n must not repeat one an earlier run left behind)
    serial = time.time_ns() // 1_000_000_000 % 100_000 * 10**9 + seed * 10_000_000

    def call(kind: str, method: str, path: str, body: dict | None = None, etag: str | None = None):
        nonlocal conn
        data, headers = api_request(token, body, etag)
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            payload = r.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            statuses[kind][f"connection error ({type(exc).__name__})"] += 1
            done.append((time.monotonic(), False))
            return 0, b"", None
        lat[kind].append(time.perf_counter() - t0)
        statuses[kind][r.status] += 1
        done.append((time.monotonic(), r.status < 500))
        if r.status >= 500 and len(out["samples"]) < 5:
            out["samples"][f"{r.status} {method} {path}"] = payload[:300].decode(errors="replace")
        return r.status, payload, r.getheader("ETag")

    while time.monotonic() < stop_at:
        if think and lat:  # not before the first request (the start was staggered)
            time.sleep(min(rng.uniform(*think), max(0.0, stop_at - time.monotonic())))
            if time.monotonic() >= stop_at:
                break
        pk = rng.choice(ids)
        if rng.random() >= write_share:
            if rng.random() < 0.5:
                call("list", "GET", f"/api/households/?page={rng.randint(1, 5)}")
            else:
                call("detail", "GET", f"/api/households/{pk}/")
            continue
        serial += 1
        body = {"address": f"{TAG}{serial}", "house_area": paired_area(serial)}
        for _attempt in range(5):
            status, _p, etag = call("detail (for ETag)", "GET", f"/api/households/{pk}/")
            if status != 200:
                continue
            status, _p, _e = call("patch", "PATCH", f"/api/households/{pk}/", body, etag)
            if status == 200:
                counts["writes_ok"] += 1
                break
            counts["409_retried" if status == 409 else "patch_retried_after_error"] += 1
            if status not in (0, 409):
                break
        else:
            counts["gave_up_after_5"] += 1
    with lock:
        for kind, values in lat.items():
            out["latencies"][kind].extend(values)
        for kind, c in statuses.items():
            out["statuses"][kind].update(c)
        out["counts"].update(counts)
        out["done"].extend(done)


def run_mixed(args: argparse.Namespace, port: int, token: str, ids: list[int], kill=None) -> dict:
    out = {"latencies": collections.defaultdict(list), "statuses": collections.defaultdict(collections.Counter),
           "counts": collections.Counter(), "done": [], "samples": {}}
    lock = threading.Lock()
    t_start = time.monotonic()
    stop_at = t_start + args.seconds
    think = args.think
    threads = [threading.Thread(target=mixed_client,
                                args=(port, token, ids, stop_at, n + 1, args.write_share, out, lock, think))
               for n in range(args.clients)]
    for t in threads:
        t.start()
    kills = kill(t_start, stop_at) if kill else []
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t_start
    everything = [s for c in out["statuses"].values() for s in c.elements()]
    per_kind = {}
    for kind in ("list", "detail", "detail (for ETag)", "patch"):
        lat = out["latencies"].get(kind, [])
        per_kind[kind] = {
            "requests": len(lat),
            "statuses": {str(k): v for k, v in sorted(out["statuses"][kind].items(), key=str)},
            **{f"p{int(q * 100)}_ms": round(percentile(lat, q) * 1000, 1) if lat else None for q in (0.5, 0.95, 0.99)},
            "max_ms": round(max(lat) * 1000, 1) if lat else None,
        }
    reads = out["latencies"].get("detail", []) + out["latencies"].get("detail (for ETag)", [])
    per_kind["detail, all GETs"] = {f"p{int(q * 100)}_ms": round(percentile(reads, q) * 1000, 1) if reads else None
                                    for q in (0.5, 0.95, 0.99)}
    result = {
        "clients": args.clients, "seconds": round(elapsed, 1), "write_share": args.write_share,
        "think_s": list(think) if think else None,
        "requests": len(everything), "rps": round(len(everything) / elapsed, 1),
        "5xx": sum(1 for s in everything if isinstance(s, int) and s >= 500),
        "connection_errors": sum(1 for s in everything if isinstance(s, str)),
        "counts": dict(out["counts"]), "per_kind": per_kind, "5xx_samples": out["samples"], "kills": kills,
    }
    for k in kills:  # recovery: requests that succeeded within 1 s and 5 s after each kill
        result.setdefault("ok_requests_after_kill", []).append(
            {w: sum(1 for t, ok in out["done"] if ok and k["at_mono"] < t <= k["at_mono"] + w) for w in (1, 5)})
        del k["at_mono"]
    return result


def paired_check(conn, ids: list[int], original: dict[int, tuple[str, str]]) -> dict:
    """Every household written by the load must have both fields of one PATCH (address LOAD-n and
    house_area paired_area(n)), or neither (both as they were before the run)."""
    from decimal import Decimal

    with conn.cursor() as cur:
        cur.execute("SELECT id, address, house_area FROM registry_household WHERE id = ANY(%s)", (ids,))
        rows = cur.fetchall()
    written = untouched = 0
    half = []
    for pk, address, area in rows:
        if address.startswith(TAG):
            n = int(address[len(TAG):])
            if Decimal(paired_area(n)) == area:
                written += 1
            else:
                half.append((pk, address, str(area)))
        elif (address, str(area)) == original[pk]:
            untouched += 1
        else:
            half.append((pk, address, str(area)))
    return {"households": len(rows), "both_written": written, "neither_written": untouched,
            "half_written": len(half), "half_written_samples": half[:5]}


def gunicorn_workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return sorted(int(p) for p in children.read_text().split()) if children.exists() else []


def writing_worker(conn, master: int) -> tuple[int | None, int | None]:
    """A gunicorn worker whose PostgreSQL backend is inside a transaction that has written to
    registry_household (RowExclusiveLock held): (worker pid, backend pid), found through the backend's
    client port and `ss`."""
    with conn.cursor() as cur:
        cur.execute("SELECT a.pid, a.client_port FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
                    "AND l.mode = 'RowExclusiveLock' JOIN pg_class c ON c.oid = l.relation "
                    "AND c.relname = 'registry_household' WHERE a.xact_start IS NOT NULL AND a.pid <> pg_backend_pid()")
        rows = cur.fetchall()
    if not rows:
        return None, None
    sockets = subprocess.run(["ss", "-tnpH", "state", "established"], capture_output=True, text=True).stdout
    workers = set(gunicorn_workers(master))
    for backend, port in rows:
        for line in sockets.splitlines():
            cols = line.split()
            if len(cols) >= 4 and cols[2].endswith(f":{port}"):
                m = re.search(r"pid=(\d+)", line)
                if m and int(m.group(1)) in workers:
                    return int(m.group(1)), backend
    return None, None


def start_gunicorn(args: argparse.Namespace, env: dict, log_path: Path) -> tuple[subprocess.Popen, int, int]:
    port = free_port()
    workers = args.workers or 2 * (os.cpu_count() or 2) + 1
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(GUNICORN), "fupin.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                   "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning",
                                   "--timeout", "60"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_until_up(port, server)
    return server, port, workers


def run_load_pg(args: argparse.Namespace) -> dict:
    import psycopg

    if not args.database_url.startswith("postgres"):
        raise SystemExit(f"--mode {args.mode} needs --database-url postgres://… (with `fupin demo` loaded)")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DATABASE_URL=args.database_url, FUPIN_DEBUG="0", FUPIN_LOG_LEVEL="WARNING",
               FUPIN_DB_CONN_MAX_AGE="3600", PYTHONUNBUFFERED="1")
    conn = psycopg.connect(args.database_url.replace("postgres://", "postgresql://", 1), autocommit=True)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM registry_household")
        total = cur.fetchone()[0]
    server_log = workdir / f"gunicorn-{args.mode}.log"
    server, port, workers = start_gunicorn(args, env, server_log)
    try:
        status, body = Api(port).request("POST", "/api/auth/token/", {"username": "county", "password": PASSWORD})
        if status != 200:
            raise SystemExit(f"sign-in failed ({status}): {body[:300]!r}")
        token = json.loads(body)["token"]
        ids, _numbers = household_ids(Api(port, token))
        with conn.cursor() as cur:
            cur.execute("SELECT id, address, house_area FROM registry_household WHERE id = ANY(%s)", (ids,))
            original = {pk: (a, str(h)) for pk, a, h in cur.fetchall()}
        kill = None
        if args.mode == "kill-worker":
            def kill(t_start: float, stop_at: float) -> list[dict]:
                kills = []
                for n in range(args.kills):
                    time.sleep(max(0.0, t_start + (n + 1) * args.seconds / (args.kills + 1) - time.monotonic()))
                    before = gunicorn_workers(server.pid)
                    victim = backend = None
                    deadline = time.monotonic() + 3
                    while victim is None and time.monotonic() < deadline:
                        victim, backend = writing_worker(conn, server.pid)
                    mid_write = victim is not None
                    victim = victim or random.choice(before)
                    at = time.monotonic()
                    os.kill(victim, signal.SIGKILL)
                    respawned_after = None
                    while time.monotonic() - at < 10:
                        now = gunicorn_workers(server.pid)
                        if len(now) == workers and victim not in now:
                            respawned_after = round(time.monotonic() - at, 2)
                            break
                        time.sleep(0.02)
                    if backend:  # PostgreSQL sees the dead worker's socket close and rolls back
                        for _ in range(100):
                            with conn.cursor() as cur:
                                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (backend,))
                                if cur.fetchone()[0] == 0:
                                    break
                            time.sleep(0.05)
                    kills.append({"worker": victim, "mid_write_transaction": mid_write, "backend": backend,
                                  "at_s": round(at - t_start, 1), "respawned_after_s": respawned_after,
                                  "workers_after": len(gunicorn_workers(server.pid)), "at_mono": at})
                    print("kill", kills[-1])
                return kills
        result = run_mixed(args, port, token, ids, kill)
        result["integrity"] = paired_check(conn, ids, original)
        result["server_alive"] = server.poll() is None
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        conn.close()
    server_text = server_log.read_text(errors="replace")
    result.update(mode=args.mode, engine="postgresql", households=total, writer_households=len(ids),
                  server=f"gunicorn {workers} sync workers", cpus=os.cpu_count(),
                  server_tracebacks=server_text.count("Traceback"), load_average_after=os.getloadavg())
    ok = result["integrity"]["half_written"] == 0 and result["5xx"] == 0
    if args.mode == "mixed-load":
        ok = ok and result["connection_errors"] == 0
        lp95 = result["per_kind"]["list"]["p95_ms"]
        dp95 = result["per_kind"]["detail, all GETs"]["p95_ms"]
        result["targets"] = {"list_p95_le_150_ms": lp95 is not None and lp95 <= 150,
                             "detail_p95_le_50_ms": dp95 is not None and dp95 <= 50}
    else:
        ok = ok and all(k["respawned_after_s"] is not None for k in result["kills"]) and all(
            r[5] > 0 for r in result.get("ok_requests_after_kill", []))
    result["pass"] = ok
    return result


def _think(text: str) -> tuple[float, float]:
    low, _sep, high = text.partition("-")
    pause = (float(low), float(high or low))
    if not 0 <= pause[0] <= pause[1]:
        raise argparse.ArgumentTypeError("MIN-MAX with 0 ≤ MIN ≤ MAX, e.g. 0.5-2")
    return pause


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--mode", choices=["faults", "mixed-load", "kill-worker"], default="faults",
                        help="faults: the engine's runs above; mixed-load / kill-worker: PostgreSQL under gunicorn "
                             "(--database-url with the demo loaded), see the docstring")
    parser.add_argument("--write-share", type=float, default=0.3, help="mixed-load / kill-worker: share of writes")
    parser.add_argument("--think", type=_think, default=None, metavar="MIN-MAX",
                        help="mixed-load / kill-worker: each client pauses MIN to MAX seconds (random) after each "
                             "read or write, as people do between clicks (e.g. 0.5-2); default: no pause")
    parser.add_argument("--kills", type=int, default=5, help="kill-worker: workers to SIGKILL during the run")
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
    if args.mode != "faults":
        result = run_load_pg(args)
    else:
        result = run_sqlite(args) if args.engine == "sqlite" else run_postgresql(args)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    name = args.engine if args.mode == "faults" else args.mode + ("-paced" if args.think else "")
    out = ROOT / "benchmarks" / "results" / f"faults-{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"{'PASS' if result['pass'] else 'FAIL'}; saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
