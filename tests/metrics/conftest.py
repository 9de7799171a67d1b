"""A hand-built month (February 2026, Asia/Shanghai) where every figure is known.

S01 (manager1's store):
  c1  T0 02-02 10:00, contact +1 h,  closed 02-05 recovered, 3 → 10, came back 02-20, ¥200
  c2  T0 02-03 10:00, contact +3 h,  closed 02-06 recovered, 2 → 9,  no later visit, ¥100
  c3  T0 02-04 10:00, contact +30 m, closed 02-08 retained,  4 → 7,  came back 02-25
  c4  T0 02-05 10:00, contact +5 h,  closed 02-09 lost,      1, not re-scored, visit 02-06
      (before it was resolved: not a later visit)
  c5  T0 02-10 10:00, contact +2 h,  still in progress, ¥500 (not closed: not in the cost)
  c6  T0 02-11 10:00, never contacted
  c7  T0 01-28 10:00, contact +10 h, closed 02-02 recovered, 5 → 10 (response in January)
  c0  T0 01-05 10:00, contact +1 h,  closed 01-10 recovered (January only)
S02 (manager2's store):
  c8  T0 02-12 10:00, contact +1 h,  closed 02-20 recovered, 0 → 9
"""

from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Case, FailureType, ServiceRecord
from cases.services import case_rescore, case_transition
from compensation.models import IssuedCompensation, Offer, OfferLine, RemedyItem
from escalation.models import Deadline, Escalation, SlaPolicy
from metrics.facts import case_facts_rebuild
from metrics.tallies import tallies_rebuild
from tests.factories import open_case, sop_contact, sop_prepare
from toolkit.models import Contact, RootCause

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=TZ)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def make_case(*, store, actor, t0, contact=None, close=None, outcome="recovered", before=3,
              after=None, visit=None, resolve=None):
    with time_machine.travel(t0, tick=False):
        case = open_case(store=store, score=before, responded_at=t0)
    if contact is not None:
        sop_contact(case, actor, at=t0 + contact)
    if close is not None:
        for name in ("propose", "start"):
            sop_prepare(case, name, actor)
            case_transition(case_id=case.pk, name=name, actor=actor, at=t0 + contact)
        sop_prepare(case, "resolve", actor)
        case_transition(case_id=case.pk, name="resolve", actor=actor, at=resolve or close)
        if after is not None:
            case_rescore(case=Case.objects.get(pk=case.pk), score=after, at=close, actor=actor)
        elif outcome == "recovered":
            # Recovered without a re-score: the customer said so in a follow-up (issue 19).
            Contact.objects.create(case=case, channel="phone", purpose="follow_up",
                                   outcome="reached", satisfied=True, by=actor, at=close)
        case_transition(case_id=case.pk, name="close", actor=actor, at=close, outcome=outcome)
    if visit is not None:
        ServiceRecord.objects.create(store=store, customer=case.customer, visit_at=visit,
                                     order_number=f"later-{case.pk}")
    return Case.objects.get(pk=case.pk)


def issue(case, value: str, actor) -> None:
    offer = Offer.objects.create(case=case, tier="expected", status="approved",
                                 proposed_value=Decimal(value), total_value=Decimal(value),
                                 proposed_by=actor)
    item = RemedyItem.objects.first()
    line = OfferLine.objects.create(offer=offer, item=item, code=item.code, name=item.name,
                                    dimension=item.dimension, value=Decimal(value))
    IssuedCompensation.objects.create(case=case, offer=offer, line=line, code=item.code,
                                      name=item.name, value=Decimal(value), issued_by=actor)


@pytest.fixture
def february(org):
    # The month's response times are wall time (c7's 10 h cross closing time); business time
    # is in test_response_clock.py.
    contact = SlaPolicy.objects.get(kind="contact")
    contact.clock = "wall"
    contact.save()
    d1, d2 = org.director1, org.manager2
    h = timedelta(hours=1)
    c = SimpleNamespace()
    c.c1 = make_case(store=org.S01, actor=d1, t0=at(2, 2), contact=h, close=at(2, 5),
                     before=3, after=10, visit=at(2, 20))
    c.c2 = make_case(store=org.S01, actor=d1, t0=at(2, 3), contact=3 * h, close=at(2, 6),
                     before=2, after=9)
    c.c3 = make_case(store=org.S01, actor=d1, t0=at(2, 4), contact=h / 2, close=at(2, 8),
                     outcome="retained", before=4, after=7, visit=at(2, 25))
    c.c4 = make_case(store=org.S01, actor=d1, t0=at(2, 5), contact=5 * h, close=at(2, 9),
                     outcome="lost", before=1, visit=at(2, 6))
    c.c5 = make_case(store=org.S01, actor=d1, t0=at(2, 10), contact=2 * h)
    c.c6 = make_case(store=org.S01, actor=d1, t0=at(2, 11))
    c.c7 = make_case(store=org.S01, actor=d1, t0=at(1, 28), contact=10 * h, close=at(2, 2),
                     before=5, after=10)
    c.c0 = make_case(store=org.S01, actor=d1, t0=at(1, 5), contact=h, close=at(1, 10))
    c.c8 = make_case(store=org.S02, actor=d2, t0=at(2, 12), contact=h, close=at(2, 20),
                     before=0, after=9)
    for case, value in ((c.c1, "200"), (c.c2, "100"), (c.c5, "500")):
        issue(case, value, d1)
    process, people = "process_error", "human_negligence"
    for case, category in ((c.c1, process), (c.c2, process), (c.c4, people)):
        RootCause.objects.create(case=case, category=category)
    Case.objects.filter(pk=c.c1.pk).update(
        failure_type=FailureType.objects.get(code="time_delay"))
    late = Deadline.objects.get(case=c.c2, kind="contact")
    Escalation.objects.create(deadline=late, case=c.c2, kind="contact", from_level="L2",
                              to_level="L3", target="owner_superior", due_at=late.due_at,
                              fired_at=late.due_at + timedelta(minutes=1))
    # The rows above were written straight to the tables, past the services that keep the facts
    # and the tallies.
    case_facts_rebuild()
    tallies_rebuild()
    with time_machine.travel(NOW, tick=False):
        yield c
