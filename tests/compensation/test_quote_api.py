"""POST /api/v1/compensation/quote/ with the defaults loaded by the data migration."""

from decimal import Decimal as D

import pytest

from compensation.models import AuthorityLimit, CoefficientFactor
from tests.conftest import api_as

URL = "/api/v1/compensation/quote/"


def _quote(user, **body):
    return api_as(user).post(URL, body, format="json")


def test_worked_example_from_seed_001_gives_8_1(org):
    resp = _quote(org.manager1, failure_type="service_quality", severity="severe", vip=True,
                  flags=["repeat_repair", "public_complaint"], base_value="2000")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["coefficient"] == "8.1"
    assert body["target_value"] == "16200.00"
    assert [o["tier"] for o in body["options"]] == ["basic", "expected", "surprise"]
    for option in body["options"]:
        assert set(option) >= {"tier", "items", "total_value", "approver_role", "flags"}
        assert D(option["total_value"]) == sum(D(i["value"]) for i in option["items"])
    # Issue #20: the options are real items, never padded up to base × coefficient.
    surprise = body["options"][2]
    assert D(surprise["total_value"]) < D("16200.00") and surprise["recommended"]
    assert surprise["approver_role"] == "area_director"
    assert {i["dimension"] for i in surprise["items"]} == {"material", "emotional",
                                                           "convenience"}


def test_base_plan_value_is_the_default_base_value(org):
    body = _quote(org.advisor1, failure_type="attitude", severity="minor").json()
    basic = body["options"][0]
    assert [i["code"] for i in basic["items"]] == ["voucher", "apology_call"]
    assert basic["total_value"] == "100.00"
    assert body["base_value"] == "100.00" and body["target_value"] == "100.00"
    assert basic["approver_role"] == "advisor"
    assert basic["flags"] == []


def test_order_amount_prices_waive_fee_items(org):
    body = _quote(org.advisor1, failure_type="service_quality", severity="minor",
                  order_amount="1234.565").json()
    waive = next(i for i in body["options"][0]["items"] if i["code"] == "waive_fee")
    assert waive["value"] == "1234.57"


def test_options_outside_the_range_or_under_twice_the_loss_are_flagged(org):
    body = _quote(org.advisor1, failure_type="time_delay", severity="minor",
                  customer_loss="100").json()
    basic = body["options"][0]
    assert basic["total_value"] == "50.00"
    assert basic["flags"] == ["outside_range", "under_loss"]
    assert body["range"] == {"minimum": "100.00", "maximum": "300.00"}


def test_crisis_has_no_cap(org):
    body = _quote(org.advisor1, failure_type="safety", severity="crisis", vip=True,
                  flags=["media_exposure", "lawsuit"]).json()
    assert body["range"]["maximum"] is None
    assert all("outside_range" not in o["flags"] for o in body["options"])


@pytest.mark.parametrize("body", [
    {"failure_type": "alien_abduction", "severity": "minor"},
    {"failure_type": "attitude", "severity": "catastrophic"},
    {"failure_type": "attitude", "severity": "minor", "flags": ["nope"]},
    {"failure_type": "attitude", "severity": "minor", "base_value": "-1"},
    {"failure_type": "attitude", "severity": "minor", "base_value": "abc"},
    {"severity": "minor"},
])
def test_bad_quote_input_answers_400(org, body):
    assert _quote(org.advisor1, **body).status_code == 400


def test_numbers_come_from_the_database(org):
    CoefficientFactor.objects.filter(kind="customer", key="vip").update(value=D("2"))
    AuthorityLimit.objects.filter(role="advisor").update(limit=D("50"))
    body = _quote(org.advisor1, failure_type="attitude", severity="minor", vip=True).json()
    assert body["coefficient"] == "2"
    assert body["options"][0]["approver_role"] == "service_manager"


def test_quote_needs_a_login(api, org):
    assert api.post(URL, {"failure_type": "attitude", "severity": "minor"},
                    format="json").status_code in (401, 403)


def test_schema_documents_the_compensation_endpoints(org):
    resp = api_as(org.advisor1).get("/api/schema/?format=json")
    paths = resp.json()["paths"]
    for path in ["/api/v1/compensation/quote/", "/api/v1/cases/{case_id}/offers/",
                 "/api/v1/approvals/", "/api/v1/approvals/{approval_id}/approve/",
                 "/api/v1/approvals/{approval_id}/reject/",
                 "/api/v1/approvals/{approval_id}/change/"]:
        assert path in paths


def test_the_quote_values_waivers_from_what_the_customer_paid(org):
    body = _quote(org.manager1, failure_type="service_quality", severity="severe", vip=True,
                  flags=["multiple_repair", "public_complaint"], order_amount="1200",
                  earlier_visits=["1200", "1200"]).json()
    surprise = {i["code"]: i["value"] for i in body["options"][2]["items"]}
    assert surprise["waive_repeat_fees"] == "3600.00"
    assert body["base_value"] == "2000.00" and body["coefficient"] == "8.1"
