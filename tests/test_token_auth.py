"""The API's token check (`org.authentication`): a known token of an active user reads within
the user's scope; an unknown token or a deactivated user's is refused (403: the session check
comes first, as for the pages) and reads nothing."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import open_case

URL = "/api/v1/cases/"


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_reads_what_its_user_may_see_and_nothing_else(org):
    mine = open_case(store=org.S01, score=2)
    other = open_case(store=org.S02, score=2)
    token = Token.objects.create(user=org.manager1)

    r = _client(token.key).get(URL)
    assert r.status_code == 200
    ids = {c["id"] for c in r.json()["results"]}
    assert mine.pk in ids and other.pk not in ids

    refused = _client("0" * 40).get(URL)
    assert refused.status_code in (401, 403) and "results" not in refused.json()
    org.manager1.is_active = False
    org.manager1.save()
    refused = _client(token.key).get(URL)
    assert refused.status_code in (401, 403) and "results" not in refused.json()
