"""Writes of the compensation app: offers, approval decisions, issuing. Every path (API, pages,
admin, bulk actions) comes through here, so authority limits are checked in one place."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, CaseEventKind, Customer, State
from cases.permissions import can_work, may_record_onsite
from cases.services import TransitionConflict, case_transition, event_record
from notifications.services import notification_create
from org.models import User
from org.selectors import user_can_see_node
from toolkit.services import stock_issue

from . import calculator as calc
from .models import (
    Approval,
    ApprovalStatus,
    CompensationPolicy,
    IssuedCompensation,
    Offer,
    OfferLine,
    OfferStatus,
    Onsite,
    RemedyItem,
    Tier,
)
from .selectors import (
    Exposure,
    Route,
    approver_route,
    case_quote_input,
    catalog_item,
    customer_costs,
    decision_window,
    exposure_for,
    guidance_for,
    pending_approval_for,
    person_names,
    quote_build,
    user_limit,
    user_may_decide,
    who_decides,
    who_works,
)

# From first contact until the case is resolved (SPEC §11); awaiting_approval already has one
# offer waiting, and a case waits for one decision at a time.
OFFER_STATES = {State.CONTACTED, State.PLAN_PROPOSED, State.IN_PROGRESS}


@dataclass(frozen=True)
class ItemChoice:
    code: str
    value: Decimal | None = None


def _record(*, case: Case, actor: User | None, note: str, data: dict) -> CaseEvent:
    return event_record(case=case, kind=CaseEventKind.NOTE, actor=actor, note=note, data=data)


def _yuan(amount: Decimal) -> str:
    return f"¥{calc.money(amount):,}"


def _custom_lines(*, case: Case, items: list[ItemChoice]) -> list[tuple[RemedyItem, calc.Line]]:
    if not items:
        raise ValidationError({"items": [_("Choose at least one item.")]})
    catalog = {i.code: i for i in RemedyItem.objects.filter(
        active=True, code__in=[c.code for c in items])}
    costs = customer_costs(case=case)
    chosen, errors = [], []
    for choice in items:
        item = catalog.get(choice.code)
        if item is None:
            errors.append(_("Unknown item: %(code)s") % {"code": choice.code})
            continue
        priced = catalog_item(item)
        value = priced.value_for(costs=costs)
        if choice.value is not None:
            if choice.value < 0:
                errors.append(_("%(code)s: the value cannot be negative.") % {"code": item.code})
                continue
            if not item.variable and calc.money(choice.value) != value:
                errors.append(_("%(code)s has a fixed value of %(value)s.")
                              % {"code": item.code, "value": value})
                continue
            value = calc.money(choice.value)
        chosen.append((item, calc.line_of(priced, value)))
    if errors:
        raise ValidationError({"items": errors})
    return chosen


def _tier_lines(*, case: Case, tier: str, customer_loss: Decimal | None
                ) -> list[tuple[RemedyItem, calc.Line]]:
    if tier not in calc.TIERS:
        raise ValidationError({"tier": [_("Choose basic, expected or surprise.")]})
    quote = quote_build(data=case_quote_input(case=case, customer_loss=customer_loss))
    option = next(o for o in quote.options if o.tier == tier)
    catalog = RemedyItem.objects.in_bulk([line.code for line in option.lines], field_name="code")
    return [(catalog[line.code], line) for line in option.lines]


def _route_or_fail(*, case: Case, amount: Decimal) -> Route:
    route = approver_route(node=case.store, amount=amount)
    if route is None:
        raise ValidationError(_("Nobody in this case's chain may approve %(amount)s.")
                              % {"amount": _yuan(amount)})
    return route


def _may_not_work(*, case: Case, actor: User) -> str:
    if not user_can_see_node(user=actor, node=case.store):
        return _("You may not work this case.")
    return _("You may not work this case at its level; %(who)s can.") % {
        "who": who_works(case=case)}


def _case_lock(*, case_id: int) -> Case:
    """Locks the customer, then the case (the order intake takes them in): two offers at once,
    on one case or on two cases of the customer, are counted one after the other, so they
    cannot both slip under a limit."""
    customer_id = Case.objects.filter(pk=case_id).values_list("customer_id", flat=True).first()
    if customer_id is None:
        raise Case.DoesNotExist
    list(Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk"))
    return (Case.objects.select_for_update(of=("self",))
            .select_related("store", "customer", "service_record", "failure_type")
            .get(pk=case_id))


def _assign(*, approval: Approval, route: Route, now: datetime) -> None:
    window = decision_window(role=route.role)
    approval.approver_role = route.role
    approval.approver_node = route.node
    approval.due_at = now + window if window else None


def _notify_approvers(*, approval: Approval, route: Route, event: CaseEvent, kind: str) -> None:
    case = approval.case
    title = _("Approval needed: case %(number)s · %(amount)s") % {
        "number": case.number or case.pk, "amount": _yuan(approval.amount)}
    notification_create(recipients=route.people, case=case, event=event, kind=kind, title=title,
                        body=approval.offer.note[:500], urgent=True)


def offer_create(*, case_id: int, actor: User, tier: str | None = None,
                 items: list[ItemChoice] | None = None, note: str = "",
                 customer_loss: Decimal | None = None) -> Offer:
    """Record the option the customer chose. Within the proposer's limit it is approved on the
    spot; above it an approval goes to the lowest role in the case's chain whose limit covers it.
    The first offer from `contacted` proposes the plan."""
    if (tier is None) == (items is None):
        raise ValidationError({"tier": [_("Give either a tier or the items.")]})
    if customer_loss is not None and customer_loss < 0:
        raise ValidationError({"customer_loss": [_("The loss cannot be negative.")]})
    with transaction.atomic():
        case = _case_lock(case_id=case_id)
        if not can_work(case, actor):
            raise PermissionDenied(_may_not_work(case=case, actor=actor))
        if case.state not in OFFER_STATES or pending_approval_for(case=case):
            raise TransitionConflict(_("An offer cannot be made on a case that is %(state)s.")
                                     % {"state": case.get_state_display()})
        chosen = (_tier_lines(case=case, tier=tier, customer_loss=customer_loss) if tier
                  else _custom_lines(case=case, items=items))
        amount = calc.total(line for _item, line in chosen)
        exposure = exposure_for(case=case, new_amount=amount)
        if calc.too_large(exposure.total):
            raise ValidationError({"tier" if tier else "items": [
                _("This offer would take the case's compensation past %(max)s.")
                % {"max": _yuan(calc.MAX_MONEY)}]})
        offer = _offer_store(case=case, actor=actor, tier=tier or Tier.CUSTOM, chosen=chosen,
                             amount=amount, note=note, customer_loss=customer_loss)
        if case.state == State.CONTACTED:
            # After the offer is stored: the offer is what earns `propose` (the SOP's guard).
            offer.case = case_transition(case_id=case.pk, name="propose", actor=actor, note=note)
        if calc.covers(user_limit(user=actor), exposure.total):
            _offer_approve_on_spot(offer=offer, actor=actor, exposure=exposure)
        else:
            _approval_open(offer=offer, actor=actor, exposure=exposure)
    return offer


def offer_customer_choose(*, case_id: int, tier: str, on_behalf_of: User, channel: str,
                          at: datetime | None = None) -> Offer:
    """The customer chose one of the case's quoted options themselves (their own page): the
    offer is made as any offer is, under the authority of the staff member who gave them the
    options, and the case records that the choice was the customer's, when and by which
    channel."""
    at = at or timezone.now()
    with transaction.atomic():
        offer = offer_create(case_id=case_id, actor=on_behalf_of, tier=tier,
                             note=_("Chosen by the customer on their page."))
        _record(case=offer.case, actor=None,
                note=_("The customer chose the %(tier)s option (%(amount)s) on their page.")
                % {"tier": offer.get_tier_display(), "amount": _yuan(offer.total_value)},
                data={"compensation": "customer_choice", "by": "customer", "offer": offer.pk,
                      "tier": tier, "channel": channel, "at": at.isoformat()})
    return offer


def _offer_store(*, case: Case, actor: User, tier: str, chosen, amount: Decimal, note: str,
                 customer_loss: Decimal | None) -> Offer:
    policy = CompensationPolicy.current()
    offer = Offer.objects.create(
        case=case, tier=tier, status=OfferStatus.PENDING, proposed_value=amount,
        total_value=amount, customer_loss=customer_loss, note=note, proposed_by=actor,
        outside_range=not guidance_for(severity=case.severity).contains(amount),
        under_loss=calc.under_loss(amount=amount, loss=customer_loss,
                                   multiplier=policy.loss_multiplier),
    )
    OfferLine.objects.bulk_create(
        OfferLine(offer=offer, item=item, code=line.code, name=line.name,
                  dimension=line.dimension, value=line.value, position=n)
        for n, (item, line) in enumerate(chosen)
    )
    return offer


def _offer_approve_on_spot(*, offer: Offer, actor: User, exposure: Exposure) -> None:
    offer.status, offer.decided_by, offer.decided_at = OfferStatus.APPROVED, actor, timezone.now()
    offer.save(update_fields=["status", "decided_by", "decided_at"])
    _record(case=offer.case, actor=actor,
            note=_("Offer %(amount)s (%(tier)s) approved within own authority.")
            % {"amount": _yuan(offer.total_value), "tier": offer.get_tier_display()},
            data={"compensation": "offer_approved", "offer": offer.pk,
                  "total_value": str(offer.total_value),
                  "cumulative": str(exposure.total)})


def _approval_open(*, offer: Offer, actor: User, exposure: Exposure) -> Approval:
    case = offer.case
    route = _route_or_fail(case=case, amount=exposure.total)
    now = timezone.now()
    approval = Approval(offer=offer, case=case, amount=offer.total_value,
                        cumulative_amount=exposure.total, requested_by=actor, created_at=now)
    _assign(approval=approval, route=route, now=now)
    approval.save()
    if case.state == State.PLAN_PROPOSED:
        case_transition(case_id=case.pk, name="await_approval", actor=actor, note=offer.note)
    if exposure.total != offer.total_value:
        note = _("Offer %(amount)s needs approval by %(role)s: %(cumulative)s in all with this "
                 "case's and the customer's recent offers.") % {
            "amount": _yuan(offer.total_value), "role": approval.get_approver_role_display(),
            "cumulative": _yuan(exposure.total)}
    else:
        note = _("Offer %(amount)s needs approval by %(role)s.") % {
            "amount": _yuan(offer.total_value), "role": approval.get_approver_role_display()}
    event = _record(case=case, actor=actor, note=note,
                    data={"compensation": "approval_requested", "offer": offer.pk,
                          "approval": approval.pk, "approver_role": route.role,
                          "total_value": str(offer.total_value),
                          "cumulative": str(exposure.total)})
    _notify_approvers(approval=approval, route=route, event=event, kind="approval_requested")
    return approval


def _approval_lock(*, approval_id: int, actor: User) -> Approval:
    """Locks the approval, then the customer (as an offer does): what the decision commits is
    counted afresh, with nothing added meanwhile."""
    approval = (Approval.objects.select_for_update(of=("self",))
                .select_related("case__store", "offer").get(pk=approval_id))
    if approval.status == ApprovalStatus.PENDING:
        list(Customer.objects.select_for_update().filter(pk=approval.case.customer_id)
             .values_list("pk"))
        approval.cumulative_amount = exposure_for(case=approval.case).total
    if not user_may_decide(user=actor, approval=approval):
        raise PermissionDenied(_refusal(approval=approval, actor=actor))
    if approval.status != ApprovalStatus.PENDING:
        raise TransitionConflict(_("This approval has already been decided."))
    return approval


def _refusal(*, approval: Approval, actor: User) -> str:
    amount = max(approval.amount, approval.cumulative_amount)
    if amount != approval.amount:
        text = _("Approving %(amount)s (%(cumulative)s in all with this case's and the "
                 "customer's recent offers) is outside your authority") % {
            "amount": _yuan(approval.amount), "cumulative": _yuan(amount)}
    else:
        text = _("Approving %(amount)s on this case is outside your authority") % {
            "amount": _yuan(amount)}
    if not user_can_see_node(user=actor, node=approval.case.store):
        return f"{text}."
    return f"{text}: {who_decides(case=approval.case, amount=amount)}."


def _decide(*, approval: Approval, actor: User, status: str, reason: str = "") -> None:
    now = timezone.now()
    approval.status, approval.decided_by, approval.decided_at = status, actor, now
    approval.reason = reason
    approval.save(update_fields=["status", "decided_by", "decided_at", "reason", "amount",
                                 "cumulative_amount", "change_reason", "approver_role",
                                 "approver_node", "due_at"])
    offer = approval.offer
    offer.status = OfferStatus.APPROVED if status == ApprovalStatus.APPROVED else \
        OfferStatus.REJECTED
    offer.decided_by, offer.decided_at = actor, now
    offer.save(update_fields=["status", "decided_by", "decided_at", "total_value"])


def _notify_proposer(*, approval: Approval, event: CaseEvent, title: str) -> None:
    notification_create(recipients=[approval.requested_by], case=approval.case, event=event,
                        kind="approval_decided", title=title, body=approval.reason[:500])


def _approve(*, approval: Approval, actor: User, note: str) -> Approval:
    _decide(approval=approval, actor=actor, status=ApprovalStatus.APPROVED)
    if Case.objects.filter(pk=approval.case_id, state=State.AWAITING_APPROVAL).exists():
        case_transition(case_id=approval.case_id, name="approve_plan", actor=actor, note=note)
    event = _record(case=approval.case, actor=actor,
                    note=_("Offer %(amount)s approved.") % {"amount": _yuan(approval.amount)},
                    data={"compensation": "approval_approved", "approval": approval.pk,
                          "offer": approval.offer_id, "total_value": str(approval.amount)})
    _notify_proposer(approval=approval, event=event,
                     title=_("Offer approved: case %(number)s · %(amount)s")
                     % {"number": approval.case.number, "amount": _yuan(approval.amount)})
    return approval


def approval_approve(*, approval_id: int, actor: User, note: str = "") -> Approval:
    with transaction.atomic():
        approval = _approval_lock(approval_id=approval_id, actor=actor)
        return _approve(approval=approval, actor=actor, note=note)


def approval_reject(*, approval_id: int, actor: User, reason: str) -> Approval:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for rejecting.")]})
    with transaction.atomic():
        approval = _approval_lock(approval_id=approval_id, actor=actor)
        _decide(approval=approval, actor=actor, status=ApprovalStatus.REJECTED, reason=reason)
        if Case.objects.filter(pk=approval.case_id, state=State.AWAITING_APPROVAL).exists():
            case_transition(case_id=approval.case_id, name="reject_plan", actor=actor,
                            note=reason)
        event = _record(case=approval.case, actor=actor,
                        note=_("Offer %(amount)s rejected: %(reason)s")
                        % {"amount": _yuan(approval.amount), "reason": reason},
                        data={"compensation": "approval_rejected", "approval": approval.pk,
                              "offer": approval.offer_id})
        _notify_proposer(approval=approval, event=event,
                         title=_("Offer rejected: case %(number)s")
                         % {"number": approval.case.number})
    return approval


def approval_change(*, approval_id: int, actor: User, reason: str,
                    items: list[ItemChoice] | None = None, total_value: Decimal | None = None,
                    note: str = "") -> Approval:
    """The approver changes the offer: its items and values, or only its total (spread over
    the items), for a reason that is recorded. Approved at once when what the case then commits
    is within the approver's own limit, otherwise re-routed to the role whose limit covers it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the change.")]})
    if (items is None) == (total_value is None):
        raise ValidationError({"items": [_("Give either the items or the total value.")]})
    if total_value is not None and total_value < 0:
        raise ValidationError({"total_value": [_("Give a value of zero or more.")]})
    field = "items" if items is not None else "total_value"
    with transaction.atomic():
        approval = _approval_lock(approval_id=approval_id, actor=actor)
        offer, case = approval.offer, approval.case
        before_lines = [f"{x.name} {_yuan(x.value)}" for x in offer.lines.all()]
        before = approval.amount
        chosen = _custom_lines(case=case, items=items) if items is not None else None
        new_total = (calc.total(line for _item, line in chosen) if chosen is not None
                     else calc.money(total_value))
        if calc.too_large(approval.cumulative_amount - before + new_total):
            raise ValidationError({field: [
                _("This offer would take the case's compensation past %(max)s.")
                % {"max": _yuan(calc.MAX_MONEY)}]})
        if chosen is not None:
            _offer_replace_lines(offer=offer, chosen=chosen, total=new_total)
        else:
            _offer_rescale(offer=offer, new_total=new_total)
        approval.amount = new_total
        approval.change_reason = reason
        approval.cumulative_amount = exposure_for(case=case).total
        after_lines = [f"{x.name} {_yuan(x.value)}" for x in offer.lines.all()]
        data = {"approval": approval.pk, "from": str(before), "to": str(new_total),
                "reason": reason, "items_before": before_lines, "items_after": after_lines}
        changed = _("Offer changed from %(before)s to %(after)s (%(items)s), because: "
                    "%(reason)s") % {"before": _yuan(before), "after": _yuan(new_total),
                                     "items": "、".join(after_lines), "reason": reason}
        if calc.covers(user_limit(user=actor), approval.cumulative_amount):
            _record(case=case, actor=actor, note=changed,
                    data={"compensation": "approval_changed", **data})
            return _approve(approval=approval, actor=actor, note=note)
        route = _route_or_fail(case=case, amount=approval.cumulative_amount)
        _assign(approval=approval, route=route, now=timezone.now())
        approval.save(update_fields=["amount", "cumulative_amount", "change_reason",
                                     "approver_role", "approver_node", "due_at"])
        event = _record(case=case, actor=actor,
                        note=_("%(changed)s Now needs %(role)s: %(who)s.")
                        % {"changed": changed, "role": approval.get_approver_role_display(),
                           "who": person_names(route.people)},
                        data={"compensation": "approval_rerouted", "approver_role": route.role,
                              **data})
        _notify_approvers(approval=approval, route=route, event=event,
                          kind="approval_requested")
    return approval


