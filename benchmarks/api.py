#!/usr/bin/env python
"""REST API throughput and latency under 20 concurrent clients, against a real gunicorn server.

    .venv/bin/python benchmarks/api.py                          # the default SQLite database (var/)
    .venv/bin/python benchmarks/api.py --database-url postgres://postgres@127.0.0.1:5432/fupin_bench

Expects a database with the demo loaded (`fupin demo`, any --scale) and its demo accounts. Starts
gunicorn on 127.0.0.1 (a free port; 2 × CPUs + 1 sync workers, as behind a reverse proxy; see
--worker-class) with that DATABASE_URL, signs in as the county officer through POST
/api/auth/token/, then for each endpoint in turn keeps N clients busy (a new request as soon as the
last one is answered) for a fixed time: /api/ping/ (no database
work: the floor of the stack), the household list (page of 20, pages 1–5) and household detail (a
different household each request, from the county's first 1,000).

The clients are `wrk` when it is installed (`apt-get install wrk`: C, event loop, a few per cent of
a core), else Python threads (http.client), which on a 2-core machine take CPU from the server they
measure; `--client` chooses. Prints requests per second, p50 and p95 in ms per endpoint and their
ratios to ping, and where the CPU went (load generator, gunicorn, PostgreSQL, anything else
running), and saves it all to benchmarks/results/api-<database>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(q * (len(values) - 1))))]


class Api:
    def __init__(self, port: int, token: str | None = None):
        self.port = port
        self.token = token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if Api(port).request("GET", "/api/ping/")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /api/ping/ in time")


# --- where the CPU goes -------------------------------------------------------------------------------


def _proc_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.append(int(entry.name))
    return out


def _postgres_pids(database: str) -> list[int]:
    """The PostgreSQL backends serving ``database`` (their title reads "postgres: 15/main: user db host
    state"): other databases' backends, and the server's own background processes, count as "other"."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() not in ("postgres", "postmaster"):
                    continue
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if f" {database} " in title:
                pids.append(int(entry.name))
    return pids


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU seconds spent by gunicorn (master + workers), PostgreSQL (every postgres process: a
    backend per connection), the load generator, and the rest of the machine, over one measurement.
    Linux only (/proc); elsewhere the figures are left out."""

    def __init__(self, server_pid: int, database: str):
        self.server_pid = server_pid
        self.database = database
        self.available = Path("/proc/stat").exists()

    def _snapshot(self, client_pids: list[int]) -> dict:
        server = [self.server_pid, *_children(self.server_pid)]
        busy, total = _machine_ticks()
        return {
            "server": {pid: _proc_ticks(pid) for pid in server},
            "postgres": {pid: _proc_ticks(pid) for pid in _postgres_pids(self.database)},
            "client": {pid: _proc_ticks(pid) for pid in client_pids},
            "self": os.times(),
            "busy": busy, "total": total,
        }

    def start(self, client_pids: list[int] = ()) -> None:
        if self.available:
            self.before = self._snapshot(list(client_pids))
            self.t0 = time.perf_counter()

    def stop(self, client_pids: list[int] = (), python_clients: bool = False) -> dict | None:
        if not self.available:
            return None
        elapsed = time.perf_counter() - self.t0
        after = self._snapshot(list(client_pids))

        def spent(kind: str) -> float:
            # Processes that started during the measurement count from zero.
            return sum(t - self.before[kind].get(pid, 0) for pid, t in after[kind].items()) / CLOCK_TICKS

        cpus = os.cpu_count() or 1
        machine = (after["busy"] - self.before["busy"]) / CLOCK_TICKS
        wall_capacity = (after["total"] - self.before["total"]) / CLOCK_TICKS
        server, postgres = spent("server"), spent("postgres")
        if python_clients:  # the client threads run in this process
            client = (after["self"].user + after["self"].system) - (self.before["self"].user + self.before["self"].system)
        else:
            client = spent("client")
        other = max(0.0, machine - server - postgres - client)
        return {
            "seconds": round(elapsed, 2),
            "cpus": cpus,
            "machine_busy_pct": round(100 * machine / wall_capacity, 1) if wall_capacity else None,
            # Each as core-seconds per wall second (2.0 = both cores of a 2-core machine).
            "cores": {k: round(v / elapsed, 2) for k, v in
                      (("gunicorn", server), ("postgres", postgres), ("client", client), ("other", other))},
        }


def wait_until_quiet(max_wait: float, threshold: float = 0.25) -> float:
    """On a shared machine, wait (up to ``max_wait`` s) until the rest of it uses less than ``threshold``
    cores, measured over 2 s; returns the busy cores last seen (the server under test is idle then)."""
    deadline = time.monotonic() + max_wait
    while True:
        busy0, total0 = _machine_ticks()
        time.sleep(2)
        busy1, total1 = _machine_ticks()
        cores = (busy1 - busy0) / CLOCK_TICKS / 2
        if cores < threshold or time.monotonic() >= deadline:
            return round(cores, 2)
        time.sleep(3)


# --- the two load generators --------------------------------------------------------------------------


def run_python(port: int, token: str, paths, clients: int, seconds: float, meter: CpuMeter) -> dict:
    """``paths`` is a function of the request number, so each detail request opens another household."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    counter = iter(range(10**9))
    start_gate = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker():
        api = Api(port, token)
        mine: list[float] = []
        bad: list[int] = []
        api.request("GET", paths(0))  # warm the connection and the worker
        start_gate.wait()
        while time.monotonic() < stop_at[0]:
            with lock:
                n = next(counter)
            t0 = time.perf_counter()
            status, _body = api.request("GET", paths(n))
            mine.append(time.perf_counter() - t0)
            if status != 200:
                bad.append(status)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.monotonic() + 3600
    start_gate.wait()
    meter.start()
    stop_at[0] = time.monotonic() + seconds
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    cpu = meter.stop(python_clients=True)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "cpu": cpu,
    }


