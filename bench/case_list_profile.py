"""CPU, statements and PostgreSQL time of the case list's first page and of searches, in-process
(issue 21): no server and no concurrent clients, so the figures hold on a busy machine. Runs on
the cases `bench/case_list_bench.py` generated (see bench/CASELIST.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recovery_bench \\
        .venv/bin/python bench/case_list_profile.py [--rounds 5] [--explain] [--profile]
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.case_list_bench import search_terms, token_for  # noqa: E402
from bench.intake_profile import backend_cpu  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN (ANALYZE, BUFFERS) every statement of one request each")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--terms", type=int, default=30, help="searches per user")
    args = parser.parse_args()
    terms = search_terms()[:args.terms]
    client = Client()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    profiler = cProfile.Profile() if args.profile else None
    print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
          f"load average {os.getloadavg()[0]:.1f}")
    for username in ("hq1", "manager1"):
        headers = {"HTTP_AUTHORIZATION": f"Token {token_for(username)}"}
        paths = {"first page": ["/api/v1/cases/"] * 20,  # 20 samples a round
                 "search": [f"/api/v1/cases/?q={urllib.parse.quote(t)}" for t in terms]}
        for label, group in paths.items():
            python_ms, pg_ms, wall_ms, count = [], [], [], []
            for round_ in range(args.rounds + 1):
                for i, path in enumerate(group):
                    with CaptureQueriesContext(connection) as queries:
                        cpu0, pg0, wall0 = time.thread_time(), backend_cpu(pid), time.time()
                        if profiler and round_:
                            profiler.enable()
                        response = client.get(path, **headers)
                        if profiler and round_:
                            profiler.disable()
                        cpu1, pg1, wall1 = time.thread_time(), backend_cpu(pid), time.time()
                    assert response.status_code == 200, (path, response.content[:300])
                    if round_:  # the first round warms
                        python_ms.append((cpu1 - cpu0) * 1000)
                        pg_ms.append((pg1 - pg0) * 1000)
                        wall_ms.append((wall1 - wall0) * 1000)
                        count.append(len(queries))
                    elif args.explain and i == 0:
                        explain(queries.captured_queries)
            print(f"{username:9s} {label:10s} web CPU median {statistics.median(python_ms):6.1f} "
                  f"ms, PostgreSQL median {statistics.median(pg_ms):6.1f} ms (p95 "
                  f"{sorted(pg_ms)[int(len(pg_ms) * .95)]:6.1f}), wall median "
                  f"{statistics.median(wall_ms):6.1f} ms (p95 "
                  f"{sorted(wall_ms)[int(len(wall_ms) * .95)]:6.1f}), "
                  f"statements {statistics.median(count):.0f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def explain(queries) -> None:
    for q in queries:
        sql = q["sql"]
        if not sql.startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n    ".join(row[0] for row in cursor.fetchall())
        print(f"  {sql[:400]}\n    {plan}")


if __name__ == "__main__":
    main()
