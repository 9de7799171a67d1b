"""The messenger as a personal channel of the outbox: an approval request or an escalation to
someone with a linked messenger identity also goes out as an interactive card. Retries, the
claim and the pick-up are the outbox's; a retry re-sends only the cards not yet sent."""

from django.utils import timezone, translation

from compensation.models import Approval, ApprovalStatus
from compensation.selectors import user_may_decide
from escalation.models import Escalation
from notifications.models import Channel, Delivery, Notification, NotificationPreference
from notifications.preferences import preferences_for
from notifications.transports import TransportError
from recovery.config_cache import config_cached

from . import conf
from .content import approval_outcome, card_content
from .models import MessengerCard, MessengerIdentity, Platform, Subject
from .platforms import dingtalk, feishu, wecom
from .services import card_issue, card_token_for

# Notification kinds that become cards, and what they are about.
CARD_KINDS = {"approval_requested": Subject.APPROVAL, "approval_escalated": Subject.APPROVAL,
              "escalated": Subject.ESCALATION}


def _identities() -> dict[int, list[MessengerIdentity]]:
    def load():
        found: dict[int, list[MessengerIdentity]] = {}
        for identity in MessengerIdentity.objects.filter(active=True).order_by("pk"):
            found.setdefault(identity.user_id, []).append(identity)
        return found
    return config_cached("messenger-identities", load)


def identities_for(user_id: int) -> list[MessengerIdentity]:
    return [i for i in _identities().get(user_id, []) if conf.enabled(i.platform)]


class MessengerChannel:
    name = Channel.MESSENGER

    def wants(self, *, notification: Notification, preference: NotificationPreference) -> bool:
        return (notification.kind in CARD_KINDS and notification.case_id is not None
                and bool(identities_for(notification.recipient_id)))


def _subject(notification: Notification):
    """The pending approval or the escalation the card is about; None when there is nothing
    left to decide for this reader (decided meanwhile, or the reader only watches the case)."""
    data = notification.event.data if notification.event_id else {}
    if CARD_KINDS[notification.kind] == Subject.APPROVAL:
        approval = (Approval.objects.select_related("case__store", "offer")
                    .filter(pk=data.get("approval"), status=ApprovalStatus.PENDING).first())
        if approval and user_may_decide(user=notification.recipient, approval=approval):
            return approval
        return None
    if notification.recipient_id not in data.get("recipients", []):
        return None
    return Escalation.objects.select_related("case").filter(pk=data.get("escalation")).first()


class MessengerTransport:
    def send(self, *, delivery: Delivery) -> None:
        n = delivery.notification
        subject = _subject(n)
        if subject is None:
            return
        kind = CARD_KINDS[n.kind]
        extra = {"approval": subject} if kind == Subject.APPROVAL else {"escalation": subject}
        failures = []
        for identity in identities_for(n.recipient_id):
            card = card_issue(notification=n, identity=identity, subject=kind, **extra)
            if card.sent_at:
                continue
            try:
                ref, update_code = card_send(card=card)
            except TransportError as exc:
                failures.append(exc)
                continue
            MessengerCard.objects.filter(pk=card.pk).update(
                sent_at=timezone.now(), platform_ref=ref, update_code=update_code)
        _raise_any(failures)


def _raise_any(failures: list[TransportError]) -> None:
    if failures:
        raise TransportError("; ".join(str(e) for e in failures)[:300],
                             retryable=any(e.retryable for e in failures))


def _language(card: MessengerCard) -> str:
    return preferences_for(users=[card.user])[card.user_id].language


def card_send(*, card: MessengerCard) -> tuple[str, str]:
    """The card to its addressee: the platform's handle of it and, on WeCom, the code that
    allows one update without a tap."""
    with translation.override(_language(card)):
        content = card_content(card=card)
    token = card_token_for(card)
    user_id = card.identity.external_id
    ref = f"rc{card.pk}-{card.nonce[:12]}"
    if card.platform == Platform.WECOM:
        return wecom.card_send(user_id=user_id, card=wecom.card_render(
            content=content, token=token, task_id=ref))
    if card.platform == Platform.DINGTALK:
        return dingtalk.card_send(user_id=user_id, out_track_id=ref, params=dingtalk.card_params(
            content=content, token=token)), ""
    return feishu.card_send(user_id=user_id, card=feishu.card_render(
        content=content, token=token), key=ref), ""


class CardRedrawTransport:
    """The sent, untapped cards of a decided approval, redrawn with the decision (by whom,
    when) and no buttons. A tapped card was redrawn by its callback already; each card is
    redrawn once, so a retry redraws only the ones whose update failed."""

    def send(self, *, delivery: Delivery) -> None:
        cards = (MessengerCard.objects.select_related("identity", "user", "approval__decided_by")
                 .filter(notification=delivery.notification, sent_at__isnull=False,
                         used_at__isnull=True, redrawn_at__isnull=True)
                 .exclude(approval__decided_at=None).order_by("pk"))
        failures = []
        for card in cards:
            if not conf.enabled(card.platform):
                continue
            try:
                card_redraw(card=card)
            except TransportError as exc:
                failures.append(exc)
                continue
            MessengerCard.objects.filter(pk=card.pk).update(redrawn_at=timezone.now())
        _raise_any(failures)


def card_redraw(*, card: MessengerCard) -> None:
    with translation.override(_language(card)):
        content = card_content(card=card)
        content.done, content.buttons = approval_outcome(card.approval), []
    if card.platform == Platform.WECOM:
        if not card.update_code:
            raise TransportError("WeCom gave no response_code for this card", retryable=False)
        wecom.card_update(user_id=card.identity.external_id, response_code=card.update_code,
                          text=content.done)
    elif card.platform == Platform.DINGTALK:
        dingtalk.card_update(out_track_id=card.platform_ref,
                             params=dingtalk.card_params(content=content, token=""))
    else:
        feishu.card_patch(message_id=card.platform_ref,
                          card=feishu.card_render(content=content, token=""))
