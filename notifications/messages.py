"""Message text for every channel, from templates in the reader's language. A template's first
line is the subject, the rest the body. Kinds without their own template use `default.txt`,
which shows the title and body the caller stored."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import select_template
from django.utils import timezone, translation

from cases.selectors import case_next_deadline

from .models import Notification
from .preferences import preferences_for


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    link: str


def _context(*, notification: Notification) -> dict:
    link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    context = {"n": notification, "title": notification.title, "body": notification.body,
               "params": notification.params, "urgent": notification.urgent, "link": link}
    case = notification.case
    if case is not None:
        deadline = case_next_deadline(case)
        context.update({
            "case": case, "number": case.number or case.pk, "customer": case.customer.name,
            "vip": case.customer.vip, "store": case.store.name, "level": case.level,
            "level_label": case.get_level_display(), "severity": case.get_severity_display(),
            "score": "–" if case.score_before is None else case.score_before,
            "deadline": timezone.localtime(deadline.due_at) if deadline else None,
            "deadline_label": deadline.get_kind_display() if deadline else "",
        })
    return context


_shared: ContextVar[dict | None] = ContextVar("messages_shared", default=None)


@contextmanager
def messages_shared():
    """Within it, the notifications of one announcement (its batch) share each language's text,
    and each reader's language is read once: a worker sending a commit's deliveries renders
    every text once. The texts carry no reader-specific part."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def reader_language(notification: Notification) -> str:
    shared = _shared.get()
    key = ("language", notification.recipient_id)
    if shared is None or key not in shared:
        language = preferences_for(
            users=[notification.recipient])[notification.recipient_id].language
        if shared is None:
            return language
        shared[key] = language
    return shared[key]


def message_render(*, notification: Notification, language: str) -> Message:
    shared = _shared.get()
    key = ("message", notification.batch or notification.pk, notification.kind, language)
    if shared is not None and key in shared:
        return shared[key]
    message = _render(notification=notification, language=language)
    if shared is not None:
        shared[key] = message
    return message


def _render(*, notification: Notification, language: str) -> Message:
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
