"""Keeping the fact rows and tallies in step with the cases (registered in
`MetricsConfig.ready`): every change a measure reads arrives here as a case event, a service
visit or a settled deadline, so no writer has to remember to count."""

from collections.abc import Sequence

from cases.models import CaseEvent, CaseEventKind, ServiceRecord
from escalation.models import Deadline, Escalation

from .facts import case_fact_refresh, case_fact_start, customer_facts_refresh
from .tallies import deadlines_settled, escalations_fired


def _changes_facts(event: CaseEvent) -> bool:
    """Whether the event changes a figure of the case's fact row (state, contact, close,
    scores, failure type, cause, compensation issued)."""
    if event.kind in (CaseEventKind.TRANSITION, CaseEventKind.CORRECTED):
        return True
    if event.kind == CaseEventKind.RESCORED:
        return event.data.get("score_after") is not None
    if event.kind == CaseEventKind.NOTE:
        return (event.data.get("compensation") == "issued"
                or event.data.get("toolkit") == "root_cause")
    return False


def case_events_count(events: Sequence[CaseEvent]) -> None:
    refresh: dict[int, None] = {}
    fired = []
    for event in events:
        if event.kind == CaseEventKind.OPENED:
            case_fact_start(case=event.case)
        elif event.kind == CaseEventKind.ESCALATED:
            # The tally reads store, kind and time, which the event carries.
            fired.append(Escalation(store_id=event.case.store_id, kind=event.data["deadline"],
                                    fired_at=event.at))
        elif _changes_facts(event):
            refresh[event.case_id] = None
    for case_id in refresh:  # once per case, however many of its events changed it
        case_fact_refresh(case_id=case_id)
    if fired:
        escalations_fired(rows=fired)


def service_records_count(records: Sequence[ServiceRecord]) -> None:
    for customer_id in dict.fromkeys(r.customer_id for r in records):
        customer_facts_refresh(customer_id=customer_id)


def deadlines_count(rows: Sequence[Deadline]) -> None:
    deadlines_settled(rows=rows)
