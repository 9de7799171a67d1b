"""The SLA sweep (SPEC §4). Celery beat runs `sweep()` every 30 s (the "escalation sweep" row of
django-celery-beat); `manage.py run_sweeps` runs it once. Each step claims a batch of due
deadlines, records what happened and hands the notifications to the outbox, in one transaction."""

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, CaseEventKind, Level
from cases.services import cases_raise_level, event_record, events_record
from notifications.services import notification_create, notifications_create_many
from recovery.sweeps import Outcome, backoff, claim_and_run, failure_text

from . import conf
from .events import deadlines_settled
from .models import Deadline, DeadlineKind, Escalation, SlaPolicy, Target, unsettled_q
from .targets import Resolved, owner_people, resolve

# Lock the case with the deadline: a transition holds the case while it meets deadlines, so the
# sweep skips that case for now instead of deadlocking or escalating what is being met.
LOCK = ("self", "case")


class SweepCache:
    """Lookups shared by the steps of one sweep: the breach target of each deadline kind and who
    holds each role. Neither changes within a sweep; the next sweep reads them afresh."""

    def __init__(self) -> None:
        self._targets: dict[str, str] | None = None
        self._resolved: dict[tuple, Resolved] = {}
        self._owners: dict[tuple, list] = {}

    def target(self, kind: str) -> str:
        if self._targets is None:
            self._targets = dict(SlaPolicy.objects.values_list("kind", "target"))
        return self._targets[kind]

    def resolve(self, *, case, target: str) -> Resolved:
        key = (case.store_id, case.owner_id, case.level, target)
        if key not in self._resolved:
            self._resolved[key] = resolve(case=case, target=target)
        return self._resolved[key]

    def owners(self, *, case) -> list:
        key = (case.store_id, case.owner_id, case.level)
        if key not in self._owners:
            self._owners[key] = owner_people(case=case)
        return self._owners[key]


@dataclass
class SweepStats:
    escalated: int = 0
    warned: int = 0
    failed: int = 0
    lost: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _claimable(now: datetime) -> QuerySet[Deadline]:
    return (Deadline.objects.filter(unsettled_q())
            .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
            .select_related("case", "case__store", "case__owner"))


def due_deadlines(*, now: datetime) -> QuerySet[Deadline]:
    """Missed deadlines not yet escalated, oldest first (one scan of the partial index)."""
    return _claimable(now).filter(due_at__lte=now).order_by("due_at", "pk")


def warnable_deadlines(*, now: datetime) -> QuerySet[Deadline]:
    """Deadlines past their warning point and not yet due (a due one escalates instead)."""
    return (_claimable(now).filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)
            .order_by("warn_at", "pk"))


def _due_text(deadline: Deadline) -> str:
    return f"{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}"


@dataclass
class Breach:
    """What one missed deadline writes, worked out before any of it is written: the escalation
    row (its `to_level` is the case's level afterwards), the timeline event and the notice."""

    escalation: Escalation
    to: Resolved
    title: str

    @property
    def reminder(self) -> bool:
        return self.escalation.target == Target.OWNER

    def event_fields(self) -> dict:
        e = self.escalation
        return {"kind": CaseEventKind.ESCALATED, "at": e.fired_at,
                "note": " ".join(filter(None, [self.title, self.to.note])),
                "data": {"deadline": e.kind, "target": e.target, "from_level": e.from_level,
                         "to_level": e.to_level,
                         "target_node": self.to.node.code if self.to.node else None,
                         "recipients": sorted(u.pk for u in self.to.people),
                         "escalation": e.pk}}

    def notification_fields(self, event: CaseEvent) -> dict:
        return {"recipients": self.to.people, "case": self.escalation.case, "event": event,
                "kind": "followup_due" if self.reminder else "escalated", "title": self.title,
                "body": self.to.note, "urgent": not self.reminder}


def _breach(*, deadline: Deadline, now: datetime, cache: SweepCache) -> Breach:
    """`deadline.case.level` must be the case's current level."""
    case = deadline.case
    target = cache.target(deadline.kind)
    to = cache.resolve(case=case, target=target)
    from_level = case.level
    # Raise when the target is higher, never lower (as `cases_raise_level` does).
    to_level = max(from_level, to.level or from_level, key=Level.values.index)
    escalation = Escalation(
        deadline=deadline, case=case, store_id=case.store_id, kind=deadline.kind,
        from_level=from_level, to_level=to_level, target=target, target_node=to.node, note=to.note,
        due_at=deadline.due_at, fired_at=now,
    )
    # The kind's label alone: `get_kind_display` translates every choice on each call.
    values = {"number": case.number, "deadline": DeadlineKind(deadline.kind).label,
              "due": _due_text(deadline), "target": Target(target).label,
              "from": from_level, "to": to_level}
    title = (_("Case %(number)s: “%(deadline)s” is overdue (due %(due)s)")
             if target == Target.OWNER else
             _("Case %(number)s missed “%(deadline)s” (due %(due)s): escalated to %(target)s, "
               "%(from)s → %(to)s")) % values
    return Breach(escalation=escalation, to=to, title=title)


def deadline_escalate(*, deadline: Deadline, now: datetime,
                      cache: SweepCache | None = None) -> Escalation | None:
    """Record the missed deadline once, raise the case's level when the target is higher, write
    the timeline event and the notifications. None when someone else fired or met it first."""
    fired = _escalate([deadline], now=now, cache=cache or SweepCache())
    return fired[0] if fired else None


def deadlines_escalate(*, deadlines: list[Deadline], now: datetime, cache: SweepCache) -> bool:
    """`deadline_escalate` for a claimed batch, in its order. False when a row was fired or met
    meanwhile (only possible without row locks): the caller rolls the batch back and goes one
    by one."""
    return _escalate(deadlines, now=now, cache=cache) is not None


