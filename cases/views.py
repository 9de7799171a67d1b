"""Server-rendered pages. Thin: scope and permissions come from selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from .forms import CaseFilterForm, IncidentForm
from .models import TRANSITION_LABELS, Case, ChecklistItem
from .selectors import case_get, case_progress, case_queue, dashboard_counts
from .services import (
    PUBLIC_TRANSITIONS,
    TransitionConflict,
    case_report_incident,
    case_transition,
    checklist_item_set,
    default_outcome,
)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def _scoped_case(request, case_id: int) -> Case:
    try:
        return case_get(user=request.user, case_id=case_id)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def dashboard(request):
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_valid() else {}
    cases = case_queue(user=request.user, filters=filters)
    rows = [(c, case_progress(c)) for c in cases[:100]]
    return render(request, "cases/dashboard.html", {
        "rows": rows, "form": form, "counts": dashboard_counts(user=request.user),
        "shown": cases.count(),
    })


@login_required
def incident_new(request):
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_report_incident(
                actor=request.user, store=data["store"],
                customer={"name": data["customer_name"], "phone": data["customer_phone"],
                          "external_id": data["customer_external_id"] or None,
                          "vip": data["vip"]},
                failure_type=data["failure_type"], description=data["description"],
                flags=data["flags"], score=data["score"], occurred_at=None,
            )
        except PermissionDenied as exc:
            form.add_error("store", str(exc))
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect("case-page", case_id=case.pk)
    return render(request, "cases/incident_form.html", {"form": form})


@login_required
def case_page(request, case_id: int):
    case = _scoped_case(request, case_id)
    allowed = [(t.name, TRANSITION_LABELS[t.name])
               for t in case.get_available_user_state_transitions(request.user)
               if t.name in PUBLIC_TRANSITIONS]
    return render(request, "cases/case.html", {
        "case": case, "progress": case_progress(case),
        "deadlines": case.deadlines.all(), "checklist": case.checklist.all(),
        "timeline": case.events.select_related("actor"),
        "escalations": case.escalations.all(), "allowed": allowed,
    })


@login_required
@require_POST
def case_transition_submit(request, case_id: int, name: str):
    case = _scoped_case(request, case_id)
    if name not in PUBLIC_TRANSITIONS:
        raise Http404
    params = {}
    if name == "close":
        params["outcome"] = request.POST.get("outcome") or default_outcome(case)
    try:
        case_transition(case_id=case.pk, name=name, actor=request.user,
                        note=request.POST.get("note", "")[:5000], **params)
    except (TransitionConflict, ConcurrentTransition, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("case-page", case_id=case.pk)


@login_required
@require_POST
def checklist_toggle(request, case_id: int, item_id: int):
    case = _scoped_case(request, case_id)
    item = get_object_or_404(ChecklistItem, case=case, pk=item_id)
    try:
        checklist_item_set(item=item, done=request.POST.get("done") == "1", actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("case-page", case_id=case.pk)
