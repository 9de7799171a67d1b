"""The case's event log as the spine: the other apps act on what happens to a case by
registering handlers here, in their `AppConfig.ready()`, instead of `cases` calling them.

A `Hook` is a typed list of handlers. `send` calls them synchronously, in the order they were
registered (the order of INSTALLED_APPS: escalation's deadlines are written before
notifications announce and before metrics count), inside the caller's transaction, so what a
handler writes commits or rolls back with the change. No Django signals: the handlers are
plain functions, found once at start-up, and a failing one fails the change."""

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from .models import CaseEvent, ServiceRecord

T = TypeVar("T")
F = TypeVar("F", bound=Callable)


class Registry(Generic[F]):
    """Functions other apps register, kept in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: list[F] = []

    def register(self, item: F) -> F:
        """Add a function (idempotent: `ready()` may run twice in tests)."""
        if item not in self._items:
            self._items.append(item)
        return item

    def __iter__(self):
        return iter(self._items)


class Hook(Registry[Callable[[Sequence[T]], None]]):
    """Handlers of one kind of happening; each receives the list of what happened together."""

    def send(self, items: Sequence[T]) -> None:
        if not items:
            return
        for handler in self._items:
            handler(items)


# The events one change of the cases app wrote (one or many, of one or several cases), after
# they are stored. `event.case` is the case instance the service holds, with the change on it.
case_events: Hook[CaseEvent] = Hook("case_events")

# Service visits recorded or updated (a later visit retains the customer's earlier cases).
service_records_saved: Hook[ServiceRecord] = Hook("service_records_saved")
