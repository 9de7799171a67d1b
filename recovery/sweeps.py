"""The sweep primitive: claim due rows, fire each exactly once, record a failure on its row and
back off. SLA deadlines (escalation) and approval deadlines (compensation) both sweep with it;
it lives here, beside neither app, so each may import it. Several sweepers may run at once:
each skips the rows another one holds (`SELECT … FOR UPDATE SKIP LOCKED`)."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet

logger = logging.getLogger(__name__)
T = TypeVar("T", bound=Model)


class Outcome(StrEnum):
    DONE = "done"
    LOST = "lost"  # someone else changed the row between the query and the claim
    FAILED = "failed"


def claim_and_run(*, due: QuerySet[T], lock: tuple[str, ...], run: Callable[[T], bool],
                  failed: Callable[[T, Exception], None], limit: int = 1,
                  run_all: Callable[[list[T]], bool] | None = None) -> list[Outcome]:
    """Lock the first `limit` rows of `due` (and the related rows named in `lock`) that nobody
    else holds and call `run` on each, in one durable transaction. `run` returns False when it
    lost the race. When `run` raises, only its own writes are rolled back and `failed` records
    the error on the row, still locked, so one bad row never stops the sweep. Empty when
    nothing is due.

    `run_all`, when given, acts on all the rows claimed at once (set-based, the fast path) and
    returns True when it did every one of them. When it raises or returns False, its writes are
    rolled back and the rows go one by one through `run`, so a bad row is still isolated and a
    row someone else took is still lost, not done twice."""
    with transaction.atomic(durable=True):
        items = list(due.select_for_update(skip_locked=True, of=lock)[:limit])
        if run_all is not None and len(items) > 1 and _run_all(items, run_all=run_all):
            return [Outcome.DONE] * len(items)
        return [_run_one(item, run=run, failed=failed) for item in items]


def backoff(*, attempts: int, first: timedelta, most: timedelta) -> timedelta:
    """How long a row the sweep failed on `attempts` times waits: `first`, doubling, capped."""
    return min(first * 2 ** (attempts - 1), most)


def failure_text(*, now: datetime, error: Exception) -> str:
    """What a row keeps of the error it failed with (its `failure_message`)."""
    return f"{now:%Y-%m-%d %H:%M:%S} {type(error).__name__}: {error}"[:2000]


def _run_all(items: list[T], *, run_all: Callable[[list[T]], bool]) -> bool:
    try:
        with transaction.atomic():
            if run_all(items):
                return True
            transaction.set_rollback(True)
    except Exception:  # one of the rows is bad: find it alone
        logger.warning("Sweep batch of %d %s rows failed; running them one by one",
                       len(items), type(items[0]).__name__, exc_info=True)
    return False


def _run_one(item: T, *, run: Callable[[T], bool],
             failed: Callable[[T, Exception], None]) -> Outcome:
    try:
        with transaction.atomic():
            return Outcome.DONE if run(item) else Outcome.LOST
    except Exception as exc:  # isolation: whatever went wrong belongs to this row only
        logger.exception("Sweep failed on %s %s", type(item).__name__, item.pk)
        failed(item, exc)
        return Outcome.FAILED
