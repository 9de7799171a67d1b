"""Benchmark of the measures endpoint (issue 8). Prints figures; it is not a test.
See bench/METRICS.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recovery_metrics_bench \
        .venv/bin/python bench/metrics_bench.py generate [--cases 1000000] [--stores 200]
    DATABASE_URL=... .venv/bin/python bench/metrics_bench.py measure [--repeat 5]

`generate` empties the cases of the database it is given, so give it a database of its own.
The rows are made in SQL (generate_series), not through the intake service.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from cases.models import Case  # noqa: E402
from demo.seed import network_create, users_create  # noqa: E402
from metrics.facts import case_facts_rebuild  # noqa: E402
from metrics.tallies import tallies_rebuild  # noqa: E402
from org.models import NodeKind, OrgNode  # noqa: E402

DAYS = 730  # the cases spread over two years, so "a year" is about half of them


def sql(statement: str, params=(), label: str = "") -> None:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.rowcount
    print(f"  {label or statement[:60]:<40} {rows:>9} rows {time.perf_counter() - started:6.1f} s",
          flush=True)


def network(stores: int) -> list[int]:
    nodes = network_create()
    users_create(nodes=nodes, password="bench")
    regions = [n for n in nodes.values() if n.kind == NodeKind.REGION]
    have = OrgNode.objects.filter(kind=NodeKind.STORE).count()
    extra = []
    for i in range(have, stores):
        region = regions[i % len(regions)]
        code = f"B{i:04d}"
        extra.append(OrgNode(code=code, name=f"门店{code}", kind=NodeKind.STORE, parent=region,
                             path=f"{region.path}{code}/"))
    OrgNode.objects.bulk_create(extra, ignore_conflicts=True)
    return list(OrgNode.objects.filter(kind=NodeKind.STORE).order_by("pk")
                .values_list("pk", flat=True))


def generate(*, cases: int, stores: int) -> None:
    print(f"generating {cases} cases over {DAYS} days in {stores} stores", flush=True)
    sql("TRUNCATE cases_case, cases_customer, cases_servicerecord, metrics_tally, "
        "metrics_tallychange RESTART IDENTITY CASCADE", label="truncate")
    store_ids = network(stores)
    customers = max(cases * 7 // 10, 1)
    actor = connection.cursor()
    actor.execute("SELECT id FROM org_user WHERE username = 'integration'")
    actor_id = actor.fetchone()[0]
    sql("""INSERT INTO cases_customer (id, external_id, name, phone, vip, segment, created_at)
           SELECT g, 'bench-' || g, '客户' || g, '', g %% 20 = 0, 'regular', now()
           FROM generate_series(1, %s) g""", [customers], label="customers")
    # One row of dice per case, then the case from the dice.
    sql("""CREATE TEMP TABLE dice AS SELECT g AS id, random() r1, random() r2, random() r3,
           random() r4, random() r5, random() r6 FROM generate_series(1, %s) g""", [cases],
        label="dice")
    sql("""
        INSERT INTO cases_case (id, number, source, level, severity, flags, description,
            score_before, score_after, rescored_at, triggered_at, received_at, state, outcome,
            contacted_at, resolved_at, closed_at, created_at, store_id, customer_id,
            failure_type_id)
        SELECT d.id, 'B' || d.id, 'survey', 'L' || (1 + d.id %% 4), 'moderate', '[]', '',
            (d.r1 * 7)::int, s.after, CASE WHEN s.after IS NOT NULL THEN s.closed END,
            s.t0, s.t0, CASE WHEN s.closed IS NULL THEN 'in_progress' ELSE 'closed' END,
            CASE WHEN s.closed IS NULL THEN '' WHEN d.r3 < .78 THEN 'recovered'
                 WHEN d.r3 < .9 THEN 'retained' ELSE 'lost' END,
            CASE WHEN d.r4 < .97 THEN s.t0 + (-ln(1 - d.r4 * .999) * interval '100 minutes') END,
            s.closed - interval '1 day', s.closed, s.t0,
            (%s::bigint[])[1 + d.id %% %s], 1 + (d.id::bigint * 7919) %% %s, 1 + d.id %% 6
        FROM dice d, LATERAL (SELECT
            now() - d.r2 * interval '%s days' AS t0,
            CASE WHEN d.r2 * %s > 21 AND d.r5 < .95
                 THEN now() - d.r2 * interval '%s days' + (2 + d.r5 * 18) * interval '1 day'
            END AS closed,
            CASE WHEN d.r6 < .85 THEN least(10, (d.r6 * 13)::int) END AS after) s
        """, [store_ids, len(store_ids), customers, DAYS, DAYS, DAYS], label="cases")
    sql("SELECT setval('cases_case_id_seq', %s)", [cases], label="sequence")
    sql("SELECT setval('cases_customer_id_seq', %s)", [customers], label="sequence")
    sql("""INSERT INTO cases_servicerecord (order_number, service_type, advisor, technician,
               visit_at, amount, customer_id, store_id)
           SELECT 'later-' || c.id, 'maintenance', '', '', c.closed_at + interval '20 days',
                  500, c.customer_id, c.store_id
           FROM cases_case c JOIN dice d ON d.id = c.id
           WHERE c.closed_at IS NOT NULL AND d.r1 < .7""", label="later visits")
    sql("""INSERT INTO escalation_deadline (kind, due_at, warn_at, met_at, escalated_at,
               failure_message, attempts, case_id, store_id)
           SELECT k.kind, c.triggered_at + k.win, NULL,
                  CASE WHEN c.closed_at IS NOT NULL OR k.kind IN ('assembly', 'contact')
                       THEN c.triggered_at + k.win * (0.3 + d.r5 * 0.9) END,
                  CASE WHEN d.r5 > 0.78
                         -- the sweep has escalated what an open case let pass
                         OR (c.closed_at IS NULL AND k.kind NOT IN ('assembly', 'contact')
                             AND c.triggered_at + k.win < now() - interval '1 minute')
                       THEN c.triggered_at + k.win END, '', 0, c.id,
                  c.store_id
           FROM cases_case c JOIN dice d ON d.id = c.id,
                (VALUES ('assembly', interval '15 minutes'), ('contact', interval '2 hours'),
                        ('plan', interval '4 hours'), ('execution', interval '8 hours'),
                        ('resolution', interval '24 hours')) k(kind, win)""",
        label="deadlines")
    sql("""INSERT INTO escalation_escalation (kind, from_level, to_level, target, note, due_at,
               fired_at, case_id, deadline_id, store_id)
           SELECT kind, 'L2', 'L3', 'owner_superior', '', due_at, escalated_at, case_id, id,
                  store_id
           FROM escalation_deadline WHERE escalated_at IS NOT NULL""", label="escalations")
    sql("""INSERT INTO toolkit_rootcause (whys, root_cause, category, corrective_action,
               updated_at, case_id)
           SELECT '[]', '', (ARRAY['product_defect', 'process_error',
                                   'human_negligence'])[1 + c.id %% 3], '', now(), c.id
           FROM cases_case c JOIN dice d ON d.id = c.id WHERE d.r3 < .5""", label="root causes")
    sql("""INSERT INTO compensation_offer (id, tier, status, proposed_value, total_value,
               outside_range, under_loss, note, created_at, case_id, proposed_by_id)
           SELECT c.id, 'expected', 'approved', 200, 200, false, false, '', c.triggered_at,
                  c.id, %s
           FROM cases_case c JOIN dice d ON d.id = c.id WHERE d.r6 < .4""", [actor_id],
        label="offers")
    sql("""INSERT INTO compensation_offerline (id, code, name, dimension, value, position,
               offer_id, item_id)
           SELECT o.id, 'voucher', '代金券', 'material', 100 + o.id %% 300, 0, o.id,
                  (SELECT min(id) FROM compensation_remedyitem)
           FROM compensation_offer o""", label="offer lines")
    sql("""INSERT INTO compensation_issuedcompensation (code, name, value, issued_at, case_id,
               issued_by_id, offer_id, line_id)
           SELECT l.code, l.name, l.value, o.created_at, o.case_id, %s, o.id, l.id
           FROM compensation_offerline l JOIN compensation_offer o ON o.id = l.offer_id""",
        [actor_id], label="issued")
    for seq, table in (("compensation_offer_id_seq", "compensation_offer"),
                       ("compensation_offerline_id_seq", "compensation_offerline")):
        sql(f"SELECT setval('{seq}', (SELECT coalesce(max(id), 1) FROM {table}))",
            label="sequence")
    sql("DROP TABLE dice", label="drop dice")
    started = time.perf_counter()
    print(f"  case facts {case_facts_rebuild()} rows {time.perf_counter() - started:.1f} s",
          flush=True)
    started = time.perf_counter()
    print(f"  tallies {tallies_rebuild()} rows {time.perf_counter() - started:.1f} s",
          flush=True)
    started = time.perf_counter()
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.connection.autocommit = old
    print(f"  vacuum analyze {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["generate", "measure"])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL.")
    if args.action == "generate":
        generate(cases=args.cases, stores=args.stores)
    else:
        measure(repeat=args.repeat)


def measure(*, repeat: int) -> None:
    """Times GET /api/v1/metrics/ end to end (auth, scope, every query, JSON) for a year."""
    from datetime import timedelta

    from django.db import reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from org.models import User

    end = timezone.localdate()
    shifted = end.replace(day=14) if end.day != 14 else end - timedelta(days=1)
    periods = {  # whole months (read from month tallies) and part months (day tallies too)
        "a year": {"from": (end - timedelta(days=364)).isoformat(), "to": end.isoformat()},
        "a year, part months": {"from": (shifted - timedelta(days=364)).isoformat(),
                                "to": shifted.isoformat()},
    }
    print(f"cases: {Case.objects.count()}; "
          + "; ".join(f"{name}: {p['from']} … {p['to']}" for name, p in periods.items()))
    checks = [("network, {} (hq1)", "hq1", {}, 0.5),
              ("area A1, {} (area1)", "area1", {}, None),
              ("region R1, {} (regional1)", "regional1", {}, None),
              ("store S01, {} (manager1)", "manager1", {}, 0.1),
              ("store S01, {} (hq1, node=S01)", "hq1", {"node": "S01"}, 0.1)]
    failed = False
    for name, period in periods.items():
        for label, username, params, limit in checks:
            client = APIClient()
            client.force_authenticate(User.objects.get(username=username))
            timings = []
            for _ in range(repeat + 1):  # the first run warms caches and is not counted
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get("/api/v1/metrics/", {**period, **params})
                    timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.content[:300]
            timings = timings[1:]
            closed = response.json()["kpis"]["success_rate"]["closed"]
            median = statistics.median(timings)
            verdict = "" if limit is None else ("  OK" if median < limit else f"  OVER {limit}s")
            failed |= bool(limit) and median >= limit
            print(f"{label.format(name):<44} median {median * 1000:7.0f} ms  min "
                  f"{min(timings) * 1000:7.0f} ms  {len(queries)} queries  {closed} closed"
                  f"{verdict}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
