"""Who hears about what, resolved from the organisation tree and roles (SPEC §2–4)."""

from cases.models import Case, CaseEvent, CaseEventKind
from org.models import Role, User
from org.selectors import people_at_or_above, people_in_chain


def store_managers(*, case: Case) -> list[User]:
    """The service manager(s) of the case's store (or the nearest node up that has one)."""
    people, _node = people_in_chain(node=case.store, role=Role.SERVICE_MANAGER)
    return people


def role_holders(*, case: Case, role: str) -> list[User]:
    """The people holding `role` in the case's own chain; when nobody holds it there, the next
    more senior role (an escalation must reach someone)."""
    people, _node, _found = people_at_or_above(node=case.store, role=role)
    return people


def recipients_for_event(*, event: CaseEvent) -> list[User]:
    """Recipients of the case events this app announces itself. The store's managers hear of
    every case whatever its level; the owner (chosen by level when the case opened) too."""
    case = event.case
    if event.kind in {CaseEventKind.OPENED, CaseEventKind.RESCORED}:
        return _unique(store_managers(case=case) + [case.owner])
    return []


def _unique(people: list[User | None]) -> list[User]:
    return list({u.pk: u for u in people if u is not None and u.is_active}.values())
