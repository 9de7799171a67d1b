"""Issue 19: one customer, one record. Phone numbers validated and stored one way; incidents and
intake match customers by number and external id; the incident form warns of the customer's open
case and its idempotency key makes Back and submit again land on the case it opened."""

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case, Customer, FailureType
from cases.phones import phone_normalize
from tests.conftest import api_as, client_for

PHONES = [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("008613812345678", "13812345678"),
    ("021-1234 5678", "02112345678"),
    ("+1 650 253 0000", "+16502530000"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "stored"), PHONES)
def test_phone_numbers_are_stored_one_way(raw, stored):
    assert phone_normalize(raw) == stored


@pytest.mark.parametrize("raw", ["abc-not-a-phone", "12345", "1381234567890123"])
def test_a_number_that_is_no_phone_number_is_refused(raw):
    with pytest.raises(ValidationError):
        phone_normalize(raw)


def test_a_plain_mobile_number_is_settled_as_the_parser_settles_it():
    """`phone_normalize` takes a plain Chinese mobile number as written, by phonenumbers'
    pattern, without parsing it: for every four-digit prefix, what it takes so is what parsing
    gives."""
    from cases.phones import _PLAIN_MOBILE, _phone_parsed

    taken = 0
    for prefix in range(1000, 2000):
        for rest in ("0000000", "4567890", "9999999"):
            raw = f"{prefix}{rest}"
            if _PLAIN_MOBILE.fullmatch(raw):
                taken += 1
                assert _phone_parsed(raw) == raw
    assert taken > 500
    with pytest.raises(ValidationError):
        phone_normalize("12012345678")  # no mobile number: parsed, and refused


def incident(user, **customer):
    return {"store": "S01", "failure_type": "attitude", "description": "态度差",
            "customer": {"name": "王先生", **customer}}


def form(org, **extra):
    return {"store": "S01", "customer_name": "王先生", "customer_phone": "138-1234-5678",
            "failure_type": FailureType.objects.get(code="attitude").pk,
            "description": "接待态度差", **extra}


def test_the_api_refuses_a_bad_phone_with_a_field_error_and_stores_nothing(org):
    before = (Case.objects.count(), Customer.objects.count())
    r = api_as(org.advisor1).post("/api/v1/cases/", incident(org.advisor1,
                                                             phone="abc-not-a-phone"),
                                  format="json")
    assert r.status_code == 400 and "phone" in r.json()["customer"]
    r = api_as(org.integration).post("/api/v1/survey-responses/", {
        "source": "dms", "external_id": "r-bad-phone", "store": "S01", "score": 2,
        "customer": {"external_id": "c-bad", "name": "李", "phone": "abc-not-a-phone"}},
        format="json")
    assert r.status_code == 400 and "phone" in r.json()["customer"]
    assert (Case.objects.count(), Customer.objects.count()) == before


def test_the_form_refuses_a_bad_phone_with_a_field_error(org):
    client = client_for(org.advisor1)
    r = client.post("/incidents/new/", form(org, customer_phone="abc-not-a-phone"))
    assert r.status_code == 200 and not Case.objects.exists()
    assert "abc-not-a-phone" in r.content.decode()
    assert r.context["form"].errors["customer_phone"]


def test_incidents_match_the_customer_by_number_however_it_is_typed(org):
    api = api_as(org.manager1)
    for phone in ("13812345678", "+86 138 1234 5678", "138-1234-5678"):
        r = api.post("/api/v1/cases/", incident(org.manager1, phone=phone), format="json")
        assert r.status_code == 201, r.content
    assert Customer.objects.get().phone == "13812345678"
    assert Case.objects.filter(customer=Customer.objects.get()).count() == 3


def test_a_survey_joins_the_customer_an_incident_recorded_without_an_id(org):
    api_as(org.manager1).post("/api/v1/cases/", incident(org.manager1, phone="13812345678"),
                              format="json")
    r = api_as(org.integration).post("/api/v1/survey-responses/", {
        "source": "dms", "external_id": "r-1", "store": "S02", "score": 9,
        "customer": {"external_id": "dms-42", "name": "王大锤", "phone": "138 1234 5678"}},
        format="json")
    assert r.status_code == 201, r.content
    assert Customer.objects.count() == 1
    assert Customer.objects.get().external_id == "dms-42"


def test_the_form_warns_of_the_customers_open_case_before_opening_another(org):
    client = client_for(org.advisor1)
    client.post("/incidents/new/", form(org, idempotency_key="k1"))
    case = Case.objects.get()
    r = client.post("/incidents/new/", form(org, customer_phone="13812345678",
                                            idempotency_key="k2"))
    page = r.content.decode()
    assert 'id="open-cases"' in page and case.number in page
    assert Case.objects.count() == 1
    client.post("/incidents/new/", form(org, idempotency_key="k2", confirm_new="on"))
    assert Case.objects.count() == 2
    assert Customer.objects.count() == 1


def test_back_and_submit_again_never_opens_a_second_case(org):
    client = client_for(org.advisor1)
    shown = client.get("/incidents/new/")
    key = shown.context["form"]["idempotency_key"].value()
    assert key and f'value="{key}"' in shown.content.decode()
    first = client.post("/incidents/new/", form(org, idempotency_key=key))
    again = client.post("/incidents/new/", form(org, idempotency_key=key), follow=True)
    case = Case.objects.get()
    assert first.url == again.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    assert "此报告已提交过" in again.content.decode()
    assert Customer.objects.count() == 1


def test_the_api_answers_a_repeated_idempotency_key_with_the_same_case(org):
    api = api_as(org.advisor1)
    body = incident(org.advisor1, phone="13812345678")
    first = api.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = api.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    # Another person's key is theirs: it opens their own case.
    other = api_as(org.manager1).post("/api/v1/cases/", body, format="json",
                                      HTTP_IDEMPOTENCY_KEY="abc")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
