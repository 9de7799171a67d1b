from django.db.models import CharField
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from recovery.compiled import CompiledModels, Param

# Every API call reads its token: compiled once per process.
_TOKEN = CompiledModels(lambda: Token.objects.select_related("user", "user__node").filter(
    key=Param("key", CharField())))


class TokenWithNodeAuthentication(TokenAuthentication):
    """DRF's token check, loading the user's org node in the same query: every API call scopes
    by it."""

    def authenticate_credentials(self, key):
        found = _TOKEN.objects(key=key)
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = found[0]
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
