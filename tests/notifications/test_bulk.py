"""`notifications_create_many` writes what one `notification_create` call per item writes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from notifications.models import Delivery, Notification, NotificationPreference, WebhookEndpoint
from notifications.services import notification_create, notifications_create_many
from tests.factories import open_case

pytestmark = pytest.mark.django_db


def _written(rows: list[Notification]) -> list[tuple]:
    """The rows and their deliveries, by recipient, case and channel instead of row ids."""
    batches = {}
    out = []
    for n in sorted(rows, key=lambda n: (n.case_id or 0, n.kind, n.recipient.username)):
        batch = batches.setdefault(n.batch, len(batches))
        deliveries = sorted((d.channel, d.endpoint_id or 0, d.next_attempt_at)
                            for d in Delivery.objects.filter(notification=n))
        out.append((n.recipient.username, n.case_id, n.kind, n.title, n.body, n.url, n.urgent,
                    n.params, batch, deliveries))
    return out


def test_many_writes_what_one_call_per_item_writes(org, time_machine):
    # Inside the default quiet hours: non-urgent mail waits, urgent mail does not.
    time_machine.move_to(datetime(2026, 3, 2, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    WebhookEndpoint.objects.create(name="region", node=org.R1, kind="generic",
                                   url="http://127.0.0.1:9/hook")
    NotificationPreference.objects.create(user=org.area1, email="urgent")
    first, second = open_case(store=org.S01, score=5), open_case(store=org.S05, score=5)
    Notification.objects.all().delete()
    items = [
        {"recipients": [org.regional1, org.regional1, None], "case": first, "kind": "escalated",
         "title": "2 h missed", "body": "note"},
        {"recipients": [org.manager1, org.area1], "case": first, "kind": "followup_due",
         "title": "follow up", "params": {"day": 3}},
        {"recipients": [org.area1], "case": second, "kind": "warned", "title": "soon",
         "urgent": True},
        {"recipients": [], "case": second, "kind": "escalated", "title": "nobody"},
    ]

    one_by_one = [n for item in items for n in notification_create(**item)]
    expected = _written(one_by_one)
    Notification.objects.all().delete()
    many = notifications_create_many(items)

    assert len(many) == len(one_by_one) == 4
    assert _written(many) == expected
    assert Delivery.objects.filter(channel="webhook").count() == 2  # one per batch that takes it
