"""What the customer wrote on their page, in their personal data (`cases.privacy`)."""

from collections.abc import Iterable

from cases.models import Customer
from cases.privacy import REDACTED, PersonalData

from .models import CustomerReply


class PortalData(PersonalData):
    @staticmethod
    def secrets(customer: Customer) -> Iterable[str]:
        return CustomerReply.objects.filter(case__customer=customer).values_list("comment",
                                                                                 flat=True)

    @staticmethod
    def erase(customer: Customer) -> None:
        CustomerReply.objects.filter(case__customer=customer).exclude(
            comment__in=["", REDACTED]).update(comment=REDACTED)
