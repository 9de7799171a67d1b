import os

from celery import Celery, signals
from django.db import close_old_connections
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

from recovery.collector import loaded_objects_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")

app = Celery("recovery")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class RedisChannel(kombu_redis.Channel):
    """A Redis channel whose connection is gone raises a connection error, which Celery
    handles, instead of an AttributeError, which stops the worker (issue 15).

    Celery 5.7.0 handles a lost broker connection with `collect()`, which detaches kombu's
    transport from the connection, then `close()` (celery#10570). With a task in flight and a
    BRPOP outstanding, the channel's first close stops at the broken BRPOP; the second one
    restores its unacknowledged messages through the detached transport, and kombu 5.7.0's
    `_connparams` reads `None.hostname`: "Unrecoverable error: AttributeError", the worker
    exits. A task that finishes after the channel closed acks through it and fails the same
    way. No release fixes it (celery and kombu 5.7.0 are the latest; celery 5.6.3 lacks the
    5.7 reconnect fixes, celery#10335 and #10346). Redis could not take those messages back
    while the connection is broken anyway: it keeps them in its unacked hash and hands them
    out again after `visibility_timeout`; the pick-up sends their deliveries sooner, and the
    claim on each row stops a second send."""

    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the channel's broker connection was closed")
        return super()._connparams(asynchronous=asynchronous)


class RedisTransport(kombu_redis.Transport):
    """kombu's Redis transport with the channel above (CELERY_BROKER_TRANSPORT)."""

    Channel = RedisChannel


@signals.task_prerun.connect
@signals.task_postrun.connect
def _connections_recycle(sender=None, **_kwargs) -> None:
    """A task keeps its database connections as a web request does: for CONN_MAX_AGE, checked
    before reuse (CONN_HEALTH_CHECKS), dropped after an error. Celery's Django fix-up would open
    a new one (a new PostgreSQL backend) for every task; CELERY_DB_REUSE_MAX keeps it from
    closing them. An eager task runs inside its caller's transaction: left alone."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()


@signals.worker_process_init.connect
@signals.worker_ready.connect
def _loaded_objects_freeze(**_kwargs) -> None:
    """Once the tasks are imported (recovery/collector.py): in each child of a prefork pool, and
    in the worker itself for a thread pool."""
    loaded_objects_freeze()
