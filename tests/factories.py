"""Factories. Cases are opened through the intake service, the way production opens them."""

import itertools
from datetime import datetime

import factory
from django.utils import timezone

from cases.models import Case, Customer
from cases.services import survey_response_receive
from org.models import User

_seq = itertools.count(1)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"cust-{n}")
    name = factory.Sequence(lambda n: f"客户{n}")
    phone = "13800000000"
    vip = False


def open_case(*, store, score: int | None = 3, comment: str = "", flags=(), vip: bool = False,
              customer_id: str | None = None, responded_at: datetime | None = None,
              service_record: dict | None = None, actor: User | None = None) -> Case:
    """Open a case the way a survey push does and return it."""
    n = next(_seq)
    actor = actor or User.objects.get(username="integration")
    result = survey_response_receive(
        actor=actor, store=store, source="dms", external_id=f"resp-{n}", score=score,
        comment=comment, flags=list(flags), responded_at=responded_at or timezone.now(),
        customer={"external_id": customer_id or f"cust-open-{n}", "name": f"客户{n}",
                  "phone": "13900000000", "vip": vip},
        service_record=service_record,
    )
    assert result.response.case is not None, "no trigger fired"
    return result.response.case