def _offer_replace_lines(*, offer: Offer, chosen, total: Decimal) -> None:
    offer.lines.all().delete()
    OfferLine.objects.bulk_create(
        OfferLine(offer=offer, item=item, code=line.code, name=line.name,
                  dimension=line.dimension, value=line.value, position=n)
        for n, (item, line) in enumerate(chosen))
    offer.total_value = total
    offer.outside_range = not guidance_for(severity=offer.case.severity).contains(total)
    offer.under_loss = calc.under_loss(amount=total, loss=offer.customer_loss,
                                       multiplier=CompensationPolicy.current().loss_multiplier)
    offer.save(update_fields=["total_value", "outside_range", "under_loss"])


def _offer_rescale(*, offer: Offer, new_total: Decimal) -> None:
    lines = list(offer.lines.all())
    scaled = calc.rescale([calc.Line(code=x.code, name=x.name, dimension=x.dimension,
                                     value=x.value) for x in lines], new_total)
    for row, line in zip(lines, scaled, strict=True):
        row.value = line.value
    OfferLine.objects.bulk_update(lines, ["value"])
    offer.total_value = new_total
    offer.save(update_fields=["total_value"])


def compensation_issue(*, offer_id: int, actor: User,
                       line_ids: list[int] | None = None) -> list[IssuedCompensation]:
    """Record what was handed to the customer (what, value, when, by whom). Only approved offers
    are issued, each line once."""
    with transaction.atomic():
        offer = (Offer.objects.select_for_update(of=("self",)).select_related("case__store")
                 .get(pk=offer_id))
        if not can_work(offer.case, actor):
            raise PermissionDenied(_may_not_work(case=offer.case, actor=actor))
        issued = _issue(offer=offer, actor=actor, line_ids=line_ids)
    return issued


