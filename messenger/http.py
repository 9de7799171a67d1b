"""JSON over HTTP to the platforms' open APIs, failing as the outbox's transports do: 429, 5xx
and network errors may succeed later, other errors will not."""

import json
import urllib.error
import urllib.request

from notifications import conf as notify_conf
from notifications.transports import TransportError


def call(*, method: str, url: str, body: dict | None = None,
         headers: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=notify_conf.HTTP_TIMEOUT) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise TransportError(f"HTTP {exc.code}",
                             retryable=exc.code == 429 or exc.code >= 500) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise TransportError(f"connection failed: {exc}", retryable=True) from exc
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}


# Codes meaning "too fast / busy / token expired": a later try can succeed.
RETRYABLE_CODES = {-1, 42001, 45009, 40014, 99991663, 99991668, 11232, 230020}


def check(answer: dict, *, code_key: str = "errcode") -> dict:
    code = answer.get(code_key, 0)
    if code not in (0, None, "0"):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("message") or ""
        raise TransportError(f"platform code {code}: {message}"[:300],
                             retryable=code in RETRYABLE_CODES)
    return answer
