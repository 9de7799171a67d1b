"""Server-rendered pages. Thin: scope and permissions come from selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from org.models import NodeKind

from .forms import CaseFilterForm, IncidentForm
from .models import TRANSITION_LABELS, Case, ChecklistItem
from .permissions import can_work
from .selectors import (
    case_get,
    case_progress,
    case_queue,
    dashboard_counts,
    keyset_page,
    queue_rows,
    store_summary,
)
from .services import (
    PUBLIC_TRANSITIONS,
    TransitionConflict,
    case_report_incident,
    case_transition,
    checklist_item_set,
    default_outcome,
)

DASHBOARD_PAGE = 50


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# What a service raises when the user may not do something now: shown as a message, not a 500.
REFUSED = (PermissionDenied, TransitionConflict, ConcurrentTransition)


def errors_to_form(form, exc: ValidationError) -> None:
    """A service's validation errors on the form that fed it, so the page shows them in place."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def scoped_case(request, case_id: int) -> Case:
    """The case if it is in the user's scope, else 404 (other stores' cases do not exist)."""
    try:
        return case_get(user=request.user, case_id=case_id)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def dashboard(request):
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_valid() else {}
    queue = case_queue(user=request.user, filters=filters)
    try:
        cases, next_cursor = keyset_page(queue, after=request.GET.get("cursor"),
                                         size=DASHBOARD_PAGE, rows=queue_rows)
    except ValueError:  # a cursor mangled by hand: the first page
        cases, next_cursor = keyset_page(queue, after=None, size=DASHBOARD_PAGE, rows=queue_rows)
    node = request.user.node
    stores = (list(store_summary(user=request.user))
              if node is not None and node.kind != NodeKind.STORE else None)
    # The filters stay in the URL: the next page's link carries them with its cursor.
    query = request.GET.copy()
    query.pop("cursor", None)
    first_page = query.urlencode()
    query["cursor"] = next_cursor or ""
    return render(request, "cases/dashboard.html", {
        "rows": [(c, case_progress(c)) for c in cases], "form": form,
        "counts": dashboard_counts(user=request.user), "stores": stores, "node": node,
        "next_page": query.urlencode() if next_cursor else None,
        "first_page": first_page if "cursor" in request.GET else None,
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


def _allowed_transitions(case: Case, user) -> list[tuple[str, str]]:
    return [(t.name, TRANSITION_LABELS[t.name])
            for t in case.get_available_user_state_transitions(user)
            if t.name in PUBLIC_TRANSITIONS]


def _sections(request, case: Case) -> dict:
    # Imported here: the toolkit and compensation page modules import this one.
    from attachments.views import case_sections as attachment_sections
    from compensation.views import case_sections as compensation_sections
    from toolkit.views import case_sections as toolkit_sections

    return {**toolkit_sections(request, case), **compensation_sections(request, case),
            **attachment_sections(request, case)}


def render_case_page(request, case: Case, *, overrides: dict | None = None, status: int = 200):
    """The 挽回进度追踪表 of seed 001 工具1. `overrides` carries a bound form with its errors
    when a section's form came back invalid, so the page keeps what the user typed."""
    deadlines = list(case.deadlines.all())
    waiting = [d for d in deadlines if not d.met_at and not d.cancelled_at]
    context = {
        "case": case, "progress": case_progress(case),
        "deadlines": deadlines, "next_deadline": min(waiting, key=lambda d: d.due_at,
                                                     default=None),
        "checklist": case.checklist.all(),
        "timeline": case.events.select_related("actor"),
        "escalations": case.escalations.select_related("target_node"),
        "allowed": _allowed_transitions(case, request.user),
        "may_work": can_work(case, request.user),
        **_sections(request, case),
    }
    context.update(overrides or {})
    return render(request, "cases/case.html", context, status=status)


@login_required
def case_page(request, case_id: int):
    return render_case_page(request, scoped_case(request, case_id))


@login_required
@require_POST
def case_transition_submit(request, case_id: int, name: str):
    case = scoped_case(request, case_id)
    if name not in PUBLIC_TRANSITIONS:
        raise Http404
    params = {}
    if name == "close":
        params["outcome"] = request.POST.get("outcome") or default_outcome(case)
    try:
        case_transition(case_id=case.pk, name=name, actor=request.user,
                        note=request.POST.get("note", "")[:5000], **params)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except REFUSED as exc:
        messages.error(request, str(exc))
    return redirect("case-page", case_id=case.pk)


@login_required
@require_POST
def checklist_toggle(request, case_id: int, item_id: int):
    case = scoped_case(request, case_id)
    item = get_object_or_404(ChecklistItem, case=case, pk=item_id)
    try:
        checklist_item_set(item=item, done=request.POST.get("done") == "1", actor=request.user)
    except PermissionDenied as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(str(exc), status=403)
        messages.error(request, str(exc))
    if request.headers.get("HX-Request"):
        case = scoped_case(request, case_id)
        return render(request, "cases/_checklist.html",
                      {"case": case, "checklist": case.checklist.all(),
                       "progress": case_progress(case)})
    return redirect("case-page", case_id=case.pk)
