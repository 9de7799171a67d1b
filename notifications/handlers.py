"""Announcing case events (registered in `NotificationsConfig.ready`): the events this app owns
(opened, re-scored…), the colleagues a note @mentions, a new owner. Escalation and compensation
announce theirs themselves, with the recipients they work out."""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from cases.models import CaseEvent, CaseEventKind
from cases.services import mentioned_users

from .services import notification_create, notify_case_event


def _mentions_notify(*, event: CaseEvent) -> None:
    people = [u for u in mentioned_users(case=event.case, text=event.note)
              if u.pk != event.actor_id]
    if not people:
        return
    who = event.actor.username if event.actor else ""
    notification_create(
        recipients=people, case=event.case, event=event, kind="mentioned",
        title=_("%(who)s mentioned you on case %(number)s")
        % {"who": who, "number": event.case.number},
        body=event.note[:500])


def case_events_announce(events: Sequence[CaseEvent]) -> None:
    for event in events:
        notify_case_event(event=event)
        if "@" in event.note:
            _mentions_notify(event=event)
        if event.kind == CaseEventKind.REASSIGNED:
            case = event.case
            notification_create(
                recipients=[case.owner], case=case, event=event, kind="reassigned",
                title=_("Case %(number)s is now yours") % {"number": case.number},
                body=event.note)
