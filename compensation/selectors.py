"""Reads of the compensation app: the configuration as calculator values, quotes, routing,
approvals waiting for someone, and the cost of recoveries."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, FailureType, Flag, Segment, ServiceRecord, Severity
from cases.selectors import case_scope
from org.models import ROLE_RANK, OrgNode, Role, User
from org.selectors import (
    people_at_or_above,
    people_in_chain,
    user_can_see_node,
    user_scope_path,
)
from toolkit.models import CaseProfile, Emotion

from . import calculator as calc
from .models import (
    Approval,
    ApprovalStatus,
    AuthorityLimit,
    BasePlanItem,
    CoefficientFactor,
    CompensationPolicy,
    FactorKind,
    GuidanceRange,
    IssuedCompensation,
    Offer,
    OfferLine,
    OfferStatus,
    RemedyItem,
)

# Offers that count against authority: granted, or waiting for a decision.
COMMITTED = (OfferStatus.APPROVED, OfferStatus.PENDING)


def catalog_item(i: RemedyItem) -> calc.CatalogItem:
    return calc.CatalogItem(
        code=i.code, name=i.name, name_en=i.name_en, dimension=i.dimension, value=i.value,
        order_share=i.order_share, variable=i.variable, segments=frozenset(i.segments or []),
        position=i.position, level=i.level, value_max=i.value_max,
        earlier_visits=i.earlier_visits, fits=frozenset(i.fits or []),
        min_severity=i.min_severity, replaces=i.replaces)


def catalog_items(*, failure_type: str | None = None,
                  severity: str | None = None) -> list[calc.CatalogItem]:
    """The active catalog; given a failure type and severity, only the items that fit them."""
    items = [catalog_item(i) for i in RemedyItem.objects.filter(active=True)]
    if failure_type is None:
        return items
    return [i for i in items if i.fits_case(failure_type=failure_type, severity=severity)]


def factors_load() -> calc.Factors:
    tables = {kind: {} for kind in FactorKind.values}
    for kind, key, value in CoefficientFactor.objects.values_list("kind", "key", "value"):
        tables[kind][key] = value
    return calc.Factors(customer=tables[FactorKind.CUSTOMER],
                        severity=tables[FactorKind.SEVERITY],
                        increments=tables[FactorKind.INCREMENT],
                        multipliers=tables[FactorKind.MULTIPLIER],
                        scheme=CompensationPolicy.current().coefficient_scheme)


def guidance_for(*, severity: str) -> calc.Range:
    row = GuidanceRange.objects.filter(severity=severity).first()
    if row is None:
        return calc.Range(minimum=calc.ZERO, maximum=None)
    return calc.Range(minimum=row.minimum, maximum=row.maximum)


def authority_limits() -> dict[str, Decimal | None]:
    """Each role's limit in rank order; a role without a row has no authority at all."""
    rows = dict(AuthorityLimit.objects.values_list("role", "limit"))
    return {role: rows.get(role, calc.ZERO) for role in Role.values}


def user_limit(*, user: User) -> Decimal | None:
    """What the user may grant alone. Authority comes from the role only (a superuser without a
    role has none), so no path lets anyone approve above a configured limit."""
    if not user.is_authenticated or not user.role:
        return calc.ZERO
    return authority_limits()[user.role]


def decision_window(*, role: str) -> timedelta | None:
    return AuthorityLimit.objects.filter(role=role).values_list("decision_window",
                                                                flat=True).first()


def base_lines(*, failure_type: FailureType, severity: str,
               costs: calc.Costs) -> list[calc.Line]:
    """The base plan of the failure type at the severity, valued from what the customer paid;
    an item that does not fit the failure type is left out whatever the plan says."""
    rows = (BasePlanItem.objects.filter(plan__failure_type=failure_type, plan__severity=severity,
                                        item__active=True).select_related("item"))
    lines = []
    for row in rows:
        item = catalog_item(row.item)
        if item.fits and failure_type.code not in item.fits:
            continue
        value = row.value if row.value is not None else item.value_for(costs=costs)
        lines.append(calc.Line(code=item.code, name=item.name, dimension=item.dimension,
                               value=calc.money(value), name_en=item.name_en))
    return lines


