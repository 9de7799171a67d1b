"""Compensation pages: the offers section of the case page, the SA's instant compensation screen
and the approver's queue. Thin: limits, routing and states are the services' business; a
refused write becomes a message or a form error, never a crash."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Case, State
from cases.permissions import can_work, may_record_onsite
from cases.selectors import case_scope
from cases.views import REFUSED, errors_to_form, render_case_page, scoped_case

from . import calculator as calc
from .forms import ChangeForm, OfferForm, RejectForm
from .models import Approval, Offer, OfferStatus, Onsite
from .selectors import (
    approval_card,
    approvals_for,
    case_quote_input,
    catalog_items,
    customer_costs,
    exposure_for,
    onsite_events,
    onsite_lines,
    pending_approval_for,
    quote_build,
    range_note_text,
    user_limit,
    who_approves,
    who_decides,
    who_works,
)
from .services import (
    OFFER_STATES,
    ItemChoice,
    approval_approve,
    approval_change,
    approval_reject,
    compensation_issue,
    offer_create,
    onsite_record,
)


def _quote(case: Case):
    """The case's quote, or None with the reason when it cannot be built."""
    try:
        return quote_build(data=case_quote_input(case=case)), ""
    except ValidationError as exc:
        return None, "; ".join(exc.messages)


def _catalog(case: Case, limit) -> list[dict]:
    costs = customer_costs(case=case)
    committed = exposure_for(case=case).total
    return [{"item": i, "value": i.value_for(costs=costs),
             "within": calc.covers(limit, committed + i.value_for(costs=costs))}
            for i in catalog_items()]


def _options(case: Case, quote, limit) -> list[dict]:
    """Each option with whether the user may grant it alone, counted with what the case and
    the customer already have, and otherwise who can decide it, by name."""
    if quote is None:
        return []
    rows = []
    for o in quote.options:
        committed = exposure_for(case=case, new_amount=o.total_value).total
        within = calc.covers(limit, committed)
        rows.append({"option": o, "within": within,
                     "who": "" if within else who_decides(case=case, amount=committed),
                     "note": range_note_text(option=o, quote=quote)})
    return rows


def case_sections(request, case: Case) -> dict:
    """What compensation adds to the case page."""
    limit = user_limit(user=request.user)
    quote, quote_error = _quote(case)
    offers = (Offer.objects.filter(case=case).select_related("approval", "proposed_by",
                                                              "decided_by")
              .prefetch_related("lines__item", "lines__issued"))
    return {
        "quote": quote, "quote_error": quote_error, "options": _options(case, quote, limit),
        "offers": offers, "pending_approval": pending_approval_for(case=case),
        "may_offer": case.state in OFFER_STATES, "my_limit": limit,
        "offer_form": OfferForm(),
        **_onsite_section(request, case),
    }


def _onsite_section(request, case: Case) -> dict:
    """The SA's on-site part (apology, gift handed over, photos): offered to whoever may record
    it while the case is open."""
    may = case.state != State.CLOSED and may_record_onsite(case, request.user)
    return {"may_onsite": may,
            "onsite_lines": onsite_lines(case=case) if may else [],
            "onsite_done": list(onsite_events(case=case))}


def _offer_message(request, offer: Offer) -> None:
    if offer.status == OfferStatus.APPROVED:
        messages.success(request, _("Offer of ¥%(amount)s recorded and approved.")
                         % {"amount": offer.total_value})
    else:
        messages.info(request, _("Offer of ¥%(amount)s sent for approval by %(role)s.")
                      % {"amount": offer.total_value,
                         "role": offer.approval.get_approver_role_display()})


def _offer_submit(request, case: Case, form: OfferForm) -> Offer | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    items = [ItemChoice(code=c) for c in data["items"]] if data["items"] else None
    try:
        return offer_create(case_id=case.pk, actor=request.user, tier=data["tier"] or None,
                            items=items, note=data["note"], customer_loss=data["customer_loss"])
    except ValidationError as exc:
        errors_to_form(form, exc)
    except REFUSED as exc:
        form.add_error(None, str(exc))
    return None


@login_required
@require_POST
def offer_add(request, case_id: int):
    """The customer chose an option on the case page."""
    case = scoped_case(request, case_id)
    form = OfferForm(request.POST, item_codes=[i.code for i in catalog_items()])
    offer = _offer_submit(request, case, form)
    if offer is None:
        return render_case_page(request, case, overrides={"offer_form": form}, status=400)
    _offer_message(request, offer)
    return redirect(reverse("case-page", args=[case.pk]) + "#offers")


@login_required
def instant_compensation(request, case_id: int):
    """The SA's phone screen: what they may hand over now, within their own limit."""
    case = scoped_case(request, case_id)
    limit = user_limit(user=request.user)
    form = OfferForm(request.POST or None, item_codes=[i.code for i in catalog_items()])
    if request.method == "POST":
        offer = _offer_submit(request, case, form)
        if offer is not None:
            _offer_message(request, offer)
            if offer.status == OfferStatus.APPROVED:
                _issue(request, offer)
            return redirect("case-compensate", case_id=case.pk)
    quote, quote_error = _quote(case)
    pending = pending_approval_for(case=case)
    return render(request, "compensation/instant.html", {
        "case": case, "form": form, "limit": limit, "options": _options(case, quote, limit),
        "quote_error": quote_error, "catalog": _catalog(case, limit),
        "may_offer": case.state in OFFER_STATES, "may_work": can_work(case, request.user),
        "who_works": who_works(case=case), "pending_approval": pending,
        "pending_who": who_approves(approval=pending) if pending else "",
        "offers": Offer.objects.filter(case=case).prefetch_related("lines__item",
                                                                  "lines__issued")[:3],
    }, status=400 if form.errors else 200)


