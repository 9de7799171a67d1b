"""Issue 15: the holes an attack on a fresh instance found, each replayed through the API."""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case, Customer, IntakeSource, SurveyResponse
from org.models import Role
from org.services import user_upsert
from tests.conftest import PASSWORD, api_as

SURVEY = "/api/v1/survey-responses/"
INCIDENT = "/api/v1/cases/"


@pytest.fixture
def s01_vip(org):
    """S01's VIP customer, known through the survey system, with a profile S01 keeps."""
    answer = api_as(org.integration).post(SURVEY, {
        "source": "dms", "external_id": "R-vip-1", "store": "S01", "score": 3,
        "comment": "等了很久",
        "customer": {"external_id": "vip-b20312", "name": "李先生", "phone": "13812345678",
                     "vip": True},
        "service_record": {"order_number": "RO-S01-1", "service_type": "保养",
                           "amount": "800.00"},
    }, format="json")
    assert answer.status_code == 201, answer.content
    customer = Customer.objects.get(external_id="vip-b20312")
    assert api_as(org.manager1).put(f"/api/v1/customers/{customer.pk}/", {
        "birthday": "1980-05-04", "vehicle": "沪A12345 宝马X5", "preferences": "上午来电"},
        format="json").status_code == 200
    return customer


def _unchanged(customer):
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.name, fresh.phone, fresh.vip) == ("李先生", "13812345678", True)


def test_another_store_cannot_overwrite_a_customer_by_its_id(org, s01_vip):
    answer = api_as(org.advisor2).post(INCIDENT, {
        "store": "S02", "description": "walk-in",
        "customer": {"external_id": "vip-b20312", "name": "attacker", "phone": "13000000000",
                     "vip": False}}, format="json")
    assert answer.status_code == 400
    assert "customer" in answer.json()
    _unchanged(s01_vip)
    assert not Case.objects.filter(store=org.S02).exists()
    # Nothing of the customer became visible to the other store.
    assert api_as(org.advisor2).get(f"/api/v1/customers/{s01_vip.pk}/").status_code == 404


def test_another_store_links_the_customer_it_knows_and_learns_nothing_more(org, s01_vip):
    answer = api_as(org.advisor2).post(INCIDENT, {
        "store": "S02", "description": "洗车时划伤了车门",
        "customer": {"external_id": "vip-b20312", "name": "李四", "phone": "138-1234-5678"}},
        format="json")
    assert answer.status_code == 201, answer.content
    case = Case.objects.get(pk=answer.json()["id"])
    assert case.customer_id == s01_vip.pk  # the history joins up
    _unchanged(s01_vip)
    seen = api_as(org.advisor2).get(f"/api/v1/customers/{s01_vip.pk}/").json()
    assert [c["id"] for c in seen["cases"]] == [case.pk]
    assert seen["visits"] == [] and seen["repeat_problems"] == []
    assert seen["compensation_received"] in (None, "0.00")
    assert "RO-S01-1" not in json.dumps(seen, ensure_ascii=False)
    # Someone who sees both stores sees everything.
    whole = api_as(org.hq1).get(f"/api/v1/customers/{s01_vip.pk}/").json()
    assert len(whole["cases"]) == 2 and len(whole["visits"]) == 1


def test_a_regional_source_cannot_overwrite_a_customer_of_another_region(org, s01_vip):
    account = user_upsert(username="dms-r3", password=PASSWORD, role=Role.REGIONAL_DIRECTOR,
                          node=org.R3)
    IntakeSource.objects.create(code="dms-r3", name="DMS 广州", account=account,
                                signed_only=False)
    answer = api_as(account).post(SURVEY, {
        "source": "dms-r3", "external_id": "R3-1", "store": "S02", "score": 2,
        "customer": {"external_id": "vip-b20312", "name": "attacker", "phone": "13000000000",
                     "vip": False}}, format="json")
    assert answer.status_code == 400
    _unchanged(s01_vip)
    assert not SurveyResponse.objects.filter(source="dms-r3").exists()


def test_an_incident_in_scope_updates_the_customer_but_never_demotes_a_vip(org, s01_vip):
    answer = api_as(org.advisor1).post(INCIDENT, {
        "store": "S01", "description": "取车时等了一小时",
        "customer": {"external_id": "vip-b20312", "name": "李建国", "phone": "13812345678"}},
        format="json")
    assert answer.status_code == 201, answer.content
    fresh = Customer.objects.get(pk=s01_vip.pk)
    assert (fresh.name, fresh.vip) == ("李建国", True)


@pytest.mark.parametrize("username", ["advisor1", "manager1", "hq1"])
def test_staff_cannot_post_survey_responses_so_ids_cannot_be_squatted(org, username):
    squat = api_as(getattr(org, username)).post(SURVEY, {
        "source": "dms", "external_id": "R-x", "store": "S01", "score": 10,
        "customer": {"external_id": "c-squat", "name": "王先生"}}, format="json")
    assert squat.status_code == 403
    assert not SurveyResponse.objects.exists()
    # The survey system's real R-x then opens its case.
    real = api_as(org.integration).post(SURVEY, {
        "source": "dms", "external_id": "R-x", "store": "S01", "score": 0,
        "comment": "投诉 12315", "customer": {"external_id": "c-squat", "name": "王先生"}},
        format="json")
    assert real.status_code == 201
    assert real.json()["case"] is not None


def test_a_source_account_speaks_only_for_its_own_source(org):
    other = user_upsert(username="medallia", password=PASSWORD, role=Role.HQ, node=org.HQ)
    IntakeSource.objects.create(code="medallia", name="Medallia", account=other,
                                signed_only=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=other)}")
    squat = client.post(SURVEY, {
        "source": "dms", "external_id": "R-y", "store": "S01", "score": 10,
        "customer": {"external_id": "c-y", "name": "赵女士"}}, format="json")
    assert squat.status_code == 403
    assert not SurveyResponse.objects.exists()
