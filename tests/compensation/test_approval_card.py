"""The approval card (issue #20): an approver decides knowing the customer, the story, the
loss, what this case and this customer were already given and the options; a change edits the
items with a reason, recorded, re-routed above the approver's own limit."""

from datetime import timedelta
from decimal import Decimal as D

from django.utils import timezone

from cases.models import CaseEvent, FailureType
from compensation.models import Approval, Offer
from tests.conftest import api_as, client_for
from toolkit.models import CaseProfile

from .factories import contacted_case


def _offer(user, case, amount, **extra):
    return api_as(user).post(f"/api/v1/cases/{case.pk}/offers/",
                             {"items": [{"code": "voucher", "value": str(amount)}], **extra},
                             format="json").json()


def _story(org):
    """A case with a rejected offer, a pending one, and the customer's offer elsewhere."""
    earlier = contacted_case(store=org.S03, customer_id="card", actor=org.hq1, vip=True)
    _offer(org.hq1, earlier, 300)
    case = contacted_case(store=org.S01, customer_id="card", vip=True)
    case.description = "等了四个小时没人理"
    case.failure_type = FailureType.objects.get(code="time_delay")
    case.save(update_fields=["description", "failure_type"])
    CaseProfile.objects.create(case=case, emotion="angry")
    rejected = _offer(org.advisor1, case, 1500)
    api_as(org.manager1).post(f"/api/v1/approvals/{rejected['approval']['id']}/reject/",
                              {"reason": "太多了"}, format="json")
    pending = _offer(org.advisor1, case, 800, customer_loss="350")
    return case, Approval.objects.get(pk=pending["approval"]["id"])


def test_the_card_shows_what_the_approver_needs(org):
    case, approval = _story(org)
    card = api_as(org.manager1).get(f"/api/v1/approvals/{approval.pk}/").json()
    assert card["approval"]["id"] == approval.pk
    assert card["customer"]["vip"] is True and card["customer"]["cases"] == 2
    assert card["what_happened"]["comment"] == "等了四个小时没人理"
    assert card["what_happened"]["failure_type"] == "time_delay"
    assert card["what_happened"]["emotion"] == "angry"
    assert card["customer_loss"] == "350.00"
    assert card["case_total"] == "800.00"
    assert card["cumulative_amount"] == "1100.00"  # with the ¥300 on the other case
    [earlier] = card["earlier_offers"]
    assert earlier["status"] == "rejected" and earlier["reason"] == "太多了"
    assert card["customer_recent_total"] == "300.00"
    # The other case is at another store: its number is not shown to manager1.
    assert [o["case_number"] for o in card["customer_recent"]] == [None]
    assert [o["tier"] for o in card["quote"]["options"]] == ["basic", "expected", "surprise"]


def test_the_card_is_not_shown_outside_the_approvers_scope(org):
    _case, approval = _story(org)
    assert api_as(org.manager2).get(f"/api/v1/approvals/{approval.pk}/").status_code == 404


def test_the_approvals_page_shows_the_card(org):
    _case, approval = _story(org)
    page = client_for(org.manager1).get("/approvals/").content.decode()
    for text in ["等了四个小时没人理", "太多了", "¥350.00", "¥1100.00", "¥300.00"]:
        assert text in page, text
    # The three options by their names in the page's language.
    assert "基础" in page and "惊喜" in page and "Surprise" not in page


def test_old_compensation_falls_out_of_the_last_12_months(org):
    _case, approval = _story(org)
    Offer.objects.filter(case__store=org.S03).update(
        created_at=timezone.now() - timedelta(days=400))
    card = api_as(org.manager1).get(f"/api/v1/approvals/{approval.pk}/").json()
    assert card["customer_recent"] == [] and card["customer_recent_total"] == "0.00"


def test_a_change_edits_the_items_with_a_reason_and_is_recorded(org):
    _case, approval = _story(org)
    url = f"/api/v1/approvals/{approval.pk}/change/"
    items = [{"code": "voucher", "value": "500"}, {"code": "apology_visit"}]
    assert api_as(org.manager1).post(url, {"items": items}, format="json").status_code == 400
    resp = api_as(org.manager1).post(url, {"items": items, "reason": "客户更在意道歉"},
                                     format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "approved" and resp.json()["amount"] == "500.00"
    offer = Offer.objects.get(pk=approval.offer_id)
    assert [(x.code, x.value) for x in offer.lines.all()] == [
        ("voucher", D("500.00")), ("apology_visit", D("0.00"))]
    event = CaseEvent.objects.get(case=approval.case, data__compensation="approval_changed")
    assert event.data["reason"] == "客户更在意道歉"
    assert event.data["items_before"] == ["代金券 ¥800.00"]
    assert Approval.objects.get(pk=approval.pk).change_reason == "客户更在意道歉"


def test_a_change_above_the_approvers_limit_goes_on_to_the_person_who_can(org):
    _case, approval = _story(org)
    resp = api_as(org.manager1).post(
        f"/api/v1/approvals/{approval.pk}/change/",
        {"items": [{"code": "voucher", "value": "800"}, {"code": "loaner_car"},
                   {"code": "free_maintenance"}], "reason": "加代步车和保养"}, format="json")
    body = resp.json()
    assert body["status"] == "pending" and body["approver_role"] == "regional_director"
    assert body["amount"] == "1900.00"
    assert Approval.objects.get(pk=approval.pk).cumulative_amount == D("2200.00")
    event = CaseEvent.objects.get(case=approval.case, data__compensation="approval_rerouted")
    assert "陈区域" in event.note


def test_a_change_on_the_page_edits_items(org):
    _case, approval = _story(org)
    client = client_for(org.manager1)
    refused = client.post(f"/approvals/{approval.pk}/change/",
                          {"code": ["voucher", ""], "value": ["600", ""]})
    assert refused.status_code == 400
    client.post(f"/approvals/{approval.pk}/change/",
                {"code": ["voucher", "apology_call"], "value": ["600", ""],
                 "reason": "按客户要求"})
    approval.refresh_from_db()
    assert approval.status == "approved" and approval.amount == D("600.00")
    assert approval.change_reason == "按客户要求"
