"""One Transport per channel. `send` raises TransportError saying whether retrying can help
(healthchecks' transports). Payload builders are plain functions so tests can check them."""

import base64
import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.utils import timezone
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as tencent_sms_models
from tencentcloud.sms.v20210111.sms_client import SmsClient

from org.pii import phone_mask
from recovery.signing import body_signature

from . import conf
from .messages import Message, message_render, reader_language
from .models import Channel, Delivery, Notification, WebhookEndpoint, WebhookKind

logger = logging.getLogger(__name__)


class TransportError(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


# --- HTTP -----------------------------------------------------------------------------------

def post_json(*, url: str, body: bytes, headers: dict | None = None) -> dict:
    return request_json(method="POST", url=url, body=body, headers=headers)


def request_json(*, method: str, url: str, body: bytes | None = None,
                 headers: dict | None = None) -> dict:
    """Send a JSON body (or none); 2xx returns the decoded answer ({} when it is not JSON). 429
    and 5xx, timeouts and refused connections can succeed later; other 4xx cannot."""
    status, answer = http_call(
        url=url, data=body, method=method,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    if status >= 400:
        raise TransportError(f"HTTP {status}", retryable=status == 429 or status >= 500)
    return answer


def _dumps(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


# --- E-mail ---------------------------------------------------------------------------------

class EmailTransport:
    """Django's mail framework: SMTP in production, console/file backend in the demo."""

    def send(self, *, delivery: Delivery) -> None:
        n = delivery.notification
        message = message_render(notification=n, language=reader_language(n))
        email = EmailMessage(
            subject=message.subject, body=message.text, to=[n.recipient.email],
            from_email=settings.DEFAULT_FROM_EMAIL,
            # The delivery key as Message-ID lets a mail system drop a re-sent duplicate.
            headers={"Message-ID": f"<{delivery.key.replace(':', '.')}@recovery>",
                     "X-Recovery-Delivery": delivery.key},
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError("recipient refused", retryable=False) from exc
        except smtplib.SMTPResponseException as exc:
            raise TransportError(f"SMTP {exc.smtp_code}", retryable=exc.smtp_code < 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP: {exc.__class__.__name__}", retryable=True) from exc


# --- SMS ------------------------------------------------------------------------------------

class LoggingSmsProvider:
    """Demo provider: writes a masked line instead of texting."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        logger.info("SMS %s to %s (%d characters)", key, phone_mask(phone), len(text))


class HttpSmsProvider:
    """An SMS gateway taking JSON {to, sign, text, id} with a bearer token and answering
    {"code": 0} (the shape of the Chinese gateways' HTTP APIs; `id` makes a re-send a no-op)."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        answer = post_json(
            url=conf.SMS_HTTP_URL,
            body=_dumps({"to": phone, "sign": conf.SMS_SIGN_NAME, "text": text, "id": key}),
            headers={"Authorization": f"Bearer {conf.SMS_HTTP_TOKEN}"})
        code = answer.get("code", 0)
        if code not in (0, "0", "OK"):
            raise TransportError(f"SMS gateway code {code}", retryable=False)


def http_call(*, url: str, data: bytes | None = None, headers: dict | None = None,
              method: str | None = None) -> tuple[int, dict]:
    """GET (or POST `data`, or `method`) and return the status with the decoded JSON answer,
    errors included: the cloud APIs say in an error's body whether it is worth retrying.
    Timeouts and refused connections can succeed later."""
    request = urllib.request.Request(url, data=data, headers=headers or {},
                                     method=method or ("POST" if data is not None else "GET"))
    try:
        with urllib.request.urlopen(request, timeout=conf.HTTP_TIMEOUT) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise TransportError(f"connection failed: {exc}", retryable=True) from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    return status, answer if isinstance(answer, dict) else {}


def aliyun_percent(value: str) -> str:
    # Aliyun's POP signature: RFC 3986 encoding, "~" kept, space as %20.
    return urllib.parse.quote(value, safe="~")


def aliyun_signed_query(*, params: dict[str, str], secret: str, method: str = "POST") -> str:
    """The request's parameters with their HMAC-SHA1 `Signature` (Aliyun RPC signature v1)."""
    canonical = "&".join(f"{aliyun_percent(k)}={aliyun_percent(v)}"
                         for k, v in sorted(params.items()))
    to_sign = f"{method}&{aliyun_percent('/')}&{aliyun_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return f"Signature={aliyun_percent(base64.b64encode(digest).decode())}&{canonical}"


# Aliyun SendSms codes worth another try (flow control, a busy platform); any other code but
# "OK" is final (a bad number, a template or signature problem, an empty balance).
ALIYUN_RETRYABLE = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User",
                    "Throttling.Api", "ServiceUnavailable", "isp.SYSTEM_ERROR",
                    "InternalError"}


class AliyunSmsProvider:
    """Aliyun SMS (阿里云短信服务) through its SendSms HTTP API, signed as its documentation
    says; the SDK would add twenty packages (aiohttp, APScheduler, cryptography) for one call."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        params = {
            "AccessKeyId": conf.SMS_ALIYUN_ACCESS_KEY_ID, "Action": "SendSms",
            "Format": "JSON", "PhoneNumbers": phone, "RegionId": "cn-hangzhou",
            "SignName": conf.SMS_SIGN_NAME, "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "TemplateCode": conf.SMS_ALIYUN_TEMPLATE_CODE,
            "TemplateParam": json.dumps({"content": text}, ensure_ascii=False),
            "Timestamp": timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25", "OutId": key,
        }
        body = aliyun_signed_query(params=params, secret=conf.SMS_ALIYUN_ACCESS_KEY_SECRET)
        status, answer = http_call(
            url=conf.SMS_ALIYUN_ENDPOINT, data=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        code = str(answer.get("Code", ""))
        if status == 200 and code == "OK":
            return
        if not code:  # no answer we can read: a proxy's or the platform's own failure
            raise TransportError(f"Aliyun SMS HTTP {status}",
                                 retryable=status == 429 or status >= 500)
        raise TransportError(f"Aliyun SMS {code}: {answer.get('Message', '')}"[:300],
                             retryable=code in ALIYUN_RETRYABLE)


# Tencent Cloud SMS codes worth another try: the SDK's own network errors (a timeout, a refused
# connection, a non-200 answer from a proxy), API rate limits, the per-number limits of the
# minute and the hour, and the platform's internal failures. Any other code is final: an invalid
# number, a number in the opt-out list (the customer unsubscribed), an unapproved template or
# signature, an empty package, the daily limit of a number (the outbox's back-off ends sooner).
TENCENT_SMS_RETRYABLE = {
    "ClientNetworkError", "ServerNetworkError", "RequestLimitExceeded",
    "LimitExceeded.DeliveryFrequencyLimit", "LimitExceeded.PhoneNumberThirtySecondLimit",
    "LimitExceeded.PhoneNumberOneHourLimit", "InternalError", "InternalError.Timeout",
    "InternalError.OtherError", "InternalError.SendAndRecvFail",
}


def tencent_sms_retryable(code: str) -> bool:
    return code in TENCENT_SMS_RETRYABLE or code.startswith("RequestLimitExceeded.")


class TencentSmsProvider:
    """Tencent Cloud SMS (腾讯云短信) through its SDK (`tencentcloud-sdk-python-sms`, which signs
    with TC3-HMAC-SHA256). The approved template's one variable {1} gets the text; the delivery
    key goes as SessionContext. Retries are the outbox's, so the SDK makes one attempt."""

    def _client(self) -> SmsClient:
        endpoint = urllib.parse.urlsplit(conf.SMS_TENCENT_ENDPOINT)
        http = HttpProfile(protocol=endpoint.scheme or "https",
                           endpoint=endpoint.netloc or conf.SMS_TENCENT_ENDPOINT,
                           reqTimeout=conf.HTTP_TIMEOUT)
        return SmsClient(
            credential.Credential(conf.SMS_TENCENT_SECRET_ID, conf.SMS_TENCENT_SECRET_KEY),
            conf.SMS_TENCENT_REGION, ClientProfile(httpProfile=http))

    def send(self, *, phone: str, text: str, key: str) -> None:
        request = tencent_sms_models.SendSmsRequest()
        request.PhoneNumberSet = [phone]
        request.SmsSdkAppId = conf.SMS_TENCENT_SDK_APP_ID
        request.SignName = conf.SMS_SIGN_NAME
        request.TemplateId = conf.SMS_TENCENT_TEMPLATE_ID
        request.TemplateParamSet = [text]
        request.SessionContext = key
        try:
            response = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            code = str(exc.get_code() or "")
            raise TransportError(f"Tencent SMS {code}: {exc.get_message()}"[:300],
                                 retryable=tencent_sms_retryable(code)) from exc
        # The request can succeed while the one number's send failed: its status says so.
        [status] = response.SendStatusSet or [None]
        code = status.Code if status is not None else "NoSendStatus"
        if code != "Ok":
            message = status.Message if status is not None else ""
            raise TransportError(f"Tencent SMS {code}: {message}"[:300],
                                 retryable=tencent_sms_retryable(code))


SMS_PROVIDERS = {"logging": LoggingSmsProvider, "http": HttpSmsProvider,
                 "aliyun": AliyunSmsProvider, "tencent": TencentSmsProvider}


def sms_text(message: Message) -> str:
    return f"{message.subject} {message.link}".strip()[:300]


class SmsTransport:
    def send(self, *, delivery: Delivery) -> None:
        provider = SMS_PROVIDERS[conf.SMS_PROVIDER]()
        if delivery.customer_message_id:
            m = delivery.customer_message
            provider.send(phone=m.to, text=m.text, key=delivery.key)
            return
        n = delivery.notification
        message = message_render(notification=n, language=reader_language(n))
        provider.send(phone=n.recipient.phone, text=sms_text(message), key=delivery.key)


# --- WeChat through WeCom customer contact ---------------------------------------------------

class LoggingWechatProvider:
    """Demo provider: writes a masked line instead of messaging."""

    def send(self, *, to: str, sender: str, text: str, key: str) -> None:
        logger.info("WeChat %s to %s… (%d characters)", key, to[:4], len(text))


# WeCom codes: the access token expired or is wrong (fetch a new one and try again once);
# busy or too fast (retry later). Any other non-zero code is final (an unknown contact, a
# sender without the permission, a wrong secret).
WECOM_TOKEN_CODES = {40001, 40014, 42001}
WECOM_RETRYABLE = {-1, 45009, 45033, 45011}
WECOM_TOKEN_CACHE_KEY = "wecom-access-token"


class WecomProvider:
    """WeCom's documented HTTP API (`gettoken`, `externalcontact/add_msg_template`): the message
    goes to the customer's WeChat from the staff member's WeCom account (their WeCom user id is
    their username here), who confirms the send in WeCom as the platform requires. Plain
    application messages (`message/send`) reach only the company's own members."""

    def _token(self, *, fresh: bool = False) -> str:
        token = None if fresh else cache.get(WECOM_TOKEN_CACHE_KEY)
        if token:
            return token
        query = urllib.parse.urlencode({"corpid": conf.WECOM_CORP_ID,
                                        "corpsecret": conf.WECOM_SECRET})
        _status, answer = http_call(url=f"{conf.WECOM_API_BASE}gettoken?{query}")
        self._check(answer)
        token = answer.get("access_token", "")
        if not token:
            raise TransportError("WeCom gave no access token", retryable=True)
        # Two hours by default; renewed five minutes early.
        cache.set(WECOM_TOKEN_CACHE_KEY, token, max(int(answer.get("expires_in", 7200)) - 300,
                                                    60))
        return token

    @staticmethod
    def _check(answer: dict) -> None:
        code = answer.get("errcode", 0)
        if code not in (0, None):
            raise TransportError(f"WeCom {code}: {answer.get('errmsg', '')}"[:300],
                                 retryable=code in WECOM_RETRYABLE)

    def send(self, *, to: str, sender: str, text: str, key: str) -> None:
        body = _dumps({"chat_type": "single", "external_userid": [to], "sender": sender,
                       "text": {"content": text}})
        for fresh in (False, True):
            url = (f"{conf.WECOM_API_BASE}externalcontact/add_msg_template?"
                   f"access_token={urllib.parse.quote(self._token(fresh=fresh))}")
            _status, answer = http_call(
                url=url, data=body, headers={"Content-Type": "application/json; charset=utf-8",
                                             "X-Recovery-Delivery": key})
            if answer.get("errcode") not in WECOM_TOKEN_CODES:
                break
            cache.delete(WECOM_TOKEN_CACHE_KEY)
        self._check(answer)
        if answer.get("fail_list"):
            raise TransportError("WeCom: the customer is not this sender's contact",
                                 retryable=False)


WECHAT_PROVIDERS = {"logging": LoggingWechatProvider, "wecom": WecomProvider}


class WechatTransport:
    """Customer messages only: staff hear through e-mail, SMS and the group robots."""

    def send(self, *, delivery: Delivery) -> None:
        m = delivery.customer_message
        WECHAT_PROVIDERS[conf.WECHAT_PROVIDER]().send(
            to=m.to, sender=m.sent_by.username, text=m.text, key=delivery.key)


# --- Group robots and the generic webhook ---------------------------------------------------

def batch_mentions(notification: Notification) -> list[str]:
    """Phones of the batch's people, so the robot @-mentions them on urgent events."""
    if not notification.urgent or notification.batch is None:
        return []
    phones = Notification.objects.filter(batch=notification.batch).values_list(
        "recipient__phone", flat=True)
    return sorted({p for p in phones if p})


def wecom_payload(*, message: Message, mentions: list[str]) -> dict:
    text = f"{message.subject}\n{message.text}"
    return {"msgtype": "text", "text": {"content": text[:2000], "mentioned_mobile_list": mentions}}


def dingtalk_payload(*, message: Message, mentions: list[str]) -> dict:
    # DingTalk shows an @-mention only when the number also appears in the text.
    at_line = " ".join(f"@{m}" for m in mentions)
    lines = "  \n".join(message.text.splitlines())
    text = f"#### {message.subject}\n\n{lines}\n\n{at_line}".strip()
    return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text},
            "at": {"atMobiles": mentions, "isAtAll": False}}


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(*, url: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return url
    sign = urllib.parse.quote_plus(dingtalk_sign(secret=secret, timestamp_ms=timestamp_ms))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def feishu_sign(*, secret: str, timestamp: int) -> str:
    # Feishu keys the HMAC with "timestamp\nsecret" and signs an empty message.
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def feishu_payload(*, message: Message, secret: str, timestamp: int) -> dict:
    payload = {"msg_type": "text",
               "content": {"text": f"{message.subject}\n{message.text}"}}
    if secret:
        payload.update(timestamp=str(timestamp), sign=feishu_sign(secret=secret,
                                                                  timestamp=timestamp))
    return payload


def generic_payload(*, delivery: Delivery, message: Message) -> dict:
    n = delivery.notification
    case = n.case
    return {
        "id": delivery.key, "kind": n.kind, "urgent": n.urgent,
        "created_at": n.created_at.isoformat(), "title": message.subject,
        "text": message.text, "url": message.link,
        "case": None if case is None else {
            "id": case.pk, "number": case.number, "level": case.level,
            "score": case.score_before, "customer": case.customer.name,
            "store": case.store.code,
        },
    }


# Chat platforms answer HTTP 200 with an error code; these codes mean "too fast / busy".
_RETRYABLE_CODES = {-1, 45009, 130101, 9499, 11232}


def _check_robot_answer(answer: dict) -> None:
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, None):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise TransportError(f"robot code {code}: {message}"[:300],
                             retryable=code in _RETRYABLE_CODES)


class WebhookTransport:
    def send(self, *, delivery: Delivery) -> None:
        endpoint: WebhookEndpoint = delivery.endpoint
        n = delivery.notification
        message = message_render(notification=n, language=endpoint.language)
        now = time.time()
        # The delivery key on every request: a repeat after a worker died mid-send carries the
        # same one (at-least-once). The robots' bodies have no field for it (WeCom, DingTalk
        # and Feishu custom robots take no message id); a relay in front of them can use these.
        headers = {"X-Recovery-Delivery": delivery.key, "Idempotency-Key": delivery.key}
        url = endpoint.url
        if endpoint.kind == WebhookKind.WECOM:
            body = _dumps(wecom_payload(message=message, mentions=batch_mentions(n)))
        elif endpoint.kind == WebhookKind.DINGTALK:
            body = _dumps(dingtalk_payload(message=message, mentions=batch_mentions(n)))
            url = dingtalk_url(url=url, secret=endpoint.secret, timestamp_ms=int(now * 1000))
        elif endpoint.kind == WebhookKind.FEISHU:
            body = _dumps(feishu_payload(message=message, secret=endpoint.secret,
                                         timestamp=int(now)))
        else:
            body = _dumps(generic_payload(delivery=delivery, message=message))
            headers["X-Recovery-Timestamp"] = str(int(now))
            if endpoint.secret:
                headers["X-Recovery-Signature"] = body_signature(
                    secret=endpoint.secret, timestamp=int(now), body=body)
            post_json(url=url, body=body, headers=headers)  # any 2xx is success
            return
        _check_robot_answer(post_json(url=url, body=body, headers=headers))


TRANSPORTS = {Channel.EMAIL: EmailTransport, Channel.SMS: SmsTransport,
              Channel.WEBHOOK: WebhookTransport, Channel.WECHAT: WechatTransport}


def transport_for(*, delivery: Delivery):
    return TRANSPORTS[delivery.channel]()