WRK_SCRIPT = """
local paths = {%(paths)s}
local token = "%(token)s"
local counter = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  counter = tonumber(offset) or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1],
                    {["Authorization"] = "Token " .. token, ["Accept"] = "application/json"})
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status or 0
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('WRK_JSON {"requests": %%d, "seconds": %%f, "non2xx": %%d, "errors": %%d, ' ..
    '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "mean_us": %%f}\\n',
    summary.requests, summary.duration / 1e6, non2xx, errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
"""


def run_wrk(port: int, token: str, paths: list[str], clients: int, seconds: float, meter: CpuMeter,
            wrk_threads: int) -> dict:
    script = WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths), "token": token}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        cmd = [shutil.which("wrk"), "-t", str(wrk_threads), "-c", str(clients), "-d", f"{max(1, round(seconds))}s",
               "--timeout", "30s", "-s", f.name, f"http://127.0.0.1:{port}"]
        # A short run first opens the connections and warms every worker thread and its database
        # connection, as the Python clients' first request does.
        subprocess.run([*cmd[:6], "1s", *cmd[7:]], capture_output=True, text=True, check=True)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        meter.start([proc.pid])
        # Sample the client's CPU just before it exits (a finished process has no /proc entry).
        time.sleep(max(0.0, seconds - 0.3))
        cpu = meter.stop([proc.pid])
        out, err = proc.communicate()
    finally:
        os.unlink(f.name)
    line = next((ln for ln in out.splitlines() if ln.startswith("WRK_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({proc.returncode}): {err or out}")
    r = json.loads(line.removeprefix("WRK_JSON "))
    return {
        "requests": r["requests"],
        "errors": r["non2xx"] + r["errors"],
        "rps": round(r["requests"] / r["seconds"], 1),
        "p50_ms": round(r["p50_us"] / 1000, 1),
        "p95_ms": round(r["p95_us"] / 1000, 1),
        "p99_ms": round(r["p99_us"] / 1000, 1),
        "mean_ms": round(r["mean_us"] / 1000, 1),
        "cpu": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="database with `fupin demo` loaded (default: DATABASE_URL, else var/fupin.sqlite3)")
    parser.add_argument("--username", default="county")
    parser.add_argument("--password", default=os.environ.get("FUPIN_DEMO_PASSWORD", "fupin-demo-2026"))
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (connections)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per endpoint")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="load generator (default: wrk when installed)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk's own threads (one keeps up on 2 cores)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: 2 × CPUs + 1 sync workers, CPUs + 1 gthread workers)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"],
                        help="gunicorn worker class. sync (the default, as behind the office's reverse proxy): "
                             "no keep-alive, every request goes to a free worker. gthread: keep-alive, but a "
                             "connection stays with the worker that accepted it, and one worker's threads share "
                             "one core (the GIL), so uneven connections make p95 worse")
    parser.add_argument("--only", action="append", choices=["ping", "list", "detail"],
                        help="measure only these endpoints (repeatable)")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="before each endpoint, wait up to this long until the rest of the machine is "
                             "idle (< 0.25 cores busy); for shared machines")
    args = parser.parse_args()

    cpus = os.cpu_count() or 2
    if args.workers is None:
        args.workers = 2 * cpus + 1 if args.worker_class == "sync" else cpus + 1
    if args.worker_class == "sync":
        args.threads = 1  # gunicorn turns a sync worker with threads into gthread
    port = free_port()
    # Database connections kept for the whole run (production default: 60 s): a backend that closes
    # during a measurement takes its CPU time with it, and the meter would count it as "other".
    env = dict(os.environ, FUPIN_DEBUG="0", FUPIN_LOG_LEVEL="ERROR", FUPIN_DB_CONN_MAX_AGE="3600")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    # Keep-alive needs a threaded worker; the sync worker closes every connection (the clients reconnect).
    cmd = [str(GUNICORN), "fupin.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
           "--worker-class", args.worker_class, "--threads", str(args.threads), "--keep-alive", "30",
           "--log-level", "warning"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        wait_until_up(port, server)
        status, body = Api(port).request("POST", "/api/auth/token/",
                                         {"username": args.username, "password": args.password})
        if status != 200:
            raise SystemExit(f"sign-in as {args.username} failed ({status}): {body.decode()[:300]} — is the demo loaded?")
        token = json.loads(body)["token"]
        api = Api(port, token)
        status, body = api.request("GET", "/api/households/?page_size=200")
        listing = json.loads(body)
        total = listing["count"]
        ids = [row["id"] for row in listing["results"]]
        for page in range(2, 6):
            ids += [row["id"] for row in json.loads(api.request("GET", f"/api/households/?page_size=200&page={page}")[1])["results"]]
        if not ids:
            raise SystemExit("no households visible: load the demo first (`fupin demo`)")
        rng = random.Random(0)
        order = [rng.choice(ids) for _ in range(1000)]
        endpoints = {
            "ping": ["/api/ping/"],
            "list": [f"/api/households/?page={n % 5 + 1}" for n in range(5)],
            "detail": [f"/api/households/{pk}/" for pk in order],
        }
        names = {"ping": "ping", "list": "household list", "detail": "household detail"}
        dbname = env.get("DATABASE_URL", "").rsplit("/", 1)[-1].split("?")[0] or "-"
        meter = CpuMeter(server.pid, dbname)
        results = {}
        for key, paths in endpoints.items():
            if args.only and key not in args.only:
                continue
            busy_before = wait_until_quiet(args.wait_quiet) if args.wait_quiet and meter.available else None
            if args.client == "wrk":
                results[names[key]] = run_wrk(port, token, paths, args.clients, args.seconds, meter, args.wrk_threads)
            else:
                results[names[key]] = run_python(port, token, lambda n, p=paths: p[n % len(p)], args.clients,
                                                 args.seconds, meter)
            results[names[key]]["busy_cores_before"] = busy_before
        ping = results.get("ping")
        database = env.get("DATABASE_URL") or "sqlite (var/)"
        print(f"{args.clients} clients ({args.client}), gunicorn {args.workers} {args.worker_class} workers × {args.threads} threads, "
              f"{os.cpu_count()} CPUs, database {database}, {total:,} households visible to {args.username}")
        print(f"{'endpoint':<18} {'req':>7} {'err':>4} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
              f"{'p50/ping':>8} {'p95/ping':>8} {'rps/ping':>8}   cores: gunicorn postgres client other")
        for name, r in results.items():
            r["p50_ratio_to_ping"] = round(r["p50_ms"] / ping["p50_ms"], 2) if ping and ping["p50_ms"] else None
            r["p95_ratio_to_ping"] = round(r["p95_ms"] / ping["p95_ms"], 2) if ping and ping["p95_ms"] else None
            r["rps_ratio_to_ping"] = round(r["rps"] / ping["rps"], 3) if ping and ping["rps"] else None
            cores = (r["cpu"] or {}).get("cores", {})
            cpu = "  ".join(f"{cores.get(k, float('nan')):>5.2f}" for k in ("gunicorn", "postgres", "client", "other"))
            print(f"{name:<18} {r['requests']:>7} {r['errors']:>4} {r['rps']:>8} {r['p50_ms']:>7} {r['p95_ms']:>7} "
                  f"{r['p99_ms']:>7} {r['p50_ratio_to_ping']!s:>8} {r['p95_ratio_to_ping']!s:>8} "
                  f"{r['rps_ratio_to_ping']!s:>8}   {cpu}")
        vendor = "postgresql" if (env.get("DATABASE_URL") or "").startswith("postgres") else "sqlite"
        out = ROOT / "benchmarks" / "results" / f"api-{vendor}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"clients": args.clients, "client": args.client, "workers": args.workers,
                                   "threads": args.threads, "cpus": os.cpu_count(), "households_visible": total,
                                   "load_average_after": os.getloadavg(), "results": results},
                                  ensure_ascii=False, indent=2))
        print(f"saved {out.relative_to(ROOT)}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
