"""The signed token a card's buttons carry: the card's row and its nonce, signed with the
site's key and dated. The signature stops a forged token; the nonce ties it to one row, which
is used once; the date and the row's expiry stop an old one."""

from django.core import signing

from . import conf

SALT = "messenger.card"


class TokenInvalid(Exception):
    pass


class TokenExpired(TokenInvalid):
    pass


def card_token(*, card_id: int, nonce: str) -> str:
    return signing.dumps({"c": card_id, "n": nonce}, salt=SALT, compress=True)


def card_token_read(token: str) -> tuple[int, str]:
    try:
        data = signing.loads(token, salt=SALT, max_age=conf.CARD_TTL)
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except signing.BadSignature as exc:
        raise TokenInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("c"), int) \
            or not isinstance(data.get("n"), str):
        raise TokenInvalid
    return data["c"], data["n"]
