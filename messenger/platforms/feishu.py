"""Feishu (飞书) app: interactive cards (card JSON 2.0) sent with lark-oapi's
`im.v1.message.create`, and the `card.action.trigger` callback: body optionally encrypted with
the Encrypt Key (AES-256-CBC, lark-oapi's AESCipher), `header.token` = the Verification Token,
X-Lark-Signature = sha256(timestamp + nonce + encrypt key + body). The callback's answer
carries the updated card, so a tapped card shows the decision at once."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache

import lark_oapi as lark
from lark_oapi.api.im.v1 import (
    CreateMessageRequest,
    CreateMessageRequestBody,
    PatchMessageRequest,
    PatchMessageRequestBody,
)
from lark_oapi.core.utils import AESCipher

from notifications.transports import TransportError

from .. import conf
from ..content import CardContent
from ..http import RETRYABLE_CODES
from .wecom import CallbackRefused


def signature(*, timestamp: str, nonce: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + conf.FEISHU_ENCRYPT_KEY).encode()
                          + body).hexdigest()


def verify(*, timestamp: str, nonce: str, signature_header: str, body: bytes) -> dict:
    """The callback's payload (decrypted), or CallbackRefused. The URL check Feishu sends when
    the address is saved carries only the token; every other request is signed too."""
    payload = _payload(body)
    token = payload.get("token") or (payload.get("header") or {}).get("token") or ""
    if not hmac.compare_digest(str(token), conf.FEISHU_VERIFICATION_TOKEN):
        raise CallbackRefused("bad verification token")
    if payload.get("type") == "url_verification":
        return payload
    expected = signature(timestamp=timestamp or "", nonce=nonce or "", body=body)
    if not hmac.compare_digest(expected, signature_header or ""):
        raise CallbackRefused("bad signature")
    return payload


def _payload(body: bytes) -> dict:
    try:
        payload = json.loads(body)
        if isinstance(payload, dict) and payload.get("encrypt"):
            payload = json.loads(AESCipher(conf.FEISHU_ENCRYPT_KEY).decrypt_str(
                payload["encrypt"]))
    except (ValueError, TypeError) as exc:
        raise CallbackRefused("undecryptable") from exc
    if not isinstance(payload, dict):
        raise CallbackRefused("not an object")
    return payload


@dataclass(frozen=True)
class Tap:
    user_id: str
    action: str
    token: str
    reason: str


def tap_read(payload: dict) -> Tap:
    event = payload.get("event") or {}
    action = event.get("action") or {}
    value = action.get("value") or {}
    form = action.get("form_value") or {}
    if not isinstance(value, dict) or not isinstance(form, dict):
        raise CallbackRefused("not a card action")
    return Tap(user_id=str((event.get("operator") or {}).get(conf.FEISHU_ID_TYPE) or ""),
               action=str(value.get("action") or ""), token=str(value.get("token") or ""),
               reason=str(form.get("reason") or ""))


def _button(*, label: str, style: str, value: dict, submit: bool) -> dict:
    button = {"tag": "button", "text": {"tag": "plain_text", "content": label},
              "type": {"primary": "primary", "danger": "danger"}.get(style, "default"),
              "name": value["action"], "behaviors": [{"type": "callback", "value": value}]}
    if submit:
        button["form_action_type"] = "submit"
    return button


def card_render(*, content: CardContent, token: str) -> dict:
    facts = "\n".join(f"**{label}**：{value}" for label, value in content.facts)
    elements: list[dict] = [{"tag": "markdown", "content": facts}]
    for title, rows in content.sections:
        if rows:
            elements.append({"tag": "markdown", "content": f"**{title}**\n"
                             + "\n".join(f"- {row}" for row in rows)})
    if content.done:
        elements.append({"tag": "markdown", "content": f"**{content.done}**"})
    elif content.buttons:
        reason = any(b.needs_reason for b in content.buttons)
        buttons = [_button(label=b.label, style=b.style, submit=reason,
                           value={"action": b.action, "token": token})
                   for b in content.buttons]
        if reason:
            elements.append({"tag": "form", "name": "decision", "elements": [
                {"tag": "input", "name": "reason", "required": False,
                 "placeholder": {"tag": "plain_text", "content": "驳回理由 Reason"}},
                *buttons]})
        else:
            elements += buttons
    if content.link:
        elements.append({"tag": "markdown", "content": f"[↗]({content.link})"})
    return {"schema": "2.0",
            "header": {"title": {"tag": "plain_text", "content": content.title},
                       "template": "green" if content.done else "orange"},
            "body": {"elements": elements}}


@lru_cache(maxsize=4)
def _client(app_id: str, app_secret: str, domain: str) -> lark.Client:
    return (lark.Client.builder().app_id(app_id).app_secret(app_secret).domain(domain)
            .log_level(lark.LogLevel.ERROR).build())


def _failed(response) -> TransportError:
    return TransportError(f"platform code {response.code}: {response.msg}"[:300],
                          retryable=response.code in RETRYABLE_CODES)


def _message_call(method: str, request):
    """Call `im.v1.message.<method>`; the SDK's failures become the outbox's TransportError."""
    try:
        response = getattr(_client(conf.FEISHU_APP_ID, conf.FEISHU_APP_SECRET,
                                   conf.FEISHU_DOMAIN).im.v1.message, method)(request)
    except Exception as exc:  # the SDK raises its own and httpx's errors
        raise TransportError(f"Feishu: {exc.__class__.__name__}", retryable=True) from exc
    if not response.success():
        raise _failed(response)
    return response


def card_patch(*, message_id: str, card: dict) -> None:
    """Replace a sent card (`im.v1.message.patch`, PATCH /open-apis/im/v1/messages/:id): cards
    of JSON 2.0 are shared cards (update_multi), which this needs."""
    request = (PatchMessageRequest.builder().message_id(message_id)
               .request_body(PatchMessageRequestBody.builder()
                             .content(json.dumps(card, ensure_ascii=False)).build()).build())
    _message_call("patch", request)


def card_send(*, user_id: str, card: dict, key: str) -> str:
    """`key` becomes the message's uuid: Feishu drops a repeat of it within an hour."""
    request = (CreateMessageRequest.builder().receive_id_type(conf.FEISHU_ID_TYPE)
               .request_body(CreateMessageRequestBody.builder().receive_id(user_id)
                             .msg_type("interactive").content(json.dumps(card, ensure_ascii=False))
                             .uuid(key[:50]).build()).build())
    response = _message_call("create", request)
    return response.data.message_id if response.data else ""
