"""Message text for every channel, from templates in the reader's language. A template's first
line is the subject, the rest the body. Kinds without their own template use `default.txt`,
which shows the title and body the caller stored."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import select_template
from django.utils import timezone, translation

from .models import Notification


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    link: str


def _next_deadline(case):
    # Uses the prefetched/related manager so this app needs no import from escalation.
    return (case.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True)
            .order_by("due_at").first())


def _context(*, notification: Notification) -> dict:
    link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    context = {"n": notification, "title": notification.title, "body": notification.body,
               "params": notification.params, "urgent": notification.urgent, "link": link}
    case = notification.case
    if case is not None:
        deadline = _next_deadline(case)
        context.update({
            "case": case, "number": case.number or case.pk, "customer": case.customer.name,
            "vip": case.customer.vip, "store": case.store.name, "level": case.level,
            "level_label": case.get_level_display(), "severity": case.get_severity_display(),
            "score": "–" if case.score_before is None else case.score_before,
            "deadline": timezone.localtime(deadline.due_at) if deadline else None,
            "deadline_label": deadline.get_kind_display() if deadline else "",
        })
    return context


def message_render(*, notification: Notification, language: str) -> Message:
    with translation.override(language):
        template = select_template([
            f"notifications/messages/{language}/{notification.kind}.txt",
            f"notifications/messages/{language}/default.txt",
            f"notifications/messages/{settings.LANGUAGE_CODE}/default.txt",
        ])
        context = _context(notification=notification)
        rendered = template.render(context).strip()
    subject, _sep, text = rendered.partition("\n")
    return Message(subject=subject.strip()[:200], text=text.strip(), link=context["link"])
