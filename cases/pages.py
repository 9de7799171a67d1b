"""What other apps add to the pages of this one, by registration in their `AppConfig.ready()`,
so that `cases` assembles the case page and the top bar without importing them."""

from collections.abc import Callable

from django.http import HttpRequest

from .events import Registry
from .models import Case

# `section(request, case) -> dict`: template context of the case page (its sections, the
# deadlines' countdowns…), merged in registration order.
case_sections: Registry[Callable[[HttpRequest, Case], dict]] = Registry("case_sections")

# Badges of the top bar by name: `badge(user) -> int | None`, None when the user has no such
# link.
_badges: dict[str, Callable] = {}

APPROVALS = "approvals"


def badge_provide(name: str, count: Callable) -> None:
    _badges[name] = count


def badge(name: str, user) -> int | None:
    count = _badges.get(name)
    return count(user) if count else None


def case_sections_context(request: HttpRequest, case: Case) -> dict:
    context: dict = {}
    for section in case_sections:
        context.update(section(request, case))
    return context
