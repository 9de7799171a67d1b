"""Notifications about a customer in their personal data (`cases.privacy`)."""

from django.db.models import QuerySet

from cases.models import Customer
from cases.privacy import REDACTED, PersonalData, mentions_q, rows_of

from .models import CustomerMessage, Notification


def _about(customer: Customer) -> QuerySet:
    return Notification.objects.filter(mentions_q(customer=customer))


def _messages(customer: Customer) -> QuerySet:
    return CustomerMessage.objects.filter(case__customer=customer)


class NotificationData(PersonalData):
    @staticmethod
    def customer_export(customer: Customer) -> dict:
        return {"notifications": rows_of(_about(customer).order_by("pk"), "id",
                                         "recipient__username", "kind", "title", "body",
                                         "case_id", "created_at"),
                "messages": rows_of(_messages(customer).order_by("pk"), "id", "case_id",
                                    "channel", "to", "text", "created_at")}

    @staticmethod
    def erase(customer: Customer) -> None:
        # The messages sent to them: the number or WeChat id and the text that named them.
        _messages(customer).exclude(text=REDACTED).update(to="", text=REDACTED)

    @staticmethod
    def copies(customer: Customer) -> list:
        return [(_about(customer), ("title", "body"))]
