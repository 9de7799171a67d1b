"""What the customer's page shows: only the link's own case, in plain words."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attachments.models import Attachment, AttachmentKind
from cases.models import Case, State
from compensation.models import Offer, OfferStatus, RemedyItem
from compensation.selectors import case_quote_input, pending_approval_for, quote_build
from notifications.models import CustomerMessage
from toolkit.models import CaseProfile

from .models import CustomerLink, CustomerReply, PortalPolicy

# The four steps the customer sees (issue 22: 我们已联系您 → 方案 → 维修中 → 已解决).
STEPS = [_("We contacted you"), _("Plan"), _("Being fixed"), _("Resolved")]
STEP_OF_STATE = {
    State.OPEN: 0, State.CONTACTED: 1, State.PLAN_PROPOSED: 2, State.AWAITING_APPROVAL: 2,
    State.IN_PROGRESS: 3, State.RESOLVED: 4, State.FOLLOWING_UP: 4, State.CLOSED: 4,
}
CHOICE_STATES = {State.CONTACTED, State.PLAN_PROPOSED, State.IN_PROGRESS}
VISIT_STATES = {State.CONTACTED, State.PLAN_PROPOSED, State.AWAITING_APPROVAL,
                State.IN_PROGRESS}
RESCORE_STATES = {State.RESOLVED, State.FOLLOWING_UP}


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    current: bool


@dataclass(frozen=True)
class PageOption:
    tier: str
    items: list[str]


def progress_steps(*, case: Case) -> list[Step]:
    reached = STEP_OF_STATE[State(case.state)]
    return [Step(label=str(label), done=n < reached, current=n == reached - 1)
            for n, label in enumerate(STEPS)]


def _item_names(lines, *, language: str) -> list[str]:
    english = (dict(RemedyItem.objects.filter(code__in=[x.code for x in lines])
                    .values_list("code", "name_en")) if language == "en" else {})
    return [english.get(x.code) or x.name for x in lines]


def options_open(*, case: Case, language: str = "zh-hans") -> list[PageOption]:
    """The case's three quoted options, while the customer may still choose: the case is
    between first contact and resolution, waits for no approval and has no offer yet (an offer
    made by staff is the choice already agreed)."""
    if case.state not in CHOICE_STATES or pending_approval_for(case=case):
        return []
    if Offer.objects.filter(case=case).exclude(status=OfferStatus.REJECTED).exists():
        return []
    try:
        quote = quote_build(data=case_quote_input(case=case))
    except ValidationError:
        return []
    return [PageOption(tier=o.tier, items=_item_names(o.lines, language=language))
            for o in quote.options]


def offer_agreed(*, case: Case, language: str = "zh-hans") -> PageOption | None:
    """The option on the case (chosen by the customer or agreed with staff), if any."""
    offer = (Offer.objects.filter(case=case).exclude(status=OfferStatus.REJECTED)
             .order_by("-created_at", "-pk").first())
    if offer is None:
        return None
    return PageOption(tier=offer.tier, items=_item_names(list(offer.lines.all()),
                                                          language=language))


def visit_booked(*, case: Case) -> datetime | None:
    profile = CaseProfile.objects.filter(case=case).first()
    return profile.visit_at if profile else None


def slots_open(*, case: Case, now: datetime | None = None) -> list[datetime]:
    """The visit or pickup times offered, while none is booked: the policy's times on the
    next days, in the current time zone."""
    if case.state not in VISIT_STATES or visit_booked(case=case):
        return []
    policy = PortalPolicy.current()
    today = timezone.localdate(now or timezone.now())
    zone = timezone.get_current_timezone()
    return [datetime.combine(today + timedelta(days=d), t, tzinfo=zone)
            for d in range(1, policy.slot_days + 1) for t in policy.times()]


def rescore_open(*, case: Case) -> bool:
    return case.state in RESCORE_STATES


def shared_photos(*, case: Case) -> QuerySet[Attachment]:
    return Attachment.objects.filter(case=case, shared_with_customer=True,
                                     kind=AttachmentKind.IMAGE).order_by("uploaded_at", "pk")


def reply_for(*, case: Case) -> CustomerReply | None:
    return CustomerReply.objects.filter(case=case).select_related("offer").first()


def live_link(*, case: Case) -> CustomerLink | None:
    return (CustomerLink.objects.filter(case=case, revoked_at__isnull=True,
                                        expires_at__gt=timezone.now())
            .select_related("created_by").first())


def messages_sent(*, case: Case, limit: int = 5) -> QuerySet:
    """The latest messages to the customer with their delivery's state, for the case page (a
    failed one is listed nowhere else: the failed-deliveries list is about staff)."""
    return (CustomerMessage.objects.filter(case=case).select_related("delivery", "sent_by")
            .order_by("-created_at", "-pk")[:limit])
