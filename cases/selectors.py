"""Reads of the cases app. Every query a user touches goes through the scope here."""

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.utils import timezone

from org.models import User
from org.selectors import user_scope_path
from recovery.compiled import AmongKey, CompiledValues
from recovery.config_cache import config_cached

from .models import (
    CORRECTABLE_FIELDS,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseWatcher,
    ChecklistItem,
    IntakeSource,
    ServiceRecord,
    State,
)
from .permissions import team_case_ids
from .search import case_search_q

# Expressions over a case row that the app owning the data provides (escalation: the case's
# deadlines), registered in its `AppConfig.ready()`; each `build() -> expression`.
OVERDUE = "overdue"  # Exists: a deadline still to be met is past due
FOLLOWUP_DUE = "followup_due"  # Exists: a follow-up still to be made is past due
_expressions: dict[str, Callable] = {}


def case_expression_provide(name: str, build: Callable) -> None:
    _expressions[name] = build


def _expression(name: str):
    return _expressions[name]()


# The deadline a case works towards next, as the app owning the deadlines decides it
# (escalation's `case_deadline_next`), registered in its `AppConfig.ready()`.
_next_deadline: list[Callable] = []


def case_next_deadline_provide(find: Callable) -> None:
    _next_deadline[:] = [find]


def case_next_deadline(case: Case):
    """The deadline the case's next step meets, None without one (or without escalation)."""
    return _next_deadline[0](case) if _next_deadline else None


def case_scope(*, user: User) -> QuerySet[Case]:
    """The cases under the user's node, plus those they are on the recovery team of."""
    scope = user_scope_path(user=user)
    if scope == "":
        return Case.objects.all()
    if not user.is_authenticated:
        return Case.objects.none()
    team_ids = team_case_ids(user=user)
    if scope is None:
        return Case.objects.none() if team_ids is None else Case.objects.filter(pk__in=team_ids)
    in_subtree = Q(store__path__startswith=scope)
    # Most users are on no team outside their node; the plain prefix filter keeps its index.
    if team_ids is None or not team_ids.exists():
        return Case.objects.filter(in_subtree)
    return Case.objects.filter(in_subtree | Q(pk__in=team_ids))


def customer_wholly_in_scope(*, user: User, customer_id: int) -> bool:
    """Whether every case and visit of the customer lies in the user's subtree: only then may the
    user's intake or incident change the customer's name, phone or VIP status."""
    scope = user_scope_path(user=user)
    if scope == "":
        return True
    if scope is None:
        return False
    outside = ~Q(store__path__startswith=scope)
    return not (Case.objects.filter(outside, customer_id=customer_id).exists()
                or ServiceRecord.objects.filter(outside, customer_id=customer_id).exists())


def _checklist_count(*, done: bool) -> RawSQL:
    # A subquery spelled in SQL: composed with the ORM (Subquery, GROUP BY) the two of them cost
    # 1 to 3 ms of compiling on every page. Counted for the rows of the page only, after the
    # LIMIT (rather than a join and GROUP BY).
    return RawSQL(f"SELECT COUNT(*) FROM {ChecklistItem._meta.db_table} item "
                  f'WHERE item.case_id = "{Case._meta.db_table}"."id"'
                  + (" AND item.done_at IS NOT NULL" if done else ""), (),
                  output_field=IntegerField())


