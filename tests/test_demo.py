"""`seed_demo` as a visitor meets it: four months of history made by the product's own services,
so the figures, the escalation log, the checklists, the approvals, the stock and each person's
notifications look like a service network's, not like rows written in one go."""

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from cases.models import Case, CaseEventKind, Level, Outcome, State
from cases.selectors import case_progress, with_progress
from compensation.models import Approval, ApprovalStatus
from compensation.selectors import approvals_for, user_may_decide
from escalation.deadlines import waiting_q
from escalation.models import Deadline, DeadlineKind, Escalation
from metrics.selectors import Period, metrics_report, metrics_sources, period_build
from notifications.models import Notification
from org.models import User
from toolkit.models import Contact, ContactOutcome, StockMovement, StockReason
from toolkit.selectors import stock_list

# A Wednesday afternoon in Shanghai: the demo is loaded "now" and the tests look at it then.
NOW = datetime(2026, 11, 18, 15, 20, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """`seed_demo` run once for the module at NOW, rolled back at its end. The block counts as
    a test's own transaction, so the sweeps' durable transactions run inside it as in a test."""
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            time_machine.travel(NOW, tick=False):
        block = transaction.atomic()
        block._from_testcase = True
        with block:
            call_command("seed_demo", "--password", "pw-x", stdout=StringIO())
            yield {u.username: u for u in User.objects.all()}
            transaction.set_rollback(True)


@pytest.fixture
def users(demo, db):
    """The demo's people by username; the clock stays at NOW for the whole module."""
    return demo


def _report(user, period):
    return metrics_report(sources=metrics_sources(user=user), period=period)


def test_cases_in_every_state_and_level_and_a_second_run_adds_none(users):
    states = set(Case.objects.values_list("state", flat=True))
    assert states >= {State.OPEN, State.CONTACTED, State.PLAN_PROPOSED, State.AWAITING_APPROVAL,
                      State.IN_PROGRESS, State.RESOLVED, State.FOLLOWING_UP, State.CLOSED}
    assert set(Case.objects.values_list("level", flat=True)) == set(Level.values)
    count = Case.objects.count()
    assert 200 <= count < 400
    triggered = Case.objects.order_by("triggered_at").values_list("triggered_at", flat=True)
    assert NOW - triggered[0] > timedelta(days=100)  # four months of history
    call_command("seed_demo", "--password", "pw-x", stdout=StringIO())
    assert Case.objects.count() == count


@pytest.mark.parametrize("days", [30, 110])
def test_kpis_are_believable_over_the_last_month_and_the_whole_history(users, days):
    period = period_build(start=NOW.date() - timedelta(days=days - 1), end=NOW.date())
    kpis = _report(users["hq1"], period).kpis
    assert kpis["success_rate"]["closed"] >= 20
    assert 70 <= kpis["success_rate"]["value"] <= 85
    assert 60 <= kpis["retention_rate"]["value"] <= 85
    assert kpis["nps_conversion"]["value"] > 30
    assert kpis["cost_per_recovery"]["value"] > 100
    assert kpis["response_mean"]["value"] < 2


def test_a_store_manager_sees_believable_figures_for_his_store(users):
    period = Period(start=NOW.date() - timedelta(days=110), end=NOW.date())
    kpis = _report(users["manager1"], period).kpis
    assert kpis["success_rate"]["closed"] >= 10
    assert 50 <= kpis["success_rate"]["value"] <= 95
    assert kpis["retention_rate"]["value"] > 40


def test_promoters_mostly_came_back_and_a_recovered_case_was_earned(users):
    period = Period(start=NOW.date() - timedelta(days=110), end=NOW.date())
    bands = {row["band"]: row for row in _report(users["hq1"], period).rescore}
    assert bands["9-10"]["cases"] > 50 and bands["9-10"]["churn"] < 35
    assert bands["9-10"]["churn"] < bands["7-8"]["churn"] < 100
    for case in Case.objects.filter(state=State.CLOSED, outcome=Outcome.RECOVERED):
        assert case.score_after is not None and case.score_after >= 9, case


def test_escalations_happened_when_deadlines_were_missed_and_raised_the_level(users):
    escalations = list(Escalation.objects.all())
    assert len(escalations) >= 15
    for e in escalations:
        # The beat swept within a minute of the deadline: stamped then, not when seeded.
        assert timedelta(0) <= e.fired_at - e.due_at <= timedelta(minutes=2), e
        assert Level.values.index(e.to_level) > Level.values.index(e.from_level), e
    today = [e for e in escalations if timezone.localdate(e.fired_at) == NOW.date()]
    assert len(today) <= 5
    assert len({timezone.localdate(e.fired_at) for e in escalations}) >= 10
    kinds = Counter(e.kind for e in escalations)
    assert kinds[DeadlineKind.CONTACT] and kinds[DeadlineKind.RESOLUTION]
    # Each was announced on the case's timeline at the moment it fired.
    for e in escalations:
        assert e.case.events.filter(kind=CaseEventKind.ESCALATED, at=e.fired_at).exists()


def test_progress_follows_the_checklist_and_closed_cases_were_worked(users):
    closed = with_progress(Case.objects.filter(state=State.CLOSED))
    assert closed.count() >= 100
    for case in closed:
        progress = case_progress(case)
        assert 50 <= progress <= 100, (case, progress)
        done = set(case.checklist.filter(done_at__isnull=False).values_list("code", flat=True))
        assert {"call_customer", "present_plan", "customer_verification"} <= done, case
    fresh = with_progress(Case.objects.filter(state=State.OPEN))
    assert fresh and all(case_progress(c) == 0 for c in fresh)


def test_every_contacted_case_has_the_call_that_reached_the_customer(users):
    contacted = Case.objects.exclude(state=State.OPEN)
    for case in contacted:
        call = Contact.objects.filter(case=case, outcome=ContactOutcome.REACHED).order_by("at")
        assert call.exists() and call.first().at == case.contacted_at, case


@pytest.mark.parametrize("username", ["manager1", "regional1", "area1"])
def test_approvals_wait_for_manager1_regional1_and_area1(users, username):
    user = users[username]
    waiting = list(approvals_for(user=user, status=ApprovalStatus.PENDING))
    assert waiting, username
    for approval in waiting:
        assert user_may_decide(user=user, approval=approval)
        assert approval.due_at > timezone.now()  # still within the decision window
        assert approval.case.state == State.AWAITING_APPROVAL


def test_decided_approvals_were_decided_by_someone_whose_authority_covers_them(users):
    decided = Approval.objects.filter(status=ApprovalStatus.APPROVED).select_related(
        "decided_by", "case__store")
    assert decided.count() >= 5
    for approval in decided:
        assert user_may_decide(user=approval.decided_by, approval=approval)
        assert approval.decided_at <= approval.due_at


def test_remedy_stock_was_delivered_handed_out_and_returned(users):
    stock = list(stock_list(user=users["manager1"]))
    assert {s.item_code for s in stock} >= {"voucher", "gift", "car_wash", "loaner_car"}
    assert all(s.quantity > 0 for s in stock)
    reasons = Counter(StockMovement.objects.values_list("reason", flat=True))
    assert reasons[StockReason.ISSUE] >= 50 and reasons[StockReason.RECEIVE] >= 8
    assert reasons[StockReason.RETURN] >= 1
    issued = StockMovement.objects.filter(reason=StockReason.ISSUE)
    assert all(m.case_id for m in issued)


def test_people_have_read_their_old_notifications_and_see_only_recent_ones(users):
    yesterday = NOW - timedelta(days=1, hours=12)
    for username in ["advisor1", "manager1", "director1", "regional1", "area1", "hq1",
                     "advisor2", "manager2"]:
        mine = Notification.objects.filter(recipient=users[username])
        unread = mine.filter(read_at__isnull=True)
        assert mine.exists(), username
        assert unread.count() <= 30, username
        assert not unread.filter(created_at__lt=yesterday).exists(), username
        assert unread.filter(kind="opened").count() <= 10, username
    # Each notice was made when its event happened, over the months.
    created = Notification.objects.values_list("created_at", flat=True)
    assert len({timezone.localdate(c) for c in created}) >= 60


def test_live_cases_have_running_countdowns_and_some_are_overdue(users):
    s01 = Case.objects.filter(store__code="S01")
    waiting = Deadline.objects.filter(waiting_q(), case__in=s01.exclude(state=State.CLOSED))
    assert waiting.filter(kind=DeadlineKind.CONTACT, due_at__gt=timezone.now()).exists()
    assert waiting.filter(due_at__lte=timezone.now()).exists()
    # Overdue ones were escalated once, and nothing else of theirs has fallen due unseen.
    for deadline in waiting.filter(due_at__lte=timezone.now() - timedelta(minutes=2)):
        assert deadline.escalated_at is not None, deadline
    assert not Escalation.objects.filter(from_level=F("to_level")).exists()
