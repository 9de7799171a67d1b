"""POST /api/v1/cases/{id}/offers/: the choice is recorded, approved within the proposer's limit,
otherwise routed to the lowest role of the case's chain whose limit covers it."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine

from cases.models import Case, CaseEvent
from compensation.models import Approval, Offer
from notifications.models import Notification
from tests.conftest import api_as

from .factories import contacted_case

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _offer(user, case, **body):
    return api_as(user).post(f"/api/v1/cases/{case.pk}/offers/", body, format="json")


def _voucher(amount):
    return [{"code": "voucher", "value": str(amount)}]


@pytest.mark.parametrize(("amount", "role", "window"), [
    ("499", None, None), ("500", None, None), ("501", "service_manager", 2),
    ("1999", "service_manager", 2), ("2000", "service_manager", 2),
    ("2001", "regional_director", 6), ("4999", "regional_director", 6),
    ("5000", "regional_director", 6), ("5001", "area_director", 6),
])
def test_advisor_offer_is_routed_by_amount(org, amount, role, window):
    case = contacted_case(store=org.S01)
    with time_machine.travel(NOW, tick=False):
        resp = _offer(org.advisor1, case, items=_voucher(amount), note="客户选择")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["total_value"] == f"{amount}.00"
    case.refresh_from_db()
    if role is None:
        assert body["status"] == "approved" and body["approval"] is None
        assert case.state == "plan_proposed"
        assert not Approval.objects.exists()
    else:
        assert body["status"] == "pending_approval"
        assert body["approval"]["approver_role"] == role
        due = datetime.fromisoformat(body["approval"]["due_at"])
        assert due == NOW + timedelta(hours=window)
        assert case.state == "awaiting_approval"


def test_routing_notifies_the_approvers_in_the_cases_chain(org):
    case = contacted_case(store=org.S01)
    _offer(org.advisor1, case, items=_voucher(2500))
    approval = Approval.objects.get()
    assert approval.approver_node == org.R1
    notes = Notification.objects.filter(kind="approval_requested")
    assert [n.recipient for n in notes] == [org.regional1]
    assert notes[0].urgent


def test_first_offer_proposes_the_plan_and_records_it(org):
    case = contacted_case(store=org.S01)
    _offer(org.advisor1, case, items=_voucher(100))
    transitions = CaseEvent.objects.filter(case=case, kind="transition").values_list(
        "data__transition", flat=True)
    assert list(transitions) == ["contact", "propose"]
    assert CaseEvent.objects.filter(case=case, kind="note",
                                    data__compensation="offer_approved").exists()


def test_tier_takes_that_option_of_the_cases_own_quote(org):
    case = contacted_case(store=org.S01, amount=D("300"))
    quote = api_as(org.advisor1).get(f"/api/v1/cases/{case.pk}/quote/").json()
    resp = _offer(org.advisor1, case, tier="expected")
    assert resp.status_code == 201
    expected = quote["options"][1]
    assert resp.json()["total_value"] == expected["total_value"]
    assert [i["code"] for i in resp.json()["items"]] == [i["code"] for i in expected["items"]]
    assert Offer.objects.get().tier == "expected"


def test_formula_items_take_the_repair_order_amount(org):
    case = contacted_case(store=org.S01, amount=D("388.88"))
    resp = _offer(org.advisor1, case, items=[{"code": "waive_fee"}, {"code": "apology_call"}])
    assert resp.json()["total_value"] == "388.88"


def test_values_are_rounded_to_the_cent(org):
    case = contacted_case(store=org.S01)
    resp = _offer(org.advisor1, case, items=[{"code": "voucher", "value": 100.005},
                                             {"code": "gift", "value": "0.004"}])
    assert resp.json()["total_value"] == "100.01"


def test_customer_loss_flags_an_offer_under_twice_the_loss(org):
    case = contacted_case(store=org.S01)
    body = _offer(org.advisor1, case, items=_voucher(150), customer_loss="100").json()
    assert body["flags"] == ["under_loss"]


@pytest.mark.parametrize("body", [
    {"items": [{"code": "voucher", "value": "-1"}]},
    {"items": [{"code": "voucher", "value": "lots"}]},
    {"items": [{"code": "unicorn"}]},
    {"items": [{"code": "car_wash", "value": "999"}]},  # fixed value
    {"items": []},
    {},
    {"tier": "basic", "items": [{"code": "voucher"}]},
    {"tier": "platinum"},
])
def test_bad_offers_answer_400_and_change_nothing(org, body):
    case = contacted_case(store=org.S01)
    resp = _offer(org.advisor1, case, **body)
    assert resp.status_code == 400, resp.content
    assert not Offer.objects.exists()
    assert Case.objects.get(pk=case.pk).state == "contacted"


def test_offers_are_refused_before_contact_and_while_one_waits(org):
    case = contacted_case(store=org.S01)
    _offer(org.advisor1, case, items=_voucher(900))
    assert _offer(org.advisor1, case, items=_voucher(100)).status_code == 409
    from tests.factories import open_case

    fresh = open_case(store=org.S01, score=6)
    assert _offer(org.advisor1, fresh, items=_voucher(100)).status_code == 409


def test_an_advisor_may_not_offer_on_a_case_above_l1(org):
    case = contacted_case(store=org.S01, score=4)
    assert _offer(org.advisor1, case, items=_voucher(100)).status_code == 403


def test_a_case_outside_the_users_scope_is_not_found(org):
    case = contacted_case(store=org.S01)
    assert _offer(org.manager2, case, items=_voucher(100)).status_code == 404


def test_more_offers_may_follow_during_execution(org):
    case = contacted_case(store=org.S01)
    _offer(org.advisor1, case, items=_voucher(100))
    from cases.services import case_transition

    case_transition(case_id=case.pk, name="start", actor=org.manager1)
    resp = _offer(org.advisor1, case, items=_voucher(800))
    assert resp.json()["status"] == "pending_approval"
    assert Case.objects.get(pk=case.pk).state == "in_progress"
    listed = api_as(org.advisor1).get(f"/api/v1/cases/{case.pk}/offers/").json()
    assert [o["total_value"] for o in listed] == ["800.00", "100.00"]


def test_hq_offers_any_amount_on_the_spot(org):
    case = contacted_case(store=org.S01)
    assert _offer(org.hq1, case, items=_voucher(99999)).json()["status"] == "approved"
