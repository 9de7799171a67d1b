"""Approval decision deadlines (SPEC §6): a pending approval past `due_at` moves one role up the
case's chain with a new deadline. Sweep, don't schedule: the beat task calls `approvals_sweep`
every 30 s, which claims the overdue rows with the project's sweep primitive
(`recovery.sweeps`, as the SLA sweep does); a conditional update re-checks each row, so two
sweepers can't both escalate it."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import CaseEventKind
from cases.services import event_record
from notifications.services import notification_create
from org.models import Role
from recovery.sweeps import claim_and_run, failure_text

from . import conf
from .models import Approval, ApprovalStatus, CompensationPolicy
from .selectors import approver_route, decision_window


def approval_escalate(*, approval_id: int, due_at: datetime, now: datetime) -> bool:
    """Escalate one approval whose deadline `due_at` has passed. False when another sweeper or a
    decision got there first (the WHERE clause re-checks status, deadline and role)."""
    with transaction.atomic():
        approval = Approval.objects.select_related("case__store", "offer").get(pk=approval_id)
        route = approver_route(node=approval.case.store,
                               amount=max(approval.amount, approval.cumulative_amount),
                               above_role=approval.approver_role)
        window = decision_window(role=route.role) if route else None
        claimed = Approval.objects.filter(
            pk=approval_id, status=ApprovalStatus.PENDING, due_at=due_at,
            approver_role=approval.approver_role,
        ).update(
            approver_role=route.role if route else approval.approver_role,
            approver_node_id=route.node.pk if route else approval.approver_node_id,
            # At the top of the chain there is nobody left to escalate to: the request stays
            # with the most senior approvers, without a further deadline.
            due_at=now + window if route and window else None,
            escalations=F("escalations") + 1, escalated_at=now, failure_message="",
        )
        if claimed != 1:
            return False
        _escalation_record(approval=approval, route=route, now=now)
    return True


def _escalation_record(*, approval: Approval, route, now: datetime) -> None:
    before = Role(approval.approver_role).label
    if route:
        note = _("Approval of ¥%(amount)s not decided in time: moved from %(before)s to "
                 "%(after)s.") % {"amount": approval.amount, "before": before,
                                  "after": Role(route.role).label}
        recipients = route.people
    else:
        note = _("Approval of ¥%(amount)s not decided in time; nobody is above %(before)s.") % {
            "amount": approval.amount, "before": before}
        recipients = list(approval.approver_node.members.filter(
            role=approval.approver_role, is_active=True))
    event = event_record(case=approval.case, kind=CaseEventKind.NOTE, note=note, at=now,
                         data={"compensation": "approval_escalated", "approval": approval.pk,
                               "from_role": approval.approver_role,
                               "to_role": route.role if route else approval.approver_role})
    notification_create(recipients=recipients, case=approval.case, event=event,
                        kind="approval_escalated", urgent=True,
                        title=_("Approval overdue: case %(number)s · ¥%(amount)s") % {
                            "number": approval.case.number, "amount": approval.amount})


def approval_escalate_failed(*, approval_id: int, due_at: datetime, now: datetime,
                             error: Exception) -> None:
    """Record the error on the row and push its deadline back by the policy's retry delay."""
    Approval.objects.filter(pk=approval_id, status=ApprovalStatus.PENDING, due_at=due_at).update(
        due_at=now + CompensationPolicy.current().retry_delay,
        failure_message=failure_text(now=now, error=error),
    )


def _overdue(now: datetime):
    return (Approval.objects.filter(status=ApprovalStatus.PENDING, due_at__lte=now)
            .order_by("due_at", "pk"))


def approval_escalate_one(now: datetime | None = None) -> bool:
    """Escalate the most overdue approval nobody else holds; False when nothing is due. One bad
    row never stops the sweep: its error is recorded on it."""
    now = now or timezone.now()
    return bool(claim_and_run(
        due=_overdue(now), lock=("self",),
        run=lambda a: approval_escalate(approval_id=a.pk, due_at=a.due_at, now=now),
        failed=lambda a, exc: approval_escalate_failed(approval_id=a.pk, due_at=a.due_at,
                                                       now=now, error=exc)))


def approvals_sweep(now: datetime | None = None) -> int:
    """Escalate every overdue approval; returns how many rows were handled."""
    handled = 0
    while handled < conf.SWEEP_MAX_ITEMS and approval_escalate_one(now=now):
        handled += 1
    return handled
