"""Scripts and letters (SPEC §9; 000 §3.1 SARA, 001 话术 and 工具3) rendered from the stored
templates with the case's facts. Placeholders are replaced by name only, so a template edited in
the admin can never reach into Python objects."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

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


def _when(value: datetime | None, fmt: str) -> str:
    return formats.date_format(timezone.localtime(value), fmt) if value else ""


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def case_facts(*, case: Case, actor: User, language: str) -> dict[str, str]:
    """The facts the templates may name; a missing fact reads as a gap to fill in."""
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
        gap = _("[to be filled: %(fact)s]")
        return {k: v or gap % {"fact": k} for k, v in facts.items()}


def words_render(*, case: Case, kind: str, language: str, actor: User) -> Words:
    """Raises WordTemplate.DoesNotExist when no template exists for the kind and language."""
    template = WordTemplate.objects.get(kind=kind, language=language)
    facts = case_facts(case=case, actor=actor, language=language)
    text = PLACEHOLDER.sub(lambda m: facts.get(m.group(1), m.group(0)), template.body)
    return Words(kind=kind, language=language, text=text, warnings=phrases_check(text=text))
