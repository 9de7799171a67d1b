"""The case list and the search box on a million cases: `GET /api/v1/cases/` (first page) and
`GET /api/v1/cases/?q=…` for HQ and for a store's manager, 8 clients at once, each sending its
next request when the last is answered (closed loop). See bench/CASELIST.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recovery_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python -m bench.case_list_bench
"""

import argparse
import http.client
import os
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from bench.harness import PORT, database_prepare, product_start, product_stop, report  # noqa: E402
from org.models import NodeKind, OrgNode, User  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
PLATE_PREFIX = ["沪A", "沪B", "浙A", "粤A", "粤B"]


def cases_generate(n: int) -> None:
    """Customers (0.6 per case), one visit per case and the cases, in set-based SQL; checklist
    items (eight) for the newest 50 000 cases, the ones the first pages show."""
    stores = list(OrgNode.objects.filter(kind=NodeKind.STORE).order_by("pk")
                  .values_list("pk", flat=True))
    customers = int(n * 0.6)
    started = time.time()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(f"""
            INSERT INTO cases_customer (external_id, name, phone, vip, segment, created_at,
                                        plate, vin, vehicle_model)
            SELECT 'bench-c-' || i,
                   substr(%s::text, (1 + i %% 20)::int, 1)
                     || substr(%s::text, (1 + (i / 20) %% 28)::int, 1)
                     || CASE WHEN i %% 3 = 0 THEN ''
                        ELSE substr(%s::text, (1 + (i / 560) %% 28)::int, 1) END,
                   '13' || lpad(((i * 7919) %% 1000000000)::text, 9, '0'),
                   i %% 50 = 0, 'regular', now() - interval '2 years',
                   (%s::text[])[1 + i %% 5] || lpad(((i * 104729) %% 100000)::text, 5, '0'),
                   upper(substr(md5(i::text), 1, 17)), 'Model ' || (i %% 7)
            FROM generate_series(1::bigint, {customers}) AS i""",
            [SURNAMES, GIVEN, GIVEN, PLATE_PREFIX])
        cursor.execute("SELECT min(id) FROM cases_customer")
        first_customer = cursor.fetchone()[0]
        cursor.execute(f"""
            INSERT INTO cases_servicerecord (store_id, customer_id, order_number, service_type,
                advisor, technician, visit_at, amount, plate, vin, vehicle_model, mileage)
            SELECT (%s::bigint[])[1 + i %% {len(stores)}], {first_customer} + i %% {customers},
                   'RO' || lpad(i::text, 8, '0'), '保养', '', '',
                   now() - (i || ' minutes')::interval, 0, '', '', '', 10000 + i %% 90000
            FROM generate_series(1, {n}) AS i""", [stores])
        cursor.execute("SELECT min(id) FROM cases_servicerecord")
        first_record = cursor.fetchone()[0]
        # Case i: the visit i, newest last; one case in twenty is still active.
        cursor.execute(f"""
            INSERT INTO cases_case (number, source, store_id, customer_id, service_record_id,
                level, severity, flags, description, score_before, triggered_at, received_at,
                state, outcome, created_at, emotion, triage, plan, round, idempotency_key)
            SELECT 'SR' || to_char(t, 'YYMMDD') || '-' || lpad(i::text, 7, '0'), 'survey',
                   r.store_id, r.customer_id, r.id, 'L1', 'minor', '[]', '', i % 7,
                   t, t, CASE WHEN i % 20 = 0 THEN 'open' ELSE 'closed' END,
                   CASE WHEN i % 20 = 0 THEN '' ELSE 'recovered' END, t, '', '{{}}', '', 1, ''
            FROM (SELECT i, now() - ((({n} - i) * 60) || ' seconds')::interval AS t
                  FROM generate_series(1, {n}) AS i) g
            JOIN cases_servicerecord r ON r.id = {first_record} + g.i - 1""")
        cursor.execute("""
            INSERT INTO cases_checklistitem (case_id, code, title, title_en, position, done_at,
                                             required, waive_reason)
            SELECT c.id, 'step' || k, '步骤' || k, '', k,
                   CASE WHEN k <= 4 THEN c.triggered_at END, true, ''
            FROM (SELECT id, triggered_at FROM cases_case ORDER BY id DESC LIMIT 50000) c
            CROSS JOIN generate_series(1, 8) AS k""")
        # As autovacuum leaves a table that has lived a while: statistics, and the pages
        # marked all-visible that index-only scans rely on.
        cursor.execute("VACUUM (ANALYZE)")
    print(f"generated {n} cases, {customers} customers in {time.time() - started:.0f} s")


def token_for(username: str) -> str:
    return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key


def closed_loop(*, paths: list[str], token: str, clients: int, seconds: float) -> list[float]:
    """`clients` threads, each on its own keep-alive connection, send the paths in turn for
    `seconds`; returns every latency. A non-200 answer stops the run."""
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.time() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        i = k
        while time.time() < stop_at and not errors:
            path = paths[i % len(paths)]
            i += clients
            begin = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Token {token}"})
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - begin)
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit(f"failed: {errors[0]}")
    return latencies


def search_terms() -> list[str]:
    """Searches a person would type, each for something that exists: a full name, a plate,
    part of a phone number, part of a VIN, a repair order, a case number."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.name, c.plate, c.phone, c.vin, r.order_number, k.number "
                       "FROM cases_case k JOIN cases_customer c ON c.id = k.customer_id "
                       "JOIN cases_servicerecord r ON r.id = k.service_record_id "
                       "WHERE k.id % 9973 = 0 ORDER BY k.id LIMIT 20")
        rows = cursor.fetchall()
    terms = []
    for name, plate, phone, vin, order, number in rows:
        terms += [name, plate, phone[-6:], vin[3:10].lower(), order, number[-9:]]
    return [t for t in terms if len(t) >= 2]  # the API refuses a one-character search


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the cases already generated (same --cases)")
    args = parser.parse_args()
    database_prepare_once(args)
    terms = search_terms()
    tokens = {"hq1": token_for("hq1"), "manager1": token_for("manager1")}
    connection.close()
    procs = product_start(web_workers=2, web_threads=4, worker_concurrency=1, beat=False)
    try:
        for username, token in tokens.items():
            first = ["/api/v1/cases/"]
            search = [f"/api/v1/cases/?q={urllib.parse.quote(t)}" for t in terms]
            closed_loop(paths=first + search, token=token, clients=args.clients, seconds=3)
            report(f"{username} first page", closed_loop(
                paths=first, token=token, clients=args.clients, seconds=args.seconds), "ms")
            report(f"{username} search", closed_loop(
                paths=search, token=token, clients=args.clients, seconds=args.seconds), "ms")
    finally:
        product_stop(procs)


def database_prepare_once(args) -> None:
    from django.core.management import call_command

    from cases.models import Case

    if args.reuse and Case.objects.count() >= args.cases:
        call_command("migrate", verbosity=0)  # the cases reused, on this branch's schema
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        return
    database_prepare()
    cases_generate(args.cases)


if __name__ == "__main__":
    main()
