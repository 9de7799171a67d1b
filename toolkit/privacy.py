"""The customer's profile, contacts and mood notes in their personal data (`cases.privacy`)."""

from collections.abc import Iterable

from cases.models import Case, Customer
from cases.privacy import REDACTED, PersonalData, rows_of

from .models import CaseProfile, Contact, CustomerProfile


class ToolkitData(PersonalData):
    @staticmethod
    def customer_export(customer: Customer) -> dict:
        return {"profile": (rows_of(CustomerProfile.objects.filter(customer=customer),
                                    "birthday", "vehicle", "preferences") or [None])[0]}

    @staticmethod
    def case_export(case: Case) -> dict:
        return {"contacts": rows_of(Contact.objects.filter(case=case).order_by("at", "pk"), "id",
                                    "channel", "purpose", "outcome", "note", "at",
                                    "by__username")}

    @staticmethod
    def secrets(customer: Customer) -> Iterable[str]:
        yield from Contact.objects.filter(case__customer=customer).values_list("note", flat=True)
        yield from CaseProfile.objects.filter(case__customer=customer).values_list(
            "emotion_note", flat=True)

    @staticmethod
    def erase(customer: Customer) -> None:
        Contact.objects.filter(case__customer=customer).exclude(
            note__in=["", REDACTED]).update(note=REDACTED)
        CaseProfile.objects.filter(case__customer=customer).exclude(
            emotion_note__in=["", REDACTED]).update(emotion_note=REDACTED)
        CustomerProfile.objects.filter(customer=customer).update(birthday=None, vehicle="",
                                                                 preferences="")
