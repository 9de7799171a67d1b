"""The phrase checker (SPEC §9; 000 §3.1 and §3.3, 001 禁忌): flags forbidden ways of speaking in
a note or message and offers the seed's better phrasing. The table is data (`PhrasePattern`)."""

import re
from dataclasses import asdict, dataclass

from django.utils import translation

from .models import PhrasePattern


@dataclass(frozen=True)
class PhraseWarning:
    code: str
    category: str
    label: str
    match: str
    start: int
    end: int
    explanation: str
    suggestion: str

    def as_dict(self) -> dict:
        return asdict(self)


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def phrases_check(*, text: str) -> list[PhraseWarning]:
    """The first match of each active pattern, in the order they appear in the text."""
    if not text or not text.strip():
        return []
    english = _english()
    warnings = []
    for row in PhrasePattern.objects.filter(active=True):
        found = re.search(row.pattern, text, flags=re.IGNORECASE)
        if found is None:
            continue
        warnings.append(PhraseWarning(
            code=row.code, category=row.category, label=str(row.get_category_display()),
            match=found.group(0), start=found.start(), end=found.end(),
            explanation=row.explanation_en if english and row.explanation_en else row.explanation,
            suggestion=row.suggestion_en if english and row.suggestion_en else row.suggestion,
        ))
    return sorted(warnings, key=lambda w: (w.start, w.code))
