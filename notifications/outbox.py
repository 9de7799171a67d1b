"""The outbox: delivery rows written with their notification, enqueued after commit, claimed
before sending, retried with back-off, picked up by a periodic sweep when the broker lost them."""

import logging
import time
from functools import partial

from django.db import connection, transaction
from django.db.models import DateTimeField, F, Q
from django.utils import timezone

from recovery.compiled import AmongKey, CompiledModels, Param

from . import conf
from .channels import PERSONAL_CHANNELS, webhook_endpoints_for
from .messages import messages_shared
from .models import (
    Channel,
    CustomerMessage,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    NotificationPreference,
)
from .preferences import preferences_for, quiet_until
from .transports import TransportError, transport_for

logger = logging.getLogger(__name__)


def deliveries_plan(*, notifications: list[Notification],
                    preferences: dict[int, NotificationPreference] | None = None
                    ) -> list[Delivery]:
    """Write one delivery per notification × wanted channel, and one per webhook endpoint for
    the batch; send the due ones after commit. Non-urgent mail and SMS wait out quiet hours."""
    return deliveries_plan_many(batches=[notifications], preferences=preferences)


def deliveries_plan_many(*, batches: list[list[Notification]],
                         preferences: dict[int, NotificationPreference] | None = None
                         ) -> list[Delivery]:
    """`deliveries_plan` for several batches at once (each the rows of one announcement): the
    same deliveries, with one read of the preferences, one insert and one enqueue for them all."""
    batches = [batch for batch in batches if batch]
    if not batches:
        return []
    now = timezone.now()
    # The caller may have read the preferences already (to pick each reader's language).
    preferences = preferences or preferences_for(
        users=[n.recipient for batch in batches for n in batch])
    endpoints: dict[tuple, list] = {}
    rows = []
    for batch in batches:
        for n in batch:
            preference = preferences[n.recipient_id]
            hold = None if n.urgent else quiet_until(preference=preference, now=now)
            rows += [
                Delivery(notification=n, channel=channel.name, key=f"{channel.name}:{n.pk}",
                         next_attempt_at=hold or now)
                for channel in PERSONAL_CHANNELS
                if channel.wants(notification=n, preference=preference)
            ]
        first = batch[0]
        key = _audience(batch)
        if key not in endpoints:
            endpoints[key] = webhook_endpoints_for(notifications=batch)
        rows += [
            Delivery(notification=first, channel=Channel.WEBHOOK, endpoint=endpoint,
                     key=f"webhook:{endpoint.pk}:{first.batch or first.pk}", next_attempt_at=now)
            for endpoint in endpoints[key]
        ]
    created = Delivery.objects.bulk_create(rows)
    due = [d.pk for d in created if d.next_attempt_at <= now]
    if due:
        transaction.on_commit(partial(_enqueue_after_commit, ids=due))
    return created


def customer_delivery_plan(*, message: CustomerMessage) -> Delivery:
    """The one delivery of a message to a customer, sent after commit like any other (no quiet
    hours: a member of staff sends it, now)."""
    delivery = Delivery.objects.create(customer_message=message, channel=message.channel,
                                       key=f"{message.channel}:customer:{message.pk}")
    transaction.on_commit(partial(_enqueue_after_commit, ids=[delivery.pk]))
    return delivery


def deliveries_add(*, notifications: list[Notification], channel: str) -> list[Delivery]:
    """One delivery per notification on another app's channel (a messenger card's redraw),
    keyed `<channel>:<notification id>`: asked again, the same key plans nothing more. Sent
    after commit like any other."""
    created = []
    for n in notifications:
        delivery, new = Delivery.objects.get_or_create(
            key=f"{channel}:{n.pk}", defaults={"notification": n, "channel": channel})
        if new:
            created.append(delivery)
    if created:
        transaction.on_commit(partial(_enqueue_after_commit, ids=[d.pk for d in created]))
    return created


def _audience(batch: list[Notification]) -> tuple:
    """What `webhook_endpoints_for` reads of a batch: batches alike in it hear the same robots."""
    first = batch[0]
    nodes = ((first.case.store_id,) if first.case_id else
             tuple(sorted({n.recipient.node_id for n in batch if n.recipient.node_id})))
    return nodes, first.kind, first.urgent


