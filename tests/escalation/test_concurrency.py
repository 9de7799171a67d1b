"""Exactly once under concurrency, on PostgreSQL: several sweepers, real connections, real locks."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction

from cases.models import Case, CaseEvent, CaseEventKind
from escalation import conf
from escalation.models import Deadline, Escalation
from escalation.sweep import escalation_process_one, sweep
from notifications.models import Notification
from tests.factories import open_case

from .conftest import T0

# Transactional: each sweeper thread commits on its own connection. The SLA defaults that the
# flush wipes are put back by tests/conftest.py.
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def in_thread(fn):
    """Run `fn` on its own connection, as a second worker would."""
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()
    return run


@pytest.mark.parametrize("batch", [1, 10])
def test_concurrent_sweeps_record_exactly_one_escalation_per_missed_deadline(org, clock,
                                                                           monkeypatch, batch):
    # Small batches so the six sweepers interleave on 24 cases (a batch locks its cases).
    monkeypatch.setattr(conf, "SWEEP_BATCH", batch)
    stores = [org.S01, org.S02, org.S03, org.S04]
    cases = [open_case(store=stores[i % 4], score=5) for i in range(24)]
    now = clock.at(hours=30)
    missed = Deadline.objects.filter(case__in=cases, met_at=None, due_at__lte=now).count()
    assert missed == 24 * 4
    start = threading.Barrier(6)

    @in_thread
    def sweeper(_n):
        start.wait()
        return sweep(now=now)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(sweeper, range(6)))

    assert sum(r.escalated for r in results) == missed
    assert sum(r.failed for r in results) == 0
    assert sum(1 for r in results if r.escalated) > 1, "the sweepers did not overlap"
    assert Escalation.objects.count() == missed
    assert len(set(Escalation.objects.values_list("deadline_id", flat=True))) == missed
    assert CaseEvent.objects.filter(kind=CaseEventKind.ESCALATED).count() == missed
    per_event = Counter(Notification.objects.filter(kind="escalated")
                        .values_list("event_id", "recipient_id"))
    assert set(per_event.values()) == {1}
    assert not Deadline.objects.filter(case__in=cases, met_at=None, escalated_at=None,
                                       due_at__lte=now).exists()


def test_lost_race_a_row_claimed_by_another_sweeper_is_left_alone(org, clock):
    case = open_case(store=org.S01, score=5)
    clock.at(hours=2)
    claimed, release = threading.Event(), threading.Event()

    @in_thread
    def other_sweeper():
        with transaction.atomic():
            Deadline.objects.select_for_update().get(case=case, kind="contact")
            claimed.set()
            release.wait(timeout=10)

    with ThreadPoolExecutor(max_workers=1) as pool:
        holder = pool.submit(other_sweeper)
        assert claimed.wait(timeout=10)
        assert escalation_process_one() is False  # skipped at once, no waiting
        assert not Escalation.objects.exists()
        release.set()
        holder.result()
    assert escalation_process_one() is True
    assert Escalation.objects.get().kind == "contact"


def test_sweep_skips_a_case_locked_by_a_transition_instead_of_deadlocking(org, clock):
    case = open_case(store=org.S01, score=5)
    clock.at(hours=2)
    locked, release = threading.Event(), threading.Event()

    @in_thread
    def transition_in_flight():
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=case.pk)
            locked.set()
            release.wait(timeout=10)

    with ThreadPoolExecutor(max_workers=1) as pool:
        holder = pool.submit(transition_in_flight)
        assert locked.wait(timeout=10)
        assert sweep().escalated == 0
        release.set()
        holder.result()
    assert sweep().escalated == 1
    assert Escalation.objects.get().due_at == T0 + timedelta(hours=2)
