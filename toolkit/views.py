"""Server-rendered toolkit pages: the case page's sections (customer 360, contacts, re-score,
root cause, scripts), the phone contact screen, the phrase check and the printable letter.
Writes go through `toolkit.services`; a refused write becomes a message, never a crash."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Case, Emotion, State
from cases.permissions import can_act, may_make_first_contact
from cases.selectors import people
from cases.views import REFUSED, errors_to_form, render_case_page, scoped_case
from org.models import User

from .forms import ContactForm, EmotionForm, PhraseCheckForm, RescoreForm, RootCauseForm
from .models import ContactPurpose, WordKind, WordLanguage, WordTemplate
from .phrases import phrases_check
from .selectors import (
    case_profile_for,
    case_visible,
    contacts_for,
    customer_360,
    emotion_advice,
    root_cause_for,
)
from .services import case_emotion_set, contact_log, rescore_record, root_cause_set
from .words import FILLABLE, words_render

SCRIPTS = [WordKind.FIRST_CALL, WordKind.PLAN_MESSAGE, WordKind.CALLBACK, WordKind.SARA]


def _language(request) -> str:
    return WordLanguage.EN if request.LANGUAGE_CODE == WordLanguage.EN else WordLanguage.ZH_HANS


def _scripts(request, case: Case) -> list:
    out = []
    for kind in SCRIPTS:
        try:
            out.append(words_render(case=case, kind=kind, language=_language(request),
                                    actor=request.user))
        except WordTemplate.DoesNotExist:
            continue
    labels = dict(WordKind.choices)
    return [(labels[w.kind], w) for w in out]


def _owners(case: Case):
    """People who may own a corrective action: staff at the case's store and above it."""
    return people(User.objects.filter(is_active=True, node__in=case.store.ancestors())
                  ).order_by("node__path", "username")


def _contact_initial(case: Case) -> dict:
    purpose = {"open": ContactPurpose.FIRST_CALL, "contacted": ContactPurpose.PLAN,
               "resolved": ContactPurpose.CALLBACK,
               "following_up": ContactPurpose.FOLLOW_UP}.get(case.state, ContactPurpose.PROGRESS)
    return {"purpose": purpose}


def case_sections(request, case: Case) -> dict:
    """What the toolkit adds to the case page."""
    return {
        "customer": customer_360(user=request.user, customer_id=case.customer_id),
        "contacts": contacts_for(case=case).select_related("by"),
        "contact_form": ContactForm(initial=_contact_initial(case)),
        "rescore_form": RescoreForm(),
        **_emotion_section(case),
        "root_cause": root_cause_for(case=case),
        "root_cause_form": RootCauseForm(initial=RootCauseForm.initial_from(
            root_cause_for(case=case)), owners=_owners(case)),
        "scripts": _scripts(request, case),
        **_may(request, case),
    }


def _may(request, case: Case) -> dict:
    """Which toolkit forms the page offers: only those the services would accept from this
    user (an SA is not offered the first call of an L2+ case)."""
    user = request.user
    return {"may_act": can_act(case, user),
            "may_contact": case.state != State.CLOSED and (
                case.state != State.OPEN or may_make_first_contact(case, user)),
            "first_call_reserved": case.state == State.OPEN
            and not may_make_first_contact(case, user)}


def _emotion_section(case: Case) -> dict:
    profile = case_profile_for(case=case)
    # Until the owner records one, the emotion triage read from the comment.
    emotion = (profile.emotion if profile else "") or case.emotion
    return {
        "emotion": Emotion(emotion).label if emotion else "",
        "emotion_advice": emotion_advice(emotion=emotion) if emotion else "",
        "emotion_form": EmotionForm(initial={"emotion": emotion} if emotion else None),
    }


def _warn(request, warnings) -> None:
    for w in warnings:
        messages.warning(request, _("Wording: “%(match)s” — %(explanation)s %(suggestion)s")
                         % {"match": w.match, "explanation": w.explanation,
                            "suggestion": w.suggestion})