# After a broker failure this process stops enqueueing for a while: each try blocks for seconds
# while the Redis client backs off, and the pick-up sends the rows anyway.
_broker_paused_until = 0.0


def deliveries_enqueue(*, ids: list[int], together: bool = False) -> int:
    """Hand deliveries to the worker; returns how many were queued. `together` sends them in one
    task (the few of one commit: one message, one read of their rows and texts); otherwise in
    tasks of PICKUP_CHUNK (the pick-up's backlog, spread over the worker's threads). A broker
    that is down must not fail the request that already committed: the rows stay pending for
    the pick-up."""
    global _broker_paused_until
    from .tasks import deliver  # the tasks module imports this one

    chunk = len(ids) if together else conf.PICKUP_CHUNK
    tasks = [ids[i:i + chunk] for i in range(0, len(ids), chunk)]
    queued = 0
    for task_ids in tasks:
        try:
            deliver.apply_async(args=task_ids, retry=False)
        except Exception as exc:  # kombu/redis raise several types; any of them means "later"
            _broker_paused_until = time.monotonic() + conf.BROKER_PAUSE.total_seconds()
            logger.warning("Broker unavailable, %d deliveries left for the pick-up: %s",
                           len(ids) - queued, exc.__class__.__name__)
            return queued
        queued += len(task_ids)
    return queued


def _enqueue_after_commit(*, ids: list[int]) -> None:
    if time.monotonic() >= _broker_paused_until:
        deliveries_enqueue(ids=ids, together=True)


def backoff(*, attempts: int):
    return min(conf.BACKOFF_BASE * 2 ** max(attempts - 1, 0), conf.BACKOFF_CAP)


# The worker's two statements per delivery, in SQL: the ORM compiled each anew, ~1 ms apiece,
# for statements that cost PostgreSQL a tenth of that.
_CLAIM = (f"UPDATE {Delivery._meta.db_table} SET status = %(sending)s, claimed_at = %(now)s, "
          "attempts = attempts + 1 WHERE id = %(id)s AND status = %(status)s "
          "AND attempts = %(attempts)s")
_SENT = (f"UPDATE {Delivery._meta.db_table} SET status = %(sent)s, sent_at = %(at)s, "
         "last_error = '' WHERE id = %(id)s AND status = %(sending)s")
# Every try, sent or failed, goes into the history by this one statement.
_ATTEMPT = (f"INSERT INTO {DeliveryAttempt._meta.db_table} "
            "(delivery_id, at, ok, retryable, error, duration_ms) "
            "VALUES (%(id)s, %(at)s, %(ok)s, %(retryable)s, %(error)s, %(ms)s)")


def _attempt_record(cursor, *, delivery: Delivery, at, ok: bool, retryable: bool = False,
                    error: str = "", duration_ms: int) -> None:
    cursor.execute(_ATTEMPT, {"id": delivery.pk, "at": at, "ok": ok, "retryable": retryable,
                              "error": error, "ms": duration_ms})


def delivery_claim(*, delivery: Delivery) -> bool:
    """Take the row for this worker if it is still as it was read (state and attempts, which
    every claim changes), having been read as due or abandoned (`_claimable_q`): a duplicate or
    retried task, or a second worker, finds nothing to do. A claim older than STALE_CLAIM was a
    worker's that died mid-send (the task's time limit stops a live one before that): the task
    the broker hands out again takes it over."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, {"sending": DeliveryStatus.SENDING, "now": now,
                                "id": delivery.pk, "status": delivery.status,
                                "attempts": delivery.attempts})
        if cursor.rowcount != 1:
            return False
    delivery.status, delivery.claimed_at = DeliveryStatus.SENDING, now
    delivery.attempts += 1
    return True


def _claimable_q(*, now, stale_before) -> Q:
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale_before)
    return due | abandoned


# The worker's read of a task's deliveries, compiled once per process: compiling a select of
# eight tables cost a quarter of the task.
_CLAIMABLE = CompiledModels(lambda: Delivery.objects.select_related(
    "notification__recipient", "notification__case__customer",
    "notification__case__store", "endpoint", "customer_message__sent_by",
).filter(_claimable_q(now=Param("now", DateTimeField()),
                      stale_before=Param("stale_before", DateTimeField())),
         AmongKey(F("pk"), "ids")).order_by())


def deliveries_attempt(*, ids: list[int]) -> int:
    """Send each of these deliveries that is due and that nobody else has, claiming each just
    before its send; returns how many were tried. Their rows, and the texts they share, are read
    once for all. Rows already sent are not read: when the worker lags, the pick-up queues
    again what is still waiting in the broker, and those tasks find nothing to do. Sorted
    here, not by the query: ordering a select this wide added half again to the ORM's work."""
    now = timezone.now()
    deliveries = sorted(_CLAIMABLE.objects(ids=ids, now=now,
                                           stale_before=now - conf.STALE_CLAIM),
                        key=lambda d: d.pk)
    tried = 0
    with messages_shared():
        for delivery in deliveries:
            if not delivery_claim(delivery=delivery):
                continue
            tried += 1
            _send(delivery=delivery)
    return tried


