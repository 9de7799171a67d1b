"""Every operation of /api/schema/ fuzzed by schemathesis (valid and invalid data): never a 5xx,
and every answer matches what the schema documents (status code, content type, body)."""

import os
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from compensation.models import Approval
from compensation.services import offer_create
from recovery.wsgi import application
from tests.compensation.factories import contacted_case
from toolkit.services import team_member_add

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Examples per operation; SCHEMATHESIS_MAX_EXAMPLES=200 for a deeper run by hand.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """The real WSGI handler closes the connection after each request, and with it the test's
    transaction; Django's own test client unhooks the same signal."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(org):
    """A privileged caller and one of each object the paths point at, so generated requests
    reach the code behind the lookup as well as the 404."""
    case = contacted_case(store=org.S01, score=3)
    offer = offer_create(case_id=case.pk, actor=org.manager1, tier="surprise")
    member = team_member_add(case_id=case.pk, actor=org.manager1, user=org.advisor1,
                             role="senior_sa")
    return {
        "token": Token.objects.create(user=org.admin).key,
        "ids": {"case_id": case.pk, "offer_id": offer.pk, "customer_id": case.customer_id,
                "item_id": case.checklist.first().pk, "member_id": member.pk,
                "approval_id": Approval.objects.get(offer=offer).pk},
    }


def _call(case, world):
    # Half the examples aim at real objects, the rest keep whatever was generated.
    if zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 2 == 0:
        for name, value in world["ids"].items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
    case.call_and_validate(headers={"Authorization": f"Token {world['token']}"}, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_as_documented(case, world):
    _call(case, world)


# The operations that take money get more examples (issue #15.6: overflowing sums were 500s).
MONEY_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MONEY_EXAMPLES", "60"))
money_schema = schema.include(
    method="POST",
    path_regex=r"/(compensation/quote|cases/\{case_id\}/offers|approvals/\{approval_id\}/change)/$")


@money_schema.parametrize()
@settings(max_examples=MONEY_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_money_operations_answer_as_documented(case, world):
    _call(case, world)
