"""The customer's language (issue 22): given at intake or on the case page, it is the language
of the messages sent to the customer and of their page."""

import pytest
from django.test import Client

from cases.models import Customer, SurveyResponse
from notifications.models import CustomerMessage
from portal.services import customer_consent_set, link_send
from tests.conftest import api_as, client_for

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/survey-responses/"


def _intake(org, n: str, **customer):
    return api_as(org.integration).post(INTAKE, {
        "source": "dms", "external_id": n, "store": "S01", "score": 6, "comment": "",
        "customer": {"external_id": f"c-{n}", "name": "Mr Smith", "phone": "13812345678",
                     **customer}}, format="json")


def test_the_survey_intake_takes_the_customers_language(org):
    assert _intake(org, "r1", language="en").status_code == 201
    assert Customer.objects.get(external_id="c-r1").language == "en"
    # BCP 47's spelling is the same language; a later response without one keeps it.
    assert _intake(org, "r2", language="zh-Hans").status_code == 201
    assert Customer.objects.get(external_id="c-r2").language == "zh-hans"
    assert _intake(org, "r3").status_code == 201
    assert Customer.objects.get(external_id="c-r3").language == "zh-hans"


def test_an_unknown_language_is_refused_and_nothing_is_stored(org):
    response = _intake(org, "r1", language="fr")
    assert response.status_code == 400
    assert "language" in response.json()["customer"]
    assert not Customer.objects.filter(external_id="c-r1").exists()
    assert not SurveyResponse.objects.exists()


def test_an_english_customer_gets_the_english_sms_and_page(contacted, org):
    customer_consent_set(case_id=contacted.pk, actor=org.manager1, opted_out=False,
                         preferred_channel="sms", language="en")
    _link, token = link_send(case_id=contacted.pk, actor=org.manager1, channel="sms")
    text = CustomerMessage.objects.get(case=contacted).text
    assert text.startswith(f"Dear {contacted.customer.name}") and "您好" not in text
    page = Client().get(f"/c/{token}/")
    assert page["Content-Language"] == "en"
    body = page.content.decode()
    assert "We contacted you" in body and "我们已联系您" not in body
    # The page's switch still works, and is remembered.
    browser = Client()
    assert "我们已联系您" in browser.get(f"/c/{token}/?lang=zh-hans").content.decode()
    assert "我们已联系您" in browser.get(f"/c/{token}/").content.decode()


def test_a_chinese_customer_gets_chinese_whatever_the_staff_reads(contacted, org):
    staff = client_for(org.manager1)
    staff.get("/?lang=en")  # the staff member reads English
    staff.post(f"/cases/{contacted.pk}/customer-link/", {"channel": "sms"})
    text = CustomerMessage.objects.get(case=contacted).text
    assert text.startswith(contacted.customer.name) and "您好" in text


def test_the_case_page_sets_the_language_and_refuses_an_unknown_one(contacted, org):
    staff = client_for(org.manager1)
    url = f"/cases/{contacted.pk}/customer-consent/"
    staff.post(url, {"preferred_channel": "sms", "language": "en"})
    contacted.customer.refresh_from_db()
    assert contacted.customer.language == "en"
    staff.post(url, {"preferred_channel": "sms", "language": "fr"})
    contacted.customer.refresh_from_db()
    assert contacted.customer.language == "en"
    page = staff.get(f"/cases/{contacted.pk}/").content.decode()
    assert '<option value="en" selected>English</option>' in page