def _issue(request, offer: Offer) -> None:
    try:
        issued = compensation_issue(offer_id=offer.pk, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        if issued:
            messages.success(request, _("Handed over: %(items)s.")
                             % {"items": "、".join(i.name for i in issued)})


@login_required
@require_POST
def onsite_submit(request, case_id: int):
    case = scoped_case(request, case_id)
    what = request.POST.get("what", "")
    try:
        onsite_record(case_id=case.pk, actor=request.user, what=what,
                      note=request.POST.get("note", "")[:2000],
                      line_ids=[int(v) for v in request.POST.getlist("lines") if v.isdigit()])
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded: %(what)s.") % {"what": Onsite(what).label})
    return redirect(reverse("case-page", args=[case.pk]) + "#next")


@login_required
@require_POST
def offer_issue(request, offer_id: int):
    offer = get_object_or_404(Offer, pk=offer_id, case__in=case_scope(user=request.user))
    _issue(request, offer)
    return redirect(reverse("case-page", args=[offer.case_id]) + "#offers")


# ---------------------------------------------------------------- the approver's queue


def _queue(request, *, forms: dict | None = None, status: int = 200):
    pending = list(approvals_for(user=request.user, status="pending"))
    forms = forms or {}
    rows = [{"approval": a, "card": approval_card(approval=a, user=request.user),
             "reject_form": forms.get(("reject", a.pk)) or RejectForm(),
             "change_form": forms.get(("change", a.pk)) or ChangeForm()}
            for a in pending]
    return render(request, "compensation/approvals.html", {
        "rows": rows, "my_limit": user_limit(user=request.user),
        "catalog": catalog_items(), "blank_rows": range(2),
    }, status=status)


@login_required
def approvals_queue(request):
    return _queue(request)


def _decide(request, approval_id: int, action, form=None, key=None):
    """Run one decision; on a refusal put the error on the form (kept with what was typed)."""
    get_object_or_404(Approval, pk=approval_id, case__in=case_scope(user=request.user))
    try:
        approval = action()
    except ValidationError as exc:
        if form is None:
            messages.error(request, "; ".join(exc.messages))
            return redirect("approvals")
        errors_to_form(form, exc)
        return _queue(request, forms={key: form}, status=400)
    except REFUSED as exc:
        messages.error(request, str(exc))
        return redirect("approvals")
    return approval


@login_required
@require_POST
def approval_approve_submit(request, approval_id: int):
    result = _decide(request, approval_id, lambda: approval_approve(
        approval_id=approval_id, actor=request.user, note=request.POST.get("note", "")[:2000]))
    if isinstance(result, Approval):
        messages.success(request, _("Approved ¥%(amount)s on %(case)s.")
                         % {"amount": result.amount, "case": result.case.number})
        return redirect("approvals")
    return result


@login_required
@require_POST
def approval_reject_submit(request, approval_id: int):
    form = RejectForm(request.POST)
    if not form.is_valid():
        get_object_or_404(Approval, pk=approval_id, case__in=case_scope(user=request.user))
        return _queue(request, forms={("reject", approval_id): form}, status=400)
    result = _decide(request, approval_id, lambda: approval_reject(
        approval_id=approval_id, actor=request.user, reason=form.cleaned_data["reason"]),
        form=form, key=("reject", approval_id))
    if isinstance(result, Approval):
        messages.success(request, _("Rejected the offer on %(case)s.")
                         % {"case": result.case.number})
        return redirect("approvals")
    return result


@login_required
@require_POST
def approval_change_submit(request, approval_id: int):
    form = ChangeForm(request.POST, item_codes=[i.code for i in catalog_items()])
    if not form.is_valid():
        get_object_or_404(Approval, pk=approval_id, case__in=case_scope(user=request.user))
        return _queue(request, forms={("change", approval_id): form}, status=400)
    data = form.cleaned_data
    items = ([ItemChoice(code=c, value=v) for c, v in data["items"]] if data["items"]
             else None)
    result = _decide(request, approval_id, lambda: approval_change(
        approval_id=approval_id, actor=request.user, reason=data["reason"], items=items,
        total_value=None if items else data["total_value"]), form=form,
        key=("change", approval_id))
    if isinstance(result, Approval):
        if result.status == "pending":
            messages.info(request, _("Offer on %(case)s changed to ¥%(amount)s; above your "
                                     "limit, it now waits for %(who)s.")
                          % {"case": result.case.number, "amount": result.amount,
                             "who": who_decides(case=result.case,
                                                amount=result.cumulative_amount)})
        else:
            messages.success(request, _("Offer on %(case)s changed to ¥%(amount)s.")
                             % {"case": result.case.number, "amount": result.amount})
        return redirect("approvals")
    return result
