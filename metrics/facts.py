"""The per-case fact rows the measures read (`CaseFact`). The change of a figure's input reaches
one function here inside the writer's transaction, from the case events and service visits
(`metrics.handlers`), so a fact commits with the change it reflects and is never stale:

- `case_fact_refresh(case_id=…)`: case open, transition (close, reopen, contact…), re-score,
  compensation issued, root cause recorded;
- `customer_facts_refresh(customer_id=…)`: a service visit recorded — a later visit retains
  every case of that customer closed before it.

Each refresh recomputes the whole row from the source tables (`live_facts`), so it is idempotent
and the order of refreshes does not matter; it records the change of the row's share in the
tallies (`metrics.tallies`). `case_facts_rebuild` (command `metrics_rebuild`)
recomputes every row, for a backfill, after bulk SQL that bypassed the services, or after the
first-contact SLA policy changed its clock.

The response time is counted on the first-contact SLA policy's clock (business hours of the
store with its holidays, or wall time), as its deadline, the countdowns and the recovery
probability are (`metrics.probability.contact_clock`): Python works it out, since the store
calendar is not in the database."""

from collections.abc import Iterator
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from cases.models import Case
from compensation.models import IssuedCompensation

from .models import CaseFact
from .probability import contact_clock
from .tallies import facts_shares, facts_started, facts_tallied

# CaseFact column → its live expression over a Case row.
COLUMNS = ["case_id", "store_id", "triggered_at", "closed_at", "outcome", "response_seconds",
           "score_before", "score_after", "band", "retained", "failure_type_id", "cause", "cost"]


def live_facts(cases: QuerySet[Case]) -> Iterator[dict]:
    """The fact row of each case computed from the source tables, as dicts keyed by `f_` and
    the COLUMNS."""
    clocks: dict = {}
    for row in _live_values(cases).iterator():
        contacted_at = row.pop("f_contacted_at")
        row["f_response_seconds"] = response_seconds(
            store_id=row["f_store_id"], triggered_at=row["f_triggered_at"],
            contacted_at=contacted_at, clocks=clocks)
        yield row


def response_seconds(*, store_id: int, triggered_at, contacted_at,
                     clocks: dict | None = None) -> float | None:
    """Seconds from T0 to the first contact on the contact SLA's clock at the store (`clocks`
    keeps each store's clock for a run of rows); None when nobody called yet."""
    if contacted_at is None:
        return None
    clocks = {} if clocks is None else clocks
    if store_id not in clocks:
        clocks[store_id] = contact_clock(store_id=store_id)
    return clocks[store_id].elapsed(triggered_at, contacted_at).total_seconds()


def _live_values(cases: QuerySet[Case]) -> QuerySet:
    from .selectors import later_visit, rescore_band

    money = DecimalField(max_digits=14, decimal_places=2)
    issued = (IssuedCompensation.objects.filter(case=OuterRef("pk")).order_by()
              .values("case").annotate(total=Sum("value")).values("total"))
    return cases.order_by().values(
        f_case_id=F("pk"), f_store_id=F("store_id"), f_triggered_at=F("triggered_at"),
        f_closed_at=F("closed_at"), f_outcome=F("outcome"),
        f_contacted_at=F("contacted_at"),
        f_score_before=F("score_before"), f_score_after=F("score_after"),
        f_band=rescore_band(), f_retained=later_visit(), f_failure_type_id=F("failure_type_id"),
        f_cause=F("root_cause__category"),
        f_cost=Coalesce(Subquery(issued, output_field=money), Value(Decimal("0")),
                        output_field=money),
    )


def _as_fact(row: dict) -> CaseFact:
    return CaseFact(**{name: row[f"f_{name}"] for name in COLUMNS})


def _refresh(cases: QuerySet[Case]) -> None:
    """Lock the cases first: a concurrent writer of the same case then waits for this commit
    and recomputes with it, so the last commit always carries every change."""
    with transaction.atomic():
        ids = list(cases.select_for_update().order_by("pk").values_list("pk", flat=True))
        before = facts_shares(ids)
        rows = [_as_fact(row) for row in live_facts(Case.objects.filter(pk__in=ids))]
        CaseFact.objects.bulk_create(rows, update_conflicts=True, unique_fields=["case"],
                                     update_fields=COLUMNS[1:])
        facts_tallied(before=before, case_ids=ids)


def case_fact_refresh(*, case_id: int) -> None:
    _refresh(Case.objects.filter(pk=case_id))


def customer_facts_refresh(*, customer_id: int) -> None:
    _refresh(Case.objects.filter(customer_id=customer_id))


def case_facts_rebuild() -> int:
    """Recompute every fact row; returns the number of rows. The tallies need
    `tallies_rebuild` after it. Plain SQL: one INSERT … SELECT writes a million rows where the
    ORM would load and save each; only the response times of the contacted cases come back
    through Python (`response_seconds`), a chunk at a time."""
    select, params = _live_values(Case.objects.all()).query.sql_with_params()
    table = CaseFact._meta.db_table
    names = [n for n in COLUMNS if n != "response_seconds"]
    columns = ", ".join(CaseFact._meta.get_field(n.removesuffix("_id")).column for n in names)
    selected = ", ".join(f"f_{n}" for n in names)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {selected} FROM ({select}) "
                           f"AS live", params)
            count = cursor.rowcount
        contacted = (Case.objects.filter(contacted_at__isnull=False).order_by()
                     .values_list("pk", "store_id", "triggered_at", "contacted_at"))
        clocks: dict = {}
        rows = []
        for pk, store_id, triggered_at, contacted_at in contacted.iterator(chunk_size=5000):
            rows.append(CaseFact(case_id=pk, response_seconds=response_seconds(
                store_id=store_id, triggered_at=triggered_at, contacted_at=contacted_at,
                clocks=clocks)))
            if len(rows) == 5000:
                CaseFact.objects.bulk_update(rows, ["response_seconds"])
                rows = []
        CaseFact.objects.bulk_update(rows, ["response_seconds"])
    return count


def case_fact_start(*, case: Case) -> None:
    """The fact row of a case opened in the running transaction. Nothing has happened to it
    yet (no contact, re-score, close, cause or compensation), so the row is written from the
    case itself: no read, and no lock, since no one else sees the case before commit."""
    CaseFact.objects.create(
        case_id=case.pk, store_id=case.store_id, triggered_at=case.triggered_at,
        closed_at=None, outcome=case.outcome, response_seconds=None,
        score_before=case.score_before, score_after=None, band="none", retained=False,
        failure_type_id=case.failure_type_id, cause=None, cost=Decimal("0"),
    )
    facts_started(case_ids=[case.pk])
