"""Authority is cumulative (issues #15.2, #20): what needs approval is decided on the case's
approved and pending offers plus the new one, and on what the same customer was offered on other
cases within the policy's window. Splitting never gets past a limit, on any path."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from cases.models import Case
from compensation.admin import ApprovalAdmin
from compensation.models import Approval, CompensationPolicy, IssuedCompensation, Offer
from tests.conftest import api_as, client_for, run_concurrently

from .factories import contacted_case

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _offer(user, case, amount):
    return api_as(user).post(f"/api/v1/cases/{case.pk}/offers/",
                             {"items": [{"code": "voucher", "value": str(amount)}]},
                             format="json")


def _approver(org, role):
    return {"service_manager": org.manager1, "regional_director": org.regional1,
            "area_director": org.area1}[role]


def _granted(case, amount, org):
    """An offer already granted on the case (by HQ, who has no limit)."""
    resp = _offer(org.hq1, case, amount)
    assert resp.json()["status"] == "approved", resp.content


def test_ten_500_vouchers_from_an_advisor_each_go_to_the_authority_of_the_running_total(org):
    """The attacker's script: ten ¥500 offers on one case. Only the first is the advisor's own;
    each later one waits for the lowest role whose limit covers the case's total so far."""
    case = contacted_case(store=org.S01)
    routed = []
    for n in range(1, 11):
        resp = _offer(org.advisor1, case, 500)
        assert resp.status_code == 201, resp.content
        body = resp.json()
        if body["approval"] is None:
            routed.append(None)
            continue
        role = body["approval"]["approver_role"]
        routed.append(role)
        approval = Approval.objects.get(pk=body["approval"]["id"])
        assert approval.cumulative_amount == D(500 * n)
        decided = api_as(_approver(org, role)).post(
            f"/api/v1/approvals/{approval.pk}/approve/", {}, format="json")
        assert decided.status_code == 200, decided.content
    assert routed == [None] + ["service_manager"] * 3 + ["regional_director"] * 6
    on_the_spot = Offer.objects.filter(case=case, approval__isnull=True)
    assert [o.total_value for o in on_the_spot] == [D("500.00")]


def test_ten_500_vouchers_cannot_be_issued_without_approval(org):
    case = contacted_case(store=org.S01)
    statuses = [_offer(org.advisor1, case, 500).status_code for _ in range(10)]
    assert statuses == [201, 201] + [409] * 8  # one waits for the manager; nothing more meanwhile
    assert Offer.objects.filter(status="approved").count() == 1
    assert Offer.objects.get(status="pending_approval").approval.approver_role == \
        "service_manager"


def test_a_manager_splitting_6000_into_three_needs_the_regional_then_the_area_director(org):
    case = contacted_case(store=org.S01)
    first = _offer(org.manager1, case, 2000).json()
    assert first["status"] == "approved"
    second = _offer(org.manager1, case, 2000).json()
    assert second["approval"]["approver_role"] == "regional_director"
    api_as(org.regional1).post(f"/api/v1/approvals/{second['approval']['id']}/approve/", {},
                               format="json")
    third = _offer(org.manager1, case, 2000).json()
    assert third["status"] == "pending_approval"
    assert third["approval"]["approver_role"] == "area_director"
    refused = api_as(org.regional1).post(
        f"/api/v1/approvals/{third['approval']['id']}/approve/", {}, format="json")
    assert refused.status_code == 403
    assert "刘大区" in refused.json()["detail"]  # the person who can decide, by name


@pytest.mark.parametrize(("proposer", "before", "amount", "role"), [
    ("advisor1", 300, "200", None),
    ("advisor1", 300, "200.01", "service_manager"),
    ("advisor1", 1800, "200", "service_manager"),
    ("advisor1", 1800, "200.01", "regional_director"),
    ("advisor1", 4800, "200", "regional_director"),
    ("advisor1", 4800, "200.01", "area_director"),
    ("manager1", 1500, "500", None),
    ("manager1", 1500, "500.01", "regional_director"),
    ("manager1", 4500, "500", "regional_director"),
    ("manager1", 4500, "500.01", "area_director"),
    ("director1", 1500, "500", None),
    ("director1", 1500, "500.01", "regional_director"),
    ("regional1", 4500, "500", None),
    ("regional1", 4500, "500.01", "area_director"),
])
def test_the_limit_applies_to_the_cases_total_at_and_around_every_limit(
        org, proposer, before, amount, role):
    case = contacted_case(store=org.S01)
    _granted(case, before, org)
    body = _offer(getattr(org, proposer), case, amount).json()
    if role is None:
        assert body["status"] == "approved" and body["approval"] is None
    else:
        assert body["status"] == "pending_approval"
        assert body["approval"]["approver_role"] == role


