"""CPU and statements per survey response, in-process (issue 18): no server, no client, so the
figures hold on a busy machine where a load run would not. See bench/RESULTS.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recovery_perf \
    REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/intake_profile.py [--n 300] [--profile opens|stored]

It prepares the database as `bench/intake_load.py` does (empties its cases), then sends the load
bench's two kinds of request through Django's test client (signature, middleware, view, on-commit
hooks, the Celery hand-off): a score of 7–10 (stored only) and a score of 0–6 (opens a case), in
turn. Per kind it prints the median CPU of this process and of the PostgreSQL backend serving it
(from /proc, so PostgreSQL must run on this machine) and the statements sent. `--profile` prints
the cProfile of one kind (PROFILE_DUMP=FILE also writes it, for pstats).
"""

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

import gc  # noqa: E402
from importlib import import_module  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.intake_load import SOURCE, prepare  # noqa: E402
from org.models import NodeKind, OrgNode  # noqa: E402
from recovery.collector import loaded_objects_freeze  # noqa: E402
from recovery.signing import body_signature  # noqa: E402


class CollectorClock:
    """Full and partial garbage collections while it runs, and their time."""

    def __init__(self):
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._start = 0.0
        gc.callbacks.append(self)

    def __call__(self, phase, info):
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.count[info["generation"]] += 1
            self.seconds[info["generation"]] += time.perf_counter() - self._start


def function_timer(spec: str) -> list[float]:
    """Wrap the function `module.name` wherever it is imported by name; CPU seconds of each
    outermost call are appended to the list returned."""
    import importlib
    import types

    module_name, name = spec.rsplit(".", 1)
    try:
        owner = importlib.import_module(module_name)
    except ImportError:  # a method: module.Class.name
        module_name, class_name = module_name.rsplit(".", 1)
        owner = getattr(importlib.import_module(module_name), class_name)
    original = getattr(owner, name)
    spent: list[float] = []
    depth = [0]

    def timed(*a, **kw):
        depth[0] += 1
        start = time.thread_time()
        try:
            return original(*a, **kw)
        finally:
            depth[0] -= 1
            if not depth[0]:
                spent.append(time.thread_time() - start)

    if isinstance(owner, type):
        setattr(owner, name, timed)
        return spent
    for module in list(sys.modules.values()):
        if isinstance(module, types.ModuleType) and getattr(module, name, None) is original:
            setattr(module, name, timed)
    return spent


