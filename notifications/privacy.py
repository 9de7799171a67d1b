"""Notifications about a customer in their personal data (`cases.privacy`)."""

from django.db.models import QuerySet

from cases.models import Customer
from cases.privacy import PersonalData, mentions_q, rows_of

from .models import Notification


def _about(customer: Customer) -> QuerySet:
    return Notification.objects.filter(mentions_q(customer=customer))


class NotificationData(PersonalData):
    @staticmethod
    def customer_export(customer: Customer) -> dict:
        return {"notifications": rows_of(_about(customer).order_by("pk"), "id",
                                         "recipient__username", "kind", "title", "body",
                                         "case_id", "created_at")}

    @staticmethod
    def copies(customer: Customer) -> list:
        return [(_about(customer), ("title", "body"))]
