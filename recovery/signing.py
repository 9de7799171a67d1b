"""The HMAC-SHA256 signature of our webhooks, both ways: the generic outgoing webhook signs
with it and signed intake verifies it."""

import hashlib
import hmac


def body_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """"sha256=" + hex HMAC-SHA256 of "<timestamp>.<body>": the timestamp is signed so a captured
    request cannot be replayed later."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def body_signature_valid(*, secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    expected = body_signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected.encode(), signature.encode())
