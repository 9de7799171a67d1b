"""The SOP's guards (SPEC §4, issue 19): a transition is earned by the work it stands for. Each
guard is a django-fsm condition that carries the reason a user reads on the disabled button and in
the API's 409.

Facts that live in other apps (the contact log is the toolkit's) come through `fact_provide`,
which those apps call from their AppConfig.ready(), so this app imports none of them. Offers are
read through the case's own related name. No module-level import of `cases.models` either: the
models import this module."""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

_facts: dict[str, Callable] = {}

# Names of the facts other apps provide.
FIRST_CONTACT = "first_contact_logged"  # a conversation with the customer, by a role allowed to
SATISFACTION = "satisfaction_confirmed"  # a follow-up contact in which the customer confirms


def fact_provide(name: str, reader: Callable) -> None:
    """Register `reader(case) -> bool` for a fact; the app that owns it calls this in ready()."""
    _facts[name] = reader


def _fact(name: str, case) -> bool:
    reader = _facts.get(name)
    return bool(reader and reader(case))


def _guard(reason):
    """`reason` is a text, or a function of the case giving one (to name what is missing)."""
    def mark(condition):
        condition.reason = reason
        return condition
    return mark


def guard_reason(condition, case) -> str:
    reason = condition.reason
    return str(reason(case) if callable(reason) else reason)


def promoter_line() -> int:
    from recovery.config_cache import config_cached

    from .models import SopPolicy

    return config_cached("sop-policy", lambda: SopPolicy.current().promoter_line)


def recovered_earned(case) -> bool:
    """A re-score at or above the promoter line, or a follow-up in which the customer said they
    are satisfied."""
    if case.score_after is not None and case.score_after >= promoter_line():
        return True
    return _fact(SATISFACTION, case)


@_guard(_("Log the conversation with the customer first (contact log: channel and outcome "
          "“spoke with the customer”, by someone allowed to make the first call)."))
def contact_logged(case) -> bool:
    return _fact(FIRST_CONTACT, case)


@_guard(_("Make an offer or write the plan first."))
def plan_ready(case) -> bool:
    return bool(case.plan.strip()) or case.offers.exists()


def _unsettled(case):
    return case.checklist.filter(required=True, done_at__isnull=True, waived_at__isnull=True)


def _unsettled_reason(case) -> str:
    titles = "、".join(item.title for item in _unsettled(case))
    return str(_("Required checklist items are neither done nor waived: %(items)s")
               % {"items": titles})


@_guard(_unsettled_reason)
def checklist_settled(case) -> bool:
    return not _unsettled(case).exists()


def _recovered_reason(case) -> str:
    return str(_("“Recovered” needs a re-score of %(line)s or more, or a follow-up contact in "
                 "which the customer confirms being satisfied; close as retained or lost.")
               % {"line": promoter_line()})


@_guard(_recovered_reason)
def outcome_earned(case) -> bool:
    """Checks the outcome the close is about to record (set on the instance just before)."""
    return case.outcome != "recovered" or recovered_earned(case)


def unmet_reason(bound_method) -> str | None:
    """The reason of the first guard of this transition that fails, None when all pass (or the
    transition does not exist from the current state)."""
    meta = bound_method._django_fsm
    case = bound_method.__self__
    transition = meta.get_transition(meta.field.get_state(case))
    if transition is None:
        return None
    for condition in transition.conditions:
        if not condition(case):
            return guard_reason(condition, case)
    return None
