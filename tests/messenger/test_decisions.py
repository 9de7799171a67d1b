"""Deciding from a messenger card, on each platform (parametrised: WeCom, DingTalk, Feishu):
the platform's signature, the card's single-use token, and the same authority rules as the
approvals page."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import Case, CaseEvent
from compensation.models import Approval
from messenger.models import MessengerCard
from messenger.services import card_issue
from notifications.models import Notification

from .conftest import link, pending_approval, send_cards, tap

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(org, messenger):
    """A pending approval for manager1, whose messenger account is linked; the card sent."""
    link(org.manager1, messenger.platform)
    approval = pending_approval(org)
    [delivery] = send_cards(approval.case)
    assert delivery.status == "sent", delivery.last_error
    [card] = messenger.sent()
    return approval, card


def _decisions(approval) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case_id=approval.case_id,
                                         data__compensation__in=["approval_approved",
                                                                 "approval_rejected"]))


def _unchanged(approval):
    approval = Approval.objects.get(pk=approval.pk)
    assert approval.status == "pending" and approval.decided_by is None
    assert _decisions(approval) == []
    assert not MessengerCard.objects.filter(used_at__isnull=False).exists()


def test_the_card_carries_approve_and_reject_and_is_sent_once(org, messenger, sent):
    approval, card = sent
    assert messenger.buttons(card) == ["approve", "reject"]
    # A retried delivery does not send the card again.
    send_cards(approval.case)
    assert len(messenger.sent()) == 1


def test_approve_from_the_card_lands_once_with_the_approver_and_the_timeline(
        org, messenger, sent):
    approval, card = sent
    request = messenger.request(user_id=f"{messenger.platform}-manager1", action="approve",
                                token=messenger.token(card))
    assert tap(request).status_code == 200
    approval.refresh_from_db()
    assert approval.status == "approved" and approval.decided_by == org.manager1
    assert Case.objects.get(pk=approval.case_id).state == "in_progress"
    [event] = _decisions(approval)
    assert event.actor == org.manager1
    assert org.advisor1.notifications.filter(kind="approval_decided").count() == 1

    # The same callback again (a replay) and a second tap on the other button change nothing.
    assert tap(request).status_code == 200
    again = messenger.request(user_id=f"{messenger.platform}-manager1", action="reject",
                              token=messenger.token(card), reason=messenger.reject_reason)
    assert tap(again).status_code == 200
    approval.refresh_from_db()
    assert approval.status == "approved"
    assert len(_decisions(approval)) == 1
    assert org.advisor1.notifications.filter(kind="approval_decided").count() == 1


def test_reject_with_a_reason_lands_once(org, messenger, sent):
    approval, card = sent
    request = messenger.request(user_id=f"{messenger.platform}-manager1", action="reject",
                                token=messenger.token(card), reason=messenger.reject_reason)
    assert tap(request).status_code == 200
    approval.refresh_from_db()
    assert (approval.status, approval.reason) == ("rejected", messenger.reject_reason_text)
    assert approval.decided_by == org.manager1
    assert Case.objects.get(pk=approval.case_id).state == "plan_proposed"
    tap(request)
    assert len(_decisions(approval)) == 1


def test_reject_without_a_reason_changes_nothing_and_the_card_still_works(
        org, messenger, sent):
    approval, card = sent
    token = messenger.token(card)
    tap(messenger.request(user_id=f"{messenger.platform}-manager1", action="reject",
                          token=token))
    _unchanged(approval)
    tap(messenger.request(user_id=f"{messenger.platform}-manager1", action="approve",
                          token=token))
    assert Approval.objects.get(pk=approval.pk).status == "approved"


def test_a_forged_signature_is_refused_and_changes_nothing(org, messenger, sent):
    approval, card = sent
    request = messenger.request(user_id=f"{messenger.platform}-manager1", action="approve",
                                token=messenger.token(card), forge=True)
    assert tap(request).status_code == 403
    _unchanged(approval)


def test_a_stale_signed_request_is_refused(org, messenger, sent):
    approval, card = sent
    an_hour_ago = int(timezone.now().timestamp()) - 3600
    request = messenger.request(user_id=f"{messenger.platform}-manager1", action="approve",
                                token=messenger.token(card), timestamp=an_hour_ago)
    assert tap(request).status_code == 403
    _unchanged(approval)


def test_a_forged_card_token_changes_nothing(org, messenger, sent):
    approval, card = sent
    token = messenger.token(card)
    for forged in [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "", "x:y:z"]:
        tap(messenger.request(user_id=f"{messenger.platform}-manager1", action="approve",
                              token=forged))
    _unchanged(approval)


def test_an_expired_card_changes_nothing(org, messenger, sent):
    approval, card = sent
    with time_machine.travel(timezone.now() + timedelta(hours=73), tick=False):
        tap(messenger.request(user_id=f"{messenger.platform}-manager1", action="approve",
                              token=messenger.token(card)))
    _unchanged(approval)


def test_someone_else_tapping_the_card_changes_nothing(org, messenger, sent):
    """A card forwarded to a colleague who could decide on the page still acts only for its
    addressee; and a messenger account linked to nobody does nothing."""
    approval, card = sent
    link(org.director1, messenger.platform)
    for user_id in [f"{messenger.platform}-director1", "not-linked"]:
        tap(messenger.request(user_id=user_id, action="approve", token=messenger.token(card)))
    _unchanged(approval)
    tap(messenger.request(user_id=f"{messenger.platform}-manager1", action="approve",
                          token=messenger.token(card)))
    assert Approval.objects.get(pk=approval.pk).decided_by == org.manager1


def test_an_addressee_without_the_authority_is_refused_by_the_approval_rule(
        org, messenger, fake):
    """Cards go only to people who may decide; one that reached someone else (the amount grew,
    the route changed) meets the approval service's own rule and changes nothing."""
    approval = pending_approval(org)
    identity = link(org.advisor1, messenger.platform)
    notification = Notification.objects.filter(case=approval.case,
                                               kind="approval_requested").first()
    card = card_issue(notification=notification, identity=identity, subject="approval",
                      approval=approval)
    from messenger.services import card_token_for

    tap(messenger.request(user_id=f"{messenger.platform}-advisor1", action="approve",
                          token=card_token_for(card)))
    _unchanged(approval)


