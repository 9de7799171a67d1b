"""Starting, meeting and cancelling a case's SLA deadlines. The sweep that fires them lives in
`escalation/sweep.py`."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cases.models import Case
from recovery.config_cache import config_cached

from .calendar import sla_due, sla_elapsed
from .events import deadlines_settled
from .models import Anchor, Clock, Deadline, DeadlineKind, SlaPolicy, waiting_q

CASE_DEADLINES = [
    DeadlineKind.ASSEMBLY, DeadlineKind.CONTACT, DeadlineKind.PLAN, DeadlineKind.EXECUTION,
    DeadlineKind.RESOLUTION,
]
FOLLOWUP_DEADLINES = [
    DeadlineKind.FOLLOWUP_3D, DeadlineKind.FOLLOWUP_7D, DeadlineKind.FOLLOWUP_30D,
]

# Which deadline each transition meets (SPEC §4).
TRANSITION_MEETS = {
    "contact": [DeadlineKind.CONTACT],
    "propose": [DeadlineKind.PLAN],
    "start": [DeadlineKind.EXECUTION],
    "approve_plan": [DeadlineKind.EXECUTION],
    "resolve": [DeadlineKind.RESOLUTION],
}


def _step_kinds(state: str) -> set[str]:
    """The deadlines met by the transitions that leave `state`: what the case's next step meets."""
    leaving = Case._meta.get_field("state").get_all_transitions(Case)
    return {kind for t in leaving if t.source in (state, "*")
            for kind in TRANSITION_MEETS.get(t.name, ())}


def deadline_next(*, state: str, deadlines) -> Deadline | None:
    """The deadline a case in `state` works towards, of its `deadlines`: the waiting one its next
    step meets (first contact while open, then the plan…), else the earliest waiting (the
    follow-ups). Not simply the earliest: over a closed store's weekend the 24 h wall-clock
    resolution falls due before the first contact, which is still the step at hand."""
    waiting = sorted((d for d in deadlines if d.is_waiting), key=lambda d: (d.due_at, d.pk or 0))
    kinds = _step_kinds(state)
    return next((d for d in waiting if d.kind in kinds), waiting[0] if waiting else None)


def case_deadline_next(case: Case) -> Deadline | None:
    return deadline_next(state=case.state, deadlines=case.deadline_rows())


def _policies(kinds) -> dict[str, SlaPolicy]:
    every = config_cached("sla-policies", lambda: {p.kind: p for p in SlaPolicy.objects.all()})
    return {kind: every[kind] for kind in kinds if kind in every}


def _build(case: Case, policy: SlaPolicy, anchor_at: datetime) -> Deadline:
    """Due and warning times on the policy's clock (business hours of the case's store, or
    wall time): the sweep fires what is stored, so it keeps the same clock."""
    business = policy.clock == Clock.BUSINESS
    due_at = sla_due(anchor_at, policy.window, store_id=case.store_id, business=business)
    warn_at = (sla_due(anchor_at, policy.warn_offset(), store_id=case.store_id,
                       business=business) if policy.warn_ratio else None)
    return Deadline(case=case, store_id=case.store_id, kind=policy.kind, round=case.round,
                    due_at=due_at, warn_at=warn_at)


def policy_clock_business(kind: str) -> bool:
    """Whether the SLA of this deadline kind counts business time."""
    policy = _policies([kind]).get(kind)
    return policy is not None and policy.clock == Clock.BUSINESS


def deadline_remaining(deadline: Deadline, *, now: datetime) -> timedelta:
    """Time left on the deadline's own clock (negative when overdue): the countdowns."""
    return sla_elapsed(now, deadline.due_at, store_id=deadline.store_id,
                       business=policy_clock_business(deadline.kind))


def deadlines_start(*, case: Case, met=(), met_at: datetime | None = None) -> list[Deadline]:
    """The 15 min / 2 h / 4 h / 8 h / 24 h deadlines of a new case; the `met` kinds are written
    already met at `met_at`."""
    anchors = {Anchor.RECEIVED: case.received_at, Anchor.TRIGGERED: case.triggered_at}
    policies = _policies(CASE_DEADLINES)
    rows = [_build(case, p, anchors[p.anchor]) for k in CASE_DEADLINES
            if (p := policies.get(k)) and p.anchor in anchors]
    for row in rows:
        if row.kind in met:
            row.met_at = met_at
    rows = Deadline.objects.bulk_create(rows)
    deadlines_settled.send([row for row in rows if row.met_at])
    return rows


def deadlines_start_followups(*, case: Case, at: datetime) -> list[Deadline]:
    policies = _policies(FOLLOWUP_DEADLINES)
    rows = [_build(case, p, at) for k in FOLLOWUP_DEADLINES if (p := policies.get(k))]
    return Deadline.objects.bulk_create(rows)


def _settle(waiting: QuerySet[Deadline], **change) -> int:
    """Write `change` on the waiting deadlines and count those it settles (the escalated ones
    were counted when they fired). Locked first, so the sweep cannot fire them meanwhile."""
    with transaction.atomic():
        settling = list(waiting.filter(escalated_at__isnull=True).select_for_update())
        changed = waiting.update(**change)
        for deadline in settling:
            for name, value in change.items():
                setattr(deadline, name, value)
        deadlines_settled.send(settling)
    return changed


def deadlines_meet(*, case: Case, kinds, at: datetime) -> int:
    return _settle(Deadline.objects.filter(waiting_q(), case=case, kind__in=kinds), met_at=at)


def deadlines_cancel_waiting(*, case: Case, at: datetime, kinds=None) -> int:
    qs = Deadline.objects.filter(waiting_q(), case=case)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    return _settle(qs, cancelled_at=at)


def deadlines_after_transition(*, case: Case, name: str, at: datetime) -> None:
    """Keep the case's clock in step with its state."""
    if name in TRANSITION_MEETS:
        deadlines_meet(case=case, kinds=TRANSITION_MEETS[name], at=at)
    if name == "resolve":
        deadlines_start_followups(case=case, at=at)
    elif name == "close":
        deadlines_cancel_waiting(case=case, at=at)
    elif name == "reopen":
        # The customer is unhappy again: a fresh resolution window in the case's new round
        # (replacing the earlier round's), follow-ups start over at the next resolve.
        deadlines_cancel_waiting(case=case, at=at)
        policy = _policies([DeadlineKind.RESOLUTION]).get(DeadlineKind.RESOLUTION)
        if policy:
            _build(case, policy, at).save()


def overdue_case_ids(*, now: datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    return Deadline.objects.filter(waiting_q(), due_at__lte=now).values("case_id")


# What the case lists and dashboards ask of a case's deadlines (`cases.selectors`, registered
# in `EscalationConfig.ready`).

def overdue_exists() -> Exists:
    return Exists(Deadline.objects.filter(waiting_q(), case=OuterRef("pk"),
                                          due_at__lte=timezone.now()))


def followup_due_exists() -> Exists:
    return Exists(Deadline.objects.filter(waiting_q(), case=OuterRef("pk"),
                                          kind__startswith="followup",
                                          due_at__lte=timezone.now()))
