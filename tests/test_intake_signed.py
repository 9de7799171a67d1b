"""Signed intake (issue 9): a survey source signs each request with its own secret."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditRecord
from cases.models import IntakeSource, SurveyResponse
from org.models import User
from recovery.signing import body_signature

URL = "/api/v1/survey-responses/"


@pytest.fixture
def source(org):
    return IntakeSource.objects.create(code="qualtrics", name="Qualtrics", account=org.manager1)


def body(n="s1", source="qualtrics", store="S01"):
    return {"source": source, "external_id": n, "store": store, "score": 2,
            "comment": "等了很久", "customer": {"external_id": f"c-{n}", "name": "陈先生"}}


def send(payload, *, code="qualtrics", secret, at=None, tamper=False):
    raw = json.dumps(payload).encode()
    timestamp = int((at or timezone.now()).timestamp())
    signature = body_signature(secret=secret, timestamp=timestamp, body=raw)
    if tamper:
        raw = raw.replace(b'"score": 2', b'"score": 9')
    return APIClient().post(URL, raw, content_type="application/json", headers={
        "X-Recovery-Source": code, "X-Recovery-Timestamp": str(timestamp),
        "X-Recovery-Signature": signature})


def test_a_signed_response_opens_a_case_as_the_source_account(org, source):
    answer = send(body(), secret=source.secret)
    assert answer.status_code == 201, answer.content
    assert answer.json()["case"]["level"] == "L3"
    case = SurveyResponse.objects.get(external_id="s1").case
    assert case.created_by == org.manager1


@pytest.mark.parametrize("fault", ["wrong secret", "tampered body", "old timestamp",
                                   "unknown source", "inactive source", "inactive account"])
def test_a_badly_signed_response_is_refused_and_stores_nothing(org, source, fault):
    secret, options = source.secret, {}
    if fault == "wrong secret":
        secret = "not-the-secret"
    elif fault == "tampered body":
        options["tamper"] = True
    elif fault == "old timestamp":
        options["at"] = timezone.now() - timedelta(minutes=6)
    elif fault == "unknown source":
        options["code"] = "medallia"
    elif fault == "inactive account":
        assert send(body("before"), secret=secret).status_code == 201  # the account is cached
        org.manager1.is_active = False
        org.manager1.save()
    else:
        source.active = False
        source.save()
    answer = send(body(), secret=secret, **options)
    assert answer.status_code == 401
    assert not SurveyResponse.objects.filter(external_id="s1").exists()


def test_a_reactivated_source_account_is_accepted_at_once(org, source):
    org.manager1.is_active = False
    org.manager1.save()
    assert send(body("while inactive"), secret=source.secret).status_code == 401
    User.objects.filter(pk=org.manager1.pk).update(is_active=True)  # as another process would
    assert send(body("again"), secret=source.secret).status_code == 201


def test_a_signature_speaks_only_for_its_own_source(org, source):
    answer = send(body(source="medallia"), secret=source.secret)
    assert answer.status_code == 400
    assert "source" in answer.json()
    assert not SurveyResponse.objects.exists()


def test_a_source_that_signs_refuses_unsigned_responses(org, source):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.manager1)}")
    assert client.post(URL, body(), format="json").status_code == 403
    source.signed_only = False
    source.save()
    assert client.post(URL, body(), format="json").status_code == 201
    # Another account's token never speaks for this source.
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.integration)}")
    assert other.post(URL, body(n="s2"), format="json").status_code == 403


def test_the_source_account_bounds_the_stores_it_sends_for(org, source):
    answer = send(body(store="S02"), secret=source.secret)
    assert answer.status_code == 403
    assert not SurveyResponse.objects.exists()


def test_a_new_secret_is_audited_without_its_value(org, source):
    source.secret = "rotated-secret-value"
    source.save()
    record = AuditRecord.objects.filter(model="cases.IntakeSource").latest("at")
    assert "secret" in record.changes
    assert "rotated-secret-value" not in str(record.changes)
