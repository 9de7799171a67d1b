"""The customer's page (no login: the link is the key) and the staff's part of the case page.
Every refusal of a link — unknown, expired, revoked, another case's, tampered — is the same
404 page, so a refusal tells nothing about the case or why."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case, ContactChannel, CustomerLanguage
from cases.permissions import can_act
from cases.services import TransitionConflict
from cases.views import scoped_case
from org.middleware import language_chosen

from . import selectors as sel
from .models import CustomerLink
from .ratelimit import rate_limited
from .services import (
    customer_consent_set,
    link_create,
    link_open,
    link_send,
    link_url,
    links_revoke,
    reply_choose,
    reply_rescore,
    reply_visit,
    token_hash,
)

# What refuses the customer's answer without being the customer's fault: said in plain words.
REFUSED = (PermissionDenied, TransitionConflict, Case.DoesNotExist)


def _private(response: HttpResponse) -> HttpResponse:
    # The link is a key: no caching, no referrer carrying it to another site, no search
    # engine. ("no-referrer" would make the browser post its forms with `Origin: null`, which
    # the CSRF check refuses.)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Language"] = translation.get_language()
    # Django logs every 4xx with its path, and the path holds the token: this one is not logged.
    response._has_been_logged = True
    return response


def _gone(request) -> HttpResponse:
    return _private(render(request, "portal/gone.html", status=404))


def _link_or_response(request, token: str) -> CustomerLink | HttpResponse:
    """The live link, its page in the customer's language unless they chose another with the
    page's switch; or the refusal, in the default language (it names no one)."""
    if rate_limited(request, token_key=token_hash(token)[:32]):
        return _private(render(request, "portal/gone.html", {"busy": True}, status=429))
    link = link_open(token=token)
    if link is None:
        return _gone(request)
    request.LANGUAGE_CODE = language_chosen(request) or link.case.customer.language
    translation.activate(request.LANGUAGE_CODE)  # the language middleware deactivates it
    return link


@require_GET
def portal_page(request, token: str):
    link = _link_or_response(request, token)
    if isinstance(link, HttpResponse):
        return link
    case, language = link.case, translation.get_language()
    manager = case.owner or link.created_by
    reply = sel.reply_for(case=case)
    context = {
        "token": token, "case": case, "customer": case.customer, "store": case.store,
        "manager": manager.get_full_name() or manager.username,
        "role": manager.get_role_display(),
        "steps": sel.progress_steps(case=case),
        "photos": sel.shared_photos(case=case),
        "options": sel.options_open(case=case, language=language),
        "agreed": sel.offer_agreed(case=case, language=language),
        "slots": sel.slots_open(case=case),
        "visit_at": sel.visit_booked(case=case),
        "rescore_open": sel.rescore_open(case=case),
        "reply": reply,
        "scores": range(11),
    }
    return _private(render(request, "portal/page.html", context))


def _answer(request, token: str, anchor: str, record) -> HttpResponse:
    link = _link_or_response(request, token)
    if isinstance(link, HttpResponse):
        return link
    try:
        record(link)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except REFUSED:
        messages.error(request, _("We could not record this here. We will call you about it."))
    else:
        messages.success(request, _("Thank you, we have your answer."))
    return _private(redirect(reverse("portal-page", args=[token]) + anchor))


@require_POST
def portal_choice(request, token: str):
    return _answer(request, token, "#options",
                   lambda link: reply_choose(link=link, tier=request.POST.get("tier", "")))


def _slot(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({"slot": [_("Choose one of the times shown.")]}) from exc
    if timezone.is_naive(at):
        raise ValidationError({"slot": [_("Choose one of the times shown.")]})
    return at


@require_POST
def portal_visit(request, token: str):
    return _answer(request, token, "#visit", lambda link: reply_visit(
        link=link, at=_slot(request.POST.get("slot", ""))))


def _score(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationError({"score": [_("Give a score from 0 to 10.")]}) from exc


@require_POST
def portal_rescore(request, token: str):
    return _answer(request, token, "#rescore", lambda link: reply_rescore(
        link=link, score=_score(request.POST.get("score", "")),
        comment=request.POST.get("comment", "")))


@require_GET
def portal_photo(request, token: str, attachment_id: int):
    link = _link_or_response(request, token)
    if isinstance(link, HttpResponse):
        return link
    photo = sel.shared_photos(case=link.case).filter(pk=attachment_id).first()
    if photo is None:
        return _gone(request)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        return _gone(request)
    response = FileResponse(handle, content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return _private(response)


# ---------------------------------------------------------------- the case page (staff)


def case_sections(request, case: Case) -> dict:
    """The customer-page card of the case page: the live link, the customer's answers, the
    send and revoke buttons and the customer's message consent."""
    customer = case.customer
    # The customer's preferred channel first: the one the send button uses unless changed.
    channels = sorted([(c, label) for c, label in ContactChannel.choices
                       if (customer.phone if c == ContactChannel.SMS
                           else customer.wecom_external_userid)],
                      key=lambda choice: choice[0] != customer.preferred_channel)
    return {
        "portal_link": sel.live_link(case=case),
        "portal_reply": sel.reply_for(case=case),
        "portal_messages": sel.messages_sent(case=case),
        "portal_may_send": can_act(case, request.user) and case.state != "closed",
        "portal_channels": channels,
        "portal_contact_channels": ContactChannel.choices,
        "portal_languages": CustomerLanguage.choices,
        "portal_opted_out": customer.contact_opted_out_at is not None,
    }


def _back(case_id: int):
    return redirect(reverse("case-page", args=[case_id]) + "#customer-page")


def _staff_do(request, case_id: int, action, success: str):
    case = scoped_case(request, case_id)
    try:
        result = action(case)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except (PermissionDenied, TransitionConflict) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
        return result
    return None


@login_required
@require_POST
def case_link_send(request, case_id: int):
    channel = request.POST.get("channel", "")
    if channel == "copied":
        made = _staff_do(request, case_id, lambda case: link_create(
            case_id=case.pk, actor=request.user), _("Link made. Copy it for the customer."))
        if made:
            # Shown once, on the page that follows; only its hash is stored.
            messages.info(request, link_url(made[1]))
    else:
        _staff_do(request, case_id, lambda case: link_send(
            case_id=case.pk, actor=request.user, channel=channel),
            _("The link is on its way to the customer."))
    return _back(case_id)


@login_required
@require_POST
def case_link_revoke(request, case_id: int):
    _staff_do(request, case_id, lambda case: links_revoke(case_id=case.pk, actor=request.user),
              _("The customer's link no longer opens."))
    return _back(case_id)


@login_required
@require_POST
def case_consent(request, case_id: int):
    _staff_do(request, case_id, lambda case: customer_consent_set(
        case_id=case.pk, actor=request.user, opted_out=request.POST.get("opted_out") == "on",
        preferred_channel=request.POST.get("preferred_channel", ""),
        wecom_external_userid=request.POST.get("wecom_external_userid", ""),
        language=request.POST.get("language") or None),
        _("Message preferences saved."))
    return _back(case_id)
