"""Scripts and letters (SPEC §9; 000 §3.1 SARA, 001 话术 and 工具3) rendered from the stored
templates with the case's facts. Placeholders are replaced by name only, so a template edited in
the admin can never reach into Python objects."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _lazy

from cases.models import Case
from org.models import User

from .models import PLACEHOLDER, CaseProfile, WordTemplate
from .phrases import PhraseWarning, phrases_check
from .remedies import offer_chosen


@dataclass(frozen=True)
class Words:
    kind: str
    language: str
    text: str
    warnings: list[PhraseWarning]
    # Facts the case does not know yet, (name, label): the text shows a blank for each, and a
    # letter is not printed until they are given.
    missing: list[tuple[str, str]] = field(default_factory=list)


# The facts a user may type in when the case lacks them, with their labels.
FILLABLE = {
    "manager_phone": _lazy("your phone number"),
    "visit_time": _lazy("time of the visit to the customer"),
    "offer": _lazy("the offer"),
    "offer_value": _lazy("the offer's value"),
    "problem": _lazy("the problem"),
    "score": _lazy("the score"),
    "manager": _lazy("your name"),
}
BLANK = "＿＿＿＿"
MAX_GIVEN = 100

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_ZH_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_ASCII_BY_CJK = re.compile(rf"(?<=[{_CJK}])[,;:?!]|[,;:?!](?=[{_CJK}])"
                           rf"|\((?=[^()]*[{_CJK}][^()]*\))|(?<=[{_CJK}])\)")


def zh_punctuate(text: str) -> str:
    """ASCII punctuation next to Chinese text as its full-width form; "10:30", "¥1,000" and
    English phrases stay as they are."""
    text = _ASCII_BY_CJK.sub(lambda m: _ZH_PUNCT[m.group(0)], text)
    # A parenthesis opened full-width closes full-width.
    return re.sub(r"（([^()（）]*)\)", r"（\1）", text)


def _when(value: datetime | None, fmt: str) -> str:
    return formats.date_format(timezone.localtime(value), fmt) if value else ""


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def case_facts(*, case: Case, actor: User, language: str) -> dict[str, str]:
    """The facts the templates may name; a missing one is empty."""
    with translation.override(language):
        profile = CaseProfile.objects.filter(case=case).first()
        offer = offer_chosen(case=case)
        record = case.service_record
        problem = ((record.service_type if record else "")
                   or (str(case.failure_type) if case.failure_type else "")
                   or case.description[:60])
        manager = case.owner or actor
        facts = {
            "customer": case.customer.name,
            "store": case.store.name,
            "manager": _person(manager),
            "manager_phone": manager.phone,
            "score": "" if case.score_before is None else str(case.score_before),
            "problem": problem,
            "offer": "、".join(offer.items) if offer and language == "zh-hans"
            else ", ".join(offer.items) if offer else "",
            "offer_value": f"¥{offer.total_value}" if offer else "",
            "visit_time": _when(profile.visit_at if profile else None,
                                "M j, H:i" if language == "en" else "n月j日 H:i"),
            "date": _when(timezone.now(), "j F Y" if language == "en" else "Y年n月j日"),
            "case_number": case.number or str(case.pk),
        }
        return facts


def _given_clean(value) -> str:
    return " ".join(str(value or "").split())[:MAX_GIVEN]


def words_render(*, case: Case, kind: str, language: str, actor: User,
                 given: dict | None = None) -> Words:
    """The template filled from the case; `given` fills facts the case lacks (FILLABLE only).
    Raises WordTemplate.DoesNotExist when no template exists for the kind and language."""
    template = WordTemplate.objects.get(kind=kind, language=language)
    facts = case_facts(case=case, actor=actor, language=language)
    for name, value in (given or {}).items():
        if name in FILLABLE and not facts.get(name):
            facts[name] = _given_clean(value)
    named = set(PLACEHOLDER.findall(template.body))
    with translation.override(language):
        missing = [(name, str(FILLABLE.get(name, name))) for name in sorted(named)
                   if not facts.get(name)]
    text = PLACEHOLDER.sub(lambda m: facts.get(m.group(1)) or BLANK, template.body)
    if language == "zh-hans":
        text = zh_punctuate(text)
    return Words(kind=kind, language=language, text=text, warnings=phrases_check(text=text),
                 missing=missing)