@dataclass(frozen=True)
class QuoteInput:
    failure_type: str
    severity: str
    vip: bool = False
    flags: tuple[str, ...] = ()
    segment: str = Segment.REGULAR
    base_value: Decimal | None = None
    order_amount: Decimal | None = None
    customer_loss: Decimal | None = None
    earlier_amounts: tuple[Decimal, ...] = ()


def quote_build(*, data: QuoteInput) -> calc.Quote:
    """Raises ValidationError (HTTP 400) for an unknown failure type, severity, flag or
    segment."""
    errors = {}
    failure_type = FailureType.objects.filter(code=data.failure_type, active=True).first()
    if failure_type is None:
        errors["failure_type"] = [_("Unknown failure type.")]
    if data.severity not in Severity.values:
        errors["severity"] = [_("Unknown severity.")]
    unknown = set(data.flags) - set(Flag.values)
    if unknown:
        errors["flags"] = [_("Unknown flags: %(flags)s") % {"flags": ", ".join(sorted(unknown))}]
    if data.segment not in Segment.values:
        errors["segment"] = [_("Unknown segment.")]
    if errors:
        raise ValidationError(errors)
    policy = CompensationPolicy.current()
    try:
        costs = calc.Costs(this_visit=data.order_amount, earlier=data.earlier_amounts)
        result = calc.quote(
            factors=factors_load(), severity=data.severity, vip=data.vip, flags=data.flags,
            segment=data.segment,
            catalog=catalog_items(failure_type=failure_type.code, severity=data.severity),
            base_lines=base_lines(failure_type=failure_type, severity=data.severity,
                                  costs=costs),
            guidance=guidance_for(severity=data.severity), limits=authority_limits(),
            loss_multiplier=policy.loss_multiplier, base_value=data.base_value,
            customer_loss=data.customer_loss, costs=costs,
        )
    except calc.UnknownKey as exc:
        raise ValidationError({"severity": [_("The coefficient matrix has no row for %(key)s.")
                                            % {"key": exc}]}) from exc
    if calc.quote_too_large(result):
        field = "base_value" if data.base_value is not None else "order_amount"
        raise ValidationError({field: [_("With this coefficient the values would exceed "
                                         "%(max)s; give a smaller amount.")
                                       % {"max": calc.MAX_MONEY}]})
    return result


def customer_costs(*, case: Case) -> calc.Costs:
    """What the customer paid: this visit's repair order, and the customer's earlier visits of
    the same service type (the same problem) at the same store (another store's visits are not
    this store's to know, issue #15.1)."""
    record = case.service_record
    if record is None:
        return calc.Costs()
    earlier = ()
    if record.service_type:
        visits = ServiceRecord.objects.filter(
            customer_id=case.customer_id, store_id=record.store_id,
            service_type=record.service_type).exclude(pk=record.pk)
        if record.visit_at:
            visits = visits.filter(visit_at__lt=record.visit_at)
        earlier = tuple(a for a in visits.order_by("visit_at", "pk")
                        .values_list("amount", flat=True) if a)
    return calc.Costs(this_visit=record.amount or None, earlier=earlier)


def range_note_text(*, option: calc.Option, quote: calc.Quote) -> str:
    """The option's range note in the user's language (seed 000 §2.3: outside is allowed when
    it says why)."""
    words = {
        "below": _("Below the guidance range of %(range)s: the items that fit this failure at "
                   "this severity add up to less."),
        "above_within_budget": _("Above the guidance range of %(range)s: what the customer "
                                 "paid and the budget (base value %(base)s × coefficient "
                                 "%(coefficient)s = %(target)s) allow it."),
        "above_budget": _("Above the guidance range of %(range)s and the budget of "
                          "%(target)s: the items this option needs cost more."),
    }
    if not option.range_note:
        return ""
    r = quote.range
    span = (f"¥{r.minimum:,.0f}–{r.maximum:,.0f}" if r.maximum is not None
            else f"¥{r.minimum:,.0f}+")
    return words[option.range_note] % {
        "range": span, "base": f"¥{quote.base_value:,}", "target": f"¥{quote.target_value:,}",
        "coefficient": format(quote.coefficient.normalize(), "f")}


