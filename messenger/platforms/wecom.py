"""WeCom (企业微信) self-built app: `template_card` messages of type button_interaction, the
callback's msg_signature and AES-256-CBC envelope, and updating a tapped card's button.
Formats: WeCom server API "发送应用消息 / 模板卡片消息", "模板卡片事件推送", "更新模版卡片消息",
"加解密方案说明"."""

import base64
import hashlib
import hmac
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from Crypto.Cipher import AES
from django.core.cache import cache

from .. import conf
from ..content import CardContent
from ..http import call, check


class CallbackRefused(Exception):
    pass


def signature(*, token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


def _key() -> bytes:
    return base64.b64decode(conf.WECOM_AES_KEY + "=")


def decrypt(encrypt: str) -> str:
    """The envelope: random(16) + length(4, network order) + message + the corp id, PKCS#7
    padded to 32 bytes, AES-256-CBC with the key's first 16 bytes as IV."""
    key = _key()
    try:
        plain = AES.new(key, AES.MODE_CBC, key[:16]).decrypt(base64.b64decode(encrypt))
        pad = plain[-1]
        if not 1 <= pad <= 32:
            raise ValueError("padding")
        content = plain[16:-pad]
        (length,) = struct.unpack(">I", content[:4])
        message, receiver = content[4:4 + length], content[4 + length:]
    except (ValueError, IndexError, struct.error) as exc:
        raise CallbackRefused("undecryptable") from exc
    if not hmac.compare_digest(receiver, conf.WECOM_CORP_ID.encode()):
        raise CallbackRefused("another corp")
    return message.decode()


def verify(*, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """The plaintext of a signed envelope, or CallbackRefused."""
    expected = signature(token=conf.WECOM_TOKEN, timestamp=timestamp, nonce=nonce,
                         encrypt=encrypt)
    if not hmac.compare_digest(expected, msg_signature or ""):
        raise CallbackRefused("bad signature")
    return decrypt(encrypt)


def parse_xml(text: str) -> ET.Element:
    # The platform sends no DTD; refusing one rules out entity expansion before any check.
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise CallbackRefused("DTD")
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise CallbackRefused("not XML") from exc


@dataclass(frozen=True)
class Tap:
    user_id: str
    action: str
    token: str
    reason_id: str
    response_code: str


def tap_read(root: ET.Element) -> Tap | None:
    """The tap, or None for the app's other events (entering the app, a message), which need
    only an empty answer."""
    if root.findtext("Event") != "template_card_event":
        return None
    action, _sep, token = (root.findtext("EventKey") or "").partition(":")
    return Tap(user_id=root.findtext("FromUserName") or "", action=action, token=token,
               reason_id=root.findtext("SelectedItems/SelectedItem/OptionIds/OptionId") or "",
               response_code=root.findtext("ResponseCode") or "")


def reason_for(option_id: str) -> str:
    index = option_id.removeprefix("r")
    reasons = conf.REJECT_REASONS
    return reasons[int(index)] if index.isdigit() and int(index) < len(reasons) else ""


def _access_token() -> str:
    key = f"messenger:wecom:{conf.WECOM_API}:{conf.WECOM_CORP_ID}"
    token = cache.get(key)
    if token is None:
        answer = check(call(method="GET", url=f"{conf.WECOM_API}/cgi-bin/gettoken?corpid="
                            f"{conf.WECOM_CORP_ID}&corpsecret={conf.WECOM_SECRET}"))
        token = answer["access_token"]
        cache.set(key, token, max(int(answer.get("expires_in", 7200)) - 300, 60))
    return token


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else f"{text[:size - 1]}…"


def card_render(*, content: CardContent, token: str, task_id: str) -> dict:
    lines = [f"{title}: {'；'.join(rows)}" for title, rows in content.sections if rows]
    card = {
        "card_type": "button_interaction",
        "source": {"desc": "Service recovery"},
        "main_title": {"title": _cut(content.title, 36)},
        "sub_title_text": _cut("\n".join(lines), 112),
        "horizontal_content_list": [
            {"keyname": _cut(label, 5), "value": _cut(value, 26)}
            for label, value in content.facts[:6]],
        "card_action": {"type": 1, "url": content.link},
        "task_id": task_id,
        "button_list": [
            {"text": b.label, "style": 2 if b.style == "danger" else 1,
             "key": f"{b.action}:{token}"} for b in content.buttons],
    }
    if any(b.needs_reason for b in content.buttons):
        card["button_selection"] = {
            "question_key": "reason", "title": "驳回理由 Reason",
            "option_list": [{"id": f"r{n}", "text": _cut(text, 16)}
                            for n, text in enumerate(conf.REJECT_REASONS)],
            "selected_id": "r0"}
    return card


def card_send(*, user_id: str, card: dict) -> tuple[str, str]:
    """The card's task id and the send's `response_code`, which allows one update of the card
    within 72 hours without a tap (a decision taken on the page)."""
    body = {"touser": user_id, "msgtype": "template_card", "agentid": int(conf.WECOM_AGENT_ID),
            "template_card": card, "enable_duplicate_check": 1,
            "duplicate_check_interval": 1800}
    answer = check(call(method="POST", url=f"{conf.WECOM_API}/cgi-bin/message/send?"
                        f"access_token={_access_token()}", body=body))
    return card["task_id"], str(answer.get("response_code") or "")


def card_update(*, user_id: str, response_code: str, text: str) -> None:
    """Replace the buttons with the decision (the tap's response code is good for 72 h)."""
    body = {"userids": [user_id], "agentid": int(conf.WECOM_AGENT_ID),
            "response_code": response_code, "button": {"replace_name": _cut(text, 20)}}
    check(call(method="POST", url=f"{conf.WECOM_API}/cgi-bin/message/update_template_card"
               f"?access_token={_access_token()}", body=body))
