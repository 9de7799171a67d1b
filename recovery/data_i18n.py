"""Data with a name in each language (failure types, checklist steps, departments): the English
one where the page is in English and it is filled in, the Chinese one otherwise."""

from django.utils.translation import get_language


def in_language(name: str, name_en: str) -> str:
    return name_en if name_en and (get_language() or "").startswith("en") else name
