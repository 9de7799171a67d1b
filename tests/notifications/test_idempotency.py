"""Delivery is at-least-once: a worker killed after its request reached the receiver, before it
recorded the send, leaves a claim the pick-up releases, and the delivery goes out again. Every
transport carries the delivery key, the same on the repeat, for the receiver to drop it."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import conf
from notifications.models import Delivery, DeliveryStatus, WebhookEndpoint
from notifications.outbox import deliveries_due, delivery_attempt
from tests.factories import open_case

ROBOT_OK = {"wecom": {"errcode": 0, "errmsg": "ok"}, "dingtalk": {"errcode": 0, "errmsg": "ok"},
            "feishu": {"code": 0, "msg": "success", "data": {}}, "generic": {}}


def _sent_twice(delivery: Delivery) -> None:
    """Send; the worker dies before recording it (its claim stays); the pick-up releases the
    claim once it is stale and the delivery is sent again."""
    assert delivery_attempt(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING,
                                                   claimed_at=timezone.now())
    with time_machine.travel(timezone.now() + conf.STALE_CLAIM + timedelta(seconds=1)):
        assert delivery.pk in deliveries_due(grace=timedelta(0))
        assert delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2


def test_a_repeated_email_has_the_same_message_id(org):
    case = open_case(store=org.S01, score=3)
    delivery = Delivery.objects.get(notification__case=case, channel="email",
                                    notification__recipient=org.manager1)

    _sent_twice(delivery)

    first, again = (email.message() for email in mail.outbox)
    message_id = f"<email.{delivery.notification_id}@recovery>"
    assert first["Message-ID"] == again["Message-ID"] == message_id
    assert first["X-Recovery-Delivery"] == again["X-Recovery-Delivery"] == delivery.key


def test_a_repeated_sms_has_the_same_id(org, httpserver, monkeypatch):
    org.manager1.phone = "13812345678"
    org.manager1.save()
    monkeypatch.setattr(conf, "SMS_PROVIDER", "http")
    monkeypatch.setattr(conf, "SMS_HTTP_URL", httpserver.url_for("/sms/send"))
    httpserver.expect_request("/sms/send", method="POST").respond_with_json({"code": 0})
    case = open_case(store=org.S01, score=3)
    sms = Delivery.objects.get(notification__case=case, channel="sms")

    _sent_twice(sms)

    assert [request.get_json()["id"] for request, _ in httpserver.log] == [sms.key, sms.key]


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "generic"])
def test_a_repeated_webhook_request_has_the_same_key(org, httpserver, kind):
    WebhookEndpoint.objects.create(name=kind, node=org.R1, kind=kind, secret="s",
                                   url=httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_json(ROBOT_OK[kind])
    case = open_case(store=org.S01, score=3)
    webhook = Delivery.objects.get(notification__case=case, channel="webhook")

    _sent_twice(webhook)

    requests = [request for request, _ in httpserver.log]
    assert [r.headers["Idempotency-Key"] for r in requests] == [webhook.key] * 2
    assert [r.headers["X-Recovery-Delivery"] for r in requests] == [webhook.key] * 2
    if kind == "generic":
        assert [r.get_json()["id"] for r in requests] == [webhook.key] * 2
