from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Delivery, DeliveryStatus, NotificationPreference
from tests.conftest import api_as
from tests.factories import open_case


def test_bell_counts_unread_and_mark_read_clears_it(org):
    open_case(store=org.S01, score=3)
    open_case(store=org.S01, score=5)
    client = api_as(org.manager1)

    assert client.get(reverse("api-notifications-unread-count")).json() == {"unread": 2}
    first = client.get(reverse("api-notifications")).json()["results"][0]
    client.post(reverse("api-notifications-read"), {"ids": [first["id"]]}, format="json")

    assert client.get(reverse("api-notifications-unread-count")).json() == {"unread": 1}
    unread = client.get(reverse("api-notifications"), {"unread": "1"}).json()["results"]
    assert [n["read"] for n in unread] == [False]


def test_notification_list_needs_a_fixed_number_of_queries(org):
    for _ in range(5):
        open_case(store=org.S01, score=3)
    client = api_as(org.manager1)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("api-notifications"))
    assert len(response.json()["results"]) == 5
    assert len(queries) <= 3


def test_user_sets_own_language_channels_and_quiet_hours(org):
    client = api_as(org.manager1)

    response = client.put(reverse("api-notifications-preferences"), {
        "language": "en", "email": "urgent", "sms": "off", "quiet_start": "21:00",
        "quiet_end": "07:30"}, format="json")

    assert response.status_code == 200, response.content
    preference = NotificationPreference.objects.get(user=org.manager1)
    assert (preference.language, preference.email, preference.sms) == ("en", "urgent", "off")
    assert client.get(reverse("api-notifications-preferences")).json()["quiet_end"] == "07:30:00"


def _fail(delivery: Delivery) -> Delivery:
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=6,
                                                   last_error="SMTP 421")
    return delivery


def test_staff_see_failed_deliveries_and_resend_them(org):
    case = open_case(store=org.S01, score=3)
    failed = _fail(Delivery.objects.filter(notification__case=case).first())
    client = api_as(org.admin)

    listed = client.get(reverse("api-deliveries-failed")).json()["results"]
    assert [d["id"] for d in listed] == [failed.pk] and listed[0]["last_error"] == "SMTP 421"

    response = client.post(reverse("api-delivery-resend", args=[failed.pk]))
    assert response.json() == {"resent": True}
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 0)


def test_people_without_staff_rights_cannot_resend(org):
    case = open_case(store=org.S01, score=3)
    failed = _fail(Delivery.objects.filter(notification__case=case).first())

    response = api_as(org.manager1).post(reverse("api-delivery-resend", args=[failed.pk]))

    assert response.status_code == 403


def test_admin_resend_action_queues_failed_deliveries_again(org, client):
    case = open_case(store=org.S01, score=3)
    failed = _fail(Delivery.objects.filter(notification__case=case).first())
    org.admin.is_superuser = True
    org.admin.save()
    client.force_login(org.admin)

    response = client.post(reverse("admin:notifications_delivery_changelist"),
                           {"action": "resend", "_selected_action": [failed.pk]})

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PENDING
    assert client.get(reverse("admin:notifications_delivery_change", args=[failed.pk])) \
        .status_code == 200