def test_a_rejected_offer_does_not_count(org):
    case = contacted_case(store=org.S01)
    first = _offer(org.advisor1, case, 1500).json()
    api_as(org.manager1).post(f"/api/v1/approvals/{first['approval']['id']}/reject/",
                              {"reason": "太多"}, format="json")
    assert _offer(org.advisor1, case, 500).json()["status"] == "approved"


def test_a_pending_offer_counts_for_its_approver(org):
    """manager1 may approve ¥1 500 alone, but not when HQ granted ¥1 000 on the customer's
    other case meanwhile: the decision is counted afresh and names who can decide."""
    case = contacted_case(store=org.S01, customer_id="split-1")
    pending = _offer(org.advisor1, case, 1500).json()["approval"]
    assert pending["approver_role"] == "service_manager"
    other = contacted_case(store=org.S03, customer_id="split-1", actor=org.hq1)
    _granted(other, 1000, org)
    resp = api_as(org.manager1).post(f"/api/v1/approvals/{pending['id']}/approve/", {},
                                     format="json")
    assert resp.status_code == 403
    assert "陈区域" in resp.json()["detail"]
    assert Offer.objects.get(approval__pk=pending["id"]).status == "pending_approval"
    assert api_as(org.regional1).post(f"/api/v1/approvals/{pending['id']}/approve/", {},
                                      format="json").status_code == 200


def test_the_customers_other_cases_within_the_window_count(org):
    with time_machine.travel(NOW - timedelta(days=300), tick=False):
        earlier = contacted_case(store=org.S03, customer_id="twice", actor=org.hq1)
        _granted(earlier, 400, org)
    with time_machine.travel(NOW, tick=False):
        case = contacted_case(store=org.S01, customer_id="twice")
        body = _offer(org.advisor1, case, 200).json()
    assert body["approval"]["approver_role"] == "service_manager"
    assert Approval.objects.get().cumulative_amount == D("600.00")


def test_the_window_is_a_setting(org):
    policy = CompensationPolicy.current()
    policy.customer_window = timedelta(days=30)
    policy.save()
    with time_machine.travel(NOW - timedelta(days=31), tick=False):
        earlier = contacted_case(store=org.S03, customer_id="long-ago", actor=org.hq1)
        _granted(earlier, 400, org)
    with time_machine.travel(NOW, tick=False):
        case = contacted_case(store=org.S01, customer_id="long-ago")
        assert _offer(org.advisor1, case, 200).json()["status"] == "approved"


def test_the_instant_screen_splits_no_better(org):
    """The SA's phone screen hands over only what the advisor may grant: a second ¥500 on the
    case is sent for approval and not handed over."""
    case = contacted_case(store=org.S01)
    client = client_for(org.advisor1)
    url = f"/cases/{case.pk}/compensate/"
    for _ in range(2):
        client.post(url, {"items": ["voucher", "gift", "loaner_car"], "note": "再来一份"})
    assert Offer.objects.filter(case=case, status="approved").count() == 1
    assert Offer.objects.filter(case=case, status="pending_approval").count() == 1
    issued = IssuedCompensation.objects.filter(case=case)
    assert {i.offer.status for i in issued} == {"approved"} and issued.count() == 3


def test_the_admin_bulk_action_checks_the_cumulative_total(org, staff):
    case = contacted_case(store=org.S01, customer_id="bulk")
    pending = _offer(org.advisor1, case, 1500).json()["approval"]
    _granted(contacted_case(store=org.S03, customer_id="bulk", actor=org.hq1), 1000, org)
    request = RequestFactory().post("/admin/")
    request.user = staff(org.manager1)
    request.session = {}
    request._messages = FallbackStorage(request)
    ApprovalAdmin(Approval, site).approve_selected(request, Approval.objects.all())
    assert Approval.objects.get(pk=pending["id"]).status == "pending"
    assert any("陈区域" in str(m) for m in request._messages)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_offers_at_once_do_not_both_slip_under_the_limit(org):
    case = contacted_case(store=org.S01)
    statuses = run_concurrently(lambda: _offer(org.advisor1, case, 300).status_code, times=2)
    assert sorted(statuses) == [201, 201]
    assert sorted(Offer.objects.values_list("status", flat=True)) == [
        "approved", "pending_approval"]
    assert Case.objects.get(pk=case.pk).state == "awaiting_approval"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_offers_at_once_on_two_cases_of_one_customer_are_counted_together(org):
    order = iter([contacted_case(store=org.S01, customer_id="both"),
                  contacted_case(store=org.S03, customer_id="both", actor=org.hq1)])
    run_concurrently(lambda: _offer(org.regional1, next(order), 2600).status_code, times=2)
    assert sorted(Offer.objects.values_list("status", flat=True)) == [
        "approved", "pending_approval"]