def _issue(*, offer: Offer, actor: User, line_ids: list[int] | None) -> list[IssuedCompensation]:
    """Issue the offer's (locked) unissued lines, or those of `line_ids`; the caller checked
    that the actor may."""
    if offer.status != OfferStatus.APPROVED:
        raise TransitionConflict(_("Only an approved offer can be issued."))
    lines = offer.lines.filter(issued__isnull=True)
    if line_ids is not None:
        lines = lines.filter(pk__in=line_ids)
        if lines.count() != len(set(line_ids)):
            raise ValidationError({"lines": [_("Unknown or already issued lines.")]})
    now = timezone.now()
    issued = IssuedCompensation.objects.bulk_create(
        IssuedCompensation(case=offer.case, offer=offer, line=line, code=line.code,
                           name=line.name, value=line.value, issued_at=now, issued_by=actor)
        for line in lines
    )
    for item in issued:
        stock_issue(store=offer.case.store, item_code=item.code, quantity=1, actor=actor,
                    case=offer.case)
    if issued:
        value = calc.total(calc.Line(code=i.code, name=i.name, dimension="", value=i.value)
                           for i in issued)
        _record(case=offer.case, actor=actor,
                note=_("Compensation issued: %(items)s (%(amount)s).")
                % {"items": "、".join(i.name for i in issued), "amount": _yuan(value)},
                data={"compensation": "issued", "offer": offer.pk, "value": str(value)})
    return issued


