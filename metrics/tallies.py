"""Running totals of the measures (`Tally`), so that a year of the whole network reads a few
thousand rows instead of a million cases. PostgreSQL only: on SQLite (the demo, a laptop's
tests) the report reads the live rows.

Writers never update a total. Inside their own transaction they insert what changed
(`TallyChange`, per store and day), so a change commits with the row it counts and no writer
waits on another's totals:

- `facts_started` / `facts_tallied`: the share of a case's fact row, when it is written or
  rewritten (`metrics.facts`);
- `deadlines_settled`: a deadline stopped waiting (written met, met, escalated, cancelled); it
  settles once and its verdict is then final;
- `escalations_fired`: the sweep recorded escalations.

`tallies_fold` (beat, every 10 s) moves the changes into `Tally`, spread over the store's
ancestors and over day and month, in one statement. The report reads the totals and the
changes not yet folded in one statement too, so a fold never makes it count twice or miss.
`tallies_rebuild` (command `metrics_rebuild`, and after a store moves in the tree) recomputes
everything from the source rows. Days are calendar days in settings.TIME_ZONE."""

import functools
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When

from cases.models import Outcome
from escalation.models import Deadline, Escalation, counted_q, on_time_q, unsettled_q
from recovery.compiled import Prepared

from .models import Tally, TallyChange

# Serialises folds and rebuilds (pg_advisory locks).
LOCK = 0x7A11


class M:
    """What a tally counts (`Tally.measure`), by key, and what its `value` adds up."""

    CLOSED = "closed"  # cases closed, by re-score band; value: compensation issued
    RECOVERED = "recovered"  # by band
    RETAINED = "retained"  # by band
    BEFORE = "before"  # with a score before, by band; value: the scores
    AFTER = "after"  # closed, by band; value: the scores after
    CLOSED_TYPE = "closed_type"  # by failure type; value: recovered
    CLOSED_CAUSE = "closed_cause"  # by cause category
    CLOSED_STORE = "closed_store"  # by store
    OPENED = "opened"  # cases triggered
    RESPONSE = "response"  # contacted; value: seconds from T0 to the first contact
    BUCKET = "bucket"  # contacted, by response-time bucket (RESPONSE_BOUNDS)
    OPENED_TYPE = "opened_type"
    OPENED_CAUSE = "opened_cause"
    OPENED_STORE = "opened_store"
    SLA = "sla"  # settled deadlines counted by kind (see `sla_rows`); value: on time
    ESCALATED = "escalated"  # escalations by kind


# Response-time buckets for the exact p90: the tallies find the bucket that holds it, then the
# report reads only that bucket's values. Narrow where response times crowd.
RESPONSE_BOUNDS = ([m * 300.0 for m in range(0, 49)]  # 5 min up to 4 h
                   + [14400.0 + m * 1800.0 for m in range(1, 89)]  # 30 min up to 48 h
                   + [172800.0 + m * 21600.0 for m in range(1, 113)])  # 6 h up to 30 days


# Written into the statement once, instead of adapting 250 numbers on every fact row written.
_BOUNDS_LITERAL = "{" + ",".join(repr(bound) for bound in RESPONSE_BOUNDS) + "}"


def bucket_bounds(bucket: int) -> tuple[float | None, float | None]:
    """[low, high) of a `width_bucket(seconds, RESPONSE_BOUNDS)` bucket; None = unbounded."""
    low = RESPONSE_BOUNDS[bucket - 1] if bucket >= 1 else None
    high = RESPONSE_BOUNDS[bucket] if bucket < len(RESPONSE_BOUNDS) else None
    return low, high


def tallies_enabled() -> bool:
    return connection.vendor == "postgresql"


def summary_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day(moment: datetime) -> date:
    return moment.astimezone(summary_zone()).date()


# ---------------------------------------------------------------- what a row contributes