def _contact_submit(request, case: Case, form: ContactForm) -> bool:
    """Log the contact; False (with the error on the form) when it was refused."""
    if not form.is_valid():
        return False
    try:
        result = contact_log(case_id=case.pk, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        errors_to_form(form, exc)
        return False
    except REFUSED as exc:
        form.add_error(None, str(exc))
        return False
    messages.success(request, _("Contact recorded."))
    _warn(request, result.warnings)
    return True


@login_required
@require_POST
def contact_add(request, case_id: int):
    case = scoped_case(request, case_id)
    form = ContactForm(request.POST)
    if _contact_submit(request, case, form):
        return redirect(reverse("case-page", args=[case.pk]) + "#contacts")
    return render_case_page(request, case, overrides={"contact_form": form}, status=400)


@login_required
def contact_phone(request, case_id: int):
    """The SA's follow-up screen on a phone: the case in one line, the last touches, one form."""
    case = scoped_case(request, case_id)
    form = ContactForm(request.POST or None, initial=_contact_initial(case))
    if request.method == "POST" and _contact_submit(request, case, form):
        return redirect("case-contact-phone", case_id=case.pk)
    return render(request, "toolkit/contact_phone.html", {
        "case": case, "form": form, "contacts": contacts_for(case=case).select_related("by")[:5],
        **_may(request, case),
    }, status=400 if form.errors else 200)


def _section_submit(request, case: Case, *, form, save, done: str, form_key: str):
    """A case-page section's form: on success the service's warnings come back as messages and
    the page reloads; on error the page shows the form with what was typed."""
    if form.is_valid():
        try:
            result = save(form)
        except ValidationError as exc:
            errors_to_form(form, exc)
        except REFUSED as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            _warn(request, getattr(result, "warnings", []))
            return redirect("case-page", case_id=case.pk)
    return render_case_page(request, case, overrides={form_key: form}, status=400)


@login_required
@require_POST
def rescore_add(request, case_id: int):
    case = scoped_case(request, case_id)
    return _section_submit(
        request, case, form=RescoreForm(request.POST), form_key="rescore_form",
        save=lambda f: rescore_record(case_id=case.pk, actor=request.user, **f.cleaned_data),
        done=_("Re-score recorded."))


@login_required
@require_POST
def emotion_save(request, case_id: int):
    case = scoped_case(request, case_id)
    return _section_submit(
        request, case, form=EmotionForm(request.POST), form_key="emotion_form",
        save=lambda f: case_emotion_set(case_id=case.pk, actor=request.user, **f.cleaned_data),
        done=_("Emotion type recorded."))


@login_required
@require_POST
def root_cause_save(request, case_id: int):
    case = scoped_case(request, case_id)
    return _section_submit(
        request, case, form=RootCauseForm(request.POST, owners=_owners(case)),
        form_key="root_cause_form",
        save=lambda f: root_cause_set(case_id=case.pk, actor=request.user, **f.service_kwargs()),
        done=_("Root cause saved."))


@login_required
@require_POST
def phrase_check(request):
    """htmx: the checker's warnings on a note while it is typed."""
    form = PhraseCheckForm(request.POST)
    text = form.cleaned_data["note"] if form.is_valid() else ""
    return render(request, "toolkit/_phrase_warnings.html",
                  {"warnings": phrases_check(text=text) if text else []})


@login_required
def letter_page(request, case_id: int):
    try:
        case = case_visible(user=request.user, case_id=case_id)
        words = words_render(case=case, kind=WordKind.LETTER, language=_language(request),
                             actor=request.user,
                             given={k: request.GET[k] for k in FILLABLE if k in request.GET})
    except (Case.DoesNotExist, WordTemplate.DoesNotExist) as exc:
        raise Http404 from exc
    # A letter with a blank is never printed: the page asks for the missing facts first.
    return render(request, "toolkit/letter.html", {
        "case": case, "words": words,
        "given": [(k, request.GET[k]) for k in FILLABLE if request.GET.get(k)]})

