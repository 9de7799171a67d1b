"""SMS (Aliyun) and WeChat (WeCom customer contact) transports against a fake provider on the
loopback address: success, throttled, invalid number, timeout — each mapped to sent, retry or
give up as the outbox expects."""

import json
import threading
import urllib.parse

import pytest
from django.core.cache import cache
from werkzeug import Response

from notifications import conf, transports
from notifications.models import CustomerMessage, Delivery, DeliveryStatus
from notifications.outbox import customer_delivery_plan, delivery_attempt
from notifications.transports import (
    AliyunSmsProvider,
    TencentSmsProvider,
    TransportError,
    WecomProvider,
    aliyun_percent,
    aliyun_signed_query,
)
from tests.factories import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def aliyun(httpserver, monkeypatch):
    monkeypatch.setattr(conf, "SMS_PROVIDER", "aliyun")
    monkeypatch.setattr(conf, "SMS_ALIYUN_ENDPOINT", httpserver.url_for("/"))
    monkeypatch.setattr(conf, "SMS_ALIYUN_ACCESS_KEY_ID", "test-key")
    monkeypatch.setattr(conf, "SMS_ALIYUN_ACCESS_KEY_SECRET", "test-secret")
    monkeypatch.setattr(conf, "SMS_ALIYUN_TEMPLATE_CODE", "SMS_0001")
    monkeypatch.setattr(conf, "SMS_SIGN_NAME", "挽回服务")
    monkeypatch.setattr(conf, "HTTP_TIMEOUT", 0.5)
    return httpserver


@pytest.fixture
def wecom(httpserver, monkeypatch):
    monkeypatch.setattr(conf, "WECHAT_PROVIDER", "wecom")
    monkeypatch.setattr(conf, "WECOM_API_BASE", httpserver.url_for("/cgi-bin/"))
    monkeypatch.setattr(conf, "WECOM_CORP_ID", "corp")
    monkeypatch.setattr(conf, "WECOM_SECRET", "secret")
    monkeypatch.setattr(conf, "HTTP_TIMEOUT", 0.5)
    cache.delete(transports.WECOM_TOKEN_CACHE_KEY)
    yield httpserver
    cache.delete(transports.WECOM_TOKEN_CACHE_KEY)


def _message(org, *, channel: str, to: str) -> Delivery:
    case = open_case(store=org.S01, score=6)
    message = CustomerMessage.objects.create(case=case, channel=channel, to=to,
                                             text="李先生您好 https://example.test/c/x/",
                                             sent_by=org.manager1)
    return customer_delivery_plan(message=message)


def _form(request) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(request.get_data(as_text=True)))


