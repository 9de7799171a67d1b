"""Writes of the customer's page: links (made, sent, revoked) and the customer's answers. The
customer is no user: what they answer is recorded through the same services staff use, under
the authority of the staff member who sent the link, and marked as the customer's."""

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case, CaseEventKind, ContactChannel, Customer, State
from cases.permissions import can_act
from cases.services import TransitionConflict, customer_language_check, event_record
from compensation.services import offer_customer_choose
from notifications import conf as notify_conf
from notifications.models import CustomerMessage
from notifications.outbox import customer_delivery_plan
from org.models import User
from toolkit.models import WordKind, WordTemplate
from toolkit.services import case_visit_set, rescore_record
from toolkit.words import words_render

from .models import CustomerLink, CustomerReply, LinkChannel, PortalPolicy
from .selectors import options_open, rescore_open, slots_open

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('portal-page', args=[token])}"


def _record(*, case: Case, actor: User | None, what: str, note: str, **data) -> None:
    event_record(case=case, kind=CaseEventKind.NOTE, actor=actor, note=note,
                 data={"portal": what, **data})


def _case_for_staff(*, case_id: int, actor: User) -> Case:
    case = Case.objects.select_for_update().select_related("customer", "store").get(pk=case_id)
    if not can_act(case, actor):
        raise PermissionDenied(_("Only those who work this case can send its customer page."))
    return case