def delivery_attempt(*, delivery_id: int) -> bool:
    """Send one delivery if it is due and nobody else has it. Returns whether it was tried."""
    return bool(deliveries_attempt(ids=[delivery_id]))


def _send(*, delivery: Delivery) -> None:
    started = time.monotonic()
    try:
        transport_for(delivery=delivery).send(delivery=delivery)
    except TransportError as exc:
        delivery_failed(delivery=delivery, error=str(exc), retryable=exc.retryable,
                        started=started)
    except Exception as exc:  # one bad row must not stop the worker; bounded by MAX_ATTEMPTS
        logger.exception("Delivery %s crashed", delivery.key)
        delivery_failed(delivery=delivery, error=f"{exc.__class__.__name__}: {exc}",
                        retryable=True, started=started)
    else:
        delivery_sent(delivery=delivery, started=started)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def delivery_sent(*, delivery: Delivery, started: float) -> None:
    """Mark it sent at once, with its try in the history (one commit: a reader never sees a
    sent delivery without it), so a worker dying later in the batch cannot send it again."""
    delivery.sent_at, delivery.duration_ms = timezone.now(), _elapsed_ms(started)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SENT, {"sent": DeliveryStatus.SENT, "at": delivery.sent_at,
                               "id": delivery.pk, "sending": DeliveryStatus.SENDING})
        _attempt_record(cursor, delivery=delivery, at=delivery.sent_at, ok=True,
                        duration_ms=delivery.duration_ms)


def delivery_failed(*, delivery: Delivery, error: str, retryable: bool,
                    started: float) -> None:
    """Record the failed try; schedule the next one, or mark the delivery failed for good."""
    now = timezone.now()
    again = retryable and delivery.attempts < conf.MAX_ATTEMPTS
    fields = {"last_error": error[:2000]}
    if again:
        fields.update(status=DeliveryStatus.PENDING,
                      next_attempt_at=now + backoff(attempts=delivery.attempts))
    else:
        fields.update(status=DeliveryStatus.FAILED)
    with transaction.atomic(), connection.cursor() as cursor:
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(**fields)
        _attempt_record(cursor, delivery=delivery, at=now, ok=False, retryable=retryable,
                        error=error[:2000], duration_ms=_elapsed_ms(started))
    log = logger.warning if again else logger.error
    log("Delivery %s attempt %d failed (%s): %s", delivery.key, delivery.attempts,
        "will retry" if again else "gave up", error[:200])


def deliveries_due(*, now=None, limit: int | None = None, grace=conf.PICKUP_GRACE) -> list[int]:
    """Deliveries the pick-up should send: due pending rows older than the on_commit grace
    (those were lost with the broker, wait out a back-off or quiet hours), and rows claimed by a
    worker that died mid-send (released first; the receiver drops a repeat by its key)."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING,
                            claimed_at__lt=now - conf.STALE_CLAIM).update(
        status=DeliveryStatus.PENDING)
    qs = (Delivery.objects.filter(status=DeliveryStatus.PENDING,
                                  next_attempt_at__lte=now - grace)
          .order_by("next_attempt_at").values_list("pk", flat=True))
    return list(qs[: limit or conf.PICKUP_BATCH])


def delivery_resend(*, delivery: Delivery) -> bool:
    """Give a failed delivery a fresh set of attempts (admin action, dashboard button)."""
    changed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
    if changed:
        transaction.on_commit(partial(_enqueue_after_commit, ids=[delivery.pk]))
    return bool(changed)
