import os

from celery import Celery, signals
from django.db import close_old_connections

from recovery.collector import loaded_objects_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")

app = Celery("recovery")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
