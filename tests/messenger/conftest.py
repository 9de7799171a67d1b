"""Fake WeCom, DingTalk and Feishu servers on 127.0.0.1 (pytest-httpserver), the messenger
configured against them, and one adapter per platform that reads the card it was sent and
taps it the way the platform's callback does (signed, encrypted where the platform encrypts)."""

import base64
import hashlib
import json
import os
import struct
import time
import uuid
from decimal import Decimal as D

import pytest
from Crypto.Cipher import AES
from django.core.cache import cache
from django.test import Client

from compensation.models import Approval
from messenger import conf
from messenger.models import MessengerIdentity
from notifications.models import Delivery
from notifications.outbox import delivery_attempt
from tests.compensation.factories import contacted_case
from tests.conftest import api_as

WECOM_AES_KEY = base64.b64encode(b"k" * 32).decode()[:43]


@pytest.fixture
def fake(httpserver, monkeypatch):
    """Every platform's open API answers success; tests read what it was sent in
    `httpserver.log`."""
    base = httpserver.url_for("").rstrip("/")
    settings = {
        "WECOM_API": base, "WECOM_CORP_ID": "wwcorp", "WECOM_AGENT_ID": "1000002",
        "WECOM_SECRET": "wecom-secret", "WECOM_TOKEN": "wecom-token",
        "WECOM_AES_KEY": WECOM_AES_KEY,
        "DINGTALK_API": base, "DINGTALK_APP_KEY": "ding-key", "DINGTALK_APP_SECRET": "ding-secret",
        "DINGTALK_ROBOT_CODE": "ding-robot", "DINGTALK_CARD_TEMPLATE_ID": "tpl.schema",
        "FEISHU_DOMAIN": base, "FEISHU_APP_ID": "cli_app", "FEISHU_APP_SECRET": "fs-secret",
        "FEISHU_VERIFICATION_TOKEN": "fs-token", "FEISHU_ENCRYPT_KEY": "fs-encrypt-key",
    }
    for name, value in settings.items():
        monkeypatch.setattr(conf, name, value)
    cache.clear()
    httpserver.expect_request("/cgi-bin/gettoken").respond_with_json(
        {"errcode": 0, "access_token": "wecom-at", "expires_in": 7200})
    httpserver.expect_request("/cgi-bin/message/send").respond_with_json(
        {"errcode": 0, "msgid": "m1", "response_code": "rc-send"})
    httpserver.expect_request("/cgi-bin/message/update_template_card").respond_with_json(
        {"errcode": 0})
    httpserver.expect_request("/v1.0/oauth2/accessToken").respond_with_json(
        {"accessToken": "ding-at", "expireIn": 7200})
    httpserver.expect_request("/v1.0/im/interactiveCards/send").respond_with_json(
        {"success": True, "result": {}})
    httpserver.expect_request("/v1.0/im/interactiveCards", method="PUT").respond_with_json(
        {"success": True})
    httpserver.expect_request("/open-apis/auth/v3/tenant_access_token/internal").respond_with_json(
        {"code": 0, "msg": "ok", "tenant_access_token": "t-fs", "expire": 7200})
    httpserver.expect_request("/open-apis/im/v1/messages/om_card",
                              method="PATCH").respond_with_json({"code": 0, "msg": "success"})
    httpserver.expect_request("/open-apis/im/v1/messages").respond_with_json(
        {"code": 0, "msg": "success", "data": {"message_id": "om_card"}})
    yield httpserver
    cache.clear()


def requests_to(httpserver, path: str, method: str | None = None) -> list:
    return [r for r, _resp in httpserver.log
            if r.path == path and (method is None or r.method == method)]


# --- WeCom ------------------------------------------------------------------------------------

