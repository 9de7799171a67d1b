"""Staff send the customer's page from the case page: through the outbox, in the case's words,
on the timeline, never to a customer who opted out."""

import pytest
from django.core.exceptions import ValidationError

from cases.models import CaseEvent
from notifications import conf as notify_conf
from notifications.models import CustomerMessage, Delivery
from portal.models import CustomerLink
from portal.services import customer_consent_set, link_send
from tests.conftest import api_as, client_for

pytestmark = pytest.mark.django_db


def test_sending_by_sms_writes_the_message_its_delivery_and_a_timeline_event(contacted, org):
    _link, token = link_send(case_id=contacted.pk, actor=org.manager1, channel="sms")
    message = CustomerMessage.objects.get(case=contacted)
    assert message.to == contacted.customer.phone and message.sent_by == org.manager1
    assert contacted.customer.name in message.text and f"/c/{token}/" in message.text
    delivery = Delivery.objects.get(customer_message=message)
    assert delivery.channel == "sms" and delivery.key == f"sms:customer:{message.pk}"
    event = CaseEvent.objects.get(case=contacted, data__portal="message_sent")
    assert event.data["channel"] == "sms"
    # The timeline shows what was sent, but not the key to the customer's page.
    assert event.note == message.text.replace(token, "…") and token not in event.note
    assert CustomerLink.objects.get(case=contacted).channel == "sms"


def test_no_message_to_a_customer_who_opted_out(contacted, org):
    customer_consent_set(case_id=contacted.pk, actor=org.manager1, opted_out=True,
                         preferred_channel="sms")
    assert CaseEvent.objects.filter(case=contacted, data__portal="consent").count() == 1
    for channel in ("sms", "wechat"):
        with pytest.raises(ValidationError):
            link_send(case_id=contacted.pk, actor=org.manager1, channel=channel)
    response = api_as(org.manager1).post(f"/api/v1/cases/{contacted.pk}/customer-link/",
                                         {"channel": "sms"}, format="json")
    assert response.status_code == 400
    assert not CustomerMessage.objects.exists()
    assert not Delivery.objects.filter(customer_message__isnull=False).exists()
    assert not CustomerLink.objects.exists()
    # The link can still be made and handed over in person.
    response = api_as(org.manager1).post(f"/api/v1/cases/{contacted.pk}/customer-link/",
                                         {"channel": "copied"}, format="json")
    assert response.status_code == 201


def test_wechat_needs_the_customers_wecom_contact(contacted, org):
    with pytest.raises(ValidationError):
        link_send(case_id=contacted.pk, actor=org.manager1, channel="wechat")
    customer_consent_set(case_id=contacted.pk, actor=org.manager1, opted_out=False,
                         preferred_channel="wechat", wecom_external_userid="wmABC")
    link_send(case_id=contacted.pk, actor=org.manager1, channel="wechat")
    assert CustomerMessage.objects.get(case=contacted).to == "wmABC"


def test_sms_switched_off_sends_nothing(contacted, org, monkeypatch):
    monkeypatch.setattr(notify_conf, "SMS_PROVIDER", "")
    with pytest.raises(ValidationError):
        link_send(case_id=contacted.pk, actor=org.manager1, channel="sms")
    assert not CustomerMessage.objects.exists()


def test_the_case_page_sends_and_revokes_the_link(contacted, org):
    client = client_for(org.manager1)
    page = client.get(f"/cases/{contacted.pk}/").content.decode()
    assert 'id="customer-page"' in page
    response = client.post(f"/cases/{contacted.pk}/customer-link/", {"channel": "sms"})
    assert response.status_code == 302
    assert CustomerMessage.objects.filter(case=contacted).count() == 1
    page = client.get(f"/cases/{contacted.pk}/").content.decode()
    assert "customer-link/revoke/" in page
    Delivery.objects.filter(customer_message__case=contacted).update(
        status="failed", last_error="Aliyun SMS isv.MOBILE_NUMBER_ILLEGAL: 非法手机号")
    page = client.get(f"/cases/{contacted.pk}/").content.decode()
    assert "isv.MOBILE_NUMBER_ILLEGAL" in page  # a failed send shows where it was made
    client.post(f"/cases/{contacted.pk}/customer-link/revoke/")
    assert not CustomerLink.objects.filter(case=contacted, revoked_at__isnull=True).exists()


def test_a_copied_link_is_shown_once_to_the_one_who_made_it(contacted, org):
    client = client_for(org.manager1)
    response = client.post(f"/cases/{contacted.pk}/customer-link/", {"channel": "copied"},
                           follow=True)
    assert "/c/" in response.content.decode()
    assert "/c/" not in client.get(f"/cases/{contacted.pk}/").content.decode()
    assert not CustomerMessage.objects.exists()


def test_staff_outside_the_case_cannot_send_or_revoke(contacted, org):
    client = client_for(org.manager2)
    assert client.post(f"/cases/{contacted.pk}/customer-link/",
                       {"channel": "sms"}).status_code == 404
    assert client.post(f"/cases/{contacted.pk}/customer-consent/",
                       {"opted_out": "on", "preferred_channel": "sms"}).status_code == 404
    assert not CustomerMessage.objects.exists()
    contacted.customer.refresh_from_db()
    assert contacted.customer.contact_opted_out_at is None


def test_the_share_button_shows_a_photo_to_the_customer(contacted, org):
    from tests.portal.test_customer_page import _photo

    photo = _photo(contacted, org.manager1, shared=False)
    client = client_for(org.manager1)
    client.post(f"/attachments/{photo.pk}/share/", {"shared": "1"})
    photo.refresh_from_db()
    assert photo.shared_with_customer
    assert client_for(org.manager2).post(f"/attachments/{photo.pk}/share/",
                                         {"shared": "0"}).status_code == 404
    photo.refresh_from_db()
    assert photo.shared_with_customer


def test_erasing_the_customer_erases_what_was_sent_to_them_and_their_comment(contacted, org):
    from cases.privacy import customer_erase, customer_export
    from portal.models import CustomerReply

    customer_consent_set(case_id=contacted.pk, actor=org.manager1, opted_out=False,
                         preferred_channel="wechat", wecom_external_userid="wmSECRET1")
    link_send(case_id=contacted.pk, actor=org.manager1, channel="sms")
    CustomerReply.objects.create(case=contacted, comment="我家住在幸福路十号")
    exported = customer_export(customer=contacted.customer)
    assert exported["messages"][0]["to"] == contacted.customer.phone
    assert exported["customer"]["wecom_external_userid"] == "wmSECRET1"
    name = contacted.customer.name
    customer_erase(customer=contacted.customer, actor=org.hq1)
    message = CustomerMessage.objects.get(case=contacted)
    assert message.to == "" and name not in message.text
    assert CustomerReply.objects.get(case=contacted).comment == "[已删除]"
    contacted.customer.refresh_from_db()
    assert contacted.customer.wecom_external_userid == ""
    timeline = " ".join(CaseEvent.objects.filter(case=contacted).values_list("note", flat=True))
    assert name not in timeline
