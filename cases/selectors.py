"""Reads of the cases app. Every query a user touches goes through the scope here."""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.utils import timezone

from escalation.deadlines import waiting_q
from escalation.models import Deadline
from org.models import User
from org.selectors import user_scope_path
from recovery.config_cache import config_cached
from toolkit.scope import team_case_ids

from .models import (
    CORRECTABLE_FIELDS,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseWatcher,
    IntakeSource,
    ServiceRecord,
    State,
)


def case_scope(*, user: User) -> QuerySet[Case]:
    """The cases under the user's node, plus those they are on the recovery team of."""
    scope = user_scope_path(user=user)
    if scope == "":
        return Case.objects.all()
    if not user.is_authenticated:
        return Case.objects.none()
    team_ids = team_case_ids(user=user)
    if scope is None:
        return Case.objects.filter(pk__in=team_ids)
    in_subtree = Q(store__path__startswith=scope)
    # Most users are on no team outside their node; the plain prefix filter keeps its index.
    if not team_ids.exists():
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


def with_progress(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.annotate(
        checklist_total=Count("checklist", distinct=True),
        checklist_done=Count("checklist", filter=Q(checklist__done_at__isnull=False),
                             distinct=True),
    )


def overdue_exists():
    return Exists(Deadline.objects.filter(waiting_q(), case=OuterRef("pk"),
                                          due_at__lte=timezone.now()))


def case_list(*, user: User, filters: dict | None = None) -> QuerySet[Case]:
    filters = filters or {}
    qs = case_scope(user=user).select_related("store", "customer", "failure_type", "owner")
    for key in ("state", "level", "severity"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("store"):
        qs = qs.filter(store__code=filters["store"])
    if filters.get("failure_type"):
        qs = qs.filter(failure_type__code=filters["failure_type"])
    overdue = filters.get("overdue")
    if overdue is not None:
        qs = qs.filter(overdue_exists()) if overdue else qs.exclude(overdue_exists())
    # A stable order, newest first, so that pages neither repeat nor skip a case.
    return with_progress(qs).order_by("-triggered_at", "-pk")


def next_due_subquery():
    return Subquery(Deadline.objects.filter(waiting_q(), case=OuterRef("pk"))
                    .order_by("due_at").values("due_at")[:1])


def case_queue(*, user: User, filters: dict | None = None) -> QuerySet[Case]:
    """Active cases, the nearest deadline first: the manager's working queue."""
    return (case_list(user=user, filters=filters).exclude(state=State.CLOSED)
            .annotate(next_due=next_due_subquery())
            .order_by(F("next_due").asc(nulls_last=True), "-triggered_at"))


def dashboard_counts(*, user: User) -> dict[str, int]:
    now = timezone.now()
    active = case_scope(user=user).exclude(state=State.CLOSED)
    followups_due = Deadline.objects.filter(
        waiting_q(), case__in=active, kind__startswith="followup", due_at__lte=now)
    return {
        "open": active.count(),
        "overdue": active.filter(overdue_exists()).count(),
        "awaiting_approval": active.filter(state=State.AWAITING_APPROVAL).count(),
        "followups_due": followups_due.values("case_id").distinct().count(),
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
