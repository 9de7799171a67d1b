"""The customer's offers and compensation in their personal-data export (`cases.privacy`)."""

from cases.models import Case
from cases.privacy import PersonalData, rows_of

from .models import IssuedCompensation, Offer, OfferLine


class CompensationData(PersonalData):
    @staticmethod
    def case_export(case: Case) -> dict:
        offers = Offer.objects.filter(case=case).order_by("pk")
        return {
            "offers": [{**o, "lines": rows_of(OfferLine.objects.filter(offer_id=o["id"]).order_by(
                "position", "pk"), "code", "name", "value")}
                for o in rows_of(offers, "id", "tier", "status", "total_value", "note",
                                 "created_at")],
            "issued_compensation": rows_of(
                IssuedCompensation.objects.filter(case=case).order_by("pk"),
                "id", "code", "name", "value", "issued_at"),
        }
