"""CPU and statements per fired deadline, in-process (issue 17): figures that hold on a busy
machine where the busy sweep's wall time does not. See bench/SWEEP.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recovery_sweep \
        .venv/bin/python bench/sweep_profile.py [--due 2000] [--profile] [--show-queries]

It needs the cases `bench/sweep_bench.py` loaded into the same database (run that first). It
makes `--due` contact deadlines due, runs one `sweep()` and prints its wall time, the CPU of
this process and of the PostgreSQL backend serving it (from /proc, so PostgreSQL must run on
this machine), and the statements sent per deadline by kind. `--profile` prints the cProfile.
"""

import argparse
import cProfile
import pstats
import re
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

import bench.sweep_bench as sweep_bench  # noqa: E402  (first: sets up Django with its VAR_DIR)
from bench.intake_profile import backend_cpu, statement_key  # noqa: E402
from escalation import conf  # noqa: E402
from escalation.sweep import sweep  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--due", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--show-queries", action="store_true")
    args = parser.parse_args()
    sweep()  # whatever an earlier run left due
    sweep_bench.make_due(count=args.due, base=timezone.now() - timedelta(hours=1),
             spread=timedelta(minutes=59))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    profiler = cProfile.Profile() if args.profile else None
    kinds: Counter[str] = Counter()
    shown: list[str] = []

    def count(execute, sql, params, many, context):
        kinds[re.sub(r'"s\d+_x\d+"', '"?"', statement_key(sql))] += 1
        if len(shown) < 60:
            shown.append(sql[:300])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        wall, cpu, pg = time.monotonic(), time.thread_time(), backend_cpu(pid)
        if profiler:
            profiler.enable()
        stats = sweep()
        if profiler:
            profiler.disable()
        wall, cpu, pg = (time.monotonic() - wall, time.thread_time() - cpu,
                         backend_cpu(pid) - pg)
    n = max(stats.escalated, 1)
    print(f"{stats.escalated} escalated, {stats.failed} failed ({conf.SWEEP_BATCH} per batch): "
          f"wall {wall:.2f} s ({1000 * wall / n:.3f} ms each), Python CPU "
          f"{1000 * cpu / n:.3f} ms, PostgreSQL CPU {1000 * pg / n:.3f} ms per deadline")
    total = sum(kinds.values())
    print(f"{total} statements, {total / n:.2f} per deadline:")
    for key, count in kinds.most_common():
        print(f"  {count / n:7.3f}  {count:6d}  {key}")
    if args.show_queries:
        print("\n".join(shown))
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)


if __name__ == "__main__":
    main()
