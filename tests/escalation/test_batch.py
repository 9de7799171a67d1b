"""The sweep fires a claimed batch set-based; it must write exactly what the one-by-one path
writes, and a bad row must still be isolated."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseEvent, CaseEventKind
from cases.services import cases_raise_level
from escalation import conf
from escalation import sweep as sweep_module
from escalation.models import Deadline, Escalation
from escalation.sweep import sweep
from notifications.models import Delivery, Notification, WebhookEndpoint
from tests.factories import open_case, sop_walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def batches(monkeypatch):
    """Counts the batches the set-based path completed and the ones it gave up on."""
    counts = Counter()
    real = sweep_module.deadlines_escalate

    def counting(**kwargs):
        try:
            done = real(**kwargs)
        except Exception:
            counts["raised"] += 1
            raise
        counts["done" if done else "lost"] += 1
        return done

    monkeypatch.setattr(sweep_module, "deadlines_escalate", counting)
    return counts


def test_a_batch_with_one_bad_row_escalates_the_others_once_and_records_the_error(
        org, clock, monkeypatch, batches):
    stores = [org.S01, org.S02, org.S03, org.S04]
    cases = [open_case(store=stores[i % 4], score=5) for i in range(6)]
    bad = cases[3]
    real_resolve = sweep_module.resolve

    def broken_for_bad_case(*, case, target):
        if case.pk == bad.pk:
            raise RuntimeError("org chart is broken")
        return real_resolve(case=case, target=target)

    monkeypatch.setattr(sweep_module, "resolve", broken_for_bad_case)
    clock.at(hours=2)
    stats = sweep()

    assert (stats.escalated, stats.failed, stats.lost) == (5, 1, 0)
    assert batches == {"raised": 1}  # the batch went one by one after the bad row broke it
    good = [c for c in cases if c.pk != bad.pk]
    assert Counter(Escalation.objects.values_list("case_id", flat=True)) == {
        c.pk: 1 for c in good}
    events = CaseEvent.objects.filter(kind=CaseEventKind.ESCALATED)
    assert Counter(events.values_list("case_id", flat=True)) == {c.pk: 1 for c in good}
    per_event = Counter(Notification.objects.filter(kind="escalated")
                        .values_list("event_id", "recipient_id"))
    assert set(per_event.values()) == {1}
    assert {event_id for event_id, _user in per_event} == set(events.values_list("pk", flat=True))
    assert set(Case.objects.filter(pk__in=[c.pk for c in good])
               .values_list("level", flat=True)) == {"L4"}

    row = Deadline.objects.get(case=bad, kind="contact")
    assert row.escalated_at is None and row.attempts == 1
    assert "RuntimeError: org chart is broken" in row.failure_message
    assert row.retry_at == clock.at(hours=2) + timedelta(seconds=conf.RETRY_SECONDS)
    bad.refresh_from_db()
    assert bad.level == "L2"
    assert not Escalation.objects.filter(case=bad).exists()

    monkeypatch.setattr(sweep_module, "resolve", real_resolve)
    clock.at(hours=3)
    assert sweep().escalated == 1
    assert Escalation.objects.filter(case=bad).count() == 1
    assert Escalation.objects.count() == 6


def _scenario(org, clock, start):
    """Cases of every target, some with two deadlines missed together; swept at start + 30 h.
    Returns what the sweep wrote, keyed by (case index, deadline) instead of row ids."""
    clock.to(start)
    stores = [org.S01, org.S02, org.S03, org.S05]
    cases = [open_case(store=stores[i % 4], score=[5, 3, 0][i % 3]) for i in range(8)]
    walks = [[], ["contact"], ["contact", "propose"], ["contact", "propose", "start"]]
    clock.to(start + timedelta(minutes=30))
    for i, case in enumerate(cases):
        case = sop_walk(case, case.owner or org.admin, walks[i % 4])
    clock.to(start + timedelta(hours=30))
    sweep()
    index = {c.pk: i for i, c in enumerate(cases)}
    written = {}
    for e in Escalation.objects.filter(case__in=cases).select_related("target_node"):
        event = CaseEvent.objects.get(kind=CaseEventKind.ESCALATED, data__escalation=e.pk)
        notes = Notification.objects.filter(event=event)
        written[(index[e.case_id], e.kind)] = {
            "escalation": (e.from_level, e.to_level, e.target, e.target_node.code, e.note),
            "event": {k: v for k, v in event.data.items() if k != "escalation"},
            "notified": sorted((n.recipient.username, n.kind, n.urgent, n.body) for n in notes),
            "deliveries": sorted((d.notification.recipient.username, d.channel,
                                  d.endpoint_id or 0)
                                 for d in Delivery.objects.filter(notification__in=notes)),
            "batches": len({n.batch for n in notes}),
        }
    levels = [Case.objects.get(pk=c.pk).level for c in cases]
    return written, levels


def test_a_batched_sweep_notifies_exactly_whom_the_one_by_one_sweep_notifies(
        org, clock, monkeypatch, batches):
    WebhookEndpoint.objects.create(name="region", node=org.R1, kind="generic",
                                   url="http://127.0.0.1:9/hook")
    start = clock.at()
    monkeypatch.setattr(conf, "SWEEP_BATCH", 1)
    one_by_one = _scenario(org, clock, start)
    assert batches == {}

    monkeypatch.setattr(conf, "SWEEP_BATCH", 50)
    batched = _scenario(org, clock, start + timedelta(days=2))
    assert batches == {"done": 1}

    assert len(one_by_one[0]) == 20
    assert batched == one_by_one


def _statements_of_a_sweep(org, clock, *, cases: int, hours: int) -> int:
    # One store and one owner: the sweep's look-ups of whom to tell are read once either way.
    for _ in range(cases):
        open_case(store=org.S01, score=5)
    clock.at(hours=hours)
    with CaptureQueriesContext(connection) as queries:
        stats = sweep()
    assert (stats.escalated, stats.warned, stats.failed) == (cases, 0, 0)
    # The cases' later deadlines are not this comparison's business.
    Deadline.objects.filter(met_at=None, escalated_at=None).update(met_at=clock.at(hours=hours))
    return len(queries)


def test_a_batch_writes_in_as_many_statements_for_twelve_deadlines_as_for_two(org, clock):
    """The batch raises the cases' levels, writes their events, escalations and notifications
    set-based: statements per batch, not per deadline (issue 17)."""
    _statements_of_a_sweep(org, clock, cases=1, hours=2)  # fills the process's config cache
    clock.at(hours=3)
    two = _statements_of_a_sweep(org, clock, cases=2, hours=5)
    clock.at(hours=6)
    twelve = _statements_of_a_sweep(org, clock, cases=12, hours=8)

    assert twelve == two
    assert Case.objects.filter(level="L4").count() == 15
    assert Escalation.objects.count() == CaseEvent.objects.filter(
        kind=CaseEventKind.ESCALATED).count() == 15


def test_raising_many_levels_at_once_never_lowers_one(org):
    low, high, twice = (open_case(store=org.S01, score=5) for _ in range(3))
    Case.objects.filter(pk=high.pk).update(level="L4")
    high.level = "L4"
    other_copy = Case.objects.get(pk=twice.pk)

    raised = cases_raise_level([(low, "L3"), (high, "L3"), (twice, "L3"), (other_copy, "L4"),
                                (low, "L1")])

    assert sorted(c.pk for c in raised) == sorted([low.pk, twice.pk])
    assert dict(Case.objects.filter(pk__in=[low.pk, high.pk, twice.pk])
                .values_list("pk", "level")) == {low.pk: "L3", high.pk: "L4", twice.pk: "L4"}
    assert (low.level, high.level, twice.level, other_copy.level) == ("L3", "L4", "L3", "L4")
