"""Load benchmark of survey intake (issue 9). Prints figures; it is not a test. See
bench/RESULTS.md.

    createdb -h 127.0.0.1 -U postgres recovery_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recovery_load \
    REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/intake_load.py [--rate 200] [--seconds 120] [--low-share 0.2]

It starts gunicorn, a Celery worker and beat on that database and Redis (and empties its cases:
give it a database of its own), then POSTs survey responses open loop at `--rate` a second,
signed by an intake source as a survey platform sends them. `--low-share` of them score 0–6
and open a case (with its deadlines, checklist, notifications and their deliveries); the rest
score 7–10. Target: ≥ 200 requests/s for 2 minutes with p99 < 100 ms and no error.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from bench import harness  # noqa: E402
from cases.models import Case, IntakeSource, SurveyResponse  # noqa: E402
from notifications.models import Delivery  # noqa: E402
from org.models import NodeKind, OrgNode  # noqa: E402
from recovery.signing import body_signature  # noqa: E402

SOURCE = "loadbench"


def prepare() -> IntakeSource:
    account = harness.database_prepare()
    source, _created = IntakeSource.objects.update_or_create(
        code=SOURCE, defaults={"name": "Load bench", "signed_only": True, "active": True,
                               "account": account})
    return source


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--low-share", type=float, default=0.2,
                        help="share of responses that score 0–6 and open a case")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--worker-concurrency", type=int, default=4)
    parser.add_argument("--warm-up", type=int, default=10,
                        help="seconds of the same load before the measured run (not counted): "
                             "a server in service has loaded its code and opened its "
                             "connections")
    args = parser.parse_args()
    source = prepare()
    stores = list(OrgNode.objects.filter(kind=NodeKind.STORE).values_list("code", flat=True))
    run = int(time.time())
    low_every = round(1 / args.low_share) if args.low_share else 0

    def request_for(i: int, phase: str = "run"):
        low = bool(low_every) and i % low_every == 0
        key = f"{run}-{phase}-{i}"
        body = {"source": SOURCE, "external_id": key, "store": stores[i % len(stores)],
                "score": i % 7 if low else 7 + i % 4,
                "comment": "等了两个小时没人管" if low else "服务很好",
                "customer": {"external_id": f"load-{key}", "name": f"客户{i}",
                             "phone": f"138{i % 100000000:08d}"}}

        def headers(raw: bytes) -> dict:
            timestamp = int(time.time())
            return {"Content-Type": "application/json", "X-Recovery-Source": SOURCE,
                    "X-Recovery-Timestamp": str(timestamp),
                    "X-Recovery-Signature": body_signature(secret=source.secret,
                                                           timestamp=timestamp, body=raw)}
        return key, "/api/v1/survey-responses/", body, headers

    procs = harness.product_start(web_workers=args.web_workers, web_threads=args.web_threads,
                                  worker_concurrency=args.worker_concurrency, beat=True)
    try:
        if args.warm_up:
            harness.fire(rate=args.rate, seconds=args.warm_up,
                         request_for=lambda i: request_for(i, "warm-up"))
        prepared = harness.requests_prepare(count=int(args.rate * args.seconds),
                                            request_for=request_for)
        cpu_before = harness.cpu_read(procs)
        started = time.time()
        results = harness.fire_prepared(rate=args.rate, prepared=prepared)
        finished = max(answered for _s, answered, _st in results.values())
        memory = harness.memory_mib(procs)
        time.sleep(15)  # let the worker catch up before counting deliveries
        cpu_after = harness.cpu_read(procs)
    finally:
        harness.product_stop(procs)

    latencies = [answered - scheduled for scheduled, answered, _st in results.values()]
    errors = sum(1 for *_t, status in results.values() if status not in (200, 201))
    throughput = len(results) / (finished - started)
    measured = {"source": SOURCE, "external_id__startswith": f"{run}-run-"}
    responses = SurveyResponse.objects.filter(**measured).count()
    cases = Case.objects.filter(responses__in=SurveyResponse.objects.filter(**measured)).count()
    deliveries = Delivery.objects.filter(
        notification__case__responses__in=SurveyResponse.objects.filter(**measured))
    print(f"{timezone.now():%Y-%m-%d %H:%M} rate {args.rate:g}/s for {args.seconds} s "
          f"(after {args.warm_up} s of warm-up), "
          f"low scores {args.low_share:.0%}, web {args.web_workers}×{args.web_threads}, "
          f"worker ×{args.worker_concurrency}, beat on")
    print(f"sent {len(results)}, answered 2xx {len(results) - errors}, errors {errors}, "
          f"throughput {throughput:.1f}/s, responses stored {responses}, cases {cases}, "
          f"deliveries {deliveries.count()} "
          f"(sent {deliveries.filter(sent_at__isnull=False).count()})")
    harness.report("survey POST latency", latencies, unit="ms")
    harness.cpu_report(cpu_before, cpu_after, len(results))
    # Where the slow ones fall: a start-up hiccup, a periodic stall, or a queue that grows.
    by_window: dict[int, list[float]] = {}
    for scheduled, answered, _status in results.values():
        by_window.setdefault(int((scheduled - started) // 10), []).append(answered - scheduled)
    for window, values in sorted(by_window.items()):
        p50, p99 = (harness.pct(values, q) * 1000 for q in (.5, .99))
        print(f"  {window * 10:4d}-{window * 10 + 10:<4d}s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms"
              f"  max {max(values) * 1000:7.1f} ms")
    print("memory (MiB):  role                     pid    resident   peak")
    for role, pid, rss, peak in memory:
        print(f"               {role:<22} {pid:>7} {rss:9.1f} {peak:7.1f}")
    passed = (errors == 0 and throughput >= args.rate * 0.98
              and harness.pct(latencies, .99) < 0.100)
    print("PASS" if passed else "FAIL")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
