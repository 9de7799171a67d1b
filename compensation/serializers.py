"""Input and output shapes of the compensation API (SPEC §11)."""

import math
import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Flag, Segment, Severity

from . import calculator as calc
from .models import ApprovalStatus, Offer, Onsite
from .selectors import range_note_text

MAX_MONEY = calc.MAX_MONEY
# Digits, optionally a point and more digits: no sign, exponent, underscore, space or
# non-ASCII digit (Python's Decimal and int accept all of those).
PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
PLAIN_INTEGER = re.compile(r"[0-9]+")
MAX_NUMBER_LENGTH = 40


def _plain(data, pattern: re.Pattern) -> str | None:
    """The number as its plain text, or None when it is not written plainly. A JSON number
    arrives as int or float; a float whose shortest form needs an exponent is refused."""
    if isinstance(data, bool):
        return None
    if isinstance(data, float):
        if not math.isfinite(data):
            return None
        data = repr(data)
    elif isinstance(data, int):
        data = str(data)
    if not isinstance(data, str) or len(data) > MAX_NUMBER_LENGTH:
        return None
    return data if pattern.fullmatch(data) else None


class MoneyIn(serializers.DecimalField):
    """A non-negative amount in CNY written as plain digits ("1200", "99.5", 99.5), rounded half
    up to 0.01 (extra places are rounded, not refused: a JSON number like 99.995 arrives as a
    float)."""

    default_error_messages = {
        "invalid": _("Give a plain amount in digits, such as 1200 or 99.50."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(max_digits=None, decimal_places=None, max_value=MAX_MONEY, **kwargs)

    def to_internal_value(self, data):
        text = _plain(data, PLAIN_DECIMAL)
        if text is None:
            self.fail("invalid")
        value = Decimal(text)
        # Bounds before rounding: quantizing a huge number to cents overflows the context.
        if value > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        if self.min_value is not None and value < self.min_value:
            self.fail("min_value", min_value=self.min_value)
        return calc.money(value)


class StrictIntegerIn(serializers.IntegerField):
    """An integer written as plain digits (DRF's own takes " 1 " and "1_000")."""

    def to_internal_value(self, data):
        text = _plain(data, PLAIN_INTEGER)
        if text is None:
            self.fail("invalid")
        return super().to_internal_value(int(text))


class MoneyOut(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


def _flags(*, outside_range: bool, under_loss: bool) -> list[str]:
    return [name for name, on in (("outside_range", outside_range), ("under_loss", under_loss))
            if on]


class QuoteIn(serializers.Serializer):
    failure_type = serializers.CharField(max_length=40)
    severity = serializers.CharField(max_length=10, help_text=", ".join(Severity.values))
    vip = serializers.BooleanField(required=False, default=False)
    # Checked against the case flags by the selector (a plain string keeps the schema free of a
    # second enum of the same flags).
    flags = serializers.ListField(child=serializers.CharField(max_length=30), required=False,
                                  default=list, help_text=", ".join(Flag.values))
    segment = serializers.ChoiceField(choices=Segment.choices, required=False,
                                      default=Segment.REGULAR)
    base_value = MoneyIn(required=False, allow_null=True, default=None)
    order_amount = MoneyIn(required=False, allow_null=True, default=None,
                           help_text=_("Repair order amount, for items valued from it."))
    customer_loss = MoneyIn(required=False, allow_null=True, default=None)
    earlier_visits = serializers.ListField(
        child=MoneyIn(), required=False, default=list, max_length=50,
        help_text=_("Amounts the customer paid on earlier visits for the same problem."))


class LineOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    dimension = serializers.CharField()
    value = MoneyOut()


class OptionOut(serializers.Serializer):
    tier = serializers.CharField()
    items = LineOut(source="lines", many=True)
    total_value = MoneyOut()
    approver_role = serializers.CharField(allow_null=True)
    flags = serializers.SerializerMethodField()
    recommended = serializers.BooleanField(
        help_text=_("The most generous option the budget (base value × coefficient) covers."))
    range_note = serializers.SerializerMethodField(
        help_text=_("Why the option lies outside its guidance range; empty inside it."))

    def get_flags(self, option: calc.Option) -> list[str]:
        return _flags(outside_range=option.outside_range, under_loss=option.under_loss)

    def get_range_note(self, option: calc.Option) -> str:
        return range_note_text(option=option,
                               quote=self.context.get("quote") or self.root.instance)


class RangeOut(serializers.Serializer):
    minimum = MoneyOut()
    maximum = MoneyOut(allow_null=True)


class QuoteOut(serializers.Serializer):
    coefficient = serializers.SerializerMethodField()
    base_value = MoneyOut()
    target_value = MoneyOut()
    range = RangeOut()
    options = OptionOut(many=True)

    def get_coefficient(self, quote: calc.Quote) -> str:
        # Exact, without trailing zeros: the seed's worked example reads "8.1".
        return format(quote.coefficient.normalize(), "f")


class CaseQuoteIn(serializers.Serializer):
    customer_loss = MoneyIn(required=False, allow_null=True, default=None)


class ItemIn(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    value = MoneyIn(required=False, allow_null=True, default=None)


class OfferIn(serializers.Serializer):
    tier = serializers.ChoiceField(choices=calc.TIERS, required=False)
    items = ItemIn(many=True, required=False, allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    customer_loss = MoneyIn(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if ("tier" in attrs) == ("items" in attrs):
            raise serializers.ValidationError(_("Give either a tier or the items."))
        return attrs


class OfferLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    dimension = serializers.CharField()
    value = MoneyOut()


class ApprovalBriefOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    approver_role = serializers.CharField()
    amount = MoneyOut()
    cumulative_amount = MoneyOut(help_text=_("What the decision commits in all: this case's "
                                             "and the customer's recent offers with this one."))
    due_at = serializers.DateTimeField(allow_null=True)


class OfferOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    tier = serializers.CharField()
    status = serializers.CharField()
    proposed_value = MoneyOut()
    total_value = MoneyOut()
    customer_loss = MoneyOut(allow_null=True)
    flags = serializers.SerializerMethodField()
    note = serializers.CharField()
    items = OfferLineOut(source="lines", many=True)
    approval = serializers.SerializerMethodField()
    proposed_by = serializers.CharField(source="proposed_by.username")
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_flags(self, offer: Offer) -> list[str]:
        return _flags(outside_range=offer.outside_range, under_loss=offer.under_loss)

    @extend_schema_field(ApprovalBriefOut(allow_null=True))
    def get_approval(self, offer: Offer):
        approval = getattr(offer, "approval", None)
        return ApprovalBriefOut(approval).data if approval else None


class ApprovalFilterIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApprovalStatus.choices, required=False)


class ApprovalOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    amount = MoneyOut()
    cumulative_amount = MoneyOut()
    approver_role = serializers.CharField()
    approver_node = serializers.CharField(source="approver_node.code")
    due_at = serializers.DateTimeField(allow_null=True)
    escalations = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    case_number = serializers.CharField(source="case.number", allow_null=True)
    requested_by = serializers.CharField(source="requested_by.username")
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    items = OfferLineOut(source="offer.lines", many=True)
    note = serializers.CharField(source="offer.note")


class CardCustomerOut(serializers.Serializer):
    name = serializers.CharField()
    vip = serializers.BooleanField()
    segment = serializers.CharField()
    visits = serializers.IntegerField()
    cases = serializers.IntegerField()


class CardCaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    comment = serializers.CharField()
    failure_type = serializers.CharField(allow_null=True)
    severity = serializers.CharField()
    emotion = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    score = serializers.IntegerField(allow_null=True)


class CardOfferOut(serializers.Serializer):
    id = serializers.IntegerField()
    case_number = serializers.CharField(allow_null=True)
    tier = serializers.CharField()
    status = serializers.CharField()
    total_value = MoneyOut()
    proposed_by = serializers.CharField()
    decided_by = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    items = LineOut(many=True)


def card_offer(offer: Offer, *, show_case: bool = True) -> dict:
    approval = getattr(offer, "approval", None) if offer.pk else None
    return {
        "id": offer.pk, "case_number": offer.case.number if show_case else None,
        "tier": offer.tier, "status": offer.status, "total_value": offer.total_value,
        "proposed_by": offer.proposed_by.get_full_name() or offer.proposed_by.username,
        "decided_by": ((offer.decided_by.get_full_name() or offer.decided_by.username)
                       if offer.decided_by else None),
        "reason": (approval.reason or approval.change_reason) if approval else "",
        "created_at": offer.created_at, "items": list(offer.lines.all()),
    }


class ApprovalCardOut(serializers.Serializer):
    """One approval with what the approver needs to decide it (issue #20). The instance is
    `ApprovalCardOut.shape(card)`; pass `context={"quote": card.quote}`."""

    approval = ApprovalOut()
    customer = CardCustomerOut()
    what_happened = CardCaseOut()
    customer_loss = MoneyOut(allow_null=True)
    cumulative_amount = MoneyOut()
    case_total = MoneyOut(help_text=_("This case's approved and pending offers."))
    earlier_offers = CardOfferOut(many=True)
    customer_recent = CardOfferOut(many=True)
    customer_recent_total = MoneyOut()
    change_reason = serializers.CharField()
    quote = QuoteOut(allow_null=True)

    @staticmethod
    def shape(card) -> dict:
        a, case, customer = card.approval, card.case, card.case.customer
        return {
            "approval": a,
            "customer": {"name": customer.name, "vip": customer.vip,
                         "segment": customer.segment, "visits": card.visits,
                         "cases": card.cases},
            "what_happened": {
                "id": case.pk, "number": case.number, "comment": case.description,
                "failure_type": case.failure_type.code if case.failure_type else None,
                "severity": case.severity, "emotion": card.emotion,
                "flags": list(case.flags or []), "score": case.score_before},
            "customer_loss": card.customer_loss, "cumulative_amount": a.cumulative_amount,
            "case_total": card.case_total, "change_reason": a.change_reason,
            "earlier_offers": [card_offer(o) for o in card.earlier_offers],
            "customer_recent": [card_offer(o, show_case=o.case_id in card.visible_case_ids)
                                for o in card.recent_offers],
            "customer_recent_total": card.recent_total,
            "quote": card.quote,
        }


class ApproveIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RejectIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ChangeIn(serializers.Serializer):
    """The approver edits the offer: its items and values, or only its total (spread over the
    items); the reason is required and recorded."""

    items = ItemIn(many=True, required=False, allow_empty=False)
    total_value = MoneyIn(required=False)
    reason = serializers.CharField(max_length=2000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate(self, attrs):
        if ("items" in attrs) == ("total_value" in attrs):
            raise serializers.ValidationError(_("Give either the items or the total value."))
        return attrs


class IssueIn(serializers.Serializer):
    lines = serializers.ListField(child=StrictIntegerIn(min_value=1), required=False,
                                  allow_empty=False)


class IssuedOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    value = MoneyOut()
    issued_at = serializers.DateTimeField()
    issued_by = serializers.CharField(source="issued_by.username")


class OnsiteIn(serializers.Serializer):
    what = serializers.ChoiceField(choices=Onsite.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    lines = serializers.ListField(
        child=StrictIntegerIn(min_value=1), required=False, default=list,
        help_text=_("For a gift: the approved offer lines handed over (those not yet issued "
                    "are issued now)."))


class OnsiteOut(serializers.Serializer):
    id = serializers.IntegerField()
    what = serializers.CharField(source="data.onsite")
    note = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(source="actor.username", allow_null=True)
    issued = serializers.ListField(child=serializers.IntegerField(), source="data.issued",
                                   help_text=_("The issued compensation the gift stands for."))
