"""JSON over HTTP to the platforms' open APIs, failing as the outbox's transports do: 429, 5xx
and network errors may succeed later, other errors will not."""

import json

from notifications.transports import TransportError, request_json


def call(*, method: str, url: str, body: dict | None = None,
         headers: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    return request_json(method=method, url=url, body=data, headers=headers)


# Codes meaning "too fast / busy / token expired": a later try can succeed.
RETRYABLE_CODES = {-1, 42001, 45009, 40014, 99991663, 99991668, 11232, 230020}


def check(answer: dict, *, code_key: str = "errcode") -> dict:
    code = answer.get(code_key, 0)
    if code not in (0, None, "0"):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("message") or ""
        raise TransportError(f"platform code {code}: {message}"[:300],
                             retryable=code in RETRYABLE_CODES)
    return answer