def _facts_sql(where: str) -> tuple[str, list]:
    """SELECT store_id, day, measure, key, count, value: the share of each case fact row `f`
    that matches `where` (SQL over `f`; its parameters follow the ones returned). Plain SQL:
    one scan of the facts fans each row out into its cells (a lateral VALUES list); the ORM
    would need a query per measure, and has no width_bucket."""
    recovered = ("(f.outcome = %s)::int", [Outcome.RECOVERED])
    closed, opened = ("d.closed_day", []), ("d.opened_day", [])
    bucket_day = (f"CASE WHEN f.response_seconds IS NOT NULL THEN {opened[0]} END", [])
    bucket = (f"width_bucket(f.response_seconds, '{_BOUNDS_LITERAL}'::float8[])::text", [])

    def sql(text: str) -> tuple[str, list]:
        return text, []

    rows = [
        (closed, M.CLOSED, sql("f.band"), sql("1"), sql("f.cost")),
        (closed, M.RECOVERED, sql("f.band"), recovered, sql("0")),
        (closed, M.RETAINED, sql("f.band"), sql("f.retained::int"), sql("0")),
        (closed, M.BEFORE, sql("f.band"), sql("(f.score_before IS NOT NULL)::int"),
         sql("coalesce(f.score_before, 0)")),
        (closed, M.AFTER, sql("f.band"), sql("1"), sql("coalesce(f.score_after, 0)")),
        (closed, M.CLOSED_TYPE, sql("coalesce(f.failure_type_id::text, '')"), sql("1"),
         recovered),
        (closed, M.CLOSED_CAUSE, sql("coalesce(f.cause, '')"), sql("1"), recovered),
        (closed, M.CLOSED_STORE, sql("f.store_id::text"), sql("1"), recovered),
        (opened, M.OPENED, sql("''"), sql("1"), sql("0")),
        (opened, M.RESPONSE, sql("''"), sql("(f.response_seconds IS NOT NULL)::int"),
         sql("coalesce(f.response_seconds::numeric, 0)")),
        (bucket_day, M.BUCKET, bucket, sql("1"), sql("0")),
        (opened, M.OPENED_TYPE, sql("coalesce(f.failure_type_id::text, '')"), sql("1"),
         sql("0")),
        (opened, M.OPENED_CAUSE, sql("coalesce(f.cause, '')"), sql("1"), sql("0")),
        (opened, M.OPENED_STORE, sql("f.store_id::text"), sql("1"), sql("0")),
    ]
    zone = settings.TIME_ZONE
    values, params = [], [zone, zone]
    for day, measure, key, count, value in rows:
        values.append(f"({day[0]}, %s, {key[0]}, {count[0]}, ({value[0]})::numeric)")
        params += [*day[1], measure, *key[1], *count[1], *value[1]]
    text = ",\n".join(values)
    return f"""
        SELECT f.store_id, v.day, v.measure, v.key, v.count, v.value
        FROM metrics_casefact f
        CROSS JOIN LATERAL (SELECT (f.closed_at AT TIME ZONE %s)::date AS closed_day,
                                   (f.triggered_at AT TIME ZONE %s)::date AS opened_day) d
        CROSS JOIN LATERAL (VALUES {text}) v(day, measure, key, count, value)
        WHERE v.day IS NOT NULL AND (v.count <> 0 OR v.value <> 0) AND ({where})""", params


@functools.cache
def _settled_deadlines_sql() -> tuple[str, tuple]:
    """The settled deadlines with their verdict, compiled once: the ORM writes the settled rule
    (`escalation.models`) so it is stated once, and compiling it cost ~1 ms of every opened
    case's and every met deadline's transaction."""
    settled = (Deadline.objects.exclude(unsettled_q()).filter(counted_q()).order_by()
               .annotate(on_time=When_(When(on_time_q(), then=Value(1)), default=Value(0),
                                       output_field=IntegerField()))
               .values("id", "store_id", "due_at", "kind", "on_time"))
    inner, params = settled.query.sql_with_params()
    return inner, tuple(params)


def _deadlines_sql(ids: list[int] | None = None) -> tuple[str, list]:
    """The settled deadlines' share, by store, day and kind: of the rows `ids`, or of every row
    for a rebuild. The day in the summary zone and the grouping into changes are SQL the ORM
    cannot express."""
    inner, params = _settled_deadlines_sql()
    only, only_params = ("WHERE s.id = ANY(%s)", [list(ids)]) if ids is not None else ("", [])
    # on_time is cast: prepared, its 1 and 0 arrive as parameters of no type (`Prepared`).
    return ("SELECT s.store_id, (s.due_at AT TIME ZONE %s)::date, %s::text, s.kind, "
            f"count(*), sum(s.on_time::int)::numeric FROM ({inner}) s {only} GROUP BY 1, 2, 4",
            [settings.TIME_ZONE, M.SLA, *params, *only_params])


def _escalations_sql() -> tuple[str, list]:
    """Every escalation's share, for a rebuild (the day in the summary zone: SQL)."""
    return ("SELECT e.store_id, (e.fired_at AT TIME ZONE %s)::date, %s::text, e.kind, "
            f"1, 0::numeric FROM {Escalation._meta.db_table} e", [settings.TIME_ZONE, M.ESCALATED])


# ---------------------------------------------------------------- the writers


def _changes_add(counts: dict[tuple, list]) -> None:
    """(store, day, measure, key) → [count, value], the zero ones left out."""
    TallyChange.objects.bulk_create(
        TallyChange(store_id=store, day=day, measure=measure, key=key, count=count, value=value)
        for (store, day, measure, key), (count, value) in counts.items() if count or value)


_CHANGES_INSERT = (f"INSERT INTO {TallyChange._meta.db_table} "
                   "(store_id, day, measure, key, count, value)")
_FACTS_OF_CASES = "f.case_id = ANY(%s)"


def facts_shares(case_ids: list[int]) -> Counter:
    """The tallied share of these cases' fact rows as they are now."""
    if not tallies_enabled() or not case_ids:
        return Counter()
    sql, params = _facts_sql(_FACTS_OF_CASES)
    shares: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, list(case_ids)])
        for store, day, measure, key, count, value in cursor.fetchall():
            shares[(store, day, measure, key, "count")] += count
            shares[(store, day, measure, key, "value")] += value
    return shares


