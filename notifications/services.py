"""Who hears about what. Rows are written in the caller's transaction (the outbox)."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Role, User
from org.selectors import people_in_chain

from .models import Notification


def _store_managers(case) -> list[User]:
    people, _node = people_in_chain(node=case.store, role=Role.SERVICE_MANAGER)
    return people


def notification_create(*, recipients, case=None, event=None, kind: str, title: str,
                        body: str = "", urgent: bool = False) -> list[Notification]:
    url = reverse("case-page", args=[case.pk]) if case else ""
    unique = {u.pk: u for u in recipients if u is not None}
    return Notification.objects.bulk_create(
        Notification(recipient=u, case=case, event=event, kind=kind, title=title, body=body,
                     url=url, urgent=urgent)
        for u in unique.values()
    )


def notify_case_event(*, event) -> list[Notification]:
    case = event.case
    if event.kind == "opened":
        recipients = _store_managers(case) + [case.owner]
        title = _("New case %(number)s · %(level)s · score %(score)s") % {
            "number": case.number or case.pk, "level": case.level,
            "score": "-" if case.score_before is None else case.score_before,
        }
        return notification_create(recipients=recipients, case=case, event=event, kind="opened",
                                   title=title, body=case.description[:500],
                                   urgent=case.level != "L1")
    if event.kind == "rescored":
        title = _("Case %(number)s re-scored: %(before)s → %(after)s") % {
            "number": case.number, "before": event.data.get("score_before"),
            "after": event.data.get("score_after"),
        }
        return notification_create(recipients=_store_managers(case) + [case.owner], case=case,
                                   event=event, kind="rescored", title=title)
    return []


def notifications_mark_read(*, user: User, ids=None) -> int:
    qs = Notification.objects.filter(Q(recipient=user), read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