# ---------------------------------------------------------------- the SA's on-site part


def onsite_record(*, case_id: int, actor: User, what: str, note: str = "",
                  line_ids: list[int] | None = None) -> CaseEvent:
    """Record "apologised on site" or "gift handed over" on the timeline. The case's SA records
    them at any level (the first call of an L2+ case stays the manager's). A gift names the
    approved offer lines handed over: those not yet issued are issued now, by the actor; the
    event keeps the issued compensation it stands for."""
    note = note.strip()[:2000]
    if what not in Onsite.values:
        raise ValidationError({"what": [_("Choose the apology or the gift.")]})
    line_ids = sorted(set(line_ids or []))
    if what == Onsite.GIFT and not line_ids and not note:
        raise ValidationError({"note": [_("Say what was handed over.")]})
    with transaction.atomic():
        case = _case_lock(case_id=case_id)
        if not may_record_onsite(case, actor):
            raise PermissionDenied(_("Only those who work this case can record it."))
        if case.state == State.CLOSED:
            raise TransitionConflict(_("The case is closed."))
        lines = list(OfferLine.objects.select_related("offer").filter(
            pk__in=line_ids, offer__case=case, offer__status=OfferStatus.APPROVED))
        if len(lines) != len(line_ids):
            raise ValidationError({"lines": [_("Unknown lines, or of an offer not approved.")]})
        done = set(IssuedCompensation.objects.filter(line__in=line_ids)
                   .values_list("line_id", flat=True))
        for offer_id in {line.offer_id for line in lines if line.pk not in done}:
            _issue(offer=Offer.objects.select_for_update(of=("self",)).get(pk=offer_id),
                   actor=actor, line_ids=[line.pk for line in lines
                                          if line.offer_id == offer_id and line.pk not in done])
        issued = IssuedCompensation.objects.filter(line__in=line_ids)
        names = "、".join(line.name for line in lines)
        return _record(case=case, actor=actor,
                       note="；".join(part for part in (names, note) if part),
                       data={"onsite": what, "issued": sorted(i.pk for i in issued)})
