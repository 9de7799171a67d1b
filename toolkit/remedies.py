"""Reads of the compensation app, through the app registry so the toolkit keeps working while
compensation's models are absent or changing (they belong to another app)."""

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from cases.models import Case, Customer


@dataclass(frozen=True)
class ChosenOffer:
    items: list[str]
    total_value: Decimal


def _model(name: str):
    try:
        return apps.get_model("compensation", name)
    except LookupError:
        return None


def offer_chosen(*, case: Case) -> ChosenOffer | None:
    """The customer's option: the newest approved offer, else the newest one still pending."""
    offer_model = _model("Offer")
    if offer_model is None:
        return None
    offers = offer_model.objects.filter(case=case).exclude(status="rejected")
    offer = (offers.filter(status="approved").order_by("-created_at", "-pk").first()
             or offers.order_by("-created_at", "-pk").first())
    if offer is None:
        return None
    # In the script's language: a Chinese letter names the catalog's Chinese item.
    return ChosenOffer(items=[line.label for line in offer.lines.select_related("item")],
                       total_value=offer.total_value)


def compensation_received(*, customer: Customer,
                          case_ids: list[int] | None = None) -> Decimal | None:
    """Everything handed to the customer over all their cases (or over `case_ids`); None when
    compensation is not installed."""
    issued = _model("IssuedCompensation")
    if issued is None:
        return None
    rows = issued.objects.filter(case__customer=customer)
    if case_ids is not None:
        rows = rows.filter(case__in=case_ids)
    return rows.aggregate(
        total=Coalesce(Sum("value"), Value(Decimal("0.00")),
                       output_field=DecimalField(max_digits=14, decimal_places=2)))["total"]
