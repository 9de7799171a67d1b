"""Countdowns on the SLA's own clock, for any page: a business-time deadline at a closed store
shows the open time left, standing still (static/js/countdown.js), never a wall-clock count."""

from django import template
from django.utils import timezone

from escalation.calendar import store_open_at
from escalation.deadlines import deadline_remaining, policy_clock_business, waiting_q
from escalation.models import Deadline

register = template.Library()


@register.simple_tag
def next_deadlines(rows) -> dict[int, Deadline]:
    """The next waiting deadline of each case in `rows` (cases, or the dashboard's (case, …)
    rows), by case id, in one query: the one `next_due` dates."""
    ids = [row[0].pk if isinstance(row, tuple | list) else row.pk for row in rows]
    out: dict[int, Deadline] = {}
    for deadline in Deadline.objects.filter(waiting_q(), case_id__in=ids).order_by("due_at",
                                                                                   "pk"):
        out.setdefault(deadline.case_id, deadline)
    return out


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
