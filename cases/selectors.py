"""Reads of the cases app. Every query a user touches goes through the scope here."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from escalation.deadlines import waiting_q
from escalation.models import Deadline
from org.models import User
from org.selectors import user_scope_path

from .models import Case


def case_scope(*, user: User) -> QuerySet[Case]:
    scope = user_scope_path(user=user)
    if scope is None:
        return Case.objects.none()
    qs = Case.objects.all()
    return qs.filter(store__path__startswith=scope) if scope else qs


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
    return with_progress(qs)


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