def with_progress(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.annotate(checklist_total=_checklist_count(done=False),
                       checklist_done=_checklist_count(done=True))


def overdue_exists():
    return _expression(OVERDUE)


def case_filtered(*, user: User, filters: dict | None = None) -> QuerySet[Case]:
    """The cases in the user's scope that match the filters: the narrow query a page's ids come
    from (no joins beyond those the filters need)."""
    filters = filters or {}
    qs = case_scope(user=user)
    for key in ("state", "level", "severity"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("store"):
        qs = qs.filter(store__code=filters["store"])
    if filters.get("failure_type"):
        qs = qs.filter(failure_type__code=filters["failure_type"])
    if filters.get("q"):
        qs = qs.filter(case_search_q(filters["q"]))
    overdue = filters.get("overdue")
    if overdue is not None:
        qs = qs.filter(overdue_exists()) if overdue else qs.exclude(overdue_exists())
    return qs


def case_rows(qs: QuerySet[Case]) -> QuerySet[Case]:
    """What a list shows of each case."""
    return with_progress(qs.select_related("store", "customer", "failure_type", "owner"))


def case_list(*, user: User, filters: dict | None = None) -> QuerySet[Case]:
    # A stable order, newest first, so that pages neither repeat nor skip a case.
    return case_rows(case_filtered(user=user, filters=filters)).order_by("-triggered_at", "-pk")


# What the API's case list shows of each case (serializers.CaseListOut), by relation.
LIST_COLUMNS = ("id", "number", "source", "level", "severity", "state", "outcome", "flags",
                "score_before", "score_after", "triggered_at")
LIST_RELATED = {"store": ("code",), "customer": ("name", "plate"), "failure_type": ("code",),
                "owner": ("username",)}


def _list_values() -> QuerySet:
    related = [f"{rel}__{name}" for rel, names in LIST_RELATED.items() for name in names]
    return with_progress(Case.objects.filter(AmongKey(F("pk"), "ids"))).values(
        *LIST_COLUMNS, *related, "checklist_total", "checklist_done")


# Compiled once per process: compiling it cost more than PostgreSQL's answer.
_LIST_VALUES = CompiledValues(_list_values)


def case_list_rows(ids: list[int]) -> list[SimpleNamespace]:
    """`case_rows` of these cases for a page of the API's list: the columns it shows only, read
    as values into plain objects of the same shape (`case.store.code`; None for no failure type
    or owner). Building 250 model instances per page cost more than reading the rows."""
    rows = []
    for row in _LIST_VALUES.rows(ids=ids):
        for rel, names in LIST_RELATED.items():
            values = {name: row.pop(f"{rel}__{name}") for name in names}
            row[rel] = None if values[names[0]] is None else SimpleNamespace(**values)
        rows.append(SimpleNamespace(pk=row["id"], **row))
    return rows


def _case_rows_of(ids: list[int]) -> QuerySet[Case]:
    return case_rows(Case.objects.filter(pk__in=ids))


def case_queue(*, user: User, filters: dict | None = None) -> QuerySet[Case]:
    """Active cases, newest first: the dashboard's working list."""
    return case_filtered(user=user, filters=filters).exclude(state=State.CLOSED)


def _cursor_encode(at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime, int]:
    """Raises ValueError on a cursor this code did not write."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, pk = raw.split("|")
        at = datetime.fromisoformat(at)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("bad cursor") from exc
    if at.tzinfo is None:
        raise ValueError("bad cursor")
    return at, int(pk)


def keyset_page(qs: QuerySet[Case], *, after: str | None, size: int,
                rows=_case_rows_of) -> tuple[list[Case], str | None]:
    """A page of cases in the list's order (-triggered_at, -pk) after the cursor, and the cursor
    of the next page (None on the last). No OFFSET and no COUNT: each page costs the same on a
    million cases. The ids come first from the narrow query; only the page's cases are then
    joined and annotated (`rows`, given their ids). Raises ValueError on a bad cursor."""
    if after:
        at, pk = _cursor_decode(after)
        qs = qs.filter(triggered_at__lte=at).exclude(triggered_at=at, pk__gte=pk)
    keys = list(qs.order_by("-triggered_at", "-pk").values_list("pk", "triggered_at")
                [:size + 1])
    next_cursor = None
    if len(keys) > size:
        next_cursor = _cursor_encode(keys[size - 1][1], keys[size - 1][0])
    by_pk = {c.pk: c for c in rows([k[0] for k in keys[:size]])}
    return [by_pk[k[0]] for k in keys[:size]], next_cursor


def dashboard_counts(*, user: User) -> dict[str, int]:
    active = case_scope(user=user).exclude(state=State.CLOSED)
    return {
        "open": active.count(),
        "overdue": active.filter(overdue_exists()).count(),
        "awaiting_approval": active.filter(state=State.AWAITING_APPROVAL).count(),
        "followups_due": active.filter(_expression(FOLLOWUP_DUE)).count(),
    }


def case_get(*, user: User, case_id: int) -> Case:
    """Raises Case.DoesNotExist when the case is outside the user's scope."""
    return with_progress(
        case_scope(user=user).select_related("store", "customer", "failure_type", "owner",
                                             "service_record")
    ).get(pk=case_id)


def case_progress(case: Case) -> int:
    total = getattr(case, "checklist_total", None)
    if total is None:
        total = case.checklist.count()
        done = case.checklist.filter(done_at__isnull=False).count()
    else:
        done = case.checklist_done
    return round(100 * done / total) if total else 0


def store_summary(*, user: User) -> QuerySet:
    """Per store in the user's scope: active, overdue and awaiting-approval cases (the regional
    dashboard's table)."""
    active = case_scope(user=user).exclude(state=State.CLOSED).annotate(late=overdue_exists())
    return (active.values("store__code", "store__name")
            .annotate(open=Count("pk"),
                      overdue=Count("pk", filter=Q(late=True)),
                      awaiting=Count("pk", filter=Q(state=State.AWAITING_APPROVAL)),
                      l3_plus=Count("pk", filter=Q(level__in=["L3", "L4"])))
            .order_by("store__code"))


def intake_sources() -> dict[str, IntakeSource]:
    """The active signed sources by code (configuration: cached per process)."""
    return config_cached("intake-sources",
                         lambda: {s.code: s for s in IntakeSource.objects.filter(active=True)})


def people(users: QuerySet[User]) -> QuerySet[User]:
    """The people among the users: not the administrators' staff accounts (`admin`), nor the
    accounts systems post with (an intake source's: `integration`), nor an account without a
    role in the organisation. What every picker of owners, watchers or team members lists."""
    return users.filter(is_staff=False, is_superuser=False).exclude(role="").exclude(
        Exists(IntakeSource.objects.filter(account=OuterRef("pk"))))


def watchers_of(*, case_ids) -> dict[int, list[User]]:
    """The active watchers of each case (one query for many cases)."""
    out: dict[int, list[User]] = {}
    for row in (CaseWatcher.objects.filter(case_id__in=case_ids, user__is_active=True)
                .select_related("user", "user__node")):
        out.setdefault(row.case_id, []).append(row.user)
    return out


def triage_corrections(*, user: User, months: int = 12) -> list[dict]:
    """Triage's measured accuracy: per store and month a case was opened, how many cases there
    were and how many had each field corrected by hand (failure type, severity, emotion,
    flags)."""
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months - 1):
        start = (start - timezone.timedelta(days=1)).replace(day=1)
    cases = case_scope(user=user).filter(received_at__gte=start)
    rows: dict[tuple, dict] = {}
    for row in (cases.annotate(month=TruncMonth("received_at"))
                .values("month", "store__code").annotate(n=Count("pk"))
                .order_by()):
        key = (row["month"].strftime("%Y-%m"), row["store__code"])
        rows[key] = {"month": key[0], "store": key[1], "cases": row["n"],
                     "corrections": {f: 0 for f in CORRECTABLE_FIELDS}}
    corrected = (CaseEvent.objects.filter(kind=CaseEventKind.CORRECTED, data__by_hand=True,
                                          case__in=cases)
                 .annotate(month=TruncMonth("case__received_at"), field=KT("data__field"))
                 .values("month", "case__store__code", "field")
                 .annotate(n=Count("case", distinct=True)).order_by())
    for row in corrected:
        key = (row["month"].strftime("%Y-%m"), row["case__store__code"])
        if key in rows and row["field"] in rows[key]["corrections"]:
            rows[key]["corrections"][row["field"]] = row["n"]
    out = sorted(rows.values(), key=lambda r: (r["month"], r["store"]), reverse=True)
    for row in out:
        row["accuracy"] = {f: round(1 - n / row["cases"], 3)
                           for f, n in row["corrections"].items()}
    return out
