"""A card whose approval was decided elsewhere (the approvals page, another card) is redrawn
with the decision and no buttons, through the outbox, on each platform (parametrised)."""

import json

import pytest

from messenger.models import MessengerCard
from notifications.models import Delivery
from notifications.outbox import delivery_attempt
from tests.conftest import client_for

from .conftest import WeCom, link, pending_approval, requests_to, send_cards, tap

pytestmark = pytest.mark.django_db

UPDATES = {"wecom": ("/cgi-bin/message/update_template_card", "POST"),
           "dingtalk": ("/v1.0/im/interactiveCards", "PUT"),
           "feishu": ("/open-apis/im/v1/messages/om_card", "PATCH")}


def _updates(fake, platform: str) -> list[dict]:
    path, method = UPDATES[platform]
    return [json.loads(r.data) for r in requests_to(fake, path, method)]


def _redraw(case) -> list[Delivery]:
    deliveries = list(Delivery.objects.filter(notification__case=case, channel="redraw"))
    for d in deliveries:
        delivery_attempt(delivery_id=d.pk)
        d.refresh_from_db()
    return deliveries


def _shows_the_decision_without_buttons(platform: str, update: dict, *, who: str) -> None:
    if platform == "wecom":
        assert update["response_code"] == "rc-send"
        assert who in update["button"]["replace_name"]
        return
    if platform == "dingtalk":
        params = update["cardData"]["cardParamMap"]
        assert params["finished"] == "true" and params["actions"] == ""
        assert who in params["done"] and params["token"] == ""
        return
    card = json.loads(update["content"])
    text = json.dumps(card, ensure_ascii=False)
    assert who in text and '"button"' not in text


def test_a_decision_on_the_page_redraws_the_sent_card(org, messenger, fake):
    link(org.manager1, messenger.platform)
    approval = pending_approval(org)
    send_cards(approval.case)
    assert _updates(fake, messenger.platform) == []
    page = client_for(org.manager1).post(f"/approvals/{approval.pk}/approve/")
    assert page.status_code == 302
    [delivery] = _redraw(approval.case)
    assert delivery.status == "sent", delivery.last_error
    [update] = _updates(fake, messenger.platform)
    _shows_the_decision_without_buttons(messenger.platform, update,
                                        who=org.manager1.get_full_name())
    # A retried delivery redraws nothing more.
    Delivery.objects.filter(pk=delivery.pk).update(status="pending")
    delivery_attempt(delivery_id=delivery.pk)
    assert len(_updates(fake, messenger.platform)) == 1


def test_a_card_decided_from_the_messenger_is_redrawn_once(org, messenger, fake):
    link(org.manager1, messenger.platform)
    approval = pending_approval(org)
    send_cards(approval.case)
    [sent] = messenger.sent()
    answer = tap(messenger.request(user_id=f"{messenger.platform}-manager1", action="approve",
                                   token=messenger.token(sent)))
    assert answer.status_code == 200
    _redraw(approval.case)
    approval.refresh_from_db()
    assert approval.status == "approved"
    if messenger.platform == "feishu":  # redrawn in the callback's answer
        assert "card" in answer.json() and _updates(fake, "feishu") == []
    else:
        assert len(_updates(fake, messenger.platform)) == 1


def test_the_other_approvers_card_is_redrawn_when_one_decides_on_a_card(org, fake):
    # manager1's WeCom card and Feishu card: tapping one redraws the other.
    link(org.manager1, "wecom")
    link(org.manager1, "feishu", "ou_manager")
    approval = pending_approval(org)
    send_cards(approval.case)
    wecom = WeCom(fake)
    [sent] = wecom.sent()
    tap(wecom.request(user_id="wecom-manager1", action="approve", token=wecom.token(sent)))
    [delivery] = _redraw(approval.case)
    assert delivery.status == "sent", delivery.last_error
    [update] = _updates(fake, "feishu")
    _shows_the_decision_without_buttons("feishu", update, who=org.manager1.get_full_name())
    assert len(_updates(fake, "wecom")) == 1  # the tapped card: by its callback only
    assert MessengerCard.objects.filter(redrawn_at__isnull=False).count() == 1


@pytest.mark.parametrize(("status", "outcome"), [(503, "pending"), (403, "failed")])
def test_a_failed_redraw_is_retried_or_given_up_as_the_platform_says(org, fake, status,
                                                                    outcome):
    link(org.manager1, "dingtalk", "ding-user-1")
    approval = pending_approval(org)
    send_cards(approval.case)
    fake.clear_all_handlers()
    fake.expect_request("/v1.0/oauth2/accessToken").respond_with_json(
        {"accessToken": "ding-at", "expireIn": 7200})
    fake.expect_request("/v1.0/im/interactiveCards", method="PUT").respond_with_json(
        {"code": "Forbidden.AccessDenied", "message": "no"}, status=status)
    client_for(org.manager1).post(f"/approvals/{approval.pk}/reject/", {"reason": "太高"})
    [delivery] = _redraw(approval.case)
    assert delivery.status == outcome and str(status) in delivery.last_error