def test_aliyun_success_sends_a_signed_request(aliyun):
    aliyun.expect_oneshot_request("/", method="POST").respond_with_json(
        {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"})
    AliyunSmsProvider().send(phone="13800000000", text="您好", key="sms:customer:1")
    [(request, _response)] = aliyun.log
    form = _form(request)
    assert form["PhoneNumbers"] == "13800000000" and form["OutId"] == "sms:customer:1"
    assert json.loads(form["TemplateParam"]) == {"content": "您好"}
    signature = form.pop("Signature")
    expected = aliyun_signed_query(params=form, secret="test-secret").split("&", 1)[0]
    assert expected == f"Signature={aliyun_percent(signature)}"


def test_aliyun_signature_matches_the_documented_example():
    # Aliyun's documentation example (RPC signature v1, HTTP GET, secret "testsecret").
    params = {
        "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
    }
    query = aliyun_signed_query(params=params, secret="testsecret", method="GET")
    assert query.startswith("Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D&")


@pytest.mark.parametrize(("answer", "status", "retryable"), [
    ({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}, 200, True),
    ({"Code": "Throttling.User", "Message": "Request was denied due to user flow control."},
     400, True),
    ({"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}, 200, False),
    ({"Code": "SignatureDoesNotMatch", "Message": "bad signature"}, 400, False),
    ({}, 503, True),
])
def test_aliyun_failures_map_to_retry_or_give_up(aliyun, answer, status, retryable):
    aliyun.expect_oneshot_request("/", method="POST").respond_with_json(answer, status=status)
    with pytest.raises(TransportError) as caught:
        AliyunSmsProvider().send(phone="123", text="x", key="k")
    assert caught.value.retryable is retryable


# The fake provider answers one request at a time: a slow answer is released when its test ends,
# or it would keep the next test's request waiting into that test's timeout.
_answer_late = threading.Event()


@pytest.fixture
def slow():
    _answer_late.clear()
    yield _slow
    _answer_late.set()


def _slow(_request):
    _answer_late.wait(timeout=5)
    return Response("{}", content_type="application/json")


def test_aliyun_timeout_is_retried(aliyun, slow):
    aliyun.expect_oneshot_request("/", method="POST").respond_with_handler(slow)
    with pytest.raises(TransportError) as caught:
        AliyunSmsProvider().send(phone="13800000000", text="x", key="k")
    assert caught.value.retryable is True


@pytest.mark.parametrize(("answer", "status"), [
    ({"Code": "OK"}, DeliveryStatus.SENT),
    ({"Code": "isv.BUSINESS_LIMIT_CONTROL"}, DeliveryStatus.PENDING),
    ({"Code": "isv.MOBILE_NUMBER_ILLEGAL"}, DeliveryStatus.FAILED),
])
def test_a_customer_sms_goes_through_the_outbox(aliyun, org, answer, status):
    aliyun.expect_oneshot_request("/", method="POST").respond_with_json(answer)
    delivery = _message(org, channel="sms", to="13800000000")
    assert delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == status
    assert delivery.attempt_log.count() == 1


def _token_ok(wecom, token="tok-1"):
    wecom.expect_oneshot_request("/cgi-bin/gettoken", query_string={
        "corpid": "corp", "corpsecret": "secret"}).respond_with_json(
        {"errcode": 0, "access_token": token, "expires_in": 7200})


def test_wecom_sends_to_the_customers_wechat_from_the_staff_member(wecom, org):
    _token_ok(wecom)
    wecom.expect_oneshot_request("/cgi-bin/externalcontact/add_msg_template",
                                 query_string={"access_token": "tok-1"},
                                 method="POST").respond_with_json(
        {"errcode": 0, "errmsg": "ok", "fail_list": [], "msgid": "m1"})
    delivery = _message(org, channel="wechat", to="wmEXTERNAL")
    assert delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    body = json.loads(wecom.log[-1][0].get_data())
    assert body["external_userid"] == ["wmEXTERNAL"] and body["sender"] == "manager1"
    assert body["text"]["content"].startswith("李先生您好")


def test_wecom_fetches_a_new_token_when_the_old_one_expired(wecom):
    cache.set(transports.WECOM_TOKEN_CACHE_KEY, "old", 60)
    wecom.expect_oneshot_request("/cgi-bin/externalcontact/add_msg_template",
                                 query_string={"access_token": "old"}).respond_with_json(
        {"errcode": 42001, "errmsg": "access_token expired"})
    _token_ok(wecom, "tok-2")
    wecom.expect_oneshot_request("/cgi-bin/externalcontact/add_msg_template",
                                 query_string={"access_token": "tok-2"}).respond_with_json(
        {"errcode": 0, "errmsg": "ok", "fail_list": []})
    WecomProvider().send(to="wm1", sender="manager1", text="x", key="k")
    assert cache.get(transports.WECOM_TOKEN_CACHE_KEY) == "tok-2"


@pytest.mark.parametrize(("answer", "retryable"), [
    ({"errcode": 45009, "errmsg": "api freq out of limit"}, True),
    ({"errcode": -1, "errmsg": "system busy"}, True),
    ({"errcode": 0, "errmsg": "ok", "fail_list": ["wm1"]}, False),
    ({"errcode": 40003, "errmsg": "invalid userid"}, False),
])
def test_wecom_failures_map_to_retry_or_give_up(wecom, answer, retryable):
    _token_ok(wecom)
    wecom.expect_oneshot_request("/cgi-bin/externalcontact/add_msg_template").respond_with_json(
        answer)
    with pytest.raises(TransportError) as caught:
        WecomProvider().send(to="wm1", sender="manager1", text="x", key="k")
    assert caught.value.retryable is retryable


def test_wecom_timeout_is_retried(wecom, slow):
    _token_ok(wecom)
    wecom.expect_oneshot_request("/cgi-bin/externalcontact/add_msg_template"
                                 ).respond_with_handler(slow)
    with pytest.raises(TransportError) as caught:
        WecomProvider().send(to="wm1", sender="manager1", text="x", key="k")
    assert caught.value.retryable is True


@pytest.fixture
def tencent(httpserver, monkeypatch):
    monkeypatch.setattr(conf, "SMS_PROVIDER", "tencent")
    monkeypatch.setattr(conf, "SMS_TENCENT_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setattr(conf, "SMS_TENCENT_SECRET_ID", "AKIDtest")
    monkeypatch.setattr(conf, "SMS_TENCENT_SECRET_KEY", "test-secret")
    monkeypatch.setattr(conf, "SMS_TENCENT_SDK_APP_ID", "1400006666")
    monkeypatch.setattr(conf, "SMS_TENCENT_TEMPLATE_ID", "1110")
    monkeypatch.setattr(conf, "SMS_SIGN_NAME", "挽回服务")
    monkeypatch.setattr(conf, "HTTP_TIMEOUT", 0.5)
    return httpserver


def _tencent_status(code: str, message: str = "") -> dict:
    return {"Response": {"RequestId": "r", "SendStatusSet": [{
        "SerialNo": "s", "PhoneNumber": "+8613800000000", "Fee": 1, "SessionContext": "k",
        "Code": code, "Message": message, "IsoCode": "CN"}]}}


def _tencent_error(code: str, message: str = "") -> dict:
    return {"Response": {"RequestId": "r", "Error": {"Code": code, "Message": message}}}


def test_tencent_success_sends_a_signed_request_through_the_sdk(tencent):
    tencent.expect_oneshot_request("/", method="POST").respond_with_json(_tencent_status("Ok"))
    TencentSmsProvider().send(phone="13800000000", text="您好", key="sms:customer:1")
    [(request, _response)] = tencent.log
    assert request.headers["X-TC-Action"] == "SendSms"
    assert request.headers["Authorization"].startswith(
        "TC3-HMAC-SHA256 Credential=AKIDtest/")
    body = json.loads(request.get_data())
    assert body["PhoneNumberSet"] == ["13800000000"] and body["TemplateParamSet"] == ["您好"]
    assert body["SmsSdkAppId"] == "1400006666" and body["TemplateId"] == "1110"
    assert body["SignName"] == "挽回服务" and body["SessionContext"] == "sms:customer:1"


@pytest.mark.parametrize(("answer", "status", "retryable"), [
    (_tencent_error("RequestLimitExceeded", "请求的次数超过了频率限制"), 200, True),
    (_tencent_status("LimitExceeded.PhoneNumberThirtySecondLimit", "30秒内下发超过上限"), 200,
     True),
    (_tencent_error("InternalError.Timeout", "请求下发短信超时"), 200, True),
    (_tencent_status("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误"), 200, False),
    (_tencent_status("FailedOperation.PhoneNumberInBlacklist", "退订"), 200, False),
    (_tencent_error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批"), 200, False),
    (_tencent_error("AuthFailure.SignatureFailure", "bad signature"), 200, False),
    ({}, 502, True),
])
def test_tencent_failures_map_to_retry_or_give_up(tencent, answer, status, retryable):
    tencent.expect_oneshot_request("/", method="POST").respond_with_json(answer, status=status)
    with pytest.raises(TransportError) as caught:
        TencentSmsProvider().send(phone="13800000000", text="x", key="k")
    assert caught.value.retryable is retryable


def test_tencent_timeout_is_retried(tencent, slow):
    tencent.expect_oneshot_request("/", method="POST").respond_with_handler(slow)
    with pytest.raises(TransportError) as caught:
        TencentSmsProvider().send(phone="13800000000", text="x", key="k")
    assert caught.value.retryable is True


@pytest.mark.parametrize(("answer", "status"), [
    (_tencent_status("Ok"), DeliveryStatus.SENT),
    (_tencent_error("RequestLimitExceeded"), DeliveryStatus.PENDING),
    (_tencent_status("InvalidParameterValue.IncorrectPhoneNumber"), DeliveryStatus.FAILED),
])
def test_a_customer_sms_goes_through_the_outbox_with_tencent(tencent, org, answer, status):
    tencent.expect_oneshot_request("/", method="POST").respond_with_json(answer)
    delivery = _message(org, channel="sms", to="13800000000")
    assert delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == status
    assert json.loads(tencent.log[-1][0].get_data())["TemplateParamSet"] == [
        "李先生您好 https://example.test/c/x/"]
