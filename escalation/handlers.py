"""The case events that move a case's SLA clock (registered in `EscalationConfig.ready`)."""

from collections.abc import Sequence

from django.utils import timezone

from cases.models import CaseEvent, CaseEventKind

from .deadlines import deadlines_after_transition, deadlines_start
from .models import DeadlineKind


def case_events_clock(events: Sequence[CaseEvent]) -> None:
    for event in events:
        if event.kind == CaseEventKind.OPENED:
            # The case is assembled and the manager's notification handed to the outbox in
            # the transaction that opens it, so the 15-minute assembly deadline is met here.
            event.case.opened_deadlines = deadlines_start(
                case=event.case, met=[DeadlineKind.ASSEMBLY], met_at=timezone.now())
        elif event.kind == CaseEventKind.TRANSITION:
            deadlines_after_transition(case=event.case, name=event.data["transition"],
                                       at=event.at)
