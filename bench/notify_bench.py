"""Benchmark of notification delivery (issue 5). Prints figures; it is not a test.

From the survey POST to the store manager's in-app notification (committed with the case, so
visible when the POST returns) and to his e-mail handed to the mail backend (the delivery's
`sent_at`, written by a Celery worker on Redis). Target: p99 < 5 s at 50 cases/s for a minute.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recovery_notif_bench \
    REDIS_URL=redis://127.0.0.1:6379/13 \
        .venv/bin/python bench/notify_bench.py [--rate 50] [--seconds 60]

It starts its own web server (gunicorn) and worker (celery) on that database and Redis, and
empties the cases of the database it is given, so give it a database of its own. Latencies are
counted from the moment each request was scheduled (open loop), so a slow server cannot hide
its queue.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
# Workers hand mail to the in-memory backend: "handed to the backend" is what is measured.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Measure the path, not the clock: no quiet hours whatever time the bench runs.
os.environ["NOTIFY_QUIET_HOURS"] = ""

import django  # noqa: E402

django.setup()

from rest_framework.authtoken.models import Token  # noqa: E402

from bench import harness  # noqa: E402
from bench.harness import pct, report  # noqa: E402
from cases.models import SurveyResponse  # noqa: E402
from notifications.models import Delivery, Notification  # noqa: E402
from org.models import NodeKind, Role, User  # noqa: E402

SOURCE = "bench"


def prepare() -> str:
    token, _created = Token.objects.get_or_create(user=harness.database_prepare())
    return token.key


def fire(*, token: str, rate: int, seconds: int) -> dict[str, tuple[float, float, int]]:
    """POST `rate` low-score survey responses a second, each opening a case; returns external
    id → (scheduled, answered, status)."""
    stores = list(User.objects.filter(role=Role.SERVICE_MANAGER, node__kind=NodeKind.STORE)
                  .values_list("node__code", flat=True).distinct())
    run = int(time.time())
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def request_for(i: int):
        external_id = f"n{run}-{i}"
        body = {"source": SOURCE, "external_id": external_id, "store": stores[i % len(stores)],
                "score": 3, "comment": "等了两个小时没人管",
                "customer": {"external_id": f"bench-cust-{run}-{i}", "name": f"客户{i}"}}
        return external_id, "/api/v1/survey-responses/", body, headers

    return harness.fire(rate=rate, seconds=seconds, request_for=request_for)


def measure(results: dict[str, tuple[float, float, int]], wait: float) -> bool:
    ids = [k for k, (_s, _a, status) in results.items() if status in (200, 201)]
    cases = dict(SurveyResponse.objects.filter(source=SOURCE, external_id__in=ids)
                 .values_list("case_id", "external_id"))
    deadline = time.time() + wait
    while True:
        sent = dict(Delivery.objects.filter(
            channel="email", notification__case_id__in=cases, sent_at__isnull=False,
            notification__recipient__role=Role.SERVICE_MANAGER,
        ).values_list("notification__case_id", "sent_at"))
        if len(sent) >= len(cases) or time.time() > deadline:
            break
        time.sleep(1)
    in_app = set(Notification.objects.filter(
        case_id__in=cases, recipient__role=Role.SERVICE_MANAGER).values_list("case_id", flat=True))
    inapp_latency = [results[cases[c]][1] - results[cases[c]][0] for c in in_app]
    mail_latency = [sent[c].timestamp() - results[cases[c]][0] for c in sent]
    both = [max(results[cases[c]][1], sent[c].timestamp()) - results[cases[c]][0]
            for c in sent if c in in_app]
    errors = len(results) - len(ids)
    print(f"{time.strftime('%Y-%m-%d %H:%M')} posted {len(results)}, HTTP errors {errors}, "
          f"cases {len(cases)}, manager in-app {len(in_app)}, manager e-mail sent {len(sent)}")
    report("POST → manager in-app notification", inapp_latency)
    report("POST → manager e-mail handed over", mail_latency)
    report("POST → both", both)
    # The outbox's own share: from the committed case (POST answered) to the e-mail handed over.
    report("POST answered → e-mail handed over",
           [sent[c].timestamp() - results[cases[c]][1] for c in sent])
    passed = (errors == 0 and len(sent) == len(cases) == len(in_app)
              and pct(both, .99) < 5.0)
    print("PASS: p99 < 5 s" if passed else "FAIL")
    return passed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=50, help="cases per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--worker-concurrency", type=int, default=8)
    args = parser.parse_args()
    token = prepare()
    procs = harness.product_start(web_workers=args.web_workers, web_threads=args.web_threads,
                                  worker_concurrency=args.worker_concurrency, beat=False)
    try:
        results = fire(token=token, rate=args.rate, seconds=args.seconds)
        passed = measure(results, wait=60)
    finally:
        harness.product_stop(procs)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
