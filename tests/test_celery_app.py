"""The worker's database connections: kept from task to task as after a web request, replaced
when broken, never touched inside an eager task's caller."""

from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, transaction

from recovery.celery import _connections_recycle, app


def _task(*, eager: bool = False):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def _run_task(fixup: DjangoWorkerFixup, task) -> None:
    """What a worker does around a task: Celery's fix-up and ours, before and after."""
    for hook in (fixup.on_task_prerun, fixup.on_task_postrun):
        hook(sender=task)
        _connections_recycle(sender=task)


@pytest.mark.django_db(transaction=True)
def test_a_task_keeps_the_connection_the_previous_one_used():
    fixup = DjangoWorkerFixup(app)  # reads CELERY_DB_REUSE_MAX like the worker's
    connection.ensure_connection()
    before = connection.connection
    for _ in range(3):
        _run_task(fixup, _task())
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    assert connection.connection is before


@pytest.mark.postgres_only(reason="the in-memory SQLite test database lives in its one "
                                   "connection: breaking it destroys the database")
@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_replaced_before_the_next_task():
    connection.ensure_connection()
    before = connection.connection
    before.close()  # as when PostgreSQL restarted under the worker
    connection.errors_occurred = True
    _run_task(DjangoWorkerFixup(app), _task())
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not before


@pytest.mark.django_db(transaction=True)
def test_an_eager_task_leaves_its_callers_transaction_alone():
    with transaction.atomic():
        connection.ensure_connection()
        before = connection.connection
        _connections_recycle(sender=_task(eager=True))
        assert connection.connection is before and connection.in_atomic_block