def backend_cpu(pid: int) -> float:
    """Seconds the PostgreSQL backend has run on a CPU (the scheduler's count, in ns)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def statement_key(sql: str) -> str:
    """A statement's kind: its first words, without the values."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", " ".join(sql.split()))[:90]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300, help="requests of each kind")
    parser.add_argument("--profile", choices=["opens", "stored"])
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--calls", action="store_true",
                        help="count Python function calls per response (steady on a busy "
                             "machine, unlike its CPU time)")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--statements", action="store_true",
                        help="PostgreSQL CPU per kind of statement")
    parser.add_argument("--time", nargs="*", default=[], metavar="MODULE.FUNCTION",
                        help="also print the median CPU inside these functions, per kind")
    args = parser.parse_args()
    timed = {spec: function_timer(spec) for spec in args.time}
    source = prepare()
    stores = list(OrgNode.objects.filter(kind=NodeKind.STORE).values_list("code", flat=True))
    client = Client()
    run = int(time.time())

    def post(i: int, low: bool):
        key = f"{run}-{i}"
        body = {"source": SOURCE, "external_id": key, "store": stores[i % len(stores)],
                "score": i % 7 if low else 7 + i % 4,
                "comment": "等了两个小时没人管" if low else "服务很好",
                "customer": {"external_id": f"load-{key}", "name": f"客户{i}",
                             "phone": f"138{i % 100000000:08d}"}}
        raw = json.dumps(body).encode()
        timestamp = int(time.time())
        response = client.post(
            "/api/v1/survey-responses/", raw, content_type="application/json",
            HTTP_X_RECOVERY_SOURCE=SOURCE, HTTP_X_RECOVERY_TIMESTAMP=str(timestamp),
            HTTP_X_RECOVERY_SIGNATURE=body_signature(secret=source.secret, timestamp=timestamp,
                                                     body=raw))
        assert response.status_code == 201, response.content

    import_module(settings.ROOT_URLCONF)  # as recovery/wsgi.py does, then freeze
    loaded_objects_freeze()
    for i in range(40):  # warm: imports, jieba, caches, the connection
        post(i, low=i % 2 == 0)
    collector = CollectorClock()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    figures = {"stored": ([], [], []), "opens": ([], [], [])}
    profiler = cProfile.Profile() if args.profile else None
    queries_shown = set()
    inside: dict[tuple[str, str], list[float]] = {}
    counters: dict[str, cProfile.Profile] = {}
    for spent in timed.values():
        spent.clear()
    per_statement: dict[tuple[str, str], list[float]] = {}

    def statement_timer(execute, sql, params, many, context):
        before = backend_cpu(pid)
        try:
            return execute(sql, params, many, context)
        finally:
            per_statement.setdefault((current[0], statement_key(sql)), []).append(
                backend_cpu(pid) - before)

    current = [""]
    if args.statements:
        connection.execute_wrappers.append(statement_timer)
    for i in range(1000, 1000 + 2 * args.n):
        kind = "opens" if i % 2 else "stored"
        current[0] = kind
        profiling = profiler is not None and kind == args.profile
        counter = counters.setdefault(kind, cProfile.Profile()) if args.calls else None
        reset_queries()  # the log keeps 9 000
        with CaptureQueriesContext(connection) as queries:
            cpu0, pg0 = time.thread_time(), backend_cpu(pid)
            if profiling:
                profiler.enable()
            if counter:
                counter.enable()
            post(i, low=kind == "opens")
            if counter:
                counter.disable()
            if profiling:
                profiler.disable()
            cpu1, pg1 = time.thread_time(), backend_cpu(pid)
        python_ms, pg_ms, count = figures[kind]
        for spec, spent in timed.items():
            inside.setdefault((kind, spec), []).append(sum(spent) * 1000)
            spent.clear()
        python_ms.append((cpu1 - cpu0) * 1000)
        pg_ms.append((pg1 - pg0) * 1000)
        count.append(len(queries))
        if args.show_queries and kind not in queries_shown:
            queries_shown.add(kind)
            print(f"--- {kind}: {len(queries)} statements")
            for q in queries.captured_queries:
                print(f"  {q['sql'][:300]}")
    print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {args.n} of each kind, "
          f"load average {os.getloadavg()[0]:.1f}")
    for kind, (python_ms, pg_ms, count) in figures.items():
        print(f"{kind:7s} web CPU median {statistics.median(python_ms):6.2f} ms "
              f"(p10 {sorted(python_ms)[len(python_ms) // 10]:6.2f}), "
              f"PostgreSQL backend mean {statistics.mean(pg_ms):5.2f} ms, "
              f"statements {statistics.median(count):.0f}")
    print("garbage collections per response, by generation: " + ", ".join(
        f"{n / (2 * args.n):.3f} ({ms * 1000 / (2 * args.n):.2f} ms)"
        for n, ms in zip(collector.count, collector.seconds, strict=True)))
    for kind, counter in counters.items():
        print(f"{kind:7s} Python function calls per response: "
              f"{pstats.Stats(counter).total_calls / args.n:.0f}")
    for (kind, key), values in sorted(per_statement.items()):
        print(f"  {kind:7s} PG {sum(values) / args.n * 1000:5.2f} ms/response  {key}")
    for (kind, spec), values in inside.items():
        print(f"  {kind:7s} {spec:55s} median {statistics.median(values):6.2f} ms "
              f"mean {statistics.mean(values):6.2f} ms")
    worker_figures(args.n)
    if profiler is not None:
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(45)
        if os.environ.get("PROFILE_DUMP"):
            stats.dump_stats(os.environ["PROFILE_DUMP"])


def worker_figures(n: int) -> None:
    """The worker's share of a case: its `deliver` task (the case's deliveries, together), run
    here on the deliveries the requests above left pending (no worker runs)."""
    from notifications.models import Delivery, DeliveryStatus
    from notifications.tasks import deliver

    batches: dict[int, list[int]] = {}
    for pk, case_id in Delivery.objects.filter(status=DeliveryStatus.PENDING).values_list(
            "pk", "notification__case_id").order_by("pk"):
        batches.setdefault(case_id, []).append(pk)
    tasks = list(batches.values())[-n:]
    for ids in tasks[:20]:  # warm
        deliver.run(*ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    python_ms, pg_ms, count = [], [], []
    for ids in tasks[20:]:
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            cpu0, pg0 = time.thread_time(), backend_cpu(pid)
            deliver.run(*ids)
            cpu1, pg1 = time.thread_time(), backend_cpu(pid)
        python_ms.append((cpu1 - cpu0) * 1000)
        pg_ms.append((pg1 - pg0) * 1000)
        count.append(len(queries))
    if python_ms:
        print(f"deliver (a case's {statistics.mean(len(t) for t in tasks):.1f} deliveries) "
              f"worker CPU median {statistics.median(python_ms):6.2f} ms, PostgreSQL backend "
              f"mean {statistics.mean(pg_ms):5.2f} ms, statements {statistics.median(count):.0f}")


if __name__ == "__main__":
    main()
