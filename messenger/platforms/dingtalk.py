"""DingTalk (钉钉) app robot: interactive cards (互动卡片) from a card template built in DingTalk's
card builder, sent by `POST /v1.0/im/interactiveCards/send` and updated by
`PUT /v1.0/im/interactiveCards`; the HTTP callback carries `timestamp` and `sign` headers,
sign = Base64(HMAC-SHA256(app secret, timestamp + "\\n" + app secret))."""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.core.cache import cache

from .. import conf
from ..content import CardContent
from ..http import call, check
from .wecom import CallbackRefused


def sign(*, timestamp: str) -> str:
    secret = conf.DINGTALK_APP_SECRET
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def verify(*, timestamp: str, signature: str) -> None:
    if not hmac.compare_digest(sign(timestamp=timestamp or ""), signature or ""):
        raise CallbackRefused("bad signature")


@dataclass(frozen=True)
class Tap:
    user_id: str
    action: str
    token: str
    reason: str
    out_track_id: str


def tap_read(body: dict) -> Tap:
    try:
        private = json.loads(body.get("content") or "{}").get("cardPrivateData") or {}
        params = private.get("params") or {}
        action = (private.get("actionIds") or [""])[0]
    except (ValueError, AttributeError) as exc:
        raise CallbackRefused("not a card action") from exc
    return Tap(user_id=str(body.get("userId") or ""), action=str(action),
               token=str(params.get("token") or ""), reason=str(params.get("reason") or ""),
               out_track_id=str(body.get("outTrackId") or ""))


def _access_token() -> str:
    key = f"messenger:dingtalk:{conf.DINGTALK_API}:{conf.DINGTALK_APP_KEY}"
    token = cache.get(key)
    if token is None:
        answer = call(method="POST", url=f"{conf.DINGTALK_API}/v1.0/oauth2/accessToken",
                      body={"appKey": conf.DINGTALK_APP_KEY,
                            "appSecret": conf.DINGTALK_APP_SECRET})
        token = answer.get("accessToken")
        if not token:
            check({"errcode": answer.get("code", -1), "errmsg": answer.get("message")})
        cache.set(key, token, max(int(answer.get("expireIn", 7200)) - 300, 60))
    return token


def card_params(*, content: CardContent, token: str) -> dict[str, str]:
    """The template's variables (all strings, as the card data requires)."""
    lines = [f"**{label}**: {value}" for label, value in content.facts]
    for title, rows in content.sections:
        lines += [f"**{title}**", *[f"- {row}" for row in rows]]
    return {
        "title": content.title, "markdown": "  \n".join(lines), "link": content.link,
        "token": token, "actions": ",".join(b.action for b in content.buttons),
        "labels": json.dumps({b.action: b.label for b in content.buttons}, ensure_ascii=False),
        "needs_reason": "true" if any(b.needs_reason for b in content.buttons) else "false",
        "done": content.done, "finished": "true" if content.done else "false",
    }


def _answer(answer: dict) -> dict:
    if answer.get("success") is False or "code" in answer:
        check({"errcode": answer.get("code", -1), "errmsg": answer.get("message")})
    return answer


def card_send(*, user_id: str, out_track_id: str, params: dict[str, str]) -> str:
    body = {"cardTemplateId": conf.DINGTALK_CARD_TEMPLATE_ID, "outTrackId": out_track_id,
            "robotCode": conf.DINGTALK_ROBOT_CODE or conf.DINGTALK_APP_KEY,
            "conversationType": 0, "receiverUserIdList": [user_id],
            "callbackRouteKey": conf.DINGTALK_CALLBACK_ROUTE_KEY, "userIdType": 1,
            "cardData": {"cardParamMap": params}}
    _answer(call(method="POST", url=f"{conf.DINGTALK_API}/v1.0/im/interactiveCards/send",
                 body=body, headers={"x-acs-dingtalk-access-token": _access_token()}))
    return out_track_id


def card_update(*, out_track_id: str, params: dict[str, str]) -> None:
    body = {"outTrackId": out_track_id, "userIdType": 1, "cardData": {"cardParamMap": params}}
    _answer(call(method="PUT", url=f"{conf.DINGTALK_API}/v1.0/im/interactiveCards",
                 body=body, headers={"x-acs-dingtalk-access-token": _access_token()}))
