"""Approve / reject / change, and the limits no path may cross (SPEC §6)."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from cases.models import Case, ImmutableError
from compensation.models import Approval, Offer, OfferLine
from compensation.services import approval_approve
from tests.conftest import api_as

from .factories import contacted_case


def _pending(org, amount, *, proposer=None, store=None):
    case = contacted_case(store=store or org.S01)
    resp = api_as(proposer or org.advisor1).post(
        f"/api/v1/cases/{case.pk}/offers/",
        {"items": [{"code": "voucher", "value": str(amount)}, {"code": "apology_call"}]},
        format="json")
    assert resp.status_code == 201, resp.content
    return Approval.objects.get(pk=resp.json()["approval"]["id"])


def _post(user, approval, action, **body):
    return api_as(user).post(f"/api/v1/approvals/{approval.pk}/{action}/", body, format="json")


def test_approving_moves_the_case_to_in_progress(org):
    approval = _pending(org, 1500)
    resp = _post(org.manager1, approval, "approve")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "approved"
    assert Case.objects.get(pk=approval.case_id).state == "in_progress"
    assert Offer.objects.get().status == "approved"
    assert org.advisor1.notifications.filter(kind="approval_decided").exists()


def test_rejecting_needs_a_reason_and_returns_the_case_to_plan_proposed(org):
    approval = _pending(org, 1500)
    assert _post(org.manager1, approval, "reject").status_code == 400
    assert _post(org.manager1, approval, "reject", reason=" ").status_code == 400
    resp = _post(org.manager1, approval, "reject", reason="金额过高")
    assert resp.status_code == 200 and resp.json()["reason"] == "金额过高"
    assert Case.objects.get(pk=approval.case_id).state == "plan_proposed"
    assert Offer.objects.get().status == "rejected"


def test_after_a_rejection_a_new_offer_can_be_made(org):
    approval = _pending(org, 1500)
    _post(org.manager1, approval, "reject", reason="换一个方案")
    resp = api_as(org.advisor1).post(f"/api/v1/cases/{approval.case_id}/offers/",
                                     {"items": [{"code": "voucher", "value": "300"}]},
                                     format="json")
    assert resp.json()["status"] == "approved"


def test_a_decided_approval_cannot_be_decided_again(org):
    approval = _pending(org, 1500)
    _post(org.manager1, approval, "approve")
    assert _post(org.manager1, approval, "approve").status_code == 409


def test_a_decided_approval_is_part_of_the_record(org):
    approval = _pending(org, 1500)
    _post(org.manager1, approval, "approve")
    decided = Approval.objects.get(pk=approval.pk)
    decided.amount = D("1")
    with pytest.raises(ImmutableError):
        decided.save()
    with pytest.raises(ImmutableError):
        decided.delete()
    assert Approval.objects.get(pk=approval.pk).amount == D("1500.00")


def test_changing_within_own_limit_approves_the_new_amount(org):
    approval = _pending(org, 1500)
    resp = _post(org.manager1, approval, "change", total_value="1200.005",
                 reason="客户接受较少")
    assert resp.status_code == 200
    assert resp.json()["status"] == "approved" and resp.json()["amount"] == "1200.01"
    offer = Offer.objects.get()
    assert offer.total_value == D("1200.01") and offer.proposed_value == D("1500.00")
    assert sum(line.value for line in OfferLine.objects.filter(offer=offer)) == D("1200.01")
    assert Case.objects.get(pk=approval.case_id).state == "in_progress"


def test_changing_above_own_limit_reroutes_the_request(org):
    approval = _pending(org, 1500)
    resp = _post(org.manager1, approval, "change", total_value="3000", reason="加上延保")
    body = resp.json()
    assert body["status"] == "pending" and body["approver_role"] == "regional_director"
    assert body["amount"] == "3000.00"
    assert _post(org.manager1, approval, "approve").status_code == 403
    assert _post(org.regional1, approval, "approve").status_code == 200


@pytest.mark.parametrize("value", ["-5", "abc", ""])
def test_change_refuses_bad_values(org, value):
    approval = _pending(org, 1500)
    assert _post(org.manager1, approval, "change", total_value=value,
                 reason="试试").status_code == 400


# Every role with a limit, one cent and one yuan above it.
ABOVE_LIMIT = [
    ("advisor1", "500.01"), ("advisor1", "501"),
    ("manager1", "2000.01"), ("manager1", "2001"),
    ("director1", "2000.01"), ("director1", "2001"),
    ("regional1", "5000.01"), ("regional1", "5001"),
]


@pytest.mark.parametrize(("username", "amount"), ABOVE_LIMIT)
@pytest.mark.parametrize("action", ["approve", "reject", "change"])
def test_every_role_is_refused_above_its_limit_through_the_api(org, username, amount,
                                                               action):
    approval = _pending(org, amount)
    body = {"reason": "x"} if action == "reject" else {"total_value": "100", "reason": "x"} \
        if action == "change" else {}
    resp = _post(getattr(org, username), approval, action, **body)
    assert resp.status_code == 403, resp.content
    approval.refresh_from_db()
    assert approval.status == "pending" and approval.amount == D(amount)


@pytest.mark.parametrize(("username", "amount"), ABOVE_LIMIT)
def test_every_role_is_refused_above_its_limit_through_the_admin(org, staff, username,
                                                                 amount):
    approval = _pending(org, amount)
    user = staff(getattr(org, username))
    client = Client()
    client.force_login(user)
    url = "/admin/compensation/approval/"
    resp = client.post(url, {"action": "approve_selected", "_selected_action": [approval.pk]},
                       follow=True)
    assert resp.status_code == 200
    approval.refresh_from_db()
    assert approval.status == "pending"
    assert any(m.level_tag == "error" for m in resp.context["messages"])
    # and the change form cannot edit anything
    assert client.post(f"{url}{approval.pk}/change/", {"status": "approved"}).status_code in (
        302, 403)
    approval.refresh_from_db()
    assert approval.status == "pending"


def test_the_admin_action_approves_within_the_users_limit(org, staff):
    approval = _pending(org, 1500)
    client = Client()
    client.force_login(staff(org.manager1))
    client.post("/admin/compensation/approval/",
                {"action": "approve_selected", "_selected_action": [approval.pk]})
    approval.refresh_from_db()
    assert approval.status == "approved" and approval.decided_by == org.manager1


@pytest.mark.parametrize(("username", "amount"), [("area1", "999999"), ("hq1", "999999")])
def test_unlimited_roles_approve_any_amount(org, username, amount):
    approval = _pending(org, amount)
    assert _post(getattr(org, username), approval, "approve").status_code == 200


def test_proposer_can_never_approve_their_own_offer_above_their_limit(org):
    approval = _pending(org, 2500, proposer=org.manager1)
    assert approval.approver_role == "regional_director"
    assert _post(org.manager1, approval, "approve").status_code == 403
    with pytest.raises(PermissionDenied):
        approval_approve(approval_id=approval.pk, actor=org.manager1)


def test_users_outside_the_cases_chain_are_refused(org):
    approval = _pending(org, 1500)
    for outsider in (org.manager2, org.regional_r2):
        assert _post(outsider, approval, "approve").status_code == 403


def test_a_superuser_without_a_role_has_no_authority(org, django_user_model):
    root = django_user_model.objects.create_superuser("root", "r@example.com", "pw")
    approval = _pending(org, 600)
    assert _post(root, approval, "approve").status_code == 403


def test_pending_list_shows_what_waits_for_the_caller(org):
    mine = _pending(org, 1500)
    _pending(org, 3000)
    _pending(org, 1500, store=org.S02, proposer=org.advisor2)
    ids = [a["id"] for a in api_as(org.manager1).get(
        "/api/v1/approvals/?status=pending").json()["results"]]
    assert ids == [mine.pk]
    assert api_as(org.manager2).get("/api/v1/approvals/?status=pending").json()["count"] == 1
    assert api_as(org.advisor1).get("/api/v1/approvals/?status=pending").json()["count"] == 0
    _post(org.manager1, mine, "approve")
    assert api_as(org.manager1).get("/api/v1/approvals/?status=pending").json()["count"] == 0
    assert api_as(org.manager1).get("/api/v1/approvals/?status=approved").json()["count"] == 1
    assert api_as(org.manager1).get("/api/v1/approvals/?status=bogus").status_code == 400


def test_pending_list_has_no_n_plus_one(org, django_assert_max_num_queries):
    for _ in range(4):
        _pending(org, 1500)
    client = api_as(org.manager1)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/approvals/?status=pending").json()["count"] == 4