def wecom_encrypt(text: str, *, corp_id: str = "wwcorp") -> str:
    key = base64.b64decode(WECOM_AES_KEY + "=")
    message = text.encode()
    raw = os.urandom(16) + struct.pack(">I", len(message)) + message + corp_id.encode()
    pad = 32 - len(raw) % 32
    raw += bytes([pad]) * pad
    return base64.b64encode(AES.new(key, AES.MODE_CBC, key[:16]).encrypt(raw)).decode()


def wecom_signature(*, timestamp: str, nonce: str, encrypt: str, token="wecom-token") -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


class WeCom:
    platform = "wecom"
    path = "/messenger/wecom/callback/"

    def __init__(self, httpserver):
        self.httpserver = httpserver

    def sent(self) -> list[dict]:
        return [json.loads(r.data) for r in requests_to(self.httpserver, "/cgi-bin/message/send")]

    def token(self, card: dict) -> str:
        return card["template_card"]["button_list"][0]["key"].partition(":")[2]

    def buttons(self, card: dict) -> list[str]:
        return [b["key"].partition(":")[0] for b in card["template_card"]["button_list"]]

    def request(self, *, user_id, action, token, reason="", forge=False, timestamp=None):
        option = ""
        if reason:
            option = (f"<SelectedItems><SelectedItem><QuestionKey>reason</QuestionKey>"
                      f"<OptionIds><OptionId>{reason}</OptionId></OptionIds></SelectedItem>"
                      f"</SelectedItems>")
        inner = (f"<xml><ToUserName>wwcorp</ToUserName><FromUserName>{user_id}</FromUserName>"
                 f"<CreateTime>1</CreateTime><MsgType>event</MsgType>"
                 f"<Event>template_card_event</Event><EventKey>{action}:{token}</EventKey>"
                 f"<TaskId>t</TaskId><CardType>button_interaction</CardType>"
                 f"<ResponseCode>rc-{uuid.uuid4().hex}</ResponseCode><AgentID>1000002</AgentID>"
                 f"{option}</xml>")
        encrypt = wecom_encrypt(inner)
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = uuid.uuid4().hex[:10]
        signature = wecom_signature(timestamp=timestamp, nonce=nonce, encrypt=encrypt,
                                    token="forged" if forge else "wecom-token")
        body = (f"<xml><ToUserName><![CDATA[wwcorp]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID>1000002</AgentID></xml>")
        return {"path": f"{self.path}?msg_signature={signature}&timestamp={timestamp}"
                        f"&nonce={nonce}", "data": body, "content_type": "text/xml"}

    reject_reason = "r1"
    reject_reason_text = conf.REJECT_REASONS[1]


# --- DingTalk ---------------------------------------------------------------------------------

class DingTalk:
    platform = "dingtalk"
    path = "/messenger/dingtalk/callback/"
    reject_reason = reject_reason_text = "金额过高，请先补充维修记录"

    def __init__(self, httpserver):
        self.httpserver = httpserver

    def sent(self) -> list[dict]:
        return [json.loads(r.data) for r in
                requests_to(self.httpserver, "/v1.0/im/interactiveCards/send")]

    def token(self, card: dict) -> str:
        return card["cardData"]["cardParamMap"]["token"]

    def buttons(self, card: dict) -> list[str]:
        return card["cardData"]["cardParamMap"]["actions"].split(",")

    def request(self, *, user_id, action, token, reason="", forge=False, timestamp=None):
        from messenger.platforms.dingtalk import sign

        timestamp = str(int(time.time() * 1000) if timestamp is None else timestamp * 1000)
        signature = sign(timestamp=timestamp)
        if forge:
            signature = base64.b64encode(b"x" * 32).decode()
        params = {"token": token, **({"reason": reason} if reason else {})}
        body = {"outTrackId": "rc-1", "corpId": "ding-corp", "userId": user_id,
                "content": json.dumps({"cardPrivateData": {"actionIds": [action],
                                                           "params": params}})}
        return {"path": self.path, "data": json.dumps(body), "content_type": "application/json",
                "headers": {"timestamp": timestamp, "sign": signature}}


# --- Feishu -----------------------------------------------------------------------------------

