"""Server-rendered pages. Thin: scope and permissions come from selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from org.models import NodeKind, User

from .forms import CaseFilterForm, CorrectionReportForm, IncidentForm, TriageCorrectionForm
from .guards import guard_reason, outcome_earned, recovered_earned
from .models import CORRECTABLE_FIELDS, TRANSITION_LABELS, Case, ChecklistItem, Outcome
from .pages import case_sections_context
from .permissions import can_correct, can_see, can_work
from .selectors import (
    case_get,
    case_progress,
    case_queue,
    dashboard_counts,
    keyset_page,
    people,
    store_summary,
    triage_corrections,
)
from .services import (
    PUBLIC_TRANSITIONS,
    TransitionConflict,
    case_note_add,
    case_plan_set,
    case_reassign,
    case_report_incident,
    case_transition,
    case_triage_correct,
    case_watch,
    checklist_item_set,
    checklist_item_waive,
    default_outcome,
    may_reassign,
    open_cases_of,
    transition_options,
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
                                         size=DASHBOARD_PAGE)
    except ValueError:  # a cursor mangled by hand: the first page
        cases, next_cursor = keyset_page(queue, after=None, size=DASHBOARD_PAGE)
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
    """The SA's report. It warns of the customer's open case before opening another, and its
    idempotency key makes Back and submit again land on the case it opened."""
    form = IncidentForm(request.POST or None, user=request.user)
    open_cases = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        open_cases = open_cases_of(user=request.user, phone=data["customer_phone"],
                                   external_id=data["customer_external_id"])
        if open_cases and not data["confirm_new"] and not _already_sent(request, data):
            return render(request, "cases/incident_form.html",
                          {"form": form, "open_cases": open_cases})
        try:
            case = case_report_incident(
                actor=request.user, store=data["store"],
                customer={"name": data["customer_name"], "phone": data["customer_phone"],
                          "external_id": data["customer_external_id"] or None,
                          "vip": data["vip"]},
                failure_type=data["failure_type"], description=data["description"],
                flags=data["flags"], score=data["score"], occurred_at=None,
                idempotency_key=data["idempotency_key"],
            )
        except PermissionDenied as exc:
            form.add_error("store", str(exc))
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            if case.replayed:
                messages.info(request, _("This report was sent already: case %(number)s.")
                              % {"number": case.number})
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect("case-page", case_id=case.pk)
    return render(request, "cases/incident_form.html", {"form": form, "open_cases": open_cases})


def _already_sent(request, data) -> bool:
    key = data["idempotency_key"]
    return bool(key) and Case.objects.filter(created_by=request.user,
                                             idempotency_key=key).exists()


def _transitions(case: Case, user) -> dict:
    """The buttons of the next step: each transition the user may run from this state, with the
    SOP guard's reason when it is not earned yet (shown disabled), and the close's outcomes."""
    options = transition_options(case, user)
    names = {name for name, _reason in options}
    return {
        "transitions": [(name, TRANSITION_LABELS[name], reason) for name, reason in options],
        "outcomes": Outcome.choices,
        "default_outcome": default_outcome(case) if "close" in names else None,
        "recovered_blocked": (None if "close" not in names or recovered_earned(case)
                              else guard_reason(outcome_earned, case)),
    }


def _people(case: Case, user) -> dict:
    """Owner and watchers: who may take the case over, who may be added as a watcher."""
    colleagues = [u for u in people(User.objects.filter(is_active=True,
                                                        node__in=case.store.ancestors()))
                  .select_related("node").order_by("node__path", "username")
                  if can_see(case, u)]
    watchers = [w.user for w in case.watchers.select_related("user")]
    return {
        "watchers": watchers,
        "watching": any(w.pk == user.pk for w in watchers),
        "may_reassign": may_reassign(case, user),
        "owner_candidates": [u for u in colleagues if can_work(case, u)
                             and u.pk != case.owner_id],
        "watch_candidates": [u for u in colleagues if u not in watchers],
    }


def render_case_page(request, case: Case, *, overrides: dict | None = None, status: int = 200):
    """The 挽回进度追踪表 of seed 001 工具1. `overrides` carries a bound form with its errors
    when a section's form came back invalid, so the page keeps what the user typed. The other
    apps' sections (deadlines, toolkit, compensation, attachments) are registered with
    `cases.pages`."""
    context = {
        "case": case, "progress": case_progress(case),
        "checklist": case.checklist.all(),
        "timeline": case.events.select_related("actor"),
        **_transitions(case, request.user),
        **_people(case, request.user),
        "may_work": can_work(case, request.user),
        "may_correct": can_correct(case, request.user),
        "triage_form": TriageCorrectionForm.for_case(case),
        **case_sections_context(request, case),
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
    elif name == "reopen":
        params["reason"] = request.POST.get("reason", "")[:5000]
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
def case_plan_submit(request, case_id: int):
    case = scoped_case(request, case_id)
    try:
        case_plan_set(case=case, plan=request.POST.get("plan", "")[:5000], actor=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Plan saved."))
    return redirect(reverse("case-page", args=[case.pk]) + "#next")


def _back(case: Case, anchor: str):
    return redirect(reverse("case-page", args=[case.pk]) + anchor)


def _run(request, write, done: str | None = None) -> None:
    """Run a write; its refusal or bad input becomes a message."""
    try:
        write()
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, done)


@login_required
@require_POST
def case_owner_submit(request, case_id: int):
    case = scoped_case(request, case_id)
    owner = people(User.objects.filter(pk=request.POST.get("owner") or 0, is_active=True)).first()
    if owner is None:
        messages.error(request, _("Choose the new owner."))
    else:
        _run(request, lambda: case_reassign(case_id=case.pk, owner=owner, actor=request.user,
                                            reason=request.POST.get("reason", "")[:2000]),
             _("Owner changed."))
    return _back(case, "#people")


@login_required
@require_POST
def case_watchers_submit(request, case_id: int):
    case = scoped_case(request, case_id)
    user = (people(User.objects.filter(pk=request.POST.get("user"), is_active=True)).first()
            if request.POST.get("user") else request.user)
    if user is None:
        messages.error(request, _("Choose a colleague."))
    else:
        _run(request, lambda: case_watch(case_id=case.pk, user=user, actor=request.user,
                                         watching=request.POST.get("watching") != "0"))
    return _back(case, "#people")


@login_required
@require_POST
def case_note_submit(request, case_id: int):
    case = scoped_case(request, case_id)
    _run(request, lambda: case_note_add(case_id=case.pk, actor=request.user,
                                        note=request.POST.get("note", "")[:5000]),
         _("Note added."))
    return _back(case, "#timeline")


@login_required
@require_POST
def checklist_waive(request, case_id: int, item_id: int):
    case = scoped_case(request, case_id)
    item = get_object_or_404(ChecklistItem, case=case, pk=item_id)
    try:
        checklist_item_waive(item=item, reason=request.POST.get("reason", "")[:2000],
                             actor=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except REFUSED as exc:
        messages.error(request, str(exc))
    return redirect(reverse("case-page", args=[case.pk]) + "#checklist")


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
                       "progress": case_progress(case),
                       "may_work": can_work(case, request.user)})
    return redirect("case-page", case_id=case.pk)


@login_required
@require_POST
def case_triage_submit(request, case_id: int):
    case = scoped_case(request, case_id)
    form = TriageCorrectionForm.for_case(case, request.POST)
    if not form.is_valid():
        return render_case_page(request, case, overrides={"triage_form": form}, status=400)
    changes = form.changes(case)
    if not changes:
        messages.info(request, _("Nothing changed."))
        return redirect("case-page", case_id=case.pk)
    try:
        case_triage_correct(case_id=case.pk, actor=request.user, changes=changes,
                            note=form.cleaned_data["note"])
    except ValidationError as exc:
        errors_to_form(form, exc)
        return render_case_page(request, case, overrides={"triage_form": form}, status=400)
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Triage corrected."))
    return redirect("case-page", case_id=case.pk)


@login_required
def triage_corrections_page(request):
    form = CorrectionReportForm(request.GET or None)
    months = (form.cleaned_data.get("months") if form.is_valid() else None) or 12
    return render(request, "cases/triage_corrections.html", {
        "form": form, "rows": triage_corrections(user=request.user, months=months),
        "fields": CORRECTABLE_FIELDS,
    })
