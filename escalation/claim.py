"""Claim due rows and act on each exactly once, whatever the rows are (SLA deadlines here;
approval deadlines later). Several sweepers may run at once: each skips rows another one holds."""

import logging
from collections.abc import Callable
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
                  failed: Callable[[T, Exception], None], limit: int = 1) -> list[Outcome]:
    """Lock the first `limit` rows of `due` (and the related rows named in `lock`) that nobody
    else holds and call `run` on each, in one durable transaction. `run` returns False when it
    lost the race. When `run` raises, only its own writes are rolled back and `failed` records
    the error on the row, still locked, so one bad row never stops the sweep. Empty when
    nothing is due."""
    with transaction.atomic(durable=True):
        return [_run_one(item, run=run, failed=failed)
                for item in due.select_for_update(skip_locked=True, of=lock)[:limit]]


def _run_one(item: T, *, run: Callable[[T], bool],
             failed: Callable[[T, Exception], None]) -> Outcome:
    try:
        with transaction.atomic():
            return Outcome.DONE if run(item) else Outcome.LOST
    except Exception as exc:  # isolation: whatever went wrong belongs to this row only
        logger.exception("Sweep failed on %s %s", type(item).__name__, item.pk)
        failed(item, exc)
        return Outcome.FAILED