def feishu_encrypt(text: str, key: str = "fs-encrypt-key") -> str:
    digest = hashlib.sha256(key.encode()).digest()
    iv = os.urandom(16)
    raw = text.encode()
    pad = 16 - len(raw) % 16
    raw += bytes([pad]) * pad
    return base64.b64encode(iv + AES.new(digest, AES.MODE_CBC, iv).encrypt(raw)).decode()


class Feishu:
    platform = "feishu"
    path = "/messenger/feishu/callback/"
    reject_reason = reject_reason_text = "金额过高"

    def __init__(self, httpserver):
        self.httpserver = httpserver

    def sent(self) -> list[dict]:
        return [json.loads(r.data)
                for r in requests_to(self.httpserver, "/open-apis/im/v1/messages")]

    def card(self, sent: dict) -> dict:
        return json.loads(sent["content"])

    def _buttons(self, sent: dict) -> list[dict]:
        found = []

        def walk(elements):
            for e in elements:
                if e.get("tag") == "button":
                    found.append(e)
                walk(e.get("elements", []))
        walk(self.card(sent)["body"]["elements"])
        return found

    def token(self, sent: dict) -> str:
        return self._buttons(sent)[0]["behaviors"][0]["value"]["token"]

    def buttons(self, sent: dict) -> list[str]:
        return [b["behaviors"][0]["value"]["action"] for b in self._buttons(sent)]

    def request(self, *, user_id, action, token, reason="", forge=False, timestamp=None,
                encrypt=True):
        payload = {"schema": "2.0", "header": {
            "event_id": uuid.uuid4().hex, "token": "fs-token", "event_type": "card.action.trigger",
            "app_id": "cli_app"}, "event": {
            "operator": {"open_id": user_id}, "token": "c-123",
            "action": {"tag": "button", "value": {"action": action, "token": token},
                       "form_value": {"reason": reason} if reason else {}},
            "context": {"open_message_id": "om_card"}}}
        text = json.dumps(payload)
        body = json.dumps({"encrypt": feishu_encrypt(text)}) if encrypt else text
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = uuid.uuid4().hex[:10]
        key = "forged" if forge else "fs-encrypt-key"
        signature = hashlib.sha256((timestamp + nonce + key).encode() + body.encode()).hexdigest()
        return {"path": self.path, "data": body, "content_type": "application/json",
                "headers": {"X-Lark-Request-Timestamp": timestamp,
                            "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": signature}}


PLATFORMS = {"wecom": WeCom, "dingtalk": DingTalk, "feishu": Feishu}


@pytest.fixture(params=list(PLATFORMS))
def messenger(request, fake):
    return PLATFORMS[request.param](fake)


def tap(request: dict):
    """What the platform's server does when someone taps: POST the signed callback."""
    return Client().post(request["path"], data=request["data"],
                         content_type=request["content_type"],
                         headers=request.get("headers", {}))


def link(user, platform: str, external_id: str | None = None) -> MessengerIdentity:
    return MessengerIdentity.objects.create(
        user=user, platform=platform, external_id=external_id or f"{platform}-{user.username}")


def pending_approval(org, amount=D("1500"), *, store=None) -> Approval:
    """An advisor's offer above the advisor's limit: it waits for the store's service manager."""
    case = contacted_case(store=store or org.S01)
    resp = api_as(org.advisor1).post(
        f"/api/v1/cases/{case.pk}/offers/",
        {"items": [{"code": "voucher", "value": str(amount)}, {"code": "apology_call"}]},
        format="json")
    assert resp.status_code == 201, resp.content
    return Approval.objects.get(pk=resp.json()["approval"]["id"])


def send_cards(case) -> list[Delivery]:
    deliveries = list(Delivery.objects.filter(notification__case=case, channel="messenger"))
    for d in deliveries:
        delivery_attempt(delivery_id=d.pk)
        d.refresh_from_db()
    return deliveries
