"""Claim one due row and act on it exactly once, whatever the row is (an SLA deadline here; an
approval deadline later). Several sweepers may run at once: each skips rows another one holds."""

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
                  failed: Callable[[T, Exception], None]) -> Outcome | None:
    """Lock the first row of `due` (and the related rows named in `lock`) that nobody else holds
    and call `run` on it, in one durable transaction. `run` returns False when it lost the race.
    When `run` raises, only its own writes are rolled back and `failed` records the error on the
    row, still locked, so one bad row never stops the sweep. None when nothing is due."""
    with transaction.atomic(durable=True):
        item = due.select_for_update(skip_locked=True, of=lock).first()
        if item is None:
            return None
        try:
            with transaction.atomic():
                won = run(item)
        except Exception as exc:  # isolation: whatever went wrong belongs to this row only
            logger.exception("Sweep failed on %s %s", type(item).__name__, item.pk)
            failed(item, exc)
            return Outcome.FAILED
    return Outcome.DONE if won else Outcome.LOST
