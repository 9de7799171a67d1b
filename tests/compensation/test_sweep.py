"""Approval decision deadlines: a missed deadline moves the request one role up, once."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import time_machine
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from cases.models import CaseEvent
from compensation import sweep
from compensation.models import Approval
from compensation.tasks import approvals_sweep_task
from notifications.models import Notification
from tests.conftest import api_as

from .factories import contacted_case

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _pending(org, amount):
    with time_machine.travel(T0, tick=False):
        case = contacted_case(store=org.S01)
        resp = api_as(org.advisor1).post(
            f"/api/v1/cases/{case.pk}/offers/",
            {"items": [{"code": "voucher", "value": str(amount)}]}, format="json")
    return Approval.objects.get(pk=resp.json()["approval"]["id"])


def _escalations(approval):
    return CaseEvent.objects.filter(case_id=approval.case_id,
                                    data__compensation="approval_escalated")


def test_manager_approval_escalates_to_center_director_after_two_hours(org):
    approval = _pending(org, 1500)
    assert approval.due_at == T0 + timedelta(hours=2)
    with time_machine.travel(T0 + timedelta(hours=2, seconds=-1), tick=False):
        assert sweep.approval_escalate_one() is False
    with time_machine.travel(T0 + timedelta(hours=2, seconds=1), tick=False):
        assert sweep.approval_escalate_one() is True
        assert sweep.approval_escalate_one() is False
    approval.refresh_from_db()
    assert approval.approver_role == "center_director" and approval.approver_node == org.S01
    assert approval.due_at == T0 + timedelta(hours=4, seconds=1)
    assert approval.escalations == 1 and approval.status == "pending"
    assert _escalations(approval).count() == 1
    notes = Notification.objects.filter(kind="approval_escalated")
    assert [n.recipient for n in notes] == [org.director1]


def test_escalation_walks_up_the_chain_to_the_top_and_stops(org):
    approval = _pending(org, 2500)
    assert approval.approver_role == "regional_director"
    roles = []
    at = T0
    for _ in range(4):
        at += timedelta(hours=7)
        with time_machine.travel(at, tick=False):
            sweep.approvals_sweep()
        approval.refresh_from_db()
        roles.append(approval.approver_role)
    assert roles == ["area_director", "hq", "hq", "hq"]
    assert approval.due_at is None  # nobody above HQ: it stays with HQ, without a deadline
    assert _escalations(approval).count() == 3


def test_an_approval_decided_in_time_never_escalates(org):
    approval = _pending(org, 1500)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        api_as(org.manager1).post(f"/api/v1/approvals/{approval.pk}/approve/")
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        assert sweep.approvals_sweep() == 0
    assert not _escalations(approval).exists()


def test_lost_race_escalates_nothing(org):
    """Another sweeper claimed the row between our read and our claim."""
    approval = _pending(org, 1500)
    due = approval.due_at
    now = T0 + timedelta(hours=3)
    with time_machine.travel(now, tick=False):
        assert sweep.approval_escalate(approval_id=approval.pk, due_at=due, now=now) is True
        assert sweep.approval_escalate(approval_id=approval.pk, due_at=due, now=now) is False
    assert _escalations(approval).count() == 1
    assert Notification.objects.filter(kind="approval_escalated").count() == 1


def test_approval_decided_before_the_claim_is_not_escalated(org):
    approval = _pending(org, 1500)
    due = approval.due_at
    api_as(org.manager1).post(f"/api/v1/approvals/{approval.pk}/approve/")
    now = T0 + timedelta(hours=3)
    assert sweep.approval_escalate(approval_id=approval.pk, due_at=due, now=now) is False
    approval.refresh_from_db()
    assert approval.approver_role == "service_manager" and approval.escalations == 0


def test_one_bad_row_never_stops_the_sweep(org):
    first = _pending(org, 1500)
    second = _pending(org, 1600)
    Approval.objects.filter(pk=second.pk).update(due_at=first.due_at + timedelta(seconds=1))
    real = sweep.approval_escalate

    def flaky(*, approval_id, **kwargs):
        if approval_id == first.pk:
            raise RuntimeError("boom")
        return real(approval_id=approval_id, **kwargs)

    now = T0 + timedelta(hours=3)
    with time_machine.travel(now, tick=False), mock.patch.object(sweep, "approval_escalate",
                                                                 side_effect=flaky):
        assert sweep.approvals_sweep() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert "boom" in first.failure_message and first.due_at == now + timedelta(minutes=5)
    assert first.approver_role == "service_manager"
    assert second.approver_role == "center_director"


def test_the_celery_task_runs_the_sweep_and_beat_schedules_it_every_30_seconds(org):
    approval = _pending(org, 1500)
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        assert approvals_sweep_task.apply().get() == 1
    approval.refresh_from_db()
    assert approval.escalations == 1
    task = PeriodicTask.objects.get(task="compensation.approvals_sweep")
    assert task.enabled and task.interval.every == 30 and task.interval.period == "seconds"


def test_run_sweeps_command_also_moves_overdue_approvals_up(org, capsys):
    approval = _pending(org, 1500)
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        call_command("run_sweeps")
    assert "approvals_escalated=1" in capsys.readouterr().out
    approval.refresh_from_db()
    assert approval.approver_role == "center_director"
