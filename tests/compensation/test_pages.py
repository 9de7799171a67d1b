"""The approval queue and the offer pages enforce the same limits and scope as the API."""

from decimal import Decimal

import pytest

from compensation.models import Approval, IssuedCompensation, Offer
from compensation.services import ItemChoice, offer_create
from tests.compensation.factories import contacted_case
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(org):
    case = contacted_case(store=org.S01, score=2)
    offer = offer_create(case_id=case.pk, actor=org.manager1,
                         items=[ItemChoice(code="voucher", value=Decimal("3000"))])
    return Approval.objects.get(offer=offer)


def test_queue_lists_the_approval_for_the_regional_director_only(org, pending):
    assert pending.case.number in client_for(org.regional1).get("/approvals/").content.decode()
    assert pending.case.number not in client_for(org.manager1).get(
        "/approvals/").content.decode()


def test_sa_cannot_approve(org, pending):
    response = client_for(org.advisor1).post(f"/approvals/{pending.pk}/approve/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_director_outside_the_chain_cannot_approve(org, pending):
    outsider = next(u for u in org.users.values()
                    if u.role == "regional_director" and u.node != org.regional1.node)
    response = client_for(outsider).post(f"/approvals/{pending.pk}/approve/")
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_regional_director_approves_in_one_click(org, pending):
    response = client_for(org.regional1).post(f"/approvals/{pending.pk}/approve/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert pending.case.__class__.objects.get(pk=pending.case_id).state == "in_progress"


def test_reject_needs_a_reason(org, pending):
    response = client_for(org.regional1).post(f"/approvals/{pending.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == "pending"
    client_for(org.regional1).post(f"/approvals/{pending.pk}/reject/", {"reason": "太高"})
    pending.refresh_from_db()
    assert pending.status == "rejected" and pending.reason == "太高"


def test_change_amount_keeps_the_typed_value_on_error(org, pending):
    response = client_for(org.regional1).post(f"/approvals/{pending.pk}/change/",
                                              {"total_value": "-5", "reason": "客户同意"})
    assert response.status_code == 400 and "-5" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending" and pending.amount == Decimal("3000.00")
    client_for(org.regional1).post(f"/approvals/{pending.pk}/change/",
                                   {"total_value": "2500", "reason": "客户同意"})
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.amount == Decimal("2500.00")


def test_offer_page_post_creates_the_chosen_tier(org):
    case = contacted_case(store=org.S01, score=2)
    response = client_for(org.manager1).post(f"/cases/{case.pk}/offers/", {"tier": "basic"})
    assert response.status_code == 302
    assert Offer.objects.get(case=case).tier == "basic"


def test_offer_without_a_choice_shows_an_error(org):
    case = contacted_case(store=org.S01, score=2)
    response = client_for(org.manager1).post(f"/cases/{case.pk}/offers/", {"note": "想一想"})
    assert response.status_code == 400 and "想一想" in response.content.decode()
    assert not Offer.objects.exists()


def test_sa_instant_compensation_within_limit_is_issued(org):
    case = contacted_case(store=org.S01, score=6)
    client = client_for(org.advisor1)
    assert client.get(f"/cases/{case.pk}/compensate/").status_code == 200
    response = client.post(f"/cases/{case.pk}/compensate/", {"items": ["car_wash"]})
    assert response.status_code == 302
    assert IssuedCompensation.objects.filter(case=case).exists()


def test_sa_cannot_compensate_an_l2_case(org):
    case = contacted_case(store=org.S01, score=2)
    response = client_for(org.advisor1).post(f"/cases/{case.pk}/compensate/",
                                             {"tier": "basic"})
    assert response.status_code == 400
    assert not Offer.objects.exists()