def link_create(*, case_id: int, actor: User, channel: str = LinkChannel.COPIED
                ) -> tuple[CustomerLink, str]:
    """A new link to the case's customer page; the case's older links stop working (one live
    link per case). Returns the link and its token, which is stored nowhere."""
    if channel not in LinkChannel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    with transaction.atomic():
        case = _case_for_staff(case_id=case_id, actor=actor)
        if case.state == State.CLOSED:
            raise TransitionConflict(_("The case is closed."))
        now = timezone.now()
        CustomerLink.objects.filter(case=case, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        link = CustomerLink.objects.create(
            case=case, token_hash=token_hash(token), channel=channel, created_by=actor,
            created_at=now, expires_at=now + PortalPolicy.current().link_valid_for)
        _record(case=case, actor=actor, what="link_created",
                note=_("Customer page link made (valid until %(until)s).")
                % {"until": timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")},
                link=link.pk, channel=channel)
    return link, token


def links_revoke(*, case_id: int, actor: User) -> int:
    """Stop every live link of the case (the staff button, `DELETE …/customer-link/`)."""
    with transaction.atomic():
        case = _case_for_staff(case_id=case_id, actor=actor)
        count = CustomerLink.objects.filter(case=case, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor)
        if count:
            _record(case=case, actor=actor, what="link_revoked",
                    note=_("Customer page link revoked."))
    return count


def link_open(*, token: str) -> CustomerLink | None:
    """The live link of this token, or None: unknown, expired, revoked, or its case closed
    since it was made (then it is revoked for good, so reopening the case does not revive
    it). The caller answers every None the same way."""
    if not token or len(token) > 100:
        return None
    link = (CustomerLink.objects.select_related("case__customer", "case__store", "case__owner",
                                                "created_by")
            .filter(token_hash=token_hash(token)).first())
    now = timezone.now()
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        return None
    closed = link.case.state == State.CLOSED or link.case.events.filter(
        kind=CaseEventKind.TRANSITION, to_state=State.CLOSED, at__gte=link.created_at).exists()
    if closed:
        CustomerLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now)
        return None
    CustomerLink.objects.filter(pk=link.pk).update(last_opened_at=now)
    return link


# ---------------------------------------------------------------- messages to the customer


def customer_consent_set(*, case_id: int, actor: User, opted_out: bool,
                         preferred_channel: str, wecom_external_userid: str = "",
                         language: str | None = None) -> Customer:
    """The customer said how (or whether) they want messages, and in which language (None
    keeps it); recorded on the case."""
    if preferred_channel not in ContactChannel.values:
        raise ValidationError({"preferred_channel": [_("Unknown channel.")]})
    customer_language_check(language)
    with transaction.atomic():
        case = _case_for_staff(case_id=case_id, actor=actor)
        customer = Customer.objects.select_for_update().get(pk=case.customer_id)
        before = customer.contact_opted_out_at is not None
        customer.contact_opted_out_at = (customer.contact_opted_out_at or timezone.now()
                                         if opted_out else None)
        customer.preferred_channel = preferred_channel
        customer.wecom_external_userid = wecom_external_userid.strip()[:64]
        customer.language = language or customer.language
        customer.save(update_fields=["contact_opted_out_at", "preferred_channel",
                                     "wecom_external_userid", "language"])
        if before != opted_out:
            _record(case=case, actor=actor, what="consent", opted_out=opted_out,
                    note=_("The customer opted out of messages.") if opted_out
                    else _("The customer agreed to messages again."))
    return customer


def _address(*, customer: Customer, channel: str) -> str:
    if customer.contact_opted_out_at is not None:
        raise ValidationError({"channel": [_("The customer opted out of messages.")]})
    if channel == ContactChannel.SMS:
        if not notify_conf.SMS_PROVIDER:
            raise ValidationError({"channel": [_("SMS is not set up.")]})
        to = customer.phone
    elif channel == ContactChannel.WECHAT:
        if not notify_conf.WECHAT_PROVIDER:
            raise ValidationError({"channel": [_("WeChat messages are not set up.")]})
        to = customer.wecom_external_userid
    else:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    if not to:
        raise ValidationError({"channel": [_("The customer has no address for this channel.")]})
    return to


def customer_message_send(*, case: Case, actor: User, channel: str, text: str,
                          secret: str = "") -> CustomerMessage:
    """Every message to a customer goes this way: never to one who opted out, always through
    the outbox, always on the case's timeline. `secret` (a link's token) is sent but not shown
    on the timeline. Call inside the transaction holding the case."""
    to = _address(customer=case.customer, channel=channel)
    message = CustomerMessage.objects.create(case=case, channel=channel, to=to, text=text,
                                             sent_by=actor)
    customer_delivery_plan(message=message)
    _record(case=case, actor=actor, what="message_sent",
            note=text.replace(secret, "…") if secret else text, message=message.pk,
            channel=channel)
    return message


def link_message_text(*, case: Case, actor: User, url: str) -> str:
    """The template's words in the customer's language, the link after them."""
    language = case.customer.language
    try:
        with translation.override(language):
            words = words_render(case=case, kind=WordKind.PORTAL_LINK, language=language,
                                 actor=actor)
    except WordTemplate.DoesNotExist as exc:
        raise ValidationError({"channel": [_(
            "There is no customer page message template; add one in the admin.")]}) from exc
    return f"{words.text.strip()} {url}"


def link_send(*, case_id: int, actor: User, channel: str) -> tuple[CustomerLink, str]:
    """Make a new link and send it to the customer by SMS or WeChat, in the words of the
    case's template."""
    if channel not in ContactChannel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    with transaction.atomic():
        case = _case_for_staff(case_id=case_id, actor=actor)
        _address(customer=case.customer, channel=channel)  # refuse before making a link
        link, token = link_create(case_id=case.pk, actor=actor, channel=channel)
        text = link_message_text(case=case, actor=actor, url=link_url(token))
        customer_message_send(case=case, actor=actor, channel=channel, text=text, secret=token)
    return link, token


# ---------------------------------------------------------------- the customer's answers


def _reply_locked(*, case: Case) -> CustomerReply:
    Case.objects.select_for_update().filter(pk=case.pk).first()
    reply, _created = CustomerReply.objects.get_or_create(case=case)
    return reply


def _fresh_case(link: CustomerLink) -> Case:
    return Case.objects.select_related("customer", "store").get(pk=link.case_id)


def reply_choose(*, link: CustomerLink, tier: str) -> CustomerReply:
    """The customer's option, once: a second answer changes nothing."""
    with transaction.atomic():
        reply = _reply_locked(case=link.case)
        if reply.chosen_at is not None:
            return reply
        case = _fresh_case(link)
        if tier not in {o.tier for o in options_open(case=case)}:
            raise ValidationError({"tier": [_("This option is not offered.")]})
        now = timezone.now()
        reply.offer = offer_customer_choose(case_id=case.pk, tier=tier,
                                            on_behalf_of=link.created_by,
                                            channel=link.channel, at=now)
        reply.chosen_at = now
        reply.save(update_fields=["offer", "chosen_at"])
    return reply


def reply_visit(*, link: CustomerLink, at: datetime) -> CustomerReply:
    """The visit or pickup time the customer picked from the offered ones, once."""
    with transaction.atomic():
        reply = _reply_locked(case=link.case)
        if reply.visit_chosen_at is not None:
            return reply
        case = _fresh_case(link)
        if at not in slots_open(case=case):
            raise ValidationError({"slot": [_("Choose one of the times shown.")]})
        case_visit_set(case_id=case.pk, actor=link.created_by, visit_at=at)
        reply.visit_at, reply.visit_chosen_at = at, timezone.now()
        reply.save(update_fields=["visit_at", "visit_chosen_at"])
        _record(case=case, actor=None, what="visit_chosen", by="customer",
                channel=link.channel, visit_at=at.isoformat(),
                note=_("The customer chose the visit time %(at)s on their page.")
                % {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")})
    return reply


def reply_rescore(*, link: CustomerLink, score: int, comment: str = "") -> CustomerReply:
    """The customer's satisfaction at the end, stored as the case's re-score, once."""
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise ValidationError({"score": [_("Give a score from 0 to 10.")]})
    comment = comment.strip()[:500]
    with transaction.atomic():
        reply = _reply_locked(case=link.case)
        if reply.rescored_at is not None:
            return reply
        case = _fresh_case(link)
        if not rescore_open(case=case):
            raise TransitionConflict(_("The case is not resolved yet."))
        note = _("Re-score given by the customer on their page.")
        rescore_record(case_id=case.pk, actor=link.created_by, score=score,
                       note=f"{note} {comment}".strip())
        reply.score, reply.comment, reply.rescored_at = score, comment, timezone.now()
        reply.save(update_fields=["score", "comment", "rescored_at"])
    return reply
