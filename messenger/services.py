"""Writes of the messenger app: a card issued per person and notification, and a tap on it.
A tap decides through the same services as the pages (compensation's approval services, the
case's reassignment and notes), so the same authority rules, guards and timeline apply."""

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import CaseEvent
from cases.services import TransitionConflict, case_note_add, case_reassign
from compensation.services import approval_approve, approval_reject
from notifications.models import Channel, Notification
from notifications.outbox import deliveries_add
from notifications.preferences import preferences_for

from . import conf
from .content import CardContent, card_content, outcome_text
from .models import MessengerCard, MessengerIdentity, Platform, Subject
from .tokens import TokenExpired, TokenInvalid, card_token, card_token_read

logger = logging.getLogger(__name__)

ACTIONS = {Subject.APPROVAL: {"approve", "reject"}, Subject.ESCALATION: {"ack", "takeover"}}


def card_issue(*, notification: Notification, identity: MessengerIdentity, subject: str,
               approval=None, escalation=None) -> MessengerCard:
    """The card of this notification for this identity: one row however often the delivery is
    retried, so a re-sent card carries the same token."""
    now = timezone.now()
    card, _created = MessengerCard.objects.get_or_create(
        notification=notification, identity=identity, defaults={
            "user_id": identity.user_id, "platform": identity.platform, "subject": subject,
            "case_id": notification.case_id, "approval": approval, "escalation": escalation,
            "nonce": secrets.token_urlsafe(24), "created_at": now,
            "expires_at": now + conf.CARD_TTL})
    return card


# Approval decisions (CaseEvent data) after which the approval's sent cards are redrawn.
DECIDED = {"approval_approved", "approval_rejected"}


def cards_redraw_plan(events: Sequence[CaseEvent]) -> None:
    """A case_events handler: an approval decided anywhere (the approvals page, the API, a
    card) redraws its sent cards through the outbox, one delivery per card's notification."""
    approvals = [e.data["approval"] for e in events
                 if (e.data or {}).get("compensation") in DECIDED]
    if not approvals:
        return
    notifications = Notification.objects.filter(
        messenger_cards__approval_id__in=approvals,
        messenger_cards__sent_at__isnull=False).distinct().order_by("pk")
    deliveries_add(notifications=list(notifications), channel=Channel.REDRAW)


def card_token_for(card: MessengerCard) -> str:
    return card_token(card_id=card.pk, nonce=card.nonce)


@dataclass
class Answer:
    """What the person who tapped is told; `content` is the card as it now stands when the
    platform can redraw it."""

    ok: bool
    message: str
    card: MessengerCard | None = None
    content: CardContent | None = None


def _language(user) -> str:
    return preferences_for(users=[user])[user.pk].language


def _refused(message: str) -> Answer:
    return Answer(ok=False, message=message)


def card_act(*, platform: str, external_id: str, token: str, action: str,
             reason: str = "") -> Answer:
    """One tap. Only the card's addressee, mapped from the platform's user id, acts; the card's
    token must be genuine, current and unused; the decision goes through the domain service,
    and only when it succeeds is the card used up. Anything else changes nothing."""
    try:
        card_id, nonce = card_token_read(token)
    except TokenExpired:
        return _refused(_("These buttons have expired; decide on the approvals page."))
    except TokenInvalid:
        return _refused(_("This card is not valid."))
    identity = (MessengerIdentity.objects.select_related("user")
                .filter(platform=platform, external_id=external_id, active=True).first())
    if identity is None or not identity.user.is_active:
        return _refused(_("Your messenger account is not linked to a user of the product."))
    with translation.override(_language(identity.user)):
        return _card_act(card_id=card_id, nonce=nonce, identity=identity, action=action,
                         reason=reason.strip())


def _card_act(*, card_id: int, nonce: str, identity: MessengerIdentity, action: str,
              reason: str) -> Answer:
    with transaction.atomic():
        card = (MessengerCard.objects.select_for_update(of=("self",))
                .select_related("approval", "escalation", "case", "user")
                .filter(pk=card_id, nonce=nonce, platform=identity.platform).first())
        if card is None:
            return _refused(_("This card is not valid."))
        if card.user_id != identity.user_id or card.identity_id != identity.pk:
            return _refused(_("This card was sent to someone else; nothing was changed."))
        if card.used_at is not None:
            return Answer(ok=False, card=card, content=card_content(card=card),
                          message=_("Already done: %(outcome)s") % {"outcome": card.outcome})
        if card.expires_at <= timezone.now():
            return _refused(_("These buttons have expired; decide on the approvals page."))
        if action not in ACTIONS[card.subject]:
            return _refused(_("Unknown action."))
        try:
            with transaction.atomic():
                outcome = _decide(card=card, action=action, reason=reason)
        except (PermissionDenied, TransitionConflict) as exc:
            return Answer(ok=False, card=card, message=str(exc))
        except ValidationError as exc:
            return Answer(ok=False, card=card, message=" ".join(exc.messages))
        card.used_at, card.action, card.outcome = timezone.now(), action, outcome[:500]
        card.save(update_fields=["used_at", "action", "outcome"])
    logger.info("Messenger card %s: %s by user %s", card.pk, action, identity.user_id)
    return Answer(ok=True, message=outcome, card=card, content=card_content(card=card))


def _via(card: MessengerCard) -> str:
    return Platform(card.platform).label


def _decide(*, card: MessengerCard, action: str, reason: str) -> str:
    actor = card.user
    if action == "approve":
        approval_approve(approval_id=card.approval_id, actor=actor,
                         note=_("Approved from %(via)s.") % {"via": _via(card)})
    elif action == "reject":
        approval_reject(approval_id=card.approval_id, actor=actor, reason=reason)
    elif action == "takeover":
        case_reassign(case_id=card.case_id, owner=actor, actor=actor,
                      reason=_("Taken over from the escalation (%(via)s).")
                      % {"via": _via(card)})
    else:
        case_note_add(case_id=card.case_id, actor=actor,
                      note=_("Escalation acknowledged (%(via)s): %(deadline)s.")
                      % {"via": _via(card), "deadline": card.escalation.get_kind_display()})
    return outcome_text(action=action, who=actor.get_full_name() or actor.username,
                        at=timezone.now(), reason=reason)
