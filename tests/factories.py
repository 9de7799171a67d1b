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


def sop_prepare(case: Case, name: str, actor: User, *, outcome: str | None = None,
                at: datetime | None = None) -> None:
    """Do the work the SOP asks before transition `name` (issue 19), the way a manager does it:
    a plan written before `propose`, the required checklist items done before `resolve`, a
    re-score of 10 before closing as recovered. (`contact` is earned by logging the contact,
    which runs it: see `sop_walk`.)"""
    from cases.services import case_plan_set, case_rescore, checklist_item_set

    if name == "propose":
        case_plan_set(case=case, plan="更换部件并赠送保养一次,24小时内回访", actor=actor)
    elif name == "resolve":
        for item in case.checklist.filter(required=True, done_at__isnull=True):
            checklist_item_set(item=item, done=True, actor=actor)
    elif name == "close" and outcome == "recovered":
        case_rescore(case=Case.objects.get(pk=case.pk), score=10, at=at or timezone.now(),
                     actor=actor)


def sop_contact(case: Case, actor: User, *, at: datetime | None = None) -> Case:
    """Log the first conversation with the customer; it makes the case `contacted`."""
    from toolkit.services import contact_log

    contact_log(case_id=case.pk, actor=actor, channel="phone", outcome="reached",
                purpose="first_call", at=at)
    return Case.objects.get(pk=case.pk)


def sop_walk(case: Case, actor: User, names, *, outcome: str = "retained",
             at: datetime | None = None) -> Case:
    """Walk a case through the named transitions, doing the SOP's work before each."""
    from cases.services import case_transition

    for name in names:
        if name == "contact":
            case = sop_contact(case, actor, at=at)
            continue
        sop_prepare(case, name, actor, outcome=outcome, at=at)
        case = case_transition(case_id=case.pk, name=name, actor=actor, at=at,
                               **({"outcome": outcome} if name == "close" else {}),
                               **({"reason": "客户再次投诉"} if name == "reopen" else {}))
    return case
