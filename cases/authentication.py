"""Signed intake: a survey source authenticates each request with an HMAC of its body."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from org.selectors import active_user_with_node
from recovery.signing import body_signature_valid

from .selectors import intake_sources

SOURCE_HEADER = "X-Recovery-Source"
TIMESTAMP_HEADER = "X-Recovery-Timestamp"
SIGNATURE_HEADER = "X-Recovery-Signature"
# A signed request older (or newer) than this is refused: a captured one cannot be replayed.
MAX_SKEW_SECONDS = 300


class SignedSourceAuthentication(BaseAuthentication):
    """`X-Recovery-Source: <code>`, `X-Recovery-Timestamp: <unix seconds>` and
    `X-Recovery-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the source's
    secret>`. The request then acts as the source's account; `request.auth` is the source."""

    def authenticate(self, request):
        code = request.headers.get(SOURCE_HEADER)
        if code is None:
            return None
        source = intake_sources().get(code)
        signature = request.headers.get(SIGNATURE_HEADER, "")
        try:
            timestamp = int(request.headers.get(TIMESTAMP_HEADER, ""))
        except ValueError:
            raise exceptions.AuthenticationFailed(_("Missing or bad signature timestamp.")) \
                from None
        if abs(timezone.now().timestamp() - timestamp) > MAX_SKEW_SECONDS:
            raise exceptions.AuthenticationFailed(_("The signature timestamp is too old."))
        if source is None or not body_signature_valid(
                secret=source.secret, timestamp=timestamp, body=request.body,
                signature=signature):
            raise exceptions.AuthenticationFailed(_("Bad signature."))
        account = active_user_with_node(source.account_id)
        if account is None:
            raise exceptions.AuthenticationFailed(_("The source's account is inactive."))
        return account, source

    def authenticate_header(self, request):
        return "Signature"


class SignedSourceScheme(OpenApiAuthenticationExtension):
    target_class = SignedSourceAuthentication
    name = "signedSource"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": SIGNATURE_HEADER,
                "description": "HMAC-SHA256 of `<timestamp>.<body>` with the source's secret, "
                               f"with the `{SOURCE_HEADER}` and `{TIMESTAMP_HEADER}` headers."}
