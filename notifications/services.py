"""Writes of the notifications app. Notification rows and their deliveries are written in the
caller's transaction (the outbox); the worker sends them after commit."""

import uuid
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from cases.models import CaseEvent, CaseEventKind
from cases.selectors import watchers_of
from org.models import User

from .messages import message_render
from .models import Notification, NotificationPreference
from .outbox import deliveries_plan, deliveries_plan_many
from .preferences import preferences_for
from .recipients import recipients_for_event

# Kinds that are urgent whoever calls: an escalation always cuts through quiet hours.
ALWAYS_URGENT = {"escalated"}


def _notifications_write(*, rows: list[Notification],
                         preferences: dict[int, NotificationPreference] | None = None
                         ) -> list[Notification]:
    created = Notification.objects.bulk_create(rows)
    deliveries_plan(notifications=created, preferences=preferences)
    return created


def _notification_rows(*, recipients, case=None, event=None, kind: str, title: str,
                       body: str = "", urgent: bool = False, params: dict | None = None,
                       watchers: list[User] | None = None) -> list[Notification]:
    """`watchers`: the case's watchers, who hear of everything about it (read here when not
    given)."""
    url = case.get_absolute_url() if case else ""
    if case is not None and watchers is None:
        watchers = watchers_of(case_ids=[case.pk]).get(case.pk, [])
    unique = {u.pk: u for u in [*recipients, *(watchers or [])] if u is not None}
    batch = uuid.uuid4()
    return [
        Notification(recipient=u, case=case, event=event, kind=kind, title=title, body=body,
                     url=url, urgent=urgent or kind in ALWAYS_URGENT, batch=batch,
                     params=params or {})
        for u in unique.values()
    ]


def notification_create(*, recipients, case=None, event=None, kind: str, title: str,
                        body: str = "", urgent: bool = False, params: dict | None = None
                        ) -> list[Notification]:
    """One in-app notification per distinct recipient, and its e-mail/SMS/webhook deliveries.
    Call inside the transaction of the change it announces."""
    return _notifications_write(rows=_notification_rows(
        recipients=recipients, case=case, event=event, kind=kind, title=title, body=body,
        urgent=urgent, params=params))


def notifications_create_many(items: Iterable[dict]) -> list[Notification]:
    """`notification_create` for many announcements at once, each item its keyword arguments:
    the same rows, batches and deliveries, with one insert per table for them all. Call inside
    the transaction of the changes they announce."""
    items = list(items)
    watchers = watchers_of(case_ids={item["case"].pk for item in items if item.get("case")})
    batches = [_notification_rows(**item, watchers=watchers.get(item["case"].pk, [])
                                  if item.get("case") else None) for item in items]
    created = Notification.objects.bulk_create([n for batch in batches for n in batch])
    deliveries_plan_many(batches=batches)  # bulk_create gave the rows in `batches` their keys
    return created


def _event_params(event: CaseEvent) -> dict:
    if event.kind == CaseEventKind.RESCORED:
        return {"score_before": event.data.get("score_before"),
                "score_after": event.data.get("score_after")}
    return {}


def notify_case_event(*, event: CaseEvent) -> list[Notification]:
    """Announce the case events this app owns (opened, re-scored); escalation and compensation
    call `notification_create` for theirs. Titles are rendered in each reader's language."""
    recipients = recipients_for_event(event=event)
    if not recipients:
        return []
    case = event.case
    if event.kind != CaseEventKind.OPENED:  # a case just opened has no watchers yet
        recipients = list({u.pk: u for u in [
            *recipients, *watchers_of(case_ids=[case.pk]).get(case.pk, [])]}.values())
    url = case.get_absolute_url()
    batch = uuid.uuid4()
    # Every new case is urgent for the store's managers and its owner (seed 001: an urgent
    # alert for every trigger; SPEC §2: from L2 the manager calls personally).
    urgent = event.kind == CaseEventKind.OPENED
    body = case.description[:500] if event.kind == CaseEventKind.OPENED else event.note[:500]
    preferences = preferences_for(users=recipients)
    titles: dict[str, str] = {}
    rows = []
    for user in recipients:
        row = Notification(recipient=user, case=case, event=event, kind=event.kind, body=body,
                           url=url, urgent=urgent, batch=batch, params=_event_params(event))
        language = preferences[user.pk].language
        if language not in titles:
            titles[language] = message_render(notification=row, language=language).subject
        row.title = titles[language]
        rows.append(row)
    return _notifications_write(rows=rows, preferences=preferences)


def notifications_mark_read(*, user: User, ids=None) -> int:
    qs = Notification.objects.filter(Q(recipient=user), read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def preference_update(*, user: User, **fields) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(user=user,
                                                                           defaults=fields)
    return preference
