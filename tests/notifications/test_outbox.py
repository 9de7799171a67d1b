import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from notifications.models import Delivery, DeliveryStatus, Notification, NotificationPreference
from notifications.outbox import deliveries_due
from notifications.services import notification_create
from tests.factories import open_case

from .conftest import DEAD_BROKER_URL

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Boom(Exception):
    pass


def test_rolling_back_the_case_leaves_no_notification_and_no_delivery(org):
    with pytest.raises(Boom), transaction.atomic():
        open_case(store=org.S01, score=3)
        assert Notification.objects.exists() and Delivery.objects.exists()
        raise Boom

    assert not Case.objects.exists()
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_deliveries_are_queued_only_after_commit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        case = open_case(store=org.S01, score=3)

    assert len(callbacks) == 1
    assert Delivery.objects.filter(notification__case=case, status="pending").count() == 2


def test_notification_create_keeps_its_signature_and_fans_out(org):
    case = open_case(store=org.S01, score=5)

    rows = notification_create(recipients=[org.regional1, org.regional1, None], case=case,
                               kind="approval_requested", title="审批 ¥2000", body="赔偿方案")

    assert [n.recipient for n in rows] == [org.regional1]
    assert rows[0].url == f"/cases/{case.pk}/" and rows[0].urgent is False
    assert Delivery.objects.get(notification=rows[0]).key == f"email:{rows[0].pk}"


def test_escalations_are_urgent_whoever_creates_them(org):
    case = open_case(store=org.S01, score=5)

    rows = notification_create(recipients=[org.regional1], case=case, kind="escalated",
                               title="2h breach")

    assert rows[0].urgent is True


def test_sms_goes_to_people_with_a_phone_for_urgent_events_only(org):
    org.manager1.phone = "13812345678"
    org.manager1.save()

    case = open_case(store=org.S01, score=6, customer_id="sms")  # every new case is urgent
    open_case(store=org.S01, score=8, customer_id="sms")  # a re-score is not

    def channels(kind):
        return set(Delivery.objects.filter(notification__case=case, notification__kind=kind,
                                           notification__recipient=org.manager1)
                   .values_list("channel", flat=True))

    assert channels("opened") == {"email", "sms"}
    assert channels("rescored") == {"email"}


def test_a_user_who_turned_email_off_gets_in_app_only(org):
    NotificationPreference.objects.create(user=org.manager1, email="off")

    case = open_case(store=org.S01, score=3)

    assert Notification.objects.filter(case=case, recipient=org.manager1).exists()
    assert not Delivery.objects.filter(notification__recipient=org.manager1).exists()


@time_machine.travel(datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI), tick=False)
def test_quiet_hours_hold_non_urgent_mail_until_morning(org):
    case = open_case(store=org.S01, score=6, customer_id="quiet")
    open_case(store=org.S01, score=8, customer_id="quiet")  # the re-score is not urgent

    delivery = Delivery.objects.get(notification__case=case, notification__kind="rescored",
                                    notification__recipient=org.manager1)
    assert delivery.next_attempt_at == datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI)


@time_machine.travel(datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI), tick=False)
def test_urgent_events_ignore_quiet_hours(org):
    case = open_case(store=org.S01, score=5)

    delivery = Delivery.objects.get(notification__case=case, notification__recipient=org.manager1)
    assert delivery.next_attempt_at == timezone.now()


@time_machine.travel(datetime(2026, 3, 2, 13, 0, tzinfo=SHANGHAI), tick=False)
def test_own_quiet_hours_replace_the_default(org):
    NotificationPreference.objects.create(user=org.manager1, quiet_start=time(12, 0),
                                          quiet_end=time(14, 0))

    case = open_case(store=org.S01, score=6, customer_id="own")
    open_case(store=org.S01, score=8, customer_id="own")  # the re-score is not urgent

    delivery = Delivery.objects.get(notification__case=case, notification__kind="rescored",
                                    notification__recipient=org.manager1)
    assert delivery.next_attempt_at == datetime(2026, 3, 2, 14, 0, tzinfo=SHANGHAI)


def test_broker_down_when_a_case_opens_keeps_case_and_notifications(
        org, broker, caplog, django_capture_on_commit_callbacks):
    broker(DEAD_BROKER_URL)

    with caplog.at_level(logging.WARNING, logger="notifications.outbox"):
        with django_capture_on_commit_callbacks(execute=True):
            case = open_case(store=org.S01, score=3)

    assert Case.objects.filter(pk=case.pk).exists()
    assert Notification.objects.filter(case=case).count() == 2
    assert set(Delivery.objects.filter(notification__case=case)
               .values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert "Broker unavailable, 2 deliveries left for the pick-up" in caplog.text


def test_pick_up_finds_deliveries_the_broker_lost_once_the_grace_has_passed(org):
    case = open_case(store=org.S01, score=3)
    ids = set(Delivery.objects.filter(notification__case=case).values_list("pk", flat=True))

    assert deliveries_due() == []
    later = timezone.now() + timezone.timedelta(seconds=16)
    assert set(deliveries_due(now=later)) == ids
