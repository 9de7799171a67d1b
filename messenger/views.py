"""The platforms' callbacks. No session or CSRF token can come from a messenger's server: each
request is checked against the platform's documented signature instead, and then the card's
own single-use token decides what it may do (messenger/services.py)."""

import json
import logging
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from notifications.transports import TransportError

from . import conf
from .models import Platform
from .platforms import dingtalk, feishu, wecom
from .platforms.wecom import CallbackRefused
from .services import Answer, card_act

logger = logging.getLogger(__name__)


def _fresh(timestamp: str, *, scale: int = 1) -> None:
    """A signed request replayed later than the allowed skew is refused before anything else."""
    try:
        sent = int(timestamp) / scale
    except (TypeError, ValueError) as exc:
        raise CallbackRefused("no timestamp") from exc
    if abs(time.time() - sent) > conf.CALLBACK_MAX_SKEW.total_seconds():
        raise CallbackRefused("stale timestamp")


def _refused(platform: str, exc: CallbackRefused) -> HttpResponse:
    logger.warning("Messenger callback from %s refused: %s", platform, exc)
    return JsonResponse({"error": "refused"}, status=403)


def _off() -> HttpResponse:
    return JsonResponse({"error": "not configured"}, status=404)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wecom_callback(request: HttpRequest) -> HttpResponse:
    if not conf.enabled(Platform.WECOM):
        return _off()
    q = request.GET
    try:
        _fresh(q.get("timestamp"))
        if request.method == "GET":  # the URL check when the address is saved
            return HttpResponse(wecom.verify(
                msg_signature=q.get("msg_signature", ""), timestamp=q.get("timestamp", ""),
                nonce=q.get("nonce", ""), encrypt=q.get("echostr", "")))
        envelope = wecom.parse_xml(request.body.decode("utf-8", "replace"))
        plain = wecom.verify(msg_signature=q.get("msg_signature", ""),
                             timestamp=q.get("timestamp", ""), nonce=q.get("nonce", ""),
                             encrypt=envelope.findtext("Encrypt") or "")
        tap = wecom.tap_read(wecom.parse_xml(plain))
    except CallbackRefused as exc:
        return _refused(Platform.WECOM, exc)
    if tap is None:
        return HttpResponse("")
    answer = card_act(platform=Platform.WECOM, external_id=tap.user_id, token=tap.token,
                      action=tap.action, reason=wecom.reason_for(tap.reason_id)
                      if tap.action == "reject" else "")
    if tap.response_code:
        _after(Platform.WECOM, lambda: wecom.card_update(
            user_id=tap.user_id, response_code=tap.response_code, text=answer.message))
    return HttpResponse("")


@csrf_exempt
@require_POST
def dingtalk_callback(request: HttpRequest) -> HttpResponse:
    if not conf.enabled(Platform.DINGTALK):
        return _off()
    try:
        timestamp = request.headers.get("timestamp", "")
        _fresh(timestamp, scale=1000)
        dingtalk.verify(timestamp=timestamp, signature=request.headers.get("sign", ""))
        body = json.loads(request.body)
        if not isinstance(body, dict):
            raise CallbackRefused("not an object")
        tap = dingtalk.tap_read(body)
    except ValueError:
        return JsonResponse({"error": "not JSON"}, status=400)
    except CallbackRefused as exc:
        return _refused(Platform.DINGTALK, exc)
    answer = card_act(platform=Platform.DINGTALK, external_id=tap.user_id, token=tap.token,
                      action=tap.action, reason=tap.reason)
    if answer.content is not None and answer.card is not None:
        params = dingtalk.card_params(content=answer.content, token="")
        _after(Platform.DINGTALK, lambda: dingtalk.card_update(
            out_track_id=answer.card.platform_ref or tap.out_track_id, params=params))
    return JsonResponse({"success": answer.ok, "message": answer.message})


@csrf_exempt
@require_POST
def feishu_callback(request: HttpRequest) -> HttpResponse:
    if not conf.enabled(Platform.FEISHU):
        return _off()
    try:
        payload = feishu.verify(
            timestamp=request.headers.get("X-Lark-Request-Timestamp", ""),
            nonce=request.headers.get("X-Lark-Request-Nonce", ""),
            signature_header=request.headers.get("X-Lark-Signature", ""), body=request.body)
        if payload.get("type") == "url_verification":
            return JsonResponse({"challenge": payload.get("challenge", "")})
        _fresh(request.headers.get("X-Lark-Request-Timestamp", ""))
        tap = feishu.tap_read(payload)
    except CallbackRefused as exc:
        return _refused(Platform.FEISHU, exc)
    answer = card_act(platform=Platform.FEISHU, external_id=tap.user_id, token=tap.token,
                      action=tap.action, reason=tap.reason)
    return JsonResponse(_feishu_answer(answer))


def _feishu_answer(answer: Answer) -> dict:
    body = {"toast": {"type": "success" if answer.ok else "error", "content": answer.message}}
    if answer.content is not None:
        body["card"] = {"type": "raw", "data": feishu.card_render(content=answer.content,
                                                                   token="")}
    return body


def _after(platform: str, update) -> None:
    """Redraw the card; the decision stands whether or not the platform takes the update."""
    try:
        update()
    except (TransportError, KeyError) as exc:
        logger.warning("Messenger card update on %s failed: %s", platform, exc)
