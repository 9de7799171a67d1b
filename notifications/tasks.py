"""Thin tasks: ids in, services do the work. Retries are not Celery's: a failed delivery stores
its next attempt time and the periodic pick-up sends it again (no long countdowns in Redis)."""

from celery import shared_task

from . import conf
from .outbox import deliveries_attempt, deliveries_due, deliveries_enqueue


# The pick-up takes a claim older than STALE_CLAIM for a dead worker's and sends the delivery
# again; the hard time limit (prefork pool) makes sure no live send is still running by then.
# The deliveries of one commit come together; each is claimed just before its own send.
@shared_task(ignore_result=True, time_limit=conf.STALE_CLAIM.total_seconds())
def deliver(*delivery_ids: int) -> int:
    return deliveries_attempt(ids=list(delivery_ids))


@shared_task(ignore_result=True, expires=25)
def deliveries_pickup() -> int:
    """Beat, every 30 s: queue what the broker lost, what waited out a back-off or quiet hours."""
    return deliveries_enqueue(ids=deliveries_due())