# Every opened case runs these two; planning them cost PostgreSQL more than running them.
@functools.cache
def _facts_started_statement() -> Prepared:
    sql, _params = _facts_sql(_FACTS_OF_CASES)
    return Prepared("tally_facts_started", f"{_CHANGES_INSERT} {sql}")


@functools.cache
def _deadlines_settled_statement() -> Prepared:
    sql, _params = _deadlines_sql([])
    return Prepared("tally_deadlines_settled", f"{_CHANGES_INSERT} {sql}")


def facts_started(*, case_ids: list[int]) -> None:
    """Record the share of new fact rows (nothing to take away: one INSERT … SELECT, which
    the ORM cannot write)."""
    if not tallies_enabled():
        return
    _sql, params = _facts_sql(_FACTS_OF_CASES)
    with connection.cursor() as cursor:
        _facts_started_statement().execute(cursor, [*params, list(case_ids)])


def facts_tallied(*, before: Counter, case_ids: list[int]) -> None:
    """Record the change of these cases' fact rows since their share was `before`."""
    if not tallies_enabled():
        return
    after = facts_shares(case_ids)
    counts: dict[tuple, list] = {}
    for cell in before.keys() | after.keys():
        change = after[cell] - before[cell]
        if change:
            counts.setdefault(cell[:4], [0, 0])[cell[4] == "value"] += change
    _changes_add(counts)


def deadlines_settled(*, rows: Iterable[Deadline]) -> None:
    """Count deadlines that have just settled (`rows`, already written met / escalated /
    cancelled), by the one rule of `escalation.models`, read back from their rows."""
    ids = [d.pk for d in rows]
    if not tallies_enabled() or not ids:
        return
    _sql, params = _deadlines_sql(ids)
    with connection.cursor() as cursor:
        _deadlines_settled_statement().execute(cursor, params)


def escalations_fired(*, rows: Iterable[Escalation]) -> None:
    if not tallies_enabled():
        return
    counts = Counter((e.store_id, _day(e.fired_at), M.ESCALATED, e.kind) for e in rows)
    _changes_add({cell: [n, 0] for cell, n in counts.items()})


# ---------------------------------------------------------------- folding and rebuilding


def _spread_sql(changes: str) -> str:
    """INSERT the (store, day) changes of `changes` into the tallies of every ancestor of the
    store (itself included), by day and by month, adding to what is there. Plain SQL: an
    INSERT … SELECT … ON CONFLICT DO UPDATE adding to the row, which the ORM's bulk upsert
    (it overwrites) cannot express."""
    return f"""
        WITH ancestry AS MATERIALIZED (
            SELECT s.id AS store_id, a.id AS node_id
            FROM org_orgnode s JOIN org_orgnode a ON starts_with(s.path, a.path)),
        changed AS ({changes})
        INSERT INTO metrics_tally (node_id, span, day, measure, key, count, value)
        SELECT a.node_id, x.span, x.day, c.measure, c.key, SUM(c.count), SUM(c.value)
        FROM changed c
        JOIN ancestry a ON a.store_id = c.store_id
        CROSS JOIN LATERAL (VALUES ('d', c.day),
                                   ('m', date_trunc('month', c.day)::date)) x(span, day)
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (node_id, span, day, measure, key) DO UPDATE
        SET count = metrics_tally.count + EXCLUDED.count,
            value = metrics_tally.value + EXCLUDED.value"""


def tallies_fold() -> int:
    """Move the committed changes into the tallies; returns how many tally rows it wrote.
    Skips (0) while another fold or a rebuild runs (advisory locks and DELETE … RETURNING,
    which the ORM has not)."""
    if not tallies_enabled():
        return 0
    moved = (f"DELETE FROM {TallyChange._meta.db_table} "
             "RETURNING store_id, day, measure, key, count, value")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(_spread_sql(moved))
        return cursor.rowcount


def tallies_rebuild() -> int:
    """Recompute every tally from the case facts, deadlines and escalations; returns the
    number of tally rows. Writers go on meanwhile: what they commit after the rebuild's
    snapshot stays a change to fold."""
    if not tallies_enabled():
        return 0
    facts, facts_params = _facts_sql("TRUE")
    deadlines, deadline_params = _deadlines_sql()
    escalations, escalation_params = _escalations_sql()
    changes = (f"SELECT store_id, day, measure, key, SUM(count) AS count, SUM(value) AS value "
               f"FROM ({facts} UNION ALL {deadlines} UNION ALL {escalations}) "
               f"AS every(store_id, day, measure, key, count, value) GROUP BY 1, 2, 3, 4")
    own_transaction = not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            with transaction.atomic():
                if own_transaction:  # one snapshot for the reads and the clearing of changes
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(f"DELETE FROM {Tally._meta.db_table}")
                cursor.execute(f"DELETE FROM {TallyChange._meta.db_table}")
                cursor.execute(_spread_sql(changes),
                               [*facts_params, *deadline_params, *escalation_params])
                return cursor.rowcount
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
