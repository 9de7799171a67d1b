"""The SLA clock of SPEC §4: each deadline fires at its moment, once, to the right people."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from cases.models import Case, CaseEvent, CaseEventKind
from escalation import sweep as sweep_module
from escalation.models import Deadline, DeadlineKind, Escalation
from escalation.sweep import (
    deadline_escalate,
    escalation_process_one,
    sweep,
    warning_process_one,
)
from notifications.models import Notification
from tests.factories import open_case, sop_walk

from .conftest import T0

pytestmark = pytest.mark.django_db


def escalated_kinds(case) -> list[str]:
    return list(Escalation.objects.filter(case=case).order_by("due_at", "pk")
                .values_list("kind", flat=True))


def recipients(case, kind: str) -> set[str]:
    return set(Notification.objects.filter(case=case, kind=kind)
               .values_list("recipient__username", flat=True))


def walk(case, *names, actor):
    return sop_walk(case, actor, names)


@pytest.mark.parametrize(
    ("kind", "hours", "met_first", "target", "people", "node", "level"),
    [
        ("contact", 2, [], "regional_director", {"regional1"}, "R1", "L4"),
        ("plan", 4, ["contact"], "area_director", {"area1"}, "A1", "L4"),
        ("execution", 8, ["contact", "propose"], "owner_superior", {"manager1", "director1"},
         "S01", "L3"),
        # Everyone holding the HQ role at HQ (the demo's admin and API user hold it too).
        ("resolution", 24, ["contact", "propose", "start"], "hq", {"hq1", "admin", "integration"},
         "HQ", "L4"),
    ],
)
def test_each_deadline_fires_at_its_moment_to_its_target_and_not_before(
        org, clock, kind, hours, met_first, target, people, node, level):
    case = open_case(store=org.S01, score=5)  # L2, owned by the service manager
    assert case.level == "L2" and case.owner == org.manager1
    clock.at(minutes=30)
    walk(case, *met_first, actor=org.manager1)

    clock.at(hours=hours, seconds=-1)
    assert sweep().escalated == 0
    assert escalated_kinds(case) == []

    clock.at(hours=hours)
    assert escalation_process_one() is True
    assert escalation_process_one() is False
    escalation = Escalation.objects.get(case=case)
    assert (escalation.kind, escalation.target, escalation.target_node.code) == (kind, target, node)
    assert (escalation.from_level, escalation.to_level) == ("L2", level)
    assert escalation.due_at == escalation.fired_at == T0 + timedelta(hours=hours)
    assert escalation.note == ""
    case.refresh_from_db()
    assert case.level == level
    assert recipients(case, "escalated") == people
    assert all(n.urgent for n in Notification.objects.filter(case=case, kind="escalated"))
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.ESCALATED)
    assert event.data["deadline"] == kind and event.data["escalation"] == escalation.pk
    assert Notification.objects.filter(event=event).count() == len(people)


def test_escalation_never_lowers_the_level(org, clock):
    case = open_case(store=org.S01, score=0)  # L4 already
    clock.at(hours=8)
    sweep()
    assert {(e.kind, e.from_level, e.to_level) for e in Escalation.objects.filter(case=case)} == {
        ("contact", "L4", "L4"), ("plan", "L4", "L4"), ("execution", "L4", "L4")}


def test_met_deadlines_never_fire(org, clock):
    case = open_case(store=org.S01, score=5)
    clock.at(hours=1)
    walk(case, "contact", "propose", "start", "resolve", actor=org.manager1)
    clock.at(hours=30)
    assert sweep().escalated == 0
    assert not Escalation.objects.exists()
    assert not Deadline.objects.filter(case=case, kind__in=["contact", "plan", "execution",
                                                            "resolution"], met_at=None).exists()


def test_escalated_deadline_is_met_late_by_its_transition(org, clock):
    case = open_case(store=org.S01, score=5)
    clock.at(hours=3)
    sweep()
    walk(case, "contact", actor=org.manager1)
    contact = Deadline.objects.get(case=case, kind="contact")
    assert contact.escalated_at == T0 + timedelta(hours=3)
    assert contact.met_at == T0 + timedelta(hours=3)
    assert escalated_kinds(case) == ["contact"]


def test_assembly_breach_alerts_the_administrators_without_raising_the_level(org, clock):
    case = open_case(store=org.S01, score=5, responded_at=T0 - timedelta(hours=1))
    # Intake meets the 15-minute deadline in its own transaction; simulate a case that was not.
    Deadline.objects.filter(case=case, kind="assembly").update(met_at=None)
    clock.at(minutes=14, seconds=59)
    assert sweep().escalated == 0  # the contact deadline runs from T0 - 1 h: due at T0 + 1 h
    clock.at(minutes=15)
    sweep()
    escalation = Escalation.objects.get(case=case, kind="assembly")
    assert escalation.target == "admins" and escalation.to_level == escalation.from_level
    assert escalation.due_at == T0 + timedelta(minutes=15)  # from receipt, not from T0
    assert recipients(case, "escalated") >= {"admin"}
    admin_notes = Notification.objects.filter(case=case, recipient=org.admin, kind="escalated")
    assert admin_notes.count() == 1


def test_back_dated_response_is_overdue_at_once_and_escalates_on_the_next_sweep(org, clock):
    # Friday 2026-02-27 13:00, 68 wall-clock hours before T0; Saturday 02-28 is a 调休 working
    # day, so even the 8 business hours of execution have run out.
    case = open_case(store=org.S01, score=5, responded_at=T0 - timedelta(days=3, hours=-4))
    assert sweep().escalated == 4
    assert escalated_kinds(case) == ["contact", "plan", "execution", "resolution"]


def test_nobody_in_the_role_goes_one_level_up_and_says_so(org, clock):
    org.regional1.is_active = False
    org.regional1.save()
    case = open_case(store=org.S01, score=5)
    clock.at(hours=2)
    sweep()
    escalation = Escalation.objects.get(case=case, kind="contact")
    assert escalation.target == "regional_director"
    assert escalation.target_node.code == "A1"
    assert "R1" in escalation.note and "A1" in escalation.note
    assert recipients(case, "escalated") == {"area1"}
    assert escalation.note in CaseEvent.objects.get(case=case, kind="escalated").note


def test_followups_run_from_the_resolution_time_and_remind_the_owner(org, clock):
    case = open_case(store=org.S01, score=5)
    resolved_at = clock.at(hours=6)
    walk(case, "contact", "propose", "start", "resolve", actor=org.manager1)
    due = dict(Deadline.objects.filter(case=case, kind__startswith="followup")
               .values_list("kind", "due_at"))
    assert due == {"followup_3d": resolved_at + timedelta(days=3),
                   "followup_7d": resolved_at + timedelta(days=7),
                   "followup_30d": resolved_at + timedelta(days=30)}
    clock.to(resolved_at + timedelta(days=3, seconds=-1))
    sweep()
    assert escalated_kinds(case) == []
    clock.to(resolved_at + timedelta(days=3))
    sweep()
    reminder = Escalation.objects.get(case=case)
    assert (reminder.kind, reminder.target, reminder.from_level, reminder.to_level) == (
        "followup_3d", "owner", "L2", "L2")
    assert recipients(case, "followup_due") == {"manager1"}
    assert not Notification.objects.get(case=case, kind="followup_due").urgent


def test_closing_cancels_the_followups(org, clock):
    case = open_case(store=org.S01, score=5)
    clock.at(hours=1)
    walk(case, "contact", "propose", "start", "resolve", actor=org.manager1)
    walk(case, "close", actor=org.manager1)
    clock.at(days=40)
    assert sweep().escalated == 0


def test_warning_goes_to_the_owner_once_at_75_percent_of_the_window(org, clock):
    case = open_case(store=org.S01, score=5)
    clock.at(minutes=89)
    assert warning_process_one() is False
    clock.at(minutes=90)  # 75 % of the 2-hour contact window
    assert warning_process_one() is True
    assert warning_process_one() is False
    assert sweep().warned == 0
    deadline = Deadline.objects.get(case=case, kind="contact")
    assert deadline.warned_at == T0 + timedelta(minutes=90) and deadline.escalated_at is None
    assert recipients(case, "warned") == {"manager1"}
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.WARNED).count() == 1
    clock.at(hours=3)  # the plan deadline (4 h) warns at 3 h
    assert sweep().warned == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.WARNED).count() == 2


def test_warning_ratio_is_a_setting_in_the_database(org, clock):
    from escalation.models import SlaPolicy

    SlaPolicy.objects.filter(kind="contact").update(warn_ratio="0.50")
    case = open_case(store=org.S01, score=5)
    clock.at(hours=1)
    assert sweep().warned == 1
    assert Deadline.objects.get(case=case, kind="contact").warned_at == T0 + timedelta(hours=1)


def test_catch_up_after_downtime_fires_every_missed_deadline_once_in_deadline_order(org, clock):
    first = open_case(store=org.S01, score=5)
    clock.at(minutes=30)
    second = open_case(store=org.S02, score=3)
    clock.at(hours=30)  # the scheduler was down for 30 hours
    stats = sweep()
    assert stats.escalated == 8 and stats.warned == 0 and stats.failed == 0
    fired = list(Escalation.objects.order_by("pk").values_list("due_at", "case_id", "kind"))
    assert [f[0] for f in fired] == sorted(f[0] for f in fired)
    assert [(c, k) for _d, c, k in fired] == [
        (first.pk, "contact"), (second.pk, "contact"), (first.pk, "plan"), (second.pk, "plan"),
        (first.pk, "execution"), (second.pk, "execution"), (first.pk, "resolution"),
        (second.pk, "resolution")]
    assert sweep().escalated == 0
    assert Escalation.objects.count() == 8
    assert CaseEvent.objects.filter(kind=CaseEventKind.ESCALATED).count() == 8


def test_lost_race_the_sweep_does_nothing_when_another_sweeper_fired_first(org, clock):
    case = open_case(store=org.S01, score=5)
    clock.at(hours=2)
    stale = Deadline.objects.select_related("case", "case__store").get(case=case, kind="contact")
    # Another sweeper claims and fires the row between our query and our claim.
    assert deadline_escalate(deadline=Deadline.objects.get(pk=stale.pk), now=T0) is not None
    assert deadline_escalate(deadline=stale, now=T0 + timedelta(hours=2)) is None
    assert escalation_process_one() is False
    assert Escalation.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.ESCALATED).count() == 1


def test_one_bad_row_never_stops_the_sweep(org, clock, monkeypatch):
    bad = open_case(store=org.S01, score=5)
    good = open_case(store=org.S02, score=5)
    real_resolve = sweep_module.resolve

    def broken_for_bad_case(*, case, target):
        if case.pk == bad.pk:
            # Half the work is done when it breaks: it must all be rolled back.
            Case.objects.filter(pk=case.pk).update(level="L4")
            raise RuntimeError("org chart is broken")
        return real_resolve(case=case, target=target)

    monkeypatch.setattr(sweep_module, "resolve", broken_for_bad_case)
    clock.at(hours=2)
    stats = sweep()
    assert (stats.escalated, stats.failed) == (1, 1)
    assert escalated_kinds(good) == ["contact"]
    row = Deadline.objects.get(case=bad, kind="contact")
    assert row.escalated_at is None and row.attempts == 1
    assert "org chart is broken" in row.failure_message
    assert row.retry_at == T0 + timedelta(hours=2, seconds=60)
    bad.refresh_from_db()
    assert bad.level == "L2"
    assert not CaseEvent.objects.filter(case=bad, kind=CaseEventKind.ESCALATED).exists()

    clock.at(hours=2, seconds=30)
    assert sweep().failed == 0  # left alone until retry_at
    clock.at(hours=2, seconds=60)
    assert sweep().failed == 1
    assert Deadline.objects.get(pk=row.pk).retry_at == T0 + timedelta(hours=2, seconds=180)

    monkeypatch.setattr(sweep_module, "resolve", real_resolve)
    clock.at(hours=2, seconds=180)
    assert sweep().escalated == 1
    assert escalated_kinds(bad) == ["contact"]


def test_run_sweeps_command_runs_one_sweep(org, clock, capsys):
    open_case(store=org.S01, score=5)
    clock.at(hours=5)
    call_command("run_sweeps")
    assert "escalated=2" in capsys.readouterr().out
    assert Escalation.objects.filter(kind=DeadlineKind.PLAN).count() == 1


def test_deadlines_of_one_case_in_one_batch_see_each_others_level(org, clock):
    case = open_case(store=org.S01, score=5)  # L2
    clock.at(minutes=30)
    walk(case, "contact", "propose", actor=org.manager1)
    # Plan met; make the contact and execution deadlines both missed and swept together.
    Deadline.objects.filter(case=case, kind="contact").update(met_at=None)
    clock.at(hours=9)
    sweep()
    levels = list(Escalation.objects.filter(case=case).order_by("pk")
                  .values_list("kind", "from_level", "to_level"))
    assert levels == [("contact", "L2", "L4"), ("execution", "L4", "L4")]
    case.refresh_from_db()
    assert case.level == "L4"
