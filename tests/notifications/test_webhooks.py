"""Webhook payloads and signatures, checked by a real HTTP server on 127.0.0.1."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from werkzeug import Request, Response

from notifications.models import Delivery, DeliveryStatus, WebhookEndpoint
from notifications.outbox import delivery_attempt
from tests.factories import open_case

OK_WECOM = {"errcode": 0, "errmsg": "ok"}


@pytest.fixture
def manager_phone(org):
    org.manager1.phone = "13812345678"
    org.manager1.save()
    return org.manager1.phone


def _endpoint(org, httpserver, kind, path, *, node=None, secret="", **extra) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name=kind, node=node or org.R1, kind=kind,
                                          url=httpserver.url_for(path), secret=secret, **extra)


def _send_webhooks(case) -> list[Delivery]:
    deliveries = list(Delivery.objects.filter(notification__case=case, channel="webhook"))
    for d in deliveries:
        delivery_attempt(delivery_id=d.pk)
        d.refresh_from_db()
    return deliveries


def _only_request(httpserver) -> Request:
    [(request, _response)] = httpserver.log
    return request


def test_wecom_robot_gets_one_text_message_per_event_mentioning_the_people(
        org, httpserver, manager_phone):
    _endpoint(org, httpserver, "wecom", "/cgi-bin/webhook/send?key=robot-key")
    httpserver.expect_oneshot_request("/cgi-bin/webhook/send", method="POST",
                                      query_string="key=robot-key").respond_with_json(OK_WECOM)

    case = open_case(store=org.S01, score=3)
    [delivery] = _send_webhooks(case)

    httpserver.check_assertions()
    payload = _only_request(httpserver).get_json()
    assert payload["msgtype"] == "text"
    content = payload["text"]["content"]
    for text in (case.number, case.customer.name, "评分：3", "L3", f"/cases/{case.pk}/"):
        assert text in content
    assert payload["text"]["mentioned_mobile_list"] == [manager_phone]
    assert delivery.status == DeliveryStatus.SENT


def test_dingtalk_request_is_signed_with_the_robot_secret(org, httpserver, manager_phone):
    secret = "SECdemo0123456789"
    _endpoint(org, httpserver, "dingtalk", "/robot/send?access_token=tok", secret=secret)
    httpserver.expect_oneshot_request("/robot/send", method="POST").respond_with_json(OK_WECOM)

    case = open_case(store=org.S01, score=3)
    [delivery] = _send_webhooks(case)

    request = _only_request(httpserver)
    timestamp = request.args["timestamp"]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert request.args["access_token"] == "tok"
    assert request.args["sign"] == expected
    assert abs(int(timestamp) / 1000 - time.time()) < 60
    payload = request.get_json()
    assert payload["msgtype"] == "markdown" and case.number in payload["markdown"]["title"]
    assert payload["at"] == {"atMobiles": [manager_phone], "isAtAll": False}
    assert f"@{manager_phone}" in payload["markdown"]["text"]
    assert delivery.status == DeliveryStatus.SENT


def test_feishu_body_carries_timestamp_and_signature(org, httpserver):
    secret = "feishu-secret"
    _endpoint(org, httpserver, "feishu", "/open-apis/bot/v2/hook/abc", secret=secret)
    httpserver.expect_oneshot_request("/open-apis/bot/v2/hook/abc", method="POST") \
        .respond_with_json({"code": 0, "msg": "success", "data": {}})

    case = open_case(store=org.S01, score=6)
    [delivery] = _send_webhooks(case)

    payload = _only_request(httpserver).get_json()
    key = f"{payload['timestamp']}\n{secret}".encode()
    assert payload["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert payload["msg_type"] == "text" and case.number in payload["content"]["text"]
    assert delivery.status == DeliveryStatus.SENT


def test_generic_webhook_is_signed_with_hmac_sha256_over_timestamp_and_body(org, httpserver):
    secret = "generic-secret"
    endpoint = _endpoint(org, httpserver, "generic", "/hooks/recovery", secret=secret,
                         node=org.HQ)
    httpserver.expect_oneshot_request("/hooks/recovery", method="POST").respond_with_data("")

    case = open_case(store=org.S01, score=0)
    [delivery] = _send_webhooks(case)

    request = _only_request(httpserver)
    body = request.get_data()
    timestamp = request.headers["X-Recovery-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    assert request.headers["X-Recovery-Signature"] == f"sha256={expected}"
    assert request.headers["Idempotency-Key"] == delivery.key == (
        f"webhook:{endpoint.pk}:{delivery.notification.batch}")
    payload = json.loads(body)
    assert payload["case"] == {"id": case.pk, "number": case.number, "level": "L4", "score": 0,
                               "customer": case.customer.name, "store": "S01"}
    assert payload["kind"] == "opened" and payload["urgent"] is True
    assert delivery.status == DeliveryStatus.SENT


def test_endpoints_hear_only_their_subtree_kinds_and_urgency(org, httpserver):
    _endpoint(org, httpserver, "generic", "/other-region", node=org.R3)
    _endpoint(org, httpserver, "generic", "/escalations-only", kinds=["escalated"])
    _endpoint(org, httpserver, "generic", "/urgent-only", urgent_only=True)
    _endpoint(org, httpserver, "generic", "/inactive", active=False)

    case = open_case(store=org.S01, score=6, customer_id="hook")
    Delivery.objects.filter(notification__case=case).delete()
    open_case(store=org.S01, score=8, customer_id="hook")  # a re-score: not urgent

    assert not Delivery.objects.filter(notification__case=case, channel="webhook").exists()


def test_robot_rate_limit_is_retried_later(org, httpserver):
    _endpoint(org, httpserver, "wecom", "/cgi-bin/webhook/send?key=k")
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_json(
        {"errcode": 45009, "errmsg": "api freq out of limit"})

    case = open_case(store=org.S01, score=3)
    [delivery] = _send_webhooks(case)

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "45009" in delivery.last_error


def test_robot_rejecting_the_message_fails_without_retrying(org, httpserver):
    _endpoint(org, httpserver, "dingtalk", "/robot/send?access_token=bad", secret="s")
    httpserver.expect_request("/robot/send").respond_with_json(
        {"errcode": 310000, "errmsg": "sign not match"})

    case = open_case(store=org.S01, score=3)
    [delivery] = _send_webhooks(case)

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("robot code 310000")


@pytest.mark.parametrize(("status", "expected"), [(503, DeliveryStatus.PENDING),
                                                  (429, DeliveryStatus.PENDING),
                                                  (404, DeliveryStatus.FAILED)])
def test_http_errors_retry_only_when_it_can_help(org, httpserver, status, expected):
    _endpoint(org, httpserver, "generic", "/hook", secret="s")
    httpserver.expect_request("/hook").respond_with_response(Response("no", status=status))

    case = open_case(store=org.S01, score=3)
    [delivery] = _send_webhooks(case)

    assert delivery.status == expected and delivery.last_error == f"HTTP {status}"


def test_unreachable_endpoint_is_retried(org):
    WebhookEndpoint.objects.create(name="down", node=org.R1, kind="generic",
                                   url="http://127.0.0.1:1/hook")  # connection refused

    case = open_case(store=org.S01, score=3)
    [delivery] = _send_webhooks(case)

    assert delivery.status == DeliveryStatus.PENDING and "connection failed" in delivery.last_error


def test_http_sms_provider_posts_the_message_with_its_key(org, httpserver, manager_phone,
                                                          monkeypatch):
    from notifications import conf

    monkeypatch.setattr(conf, "SMS_PROVIDER", "http")
    monkeypatch.setattr(conf, "SMS_HTTP_URL", httpserver.url_for("/sms/send"))
    monkeypatch.setattr(conf, "SMS_HTTP_TOKEN", "sms-token")
    httpserver.expect_oneshot_request(
        "/sms/send", method="POST", headers={"Authorization": "Bearer sms-token"},
    ).respond_with_json({"code": 0})

    case = open_case(store=org.S01, score=3)
    sms = Delivery.objects.get(notification__case=case, channel="sms")
    delivery_attempt(delivery_id=sms.pk)

    httpserver.check_assertions()
    payload = _only_request(httpserver).get_json()
    assert payload["to"] == manager_phone and payload["id"] == sms.key
    assert case.number in payload["text"] and f"/cases/{case.pk}/" in payload["text"]
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT
