"""Countdowns on the SLA's own clock, for any page: a business-time deadline at a closed store
shows the open time left, standing still (static/js/countdown.js), never a wall-clock count."""

from collections import defaultdict

from django import template
from django.utils import timezone

from escalation.calendar import store_open_at
from escalation.deadlines import (
    deadline_next,
    deadline_remaining,
    policy_clock_business,
    waiting_q,
)
from escalation.models import Deadline

register = template.Library()


@register.simple_tag
def next_deadlines(rows) -> dict[int, Deadline]:
    """The deadline each case in `rows` (cases, or the dashboard's (case, …) rows) works towards,
    by case id, in one query: the one the case page's next step shows (`deadline_next`)."""
    cases = [row[0] if isinstance(row, tuple | list) else row for row in rows]
    waiting = defaultdict(list)
    for deadline in Deadline.objects.filter(waiting_q(), case_id__in=[c.pk for c in cases]):
        waiting[deadline.case_id].append(deadline)
    return {case.pk: deadline for case in cases
            if (deadline := deadline_next(state=case.state, deadlines=waiting[case.pk]))}


@register.filter
def deadline_of(deadlines: dict, case) -> Deadline | None:
    return deadlines.get(case.pk)


@register.inclusion_tag("escalation/_countdown.html")
def countdown(deadline: Deadline) -> dict:
    """The countdown of one waiting deadline: the seconds left on its clock, and whether that
    clock runs now (a business clock stops while the store is closed)."""
    now = timezone.now()
    business = policy_clock_business(deadline.kind)
    return {"d": deadline, "business": business,
            "running": not business or store_open_at(now, store_id=deadline.store_id),
            "left": int(deadline_remaining(deadline, now=now).total_seconds())}
