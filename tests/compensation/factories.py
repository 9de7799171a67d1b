"""Compensation factories. Cases come from the real intake service (tests/factories.py) and are
walked to `contacted` the way a manager does it."""

import itertools
from decimal import Decimal

import factory

from compensation.models import Dimension, RemedyItem
from org.models import User
from tests.factories import open_case, sop_contact

_orders = itertools.count(1)


class RemedyItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RemedyItem
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"item_{n}")
    name = factory.Sequence(lambda n: f"补偿项{n}")
    name_en = factory.Sequence(lambda n: f"Item {n}")
    dimension = Dimension.MATERIAL
    value = Decimal("100.00")
    variable = True
    position = factory.Sequence(lambda n: 100 + n)


def contacted_case(*, store, score: int = 6, vip: bool = False, flags=(),
                   amount: Decimal | None = None, actor: User | None = None,
                   customer_id: str | None = None):
    """A case at `contacted`. Score 6 makes an L1 case any advisor of the store may work."""
    record = ({"order_number": f"RO-{next(_orders)}", "amount": amount}
              if amount is not None else None)
    case = open_case(store=store, score=score, vip=vip, flags=flags, service_record=record,
                     customer_id=customer_id)
    manager = actor or User.objects.get(node=store, role="service_manager")
    return sop_contact(case, manager)