def _escalate(deadlines: list[Deadline], *, now: datetime,
              cache: SweepCache) -> list[Escalation] | None:
    """The one path that fires missed deadlines, one or a batch: one claim, one read of the
    cases' levels, one update per level the cases rise to (`cases_raise_level`), one insert of
    the escalations, of the case events (`events_record`) and of the notifications. None,
    having written nothing else, when the claim did not change every row."""
    ids = [d.pk for d in deadlines]
    # The WHERE clause re-checks the state: exactly once even where row locks do not exist.
    if Deadline.objects.filter(unsettled_q(), pk__in=ids).update(escalated_at=now) != len(ids):
        return None
    for deadline in deadlines:
        deadline.escalated_at = now
    deadlines_settled.send(deadlines)
    # Current levels (a row fired alone may carry a stale case); a deadline sees the level the
    # ones before it in the batch raised.
    levels = dict(Case.objects.filter(pk__in={d.case_id for d in deadlines})
                  .values_list("pk", "level"))
    breaches = []
    for deadline in deadlines:
        deadline.case.level = levels[deadline.case_id]
        breach = _breach(deadline=deadline, now=now, cache=cache)
        levels[deadline.case_id] = breach.escalation.to_level
        breaches.append(breach)
    cases_raise_level((b.escalation.case, b.escalation.to_level) for b in breaches)
    Escalation.objects.bulk_create([b.escalation for b in breaches])
    events = events_record(
        [CaseEvent(case=b.escalation.case, **b.event_fields()) for b in breaches])
    notifications_create_many(
        [b.notification_fields(event) for b, event in zip(breaches, events, strict=True)])
    return [b.escalation for b in breaches]


def deadline_warn(*, deadline: Deadline, now: datetime, cache: SweepCache | None = None) -> bool:
    """Tell the owner once that a deadline is near. False when it was warned, met or fired."""
    claimed = Deadline.objects.filter(unsettled_q(), pk=deadline.pk, warned_at__isnull=True)
    if not claimed.update(warned_at=now):
        return False
    deadline.warned_at = now
    case = deadline.case
    title = _("Case %(number)s: “%(deadline)s” is due at %(due)s") % {
        "number": case.number, "deadline": DeadlineKind(deadline.kind).label,
        "due": _due_text(deadline)}
    people = (cache or SweepCache()).owners(case=case)
    event = event_record(case=case, kind=CaseEventKind.WARNED, note=title,
                         data={"deadline": deadline.kind, "due_at": deadline.due_at.isoformat(),
                               "recipients": sorted(u.pk for u in people)}, at=now)
    notification_create(recipients=people, case=case, event=event, kind="warned",
                        title=title)
    return True


def deadline_failed(*, deadline: Deadline, now: datetime, error: Exception) -> None:
    """Record the error on the row and leave it alone for a growing while."""
    attempts = deadline.attempts + 1
    delay = backoff(attempts=attempts, first=timedelta(seconds=conf.RETRY_SECONDS),
                    most=timedelta(seconds=conf.RETRY_MAX_SECONDS))
    Deadline.objects.filter(pk=deadline.pk).update(
        attempts=attempts, retry_at=now + delay, failure_message=failure_text(now=now, error=error))


def _escalation_batch(*, now: datetime | None, cache: SweepCache, limit: int) -> list[Outcome]:
    now = now or timezone.now()
    return claim_and_run(
        due=due_deadlines(now=now), lock=LOCK, limit=limit,
        run=lambda d: deadline_escalate(deadline=d, now=now, cache=cache) is not None,
        failed=lambda d, exc: deadline_failed(deadline=d, now=now, error=exc),
        run_all=lambda ds: deadlines_escalate(deadlines=ds, now=now, cache=cache),
    )


def _warning_batch(*, now: datetime | None, cache: SweepCache, limit: int) -> list[Outcome]:
    now = now or timezone.now()
    return claim_and_run(
        due=warnable_deadlines(now=now), lock=LOCK, limit=limit,
        run=lambda d: deadline_warn(deadline=d, now=now, cache=cache),
        failed=lambda d, exc: deadline_failed(deadline=d, now=now, error=exc),
    )


def escalation_process_one(*, now: datetime | None = None) -> bool:
    """Fire the oldest missed deadline nobody else holds; False when nothing is due."""
    return bool(_escalation_batch(now=now, cache=SweepCache(), limit=1))


def warning_process_one(*, now: datetime | None = None) -> bool:
    """Warn about the next deadline past its warning point; False when there is none."""
    return bool(_warning_batch(now=now, cache=SweepCache(), limit=1))


def sweep(*, now: datetime | None = None) -> SweepStats:
    """Fire every missed deadline, oldest first (so a scheduler that was down catches up in
    deadline order), then send the warnings due. Rows are claimed a batch at a time, to spare a
    commit per row, and a batch of missed deadlines is fired set-based; when that fails, its rows
    go one by one, each isolated in its own savepoint. `now` pins the clock; by default each
    batch reads it afresh."""
    started = time.monotonic()
    stats = SweepStats()
    cache = SweepCache()
    for batch, counter in ((_escalation_batch, "escalated"), (_warning_batch, "warned")):
        field = {Outcome.DONE: counter, Outcome.LOST: "lost", Outcome.FAILED: "failed"}
        while outcomes := batch(now=now, cache=cache, limit=conf.SWEEP_BATCH):
            for outcome in outcomes:
                setattr(stats, field[outcome], getattr(stats, field[outcome]) + 1)
    stats.seconds = round(time.monotonic() - started, 3)
    return stats
