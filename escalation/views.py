"""The escalations inbox: breaches in the user's part of the tree, newest first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from cases.models import Case
from cases.selectors import case_scope

from .deadlines import deadline_next
from .models import Escalation


def case_sections(request, case: Case) -> dict:
    """What escalation adds to the case page: the deadlines with their countdowns, the
    escalations."""
    deadlines = list(case.deadline_rows())
    # Countdowns on each SLA's own clock: the `countdown` tag of this app's `sla` library.
    return {"deadlines": deadlines,
            "next_deadline": deadline_next(state=case.state, deadlines=deadlines),
            "escalations": case.escalations.select_related("target_node")}


@login_required
def escalations_inbox(request):
    rows = (Escalation.objects.filter(case__in=case_scope(user=request.user))
            .select_related("case", "case__store", "case__customer", "target_node")
            .order_by("-fired_at", "-pk"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "escalation/inbox.html", {"page": page})
