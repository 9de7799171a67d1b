import base64
import json
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from notifications import conf
from notifications.models import Delivery, DeliveryStatus, NotificationPreference
from notifications.outbox import (
    deliveries_due,
    delivery_attempt,
    delivery_claim,
    delivery_resend,
)
from notifications.selectors import deliveries_failed
from notifications.tasks import deliver, deliveries_pickup
from tests.factories import open_case

from .conftest import DEAD_BROKER_URL, REDIS_TEST_URL


class FlakySmtpBackend(BaseEmailBackend):
    """Stands in for an SMTP server that drops the connection `failures` times."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, messages):
        if FlakySmtpBackend.failures > 0:
            FlakySmtpBackend.failures -= 1
            raise FlakySmtpBackend.error
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakySmtpBackend"
    FlakySmtpBackend.failures = 0
    FlakySmtpBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    return FlakySmtpBackend


def _manager_email(org, case) -> Delivery:
    return Delivery.objects.get(notification__case=case, notification__recipient=org.manager1,
                                channel="email")


def test_email_carries_case_number_customer_score_level_deadline_and_link(org, settings):
    case = open_case(store=org.S01, score=3)
    delivery = _manager_email(org, case)

    assert delivery_attempt(delivery_id=delivery.pk) is True

    [email] = mail.outbox
    assert email.to == [org.manager1.email]
    assert case.number in email.subject and "L3" in email.subject
    for text in (case.number, case.customer.name, "评分：3", "L3", "下一个时限",
                 f"{settings.SITE_URL}/cases/{case.pk}/"):
        assert text in email.body
    assert email.extra_headers["X-Recovery-Delivery"] == delivery.key
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    assert delivery.attempt_log.get().ok


def test_email_in_english_for_a_reader_who_chose_english(org):
    NotificationPreference.objects.create(user=org.manager1, language="en")
    case = open_case(store=org.S01, score=3)

    delivery_attempt(delivery_id=_manager_email(org, case).pk)

    assert "Open the case:" in mail.outbox[0].body and "Customer:" in mail.outbox[0].body


def test_a_retried_or_duplicated_task_never_sends_twice(org):
    case = open_case(store=org.S01, score=3)
    delivery = _manager_email(org, case)

    assert deliver(delivery.pk) == 1
    assert deliver(delivery.pk) == 0
    delivery_attempt(delivery_id=delivery.pk)

    assert len(mail.outbox) == 1


def test_delivery_claimed_by_another_worker_is_left_alone(org):
    case = open_case(store=org.S01, score=3)
    delivery = _manager_email(org, case)
    assert delivery_claim(delivery=delivery)

    assert delivery_attempt(delivery_id=delivery.pk) is False
    assert mail.outbox == []


def test_transient_failure_retries_with_exponential_back_off(org, flaky_smtp):
    flaky_smtp.failures = 2
    case = open_case(store=org.S01, score=3)
    delivery = _manager_email(org, case)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at == start + conf.BACKOFF_BASE
    assert "SMTP" in delivery.last_error

    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        assert delivery_attempt(delivery_id=delivery.pk) is False  # not due yet

    second = start + conf.BACKOFF_BASE
    with time_machine.travel(second, tick=False):
        delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == second + 2 * conf.BACKOFF_BASE

    with time_machine.travel(delivery.next_attempt_at, tick=False):
        delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert [a.ok for a in delivery.attempt_log.all()] == [False, False, True]
    assert len(mail.outbox) == 1


def test_after_the_last_retry_the_delivery_is_failed_shown_and_can_be_resent(org, flaky_smtp):
    flaky_smtp.failures = conf.MAX_ATTEMPTS
    case = open_case(store=org.S01, score=3)
    delivery = _manager_email(org, case)

    now = timezone.now()
    for _attempt in range(conf.MAX_ATTEMPTS):
        with time_machine.travel(now, tick=False):
            assert delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        now = delivery.next_attempt_at

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, conf.MAX_ATTEMPTS)
    assert list(deliveries_failed(user=org.admin)) == [delivery]
    assert list(deliveries_failed(user=org.manager2)) == []

    assert delivery_resend(delivery=delivery) is True
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_a_refused_recipient_fails_at_once(org, flaky_smtp):
    flaky_smtp.failures = 1
    flaky_smtp.error = smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")})
    case = open_case(store=org.S01, score=3)
    delivery = _manager_email(org, case)

    delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)


def test_a_worker_that_died_mid_send_is_released_by_the_pick_up(org):
    case = open_case(store=org.S01, score=3)
    delivery = _manager_email(org, case)
    delivery_claim(delivery=delivery)

    later = timezone.now() + conf.STALE_CLAIM + timedelta(seconds=1)
    assert delivery.pk in deliveries_due(now=later)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


def test_the_broker_s_redelivery_of_a_dead_worker_s_task_sends_it_once(org):
    case = open_case(store=org.S01, score=3)
    delivery = _manager_email(org, case)
    delivery_claim(delivery=delivery)  # the worker that took it died before sending

    assert deliver(delivery.pk) == 0  # a live claim is left alone
    with time_machine.travel(timezone.now() + conf.STALE_CLAIM + timedelta(seconds=1)):
        assert deliver(delivery.pk) == 1
        assert deliver(delivery.pk) == 0
    assert len(mail.outbox) == 1


class WorkerKilled(BaseException):
    """Stands in for the worker dying (SIGKILL, OOM) in the middle of a send."""


class DyingSmtpBackend(BaseEmailBackend):
    sent = 0

    def send_messages(self, messages):
        if DyingSmtpBackend.sent == 1:
            raise WorkerKilled
        DyingSmtpBackend.sent += 1
        mail.outbox.extend(messages)
        return len(messages)


def test_a_delivery_sent_before_the_worker_died_mid_batch_keeps_its_try_in_the_history(
        org, settings):
    settings.EMAIL_BACKEND = f"{__name__}.DyingSmtpBackend"
    DyingSmtpBackend.sent = 0
    first, second = (_manager_email(org, open_case(store=org.S01, score=3)) for _ in range(2))

    with pytest.raises(WorkerKilled):
        deliver(first.pk, second.pk)

    first.refresh_from_db()
    assert first.status == DeliveryStatus.SENT
    assert [a.ok for a in first.attempt_log.all()] == [True]
    assert not second.attempt_log.exists()


def test_sms_log_masks_the_phone_number(org, caplog):
    org.manager1.phone = "13812345678"
    org.manager1.save()
    case = open_case(store=org.S01, score=3)
    sms = Delivery.objects.get(notification__case=case, channel="sms")

    with caplog.at_level("INFO", logger="notifications.transports"):
        delivery_attempt(delivery_id=sms.pk)

    assert "138****5678" in caplog.text and "13812345678" not in caplog.text


def test_management_command_sends_everything_due_without_a_worker(org):
    open_case(store=org.S01, score=3)

    call_command("notifications_deliver", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert len(mail.outbox) == 2


def _queued_delivery_ids(redis_client) -> list[int]:
    """Read the task messages Celery left in Redis, as a worker would."""
    ids = []
    for raw in redis_client.lrange("celery", 0, -1):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        ids.extend(args)
    return ids


def test_deliveries_stored_while_redis_was_down_go_out_when_it_is_back(
        org, broker, redis_broker, django_capture_on_commit_callbacks):
    broker(DEAD_BROKER_URL)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(store=org.S01, score=3)
    assert redis_broker.llen("celery") == 0

    broker(REDIS_TEST_URL)
    with time_machine.travel(timezone.now() + conf.PICKUP_GRACE, tick=False):
        assert deliveries_pickup() == 2

    ids = _queued_delivery_ids(redis_broker)
    assert sorted(ids) == sorted(Delivery.objects.filter(notification__case=case)
                                 .values_list("pk", flat=True))
    for pk in ids + ids:  # a redelivered message changes nothing
        deliver(pk)
    assert sorted(m.to[0] for m in mail.outbox) == [org.director1.email, org.manager1.email]


def test_after_commit_the_deliveries_are_queued_on_redis(
        org, redis_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(store=org.S01, score=3)

    # The deliveries of one commit travel in one task message.
    assert redis_broker.llen("celery") == 1
    assert sorted(_queued_delivery_ids(redis_broker)) == sorted(
        Delivery.objects.filter(notification__case=case).values_list("pk", flat=True))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_delivery_send_it_once(org):
    import threading

    from django.db import connection

    case = open_case(store=org.S01, score=3)
    delivery = _manager_email(org, case)
    barrier = threading.Barrier(4)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(delivery_attempt(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1


def test_a_lagging_worker_s_backlog_is_queued_again_in_few_tasks_that_send_nothing_twice(
        org, monkeypatch):
    """The worker is behind: its deliveries wait in the broker past the pick-up's grace. The
    pick-up queues them again, in tasks of a chunk (not one task per row), and when the late
    tasks run, what the first ones sent is neither read nor sent again."""
    cases = [open_case(store=org.S01, score=3) for _ in range(12)]
    waiting = list(Delivery.objects.filter(notification__case__in=cases).order_by("pk"))
    assert len(waiting) > 20
    queued = []
    monkeypatch.setattr(deliver, "apply_async",
                        lambda args, retry: queued.append(list(args)))
    with time_machine.travel(timezone.now() + conf.PICKUP_GRACE + timedelta(seconds=1)):
        assert deliveries_pickup() == len(waiting)
        assert [len(ids) for ids in queued] == [20] * (len(waiting) // 20) + (
            [len(waiting) % 20] if len(waiting) % 20 else [])
        mail.outbox.clear()
        for ids in queued:
            deliver.run(*ids)
        sent_once = len(mail.outbox)
        for ids in queued:  # the on_commit tasks, late
            assert deliver.run(*ids) == 0
    assert len(mail.outbox) == sent_once
    assert not Delivery.objects.filter(pk__in=[d.pk for d in waiting]).exclude(
        status=DeliveryStatus.SENT).exists()