def case_quote_input(*, case: Case, customer_loss: Decimal | None = None) -> QuoteInput:
    failure_type = case.failure_type or CompensationPolicy.current().fallback_failure_type
    if failure_type is None:
        raise ValidationError({"tier": [_("The case has no failure type; choose the items.")]})
    costs = customer_costs(case=case)
    return QuoteInput(
        failure_type=failure_type.code, severity=case.severity, vip=case.customer.vip,
        flags=tuple(case.flags or ()), segment=case.customer.segment,
        order_amount=costs.this_visit, earlier_amounts=costs.earlier,
        customer_loss=customer_loss,
    )


@dataclass(frozen=True)
class Route:
    role: str
    node: OrgNode
    people: list[User]


def approver_route(*, node: OrgNode, amount: Decimal, above_role: str | None = None
                   ) -> Route | None:
    """The lowest role in the node's chain whose limit covers the amount (and, when escalating,
    that ranks above `above_role`) and that has someone to decide."""
    floor = ROLE_RANK[above_role] if above_role else 0
    for role, limit in authority_limits().items():
        if ROLE_RANK[role] <= floor or not calc.covers(limit, amount):
            continue
        people, found_at = people_in_chain(node=node, role=role)
        if people:
            return Route(role=role, node=found_at, people=people)
    return None


@dataclass(frozen=True)
class Exposure:
    """What an offer commits in all (issue #15.2): splitting an amount into several offers, on
    one case or on several cases of the customer, never gets it past a limit."""

    case_total: Decimal
    customer_total: Decimal
    new: Decimal

    @property
    def total(self) -> Decimal:
        return self.case_total + self.customer_total + self.new


def _sum_offers(qs: QuerySet[Offer]) -> Decimal:
    return qs.aggregate(total=Coalesce(
        Sum("total_value"), Value(calc.ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2)))["total"]


def exposure_for(*, case: Case, new_amount: Decimal = calc.ZERO,
                 exclude_offer_id: int | None = None) -> Exposure:
    """The case's approved and pending offers, the customer's approved and pending offers on
    other cases within the policy's window, and the new amount."""
    window = CompensationPolicy.current().customer_window
    committed = Offer.objects.filter(status__in=COMMITTED)
    if exclude_offer_id is not None:
        committed = committed.exclude(pk=exclude_offer_id)
    return Exposure(
        case_total=_sum_offers(committed.filter(case=case)),
        customer_total=_sum_offers(committed.filter(
            ~Q(case=case), case__customer_id=case.customer_id,
            created_at__gte=timezone.now() - window)),
        new=calc.money(new_amount),
    )


def person_names(people) -> str:
    return "、".join(p.get_full_name() or p.username for p in people)


def who_decides(*, case: Case, amount: Decimal) -> str:
    """Names the people who may decide `amount` on the case, for a refusal the user can act on
    (the person, never a role the user holds himself)."""
    route = approver_route(node=case.store, amount=amount)
    if route is None:
        return _("nobody in this case's chain has that authority; ask headquarters")
    return _("%(names)s (%(role)s) can decide") % {"names": person_names(route.people),
                                                    "role": Role(route.role).label}


def who_works(*, case: Case) -> str:
    """The people who own the case at its level, by name (for someone who may not work it)."""
    people, _node, _role = people_at_or_above(node=case.store, role=case.owner_role)
    return person_names(people) or Role(case.owner_role).label


def who_approves(*, approval: Approval) -> str:
    people, _node = people_in_chain(node=approval.case.store, role=approval.approver_role)
    role = Role(approval.approver_role).label
    return f"{person_names(people)} ({role})" if people else role


def user_may_decide(*, user: User, approval: Approval) -> bool:
    """In the case's chain, and with a limit that covers what the decision commits in all
    (SPEC §6, §11)."""
    return (user_can_see_node(user=user, node=approval.case.store)
            and calc.covers(user_limit(user=user),
                            max(approval.amount, approval.cumulative_amount)))


def pending_approvals_badge(user: User) -> int | None:
    """Approvals waiting for the user (the top bar's badge), or None for roles that never
    approve (SAs)."""
    if not user.is_authenticated or not user.has_rank(Role.SERVICE_MANAGER):
        return None
    return approvals_for(user=user, status="pending").count()


