"""Money and numbers are bounded before use (issue #15.6): a clear 400 with a field error,
never a 500, and only plain decimal strings are numbers."""

import pytest

from cases.models import Case
from compensation.models import Approval, Offer
from tests.conftest import api_as

from .factories import contacted_case

QUOTE = "/api/v1/compensation/quote/"
HUGE = "9999999999.99"


def _offer(user, case, **body):
    return api_as(user).post(f"/api/v1/cases/{case.pk}/offers/", body, format="json")


def test_two_items_at_the_maximum_are_refused_not_overflowed(org):
    case = contacted_case(store=org.S01)
    resp = _offer(org.hq1, case, items=[{"code": "voucher", "value": HUGE},
                                        {"code": "gift", "value": HUGE}])
    assert resp.status_code == 400, resp.content
    assert "items" in resp.json()
    assert not Offer.objects.exists()
    assert Case.objects.get(pk=case.pk).state == "contacted"


def test_an_offer_that_would_take_the_cases_total_past_the_maximum_is_refused(org):
    case = contacted_case(store=org.S01)
    assert _offer(org.hq1, case, items=[{"code": "voucher", "value": HUGE}]).status_code == 201
    resp = _offer(org.hq1, case, items=[{"code": "voucher", "value": "1"}])
    assert resp.status_code == 400, resp.content
    assert "items" in resp.json()
    assert Offer.objects.count() == 1


def test_a_huge_quote_with_every_multiplier_is_a_field_error(org):
    resp = api_as(org.manager1).post(QUOTE, {
        "failure_type": "safety", "severity": "crisis", "vip": True, "base_value": HUGE,
        "flags": ["repeat_repair", "multiple_repair", "public_complaint", "media_exposure",
                  "safety", "lawsuit", "vip"]}, format="json")
    assert resp.status_code == 400, resp.content
    assert "base_value" in resp.json()


def test_a_huge_order_amount_is_a_field_error(org):
    resp = api_as(org.manager1).post(QUOTE, {
        "failure_type": "service_quality", "severity": "crisis", "vip": True,
        "order_amount": HUGE}, format="json")
    assert resp.status_code == 400, resp.content
    assert "order_amount" in resp.json()


@pytest.mark.parametrize("value", ["1e-10", "1E2", "1_000", " 100 ", "100 ", "+5", "0x10",
                                   "NaN", "Infinity", "１００", "1.", ".5", "١٠٠"])
def test_only_plain_decimal_strings_are_money(org, value):
    case = contacted_case(store=org.S01)
    resp = _offer(org.advisor1, case, items=[{"code": "voucher", "value": value}])
    assert resp.status_code == 400, (value, resp.content)
    assert not Offer.objects.exists()


@pytest.mark.parametrize("value", [1e-10, 1e300, 1e16])
def test_json_numbers_in_exponent_form_are_not_money(org, value):
    case = contacted_case(store=org.S01)
    resp = _offer(org.advisor1, case, items=[{"code": "voucher", "value": value}])
    assert resp.status_code == 400, (value, resp.content)


@pytest.mark.parametrize("field", ["base_value", "order_amount", "customer_loss"])
@pytest.mark.parametrize("value", ["1_000", " 100 ", "1e3"])
def test_quote_numbers_are_strict_too(org, field, value):
    resp = api_as(org.advisor1).post(QUOTE, {"failure_type": "attitude", "severity": "minor",
                                             field: value}, format="json")
    assert resp.status_code == 400, resp.content
    assert field in resp.json()


@pytest.mark.parametrize("value", ["100", "100.5", "100.50", 100, 100.5, "0"])
def test_plain_numbers_are_still_money(org, value):
    case = contacted_case(store=org.S01)
    resp = _offer(org.advisor1, case, items=[{"code": "voucher", "value": value}])
    assert resp.status_code == 201, (value, resp.content)


def test_a_changed_value_is_bounded_too(org):
    case = contacted_case(store=org.S01)
    body = _offer(org.advisor1, case, items=[{"code": "voucher", "value": "900"}]).json()
    resp = api_as(org.manager1).post(f"/api/v1/approvals/{body['approval']['id']}/change/",
                                     {"total_value": "1_000", "reason": "客户接受"},
                                     format="json")
    assert resp.status_code == 400
    assert Approval.objects.get().amount == 900


@pytest.mark.parametrize("line", ["1_000", " 1 "])
def test_issue_line_ids_are_strict_integers(org, line):
    case = contacted_case(store=org.S01)
    offer = _offer(org.advisor1, case, items=[{"code": "voucher", "value": "100"}]).json()
    resp = api_as(org.advisor1).post(f"/api/v1/offers/{offer['id']}/issue/",
                                     {"lines": [line]}, format="json")
    assert resp.status_code == 400, resp.content
