"""Benchmark of the SLA sweep (issue 3). Prints figures; it is not a test. See bench/SWEEP.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recovery_bench \
        .venv/bin/python bench/sweep_bench.py [--cases 100000] [--due 10000] [--beat 120]

It empties the cases of the database it is given, so give it a database of its own.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
# Without REDIS_URL the product uses kombu's filesystem broker under VAR_DIR (as bin/run does);
# the notification outbox publishes to it on commit, so it must exist.
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="sweep-bench-"))
for sub in ("broker/out", "broker/processed"):
    (Path(os.environ["VAR_DIR"]) / sub).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Case, Customer, Level, Severity  # noqa: E402
from demo.seed import network_create, users_create  # noqa: E402
from escalation import conf  # noqa: E402
from escalation.deadlines import CASE_DEADLINES  # noqa: E402
from escalation.models import Deadline, DeadlineKind, Escalation, SlaPolicy  # noqa: E402
from escalation.sweep import due_deadlines, sweep  # noqa: E402
from org.models import NodeKind, Role  # noqa: E402

CHUNK = 10_000


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_case, cases_customer RESTART IDENTITY CASCADE")


def load(*, cases: int) -> None:
    """Open cases written in bulk: T0 in the last 30 minutes, so nothing is due or warnable."""
    nodes = network_create()
    users_create(nodes=nodes, password="bench-password")
    stores = [n for n in nodes.values() if n.kind == NodeKind.STORE]
    owners = {s.pk: s.members.filter(role=Role.SERVICE_MANAGER).first() for s in stores}
    policies = {p.kind: p for p in SlaPolicy.objects.filter(kind__in=CASE_DEADLINES)}
    now = timezone.now()
    rng = random.Random(3)
    for start in range(0, cases, CHUNK):
        n = min(CHUNK, cases - start)
        customers = Customer.objects.bulk_create(
            Customer(name=f"bench {start + i}", external_id=f"bench-{start + i}")
            for i in range(n))
        rows = []
        for i, customer in enumerate(customers):
            store = stores[(start + i) % len(stores)]
            t0 = now - timedelta(seconds=rng.uniform(0, 1800))
            rows.append(Case(number=f"BENCH-{start + i:07d}", source="survey", store=store,
                             customer=customer, level=Level.L2, severity=Severity.MODERATE,
                             triggered_at=t0, received_at=t0, owner=owners[store.pk]))
        created = Case.objects.bulk_create(rows)
        Deadline.objects.bulk_create(
            Deadline(case=c, kind=kind, due_at=c.triggered_at + p.window,
                     warn_at=c.triggered_at + p.warn_offset(),
                     met_at=c.received_at if kind == DeadlineKind.ASSEMBLY else None)
            for c in created for kind, p in policies.items())
        print(f"  loaded {start + n} cases", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print()


def rebase() -> None:
    """Re-running on loaded cases: shift every clock so the newest T0 is now again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT now() - max(triggered_at) FROM cases_case")
        [shift] = cursor.fetchone()
        cursor.execute("UPDATE cases_case SET triggered_at = triggered_at + %s,"
                       " received_at = received_at + %s", [shift, shift])
        cursor.execute("UPDATE escalation_deadline SET due_at = due_at + %s,"
                       " warn_at = warn_at + %s WHERE escalated_at IS NULL AND met_at IS NULL",
                       [shift, shift])
        # A run stopped mid-sweep leaves failed rows backing off; they would fire in the idle sweep.
        cursor.execute("UPDATE escalation_deadline SET retry_at = NULL, attempts = 0,"
                       " failure_message = '' WHERE retry_at IS NOT NULL")
        cursor.execute("VACUUM ANALYZE escalation_deadline")