def approvals_for(*, user: User, status: str | None = None) -> QuerySet[Approval]:
    """Approvals routed to the user's role in the user's part of the tree."""
    scope = user_scope_path(user=user)
    if scope is None or not user.role:
        return Approval.objects.none()
    qs = Approval.objects.filter(approver_role=user.role, case__store__path__startswith=scope)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("case", "offer", "approver_node", "requested_by").prefetch_related(
        "offer__lines__item").order_by("due_at", "pk")


def customer_recent_offers(*, customer_id: int) -> QuerySet[Offer]:
    """The customer's approved and pending offers within the policy's window, newest first."""
    since = timezone.now() - CompensationPolicy.current().customer_window
    return (Offer.objects.filter(case__customer_id=customer_id, status__in=COMMITTED,
                                 created_at__gte=since)
            .select_related("case").order_by("-created_at", "-pk"))


def pending_approval_for(*, case: Case) -> Approval | None:
    return Approval.objects.filter(case=case, status=ApprovalStatus.PENDING).first()


def issued_total(*, cases: QuerySet[Case]) -> Decimal:
    return IssuedCompensation.objects.filter(case__in=cases).aggregate(
        total=Coalesce(Sum("value"), Value(calc.ZERO),
                       output_field=DecimalField(max_digits=14, decimal_places=2)))["total"]


def cost_per_recovery(*, cases: QuerySet[Case]) -> Decimal:
    """Compensation issued ÷ cases (SPEC §10), to the cent; zero for no cases."""
    count = cases.count()
    return calc.money(issued_total(cases=cases) / count) if count else calc.ZERO


@dataclass(frozen=True)
class ApprovalCard:
    """What an approver needs to decide (issue #20): who the customer is, what happened, what
    it cost them, what this case and this customer were already given, and the options."""

    approval: Approval
    case: Case
    visits: int
    cases: int
    emotion: str
    emotion_label: str
    customer_loss: Decimal | None
    case_total: Decimal
    earlier_offers: list[Offer]
    recent_offers: list[Offer]
    recent_total: Decimal
    quote: calc.Quote | None
    visible_case_ids: frozenset[int]


def approval_card(*, approval: Approval, user: User) -> ApprovalCard:
    case = (Case.objects.select_related("customer", "failure_type", "store", "service_record")
            .get(pk=approval.case_id))
    customer = case.customer
    offers = (Offer.objects.filter(case=case).exclude(pk=approval.offer_id)
              .select_related("proposed_by", "decided_by", "approval")
              .prefetch_related("lines__item").order_by("-created_at", "-pk"))
    recent = list(customer_recent_offers(customer_id=customer.pk).exclude(case=case))
    try:
        quote = quote_build(data=case_quote_input(case=case,
                                                  customer_loss=approval.offer.customer_loss))
    except ValidationError:
        quote = None
    visible = case_scope(user=user).filter(pk__in={o.case_id for o in recent})
    emotion = (CaseProfile.objects.filter(case=case).values_list("emotion", flat=True).first()
               or "")
    return ApprovalCard(
        approval=approval, case=case,
        visits=ServiceRecord.objects.filter(customer=customer).count(),
        cases=Case.objects.filter(customer=customer).count(),
        emotion=emotion, emotion_label=Emotion(emotion).label if emotion else "",
        customer_loss=approval.offer.customer_loss,
        case_total=exposure_for(case=case).case_total,
        earlier_offers=list(offers), recent_offers=recent,
        recent_total=calc.money(sum((o.total_value for o in recent), calc.ZERO)),
        quote=quote, visible_case_ids=frozenset(visible.values_list("pk", flat=True)),
    )


def onsite_lines(*, case: Case) -> list[OfferLine]:
    """The lines of the case's approved offers: what the SA may hand over on site, each with
    `handed` (its issued compensation, or None)."""
    lines = list(OfferLine.objects.filter(offer__case=case, offer__status=OfferStatus.APPROVED)
                 .select_related("offer").order_by("offer_id", "position", "pk"))
    issued = {i.line_id: i for i in IssuedCompensation.objects.filter(line__in=lines)}
    for line in lines:
        line.handed = issued.get(line.pk)
    return lines


def onsite_events(*, case: Case) -> QuerySet[CaseEvent]:
    """What was recorded of the on-site part (apology, gift handed over), oldest first."""
    return case.events.filter(data__has_key="onsite").select_related("actor")
