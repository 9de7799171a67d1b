"""What a card says, worked out once and drawn by each platform's renderer. Only what the
addressee may see on the approvals page goes in, and less: the customer's name is shortened
and no phone or plate leaves the product (the card lives on the platform's servers)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from compensation.models import Approval, ApprovalStatus
from compensation.selectors import approval_card
from escalation.models import Escalation, Target
from org.models import User

from .models import MessengerCard, Subject


@dataclass(frozen=True)
class Button:
    action: str
    label: str
    style: str = "default"  # primary / danger / default
    needs_reason: bool = False


@dataclass
class CardContent:
    title: str
    facts: list[tuple[str, str]]
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    link: str = ""
    buttons: list[Button] = field(default_factory=list)
    # Set once decided: the card then shows this instead of its buttons.
    done: str = ""


def name_short(name: str) -> str:
    name = (name or "").strip()
    return f"{name[0]}{'*' * min(len(name) - 1, 2)}" if len(name) > 1 else "*"


def _yuan(value) -> str:
    return f"¥{value:,.2f}"


def _when(at) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else "–"


def _site(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _case_facts(case: Case) -> list[tuple[str, str]]:
    customer = case.customer
    who = name_short(customer.name) + (" · VIP" if customer.vip else "")
    return [
        (_("Case"), f"{case.number or case.pk} · {case.store.name}"),
        (_("Customer"), who),
        (_("What happened"), " · ".join(filter(None, [
            str(case.failure_type) if case.failure_type_id else "",
            case.get_severity_display(), case.level,
            _("score %(score)s") % {"score": case.score_before}
            if case.score_before is not None else ""]))),
    ]


def approval_content(*, approval: Approval, user: User) -> CardContent:
    card = approval_card(approval=approval, user=user)
    case = card.case
    facts = _case_facts(case) + [
        (_("Offer"), f"{_yuan(approval.amount)} ({approval.offer.get_tier_display()})"),
        (_("In all"), _("%(amount)s with this case's and the customer's recent offers")
         % {"amount": _yuan(max(approval.cumulative_amount, approval.amount))}),
        (_("Decide by"), _when(approval.due_at)),
    ]
    if card.customer_loss is not None:
        facts.append((_("Customer's own loss"), _yuan(card.customer_loss)))
    items = [f"{line.name} {_yuan(line.value)}" for line in approval.offer.lines.all()]
    history = [
        " · ".join([f"{o.created_at:%Y-%m-%d}",
                    o.case.number if o.case_id in card.visible_case_ids
                    else _("another store"),
                    _yuan(o.total_value), o.get_status_display()])
        for o in card.recent_offers[:5]]
    history.insert(0, _("%(visits)s visits, %(cases)s cases; %(total)s in the last 12 months")
                   % {"visits": card.visits, "cases": card.cases,
                      "total": _yuan(card.recent_total)})
    return CardContent(
        title=_("Approval needed: case %(number)s · %(amount)s")
        % {"number": case.number or case.pk, "amount": _yuan(approval.amount)},
        facts=facts,
        sections=[(_("Items"), items), (_("Customer's history"), history)],
        link=_site(reverse("approvals")),
        buttons=[Button("approve", _("Approve"), "primary"),
                 Button("reject", _("Reject"), "danger", needs_reason=True)])


def escalation_content(*, escalation: Escalation) -> CardContent:
    case = escalation.case
    facts = _case_facts(case) + [
        (_("Missed"), f"{escalation.get_kind_display()} ({_when(escalation.due_at)})"),
        (_("Escalated to"), f"{Target(escalation.target).label} · "
                            f"{escalation.from_level} → {escalation.to_level}"),
        (_("Owner"), (case.owner.get_full_name() or case.owner.username)
         if case.owner_id else "–"),
    ]
    return CardContent(
        title=_("Escalated: case %(number)s missed “%(deadline)s”")
        % {"number": case.number or case.pk, "deadline": escalation.get_kind_display()},
        facts=facts, link=_site(reverse("case-page", args=[case.pk])),
        buttons=[Button("ack", _("Acknowledge"), "primary"),
                 Button("takeover", _("Take over the case"), "default")])


def outcome_text(*, action: str, who: str, at, reason: str = "") -> str:
    """What a decided card says instead of its buttons."""
    when = f"{timezone.localtime(at):%m-%d %H:%M}"
    if action == "approve":
        return _("Approved by %(who)s at %(at)s") % {"who": who, "at": when}
    if action == "reject":
        return _("Rejected by %(who)s at %(at)s: %(reason)s") % {"who": who, "at": when,
                                                                  "reason": reason}
    if action == "takeover":
        return _("Taken over by %(who)s at %(at)s") % {"who": who, "at": when}
    return _("Acknowledged by %(who)s at %(at)s") % {"who": who, "at": when}


def approval_outcome(approval: Approval) -> str:
    """The decision of an approval, by whom and when, as its cards show it."""
    who = approval.decided_by.get_full_name() or approval.decided_by.username
    action = "approve" if approval.status == ApprovalStatus.APPROVED else "reject"
    return outcome_text(action=action, who=who, at=approval.decided_at, reason=approval.reason)


def card_content(*, card: MessengerCard) -> CardContent:
    if card.subject == Subject.APPROVAL:
        content = approval_content(approval=card.approval, user=card.user)
    else:
        content = escalation_content(escalation=card.escalation)
    if card.used_at:
        content.done = card.outcome
        content.buttons = []
    return content
