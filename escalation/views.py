"""The escalations inbox: breaches in the user's part of the tree, newest first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from cases.selectors import case_scope

from .models import Escalation


@login_required
def escalations_inbox(request):
    rows = (Escalation.objects.filter(case__in=case_scope(user=request.user))
            .select_related("case", "case__store", "case__customer", "target_node")
            .order_by("-fired_at", "-pk"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "escalation/inbox.html", {"page": page})
