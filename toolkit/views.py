"""Server-rendered toolkit pages: the printable apology letter."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from cases.models import Case

from .models import WordKind, WordLanguage, WordTemplate
from .selectors import case_visible
from .words import words_render


@login_required
def letter_page(request, case_id: int):
    try:
        case = case_visible(user=request.user, case_id=case_id)
        language = (WordLanguage.EN if request.LANGUAGE_CODE == WordLanguage.EN
                    else WordLanguage.ZH_HANS)
        words = words_render(case=case, kind=WordKind.LETTER, language=language,
                             actor=request.user)
    except (Case.DoesNotExist, WordTemplate.DoesNotExist) as exc:
        raise Http404 from exc
    return render(request, "toolkit/letter.html", {"case": case, "words": words})
