#!/usr/bin/env python
"""REST API throughput and latency under 20 concurrent clients, against a real gunicorn server.

    .venv/bin/python benchmarks/api.py                          # the default SQLite database (var/)
    .venv/bin/python benchmarks/api.py --database-url postgres://postgres@127.0.0.1:5432/fupin_bench

Expects a database with the demo loaded (`fupin demo`) and its demo accounts. Starts gunicorn on
127.0.0.1 (a free port) with that DATABASE_URL, signs in as the county officer through
POST /api/auth/token/, then for each endpoint in turn runs N client threads (http.client, one
keep-alive connection each) for a fixed time or request count: /api/ping/ (no database work: the
floor of the stack), the household list (page of 20) and household detail (a different household each
request). Prints requests per second, p50 and p95 in ms per endpoint, and each endpoint's ratio to
ping; saves them to benchmarks/results/api-<database>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


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


def run_endpoint(port: int, token: str, paths, clients: int, seconds: float, max_requests: int) -> dict:
    """``paths`` is a function of the request number, so each detail request opens another household."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop_at = time.monotonic() + seconds
    start_gate = threading.Barrier(clients)

    def worker():
        api = Api(port, token)
        mine: list[float] = []
        bad: list[int] = []
        api.request("GET", paths(0))  # warm the connection and the worker
        start_gate.wait()
        while time.monotonic() < stop_at:
            with lock:
                n = next(counter)
            if n >= max_requests:
                break
            t0 = time.perf_counter()
            status, _body = api.request("GET", paths(n))
            mine.append(time.perf_counter() - t0)
            if status != 200:
                bad.append(status)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="database with `fupin demo` loaded (default: DATABASE_URL, else var/fupin.sqlite3)")
    parser.add_argument("--username", default="county")
    parser.add_argument("--password", default=os.environ.get("FUPIN_DEMO_PASSWORD", "fupin-demo-2026"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="time limit per endpoint")
    parser.add_argument("--max-requests", type=int, default=5000, help="request limit per endpoint")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1, help="gunicorn workers")
    args = parser.parse_args()

    port = free_port()
    env = dict(os.environ, FUPIN_DEBUG="0", FUPIN_LOG_LEVEL="ERROR")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    # Keep-alive needs a threaded worker; the sync worker closes every connection.
    cmd = [str(GUNICORN), "fupin.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
           "--worker-class", "gthread", "--threads", "4", "--keep-alive", "30", "--log-level", "warning"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        wait_until_up(port, server)
        status, body = Api(port).request("POST", "/api/auth/token/",
                                         {"username": args.username, "password": args.password})
        if status != 200:
            raise SystemExit(f"sign-in as {args.username} failed ({status}): {body.decode()[:300]} — is the demo loaded?")
        token = json.loads(body)["token"]
        status, body = Api(port, token).request("GET", "/api/households/?page_size=200")
        ids = [row["id"] for row in json.loads(body)["results"]]
        if not ids:
            raise SystemExit("no households visible: load the demo first (`fupin demo`)")
        rng = random.Random(0)
        order = [rng.choice(ids) for _ in range(1000)]
        endpoints = {
            "ping": lambda n: "/api/ping/",
            "household list": lambda n: f"/api/households/?page={n % 5 + 1}",
            "household detail": lambda n: f"/api/households/{order[n % len(order)]}/",
        }
        results = {}
        for name, paths in endpoints.items():
            results[name] = run_endpoint(port, token, paths, args.clients, args.seconds, args.max_requests)
        ping = results["ping"]
        print(f"{args.clients} clients, gunicorn {args.workers} workers × 4 threads, "
              f"database {env.get('DATABASE_URL') or 'sqlite (var/)'}")
        print(f"{'endpoint':<18} {'req':>6} {'err':>4} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p50/ping':>9} {'rps/ping':>9}")
        for name, r in results.items():
            r["p50_ratio_to_ping"] = round(r["p50_ms"] / ping["p50_ms"], 2) if ping["p50_ms"] else None
            r["rps_ratio_to_ping"] = round(r["rps"] / ping["rps"], 2) if ping["rps"] else None
            print(f"{name:<18} {r['requests']:>6} {r['errors']:>4} {r['rps']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} "
                  f"{r['p50_ratio_to_ping']:>9} {r['rps_ratio_to_ping']:>9}")
        vendor = "postgresql" if (env.get("DATABASE_URL") or "").startswith("postgres") else "sqlite"
        out = ROOT / "benchmarks" / "results" / f"api-{vendor}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"clients": args.clients, "workers": args.workers, "results": results},
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
