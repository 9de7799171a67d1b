"""Thin tasks: ids in, services do the work. Retries are not Celery's: a failed delivery stores
its next attempt time and the periodic pick-up sends it again (no long countdowns in Redis)."""

from celery import shared_task

from .outbox import deliveries_due, deliveries_enqueue, delivery_attempt


@shared_task(ignore_result=True)
def deliver(delivery_id: int) -> bool:
    return delivery_attempt(delivery_id=delivery_id)


@shared_task(ignore_result=True, expires=25)
def deliveries_pickup() -> int:
    """Beat, every 30 s: queue what the broker lost, what waited out a back-off or quiet hours."""
    return deliveries_enqueue(ids=deliveries_due())