def idle_sweeps(*, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        stats = sweep()
        assert stats.escalated == stats.warned == 0, stats
        timings.append(stats.seconds * 1000)
    return timings


def explain_due() -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = due_deadlines(now=timezone.now()).select_for_update(
            skip_locked=True, of=("self", "case"))[:1].query.sql_with_params()
        cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
        return "\n".join(f"    {row[0]}" for row in cursor.fetchall())


def make_due(*, count: int, base, spread: timedelta) -> list[int]:
    """Move the contact deadline of `count` cases to base + i·spread/count; no warnings."""
    ids = list(Deadline.objects.filter(kind=DeadlineKind.CONTACT, escalated_at=None)
               .order_by("?").values_list("pk", flat=True)[:count])
    step = spread / count
    for i, pk in enumerate(ids):
        due = base + step * i
        Deadline.objects.filter(pk=pk).update(due_at=due, warn_at=due - timedelta(hours=1),
                                              warned_at=due - timedelta(hours=1))
    return ids


def beat_latency(*, seconds: int, count: int) -> list[float]:
    """Run `celery worker -B` as bin/run does and measure deadline → escalation delays."""
    # The sweeps share the worker's queue with notification deliveries: start without the
    # backlog the phases above left in this database's outbox, and with a broker of its own.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_notification CASCADE")
    var_dir = Path(tempfile.mkdtemp(prefix="sweep-bench-beat-"))
    for sub in ("broker/out", "broker/processed"):
        (var_dir / sub).mkdir(parents=True)
    with open(var_dir / "worker.log", "w") as log:
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "recovery", "worker", "-B",
             "-Q", "celery,sweeps", "--pool=threads", "--concurrency=4", "--loglevel=INFO",
             f"--schedule={var_dir / 'celerybeat-schedule'}"],
            cwd=ROOT, env={**os.environ, "VAR_DIR": str(var_dir)}, stdout=log,
            stderr=subprocess.STDOUT)
        try:
            ids = make_due(count=count, base=timezone.now() + timedelta(seconds=10),
                           spread=timedelta(seconds=seconds))
            give_up = time.monotonic() + seconds + 10 + 90
            while time.monotonic() < give_up:
                if Escalation.objects.filter(deadline_id__in=ids).count() == len(ids):
                    break
                time.sleep(2)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    fired = Escalation.objects.filter(deadline_id__in=ids)
    print(f"  worker log: {var_dir / 'worker.log'}; fired {fired.count()} of {len(ids)}")
    return [(e.fired_at - e.due_at).total_seconds() for e in fired]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000, help="0 skips this measurement")
    parser.add_argument("--beat", type=int, default=0, metavar="SECONDS",
                        help="also measure delays with `celery worker -B` over this window")
    parser.add_argument("--beat-deadlines", type=int, default=300)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the cases a previous run loaded (faster re-runs)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL: set DATABASE_URL to a database of its own.")
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    if args.reuse and Case.objects.exists():
        sweep()  # what a previous run's latency window left due
        rebase()
    else:
        reset()
        load(cases=args.cases)
    print(f"{Case.objects.count()} open cases, {Deadline.objects.count()} deadlines "
          f"in {time.monotonic() - started:.1f} s")

    timings = idle_sweeps(runs=20)
    print(f"sweep with nothing due: median "
          f"{statistics.median(timings):.1f} ms, max {max(timings):.1f} ms (target < 50 ms)")
    print("  plan of the claim query:\n" + explain_due())

    if args.due:
        make_due(count=args.due, base=timezone.now() - timedelta(hours=1),
                 spread=timedelta(minutes=59))
        stats = sweep()
        print(f"sweep firing {args.due} due deadlines ({conf.SWEEP_BATCH} per batch): "
              f"{stats.escalated} escalated, "
              f"{stats.failed} failed in {stats.seconds:.1f} s "
              f"({1000 * stats.seconds / max(stats.escalated, 1):.2f} ms each; target < 20 s)")

    if args.beat:
        delays = beat_latency(seconds=args.beat, count=args.beat_deadlines)
        if delays:
            print(f"deadline → escalation with beat every 30 s ({len(delays)} deadlines over "
                  f"{args.beat} s): p50 {pct(delays, 50):.1f} s, p99 {pct(delays, 99):.1f} s, "
                  f"max {max(delays):.1f} s (target p99 < 60 s)")


if __name__ == "__main__":
    main()
