"""Issued compensation (what, value, when, by whom), cost per recovery, and the admin."""

from decimal import Decimal as D

import pytest
from django.test import Client

from cases.models import Case
from compensation.models import IssuedCompensation, Offer
from compensation.selectors import cost_per_recovery
from tests.conftest import api_as

from .factories import contacted_case


def _approved_offer(org, *values):
    case = contacted_case(store=org.S01)
    items = [{"code": code, "value": v} for code, v in zip(["voucher", "gift"], values,
                                                               strict=False)]
    resp = api_as(org.advisor1).post(f"/api/v1/cases/{case.pk}/offers/", {"items": items},
                                     format="json")
    return Offer.objects.get(pk=resp.json()["id"])


def test_issuing_records_each_line_once_and_feeds_cost_per_recovery(org):
    offer = _approved_offer(org, "120.50", "80")
    other = contacted_case(store=org.S01)
    resp = api_as(org.advisor1).post(f"/api/v1/offers/{offer.pk}/issue/", {}, format="json")
    assert resp.status_code == 201
    assert [(i["code"], i["value"], i["issued_by"]) for i in resp.json()] == [
        ("voucher", "120.50", "advisor1"), ("gift", "80.00", "advisor1")]
    again = api_as(org.advisor1).post(f"/api/v1/offers/{offer.pk}/issue/", {}, format="json")
    assert again.json() == []
    assert IssuedCompensation.objects.count() == 2
    cases = Case.objects.filter(pk__in=[offer.case_id, other.pk])
    assert cost_per_recovery(cases=cases) == D("100.25")
    assert cost_per_recovery(cases=Case.objects.none()) == D("0.00")


def test_only_approved_offers_are_issued(org):
    offer = _approved_offer(org, "900")
    assert offer.status == "pending_approval"
    resp = api_as(org.manager1).post(f"/api/v1/offers/{offer.pk}/issue/", {}, format="json")
    assert resp.status_code == 409


@pytest.mark.parametrize("model", ["remedyitem", "baseplan", "coefficientfactor",
                                   "guidancerange", "authoritylimit", "compensationpolicy",
                                   "offer", "approval", "issuedcompensation"])
def test_every_model_has_an_admin_page(org, model):
    client = Client()
    client.force_login(org.admin.__class__.objects.create_superuser("su", "s@x.cn", "pw"))
    assert client.get(f"/admin/compensation/{model}/").status_code == 200


def test_configuration_is_editable_in_the_admin(org):
    from compensation.models import AuthorityLimit

    client = Client()
    client.force_login(org.admin.__class__.objects.create_superuser("su", "s@x.cn", "pw"))
    limit = AuthorityLimit.objects.get(role="advisor")
    resp = client.post(f"/admin/compensation/authoritylimit/{limit.pk}/change/",
                       {"role": "advisor", "limit": "800.00", "decision_window": ""})
    assert resp.status_code == 302
    limit.refresh_from_db()
    assert limit.limit == D("800.00")


def test_offer_admin_is_scoped_to_the_users_node(org, staff):
    _approved_offer(org, "100")
    client = Client()
    client.force_login(staff(org.manager2))
    resp = client.get("/admin/compensation/offer/")
    assert resp.status_code == 200 and resp.context["cl"].result_count == 0
