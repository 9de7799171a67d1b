"""Daily counts the report reads instead of millions of deadline and escalation rows
(`DeadlineDay`, `EscalationDay`). The escalation writers call these inside their own
transactions, so a count commits with the change it counts and is never stale:

- `deadlines_settled`: a deadline stops waiting — written met (intake), met by a transition,
  escalated by the sweep, cancelled by a close or reopen. A deadline settles once (the writers
  only settle rows with met, escalated and cancelled all empty), and its verdict is then final:
  met on time (met_at ≤ due_at), missed (met late, escalated, cancelled after it fell due), or
  nowhere (cancelled before it fell due);
- `escalations_fired`: the sweep recorded escalations.

Days are calendar days in settings.TIME_ZONE. `summaries_rebuild` (command `metrics_rebuild`)
recomputes both tables from the rows, for a backfill or after bulk SQL."""

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from escalation.models import Deadline, Escalation

from .models import DeadlineDay, EscalationDay


def summary_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day(moment: datetime) -> date:
    return moment.astimezone(summary_zone()).date()


def on_time_q() -> Q:
    return Q(met_at__isnull=False, met_at__lte=F("due_at"))


def counted_q() -> Q:
    """Left out: a deadline a close cancelled before it fell due was never missed."""
    return (Q(cancelled_at__isnull=True) | Q(met_at__isnull=False)
            | Q(escalated_at__isnull=False) | Q(cancelled_at__gt=F("due_at")))


def unsettled_q() -> Q:
    """Still waiting and not escalated: its verdict may change (the same condition as the
    sweep's partial index)."""
    return Q(met_at__isnull=True, escalated_at__isnull=True, cancelled_at__isnull=True)


def _upsert(model, counts: dict[tuple, tuple[int, ...]], columns: list[str]) -> None:
    """Add `counts` ((store, day, kind) → one number per column) to the rows, creating them.
    Keys go in order, so two writers adding to the same rows never deadlock on them."""
    if not counts:
        return
    table = model._meta.db_table
    names = ["store_id", "day", "kind", *columns]
    values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(counts))
    adds = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in columns)
    params = [v for key in sorted(counts) for v in (*key, *counts[key])]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES {values} "
                       f"ON CONFLICT (store_id, day, kind) DO UPDATE SET {adds}", params)


def deadlines_settled(*, rows: Iterable[Deadline]) -> None:
    """Count deadlines that have just settled (`rows` carry their new met / escalated /
    cancelled time)."""
    counts: dict[tuple, list[int]] = {}
    for d in rows:
        on_time = d.met_at is not None and d.met_at <= d.due_at
        missed = not on_time and (d.escalated_at is not None or d.met_at is not None
                                  or d.cancelled_at > d.due_at)
        if on_time or missed:
            total = counts.setdefault((d.store_id, _day(d.due_at), d.kind), [0, 0])
            total[0] += 1
            total[1] += on_time
    _upsert(DeadlineDay, {k: tuple(v) for k, v in counts.items()}, ["total", "on_time"])


def escalations_fired(*, rows: Iterable[Escalation]) -> None:
    counts = Counter((e.store_id, _day(e.fired_at), e.kind) for e in rows)
    _upsert(EscalationDay, {k: (n,) for k, n in counts.items()}, ["count"])


def _rebuild(model, select: QuerySet, columns: list[str]) -> int:
    sql, params = select.query.sql_with_params()
    table = model._meta.db_table
    names = ", ".join(["store_id", "day", "kind", *columns])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)
        return cursor.rowcount


def summaries_rebuild() -> tuple[int, int]:
    """Recompute both tables from the deadlines and escalations; returns their row counts."""
    zone = summary_zone()
    settled = (Deadline.objects.exclude(unsettled_q()).filter(counted_q()).order_by()
               .values("store_id", d=TruncDate("due_at", tzinfo=zone), k=F("kind"))
               .annotate(total=Count("due_at"), on_time=Count("due_at", filter=on_time_q())))
    fired = (Escalation.objects.order_by()
             .values("store_id", d=TruncDate("fired_at", tzinfo=zone), k=F("kind"))
             .annotate(n=Count("fired_at")))
    with transaction.atomic():
        return (_rebuild(DeadlineDay, settled, ["total", "on_time"]),
                _rebuild(EscalationDay, fired, ["count"]))
