#!/usr/bin/env python
"""Where one API request's time goes, in-process: the household list and a household detail.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin_bench .venv/bin/python benchmarks/profile_api.py

Signs in as the demo county officer (`county`) through POST /api/auth/token/, then for each of
list (`/api/households/?page=N`) and detail (`/api/households/<id>/`, a different household each time):
the SQL one request sends (count, text, time), the CPU time per request (time.process_time: this
process's Python, not PostgreSQL's) and wall time over --requests requests, and a cProfile of them
(the functions with the most cumulative and own time). Requests go through Django's whole stack
(middleware, DRF, authentication, serializer, renderer) by the WSGI handler, without a server or
network: what a gunicorn worker spends on each, less the socket.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
os.environ.setdefault("FUPIN_DEBUG", "0")
PASSWORD = os.environ.get("FUPIN_DEMO_PASSWORD", "fupin-demo-2026")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--user", default="county")
    parser.add_argument("--kinds", default="list,detail,patch", type=lambda text: text.split(","),
                        help="which of list, detail, patch (patch writes: address and house_area of households "
                             "on the list's first pages; the patch timings include its ETag GET)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT="application/json")
    response = client.post("/api/auth/token/", {"username": args.user, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    auth = {"HTTP_AUTHORIZATION": f"Token {response.json()['token']}"}
    first = client.get("/api/households/?page=1", **auth).json()
    ids = [row["id"] for page in range(1, 6)
           for row in client.get(f"/api/households/?page={page}", **auth).json()["results"]]
    print(f"{first['count']:,} households in scope; details over {len(ids)} of them")
    paths = {"list": lambda n: f"/api/households/?page={n % 5 + 1}",
             "detail": lambda n: f"/api/households/{ids[n % len(ids)]}/",
             "patch": lambda n: f"/api/households/{ids[n % len(ids)]}/"}

    def patch(path: str, **headers: str):
        """What faults.py's writers do after their GET: PATCH two fields with If-Match (the ETag
        is read first, outside the timing)."""
        etag = client.get(path, **headers)["ETag"]
        serial = time.time_ns() // 1000 % 10**9
        return client.patch(path, {"address": f"PROFILE-{serial}", "house_area": f"{serial % 900 + 1}.5"},
                            content_type="application/json", HTTP_IF_MATCH=etag, **headers)

    report = {}
    for kind, path in paths.items():
        if kind not in args.kinds:
            continue
        get = patch if kind == "patch" else client.get
        for n in range(30):  # warm: caches, compiled queries, connection
            assert get(path(n), **auth).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            get(path(7), **auth)
        # (the patch's ETag GET: its first two queries, the token and the household)
        queries = captured.captured_queries[2:] if kind == "patch" else captured.captured_queries
        print(f"\n== {kind}: {len(queries)} queries, {sum(float(q['time']) for q in queries) * 1000:.1f} ms "
              "(wall, with the round trips)")
        for q in queries:
            print(f"  {float(q['time']) * 1000:6.2f} ms  {q['sql'][:220]}")
        cpu, wall = [], []
        profile = cProfile.Profile()
        for n in range(args.requests):
            c0, w0 = time.process_time(), time.perf_counter()
            profile.enable()
            get(path(n), **auth)
            profile.disable()
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        # (profiled: the figures below include cProfile's own overhead; compare them with each other)
        plain_cpu = []
        for n in range(args.requests):
            c0 = time.process_time()
            get(path(n), **auth)
            plain_cpu.append(time.process_time() - c0)
        report[kind] = {"queries": len(queries), "cpu_ms_median": round(statistics.median(plain_cpu) * 1000, 2),
                        "cpu_ms_profiled_median": round(statistics.median(cpu) * 1000, 2),
                        "wall_ms_profiled_median": round(statistics.median(wall) * 1000, 2)}
        print(f"  Python CPU per request (median of {args.requests}, unprofiled): {report[kind]['cpu_ms_median']} ms")
        for order in ("cumulative", "tottime"):
            text = io.StringIO()
            pstats.Stats(profile, stream=text).strip_dirs().sort_stats(order).print_stats(args.top)
            print(f"  -- by {order} --")
            print("\n".join("  " + line for line in text.getvalue().splitlines()[6:] if line.strip()))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