def test_an_approval_decided_on_the_page_meanwhile_is_not_decided_again(
        org, messenger, sent):
    from compensation.services import approval_reject

    approval, card = sent
    approval_reject(approval_id=approval.pk, actor=org.manager1, reason="电话里说好了")
    tap(messenger.request(user_id=f"{messenger.platform}-manager1", action="approve",
                          token=messenger.token(card)))
    approval.refresh_from_db()
    assert approval.status == "rejected"
    assert len(_decisions(approval)) == 1


def test_no_card_for_a_user_without_a_messenger_account(org, messenger, fake):
    approval = pending_approval(org)
    assert send_cards(approval.case) == []
    assert messenger.sent() == []


@pytest.mark.postgres_only(reason="row locks: taps arriving at once")
@pytest.mark.django_db(transaction=True)
def test_taps_arriving_at_once_decide_once(org, messenger, sent):
    from tests.conftest import run_concurrently

    approval, card = sent
    requests = iter([
        messenger.request(user_id=f"{messenger.platform}-manager1", action=action,
                          token=messenger.token(card), reason=messenger.reject_reason)
        for action in ["approve", "reject", "approve", "reject"]])
    run_concurrently(lambda: tap(next(requests)).status_code, times=4)
    approval.refresh_from_db()
    assert approval.status in {"approved", "rejected"}
    assert len(_decisions(approval)) == 1
    assert MessengerCard.objects.filter(used_at__isnull=False).count() == 1
