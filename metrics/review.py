"""The cases behind the figures: the drill-down list and the monthly review (seed 000 §5.2)."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Case as When_
from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Outcome
from compensation.models import IssuedCompensation
from escalation.models import Deadline, Escalation, missed_q, on_time_q
from org.models import OrgNode
from toolkit.models import RootCause

from .selectors import (
    RESCORE_BANDS,
    Period,
    closed_in,
    in_period,
    later_visit,
    rescore_band,
)

DRILLS = {
    # kpi → (date field the period applies to, extra filter)
    "closed": ("closed_at", Q()),
    "recovered": ("closed_at", Q(outcome=Outcome.RECOVERED)),
    "not_recovered": ("closed_at", ~Q(outcome=Outcome.RECOVERED)),
    "promoters": ("closed_at", Q(score_after__gte=9)),
    "not_promoters": ("closed_at", Q(score_after__lt=9) | Q(score_after__isnull=True)),
    "opened": ("triggered_at", Q()),
    "contacted": ("triggered_at", Q(contacted_at__isnull=False)),
    "not_contacted": ("triggered_at", Q(contacted_at__isnull=True)),
    "cost": ("closed_at", Q(issued_compensation__isnull=False)),
}
DRILL_GROUPS = {"failure_type": "failure_type__code", "cause": "root_cause__category",
                "store": "store__code"}


def drill_cases(*, cases: QuerySet[Case], period: Period, kpi: str, key: str = "",
                now: datetime | None = None) -> QuerySet[Case]:
    """The cases behind one figure of the report. Raises ValidationError for an unknown kpi."""
    now = now or timezone.now()
    if kpi in DRILLS:
        date_field, extra = DRILLS[kpi]
        qs = cases.filter(in_period(date_field, period)).filter(extra)
    elif kpi in ("retained", "not_retained"):
        qs = closed_in(cases, period).annotate(visit=later_visit()).filter(
            visit=kpi == "retained")
    elif kpi == "band" and key in RESCORE_BANDS:
        qs = closed_in(cases, period).annotate(band=rescore_band()).filter(band=key)
    elif kpi in ("sla_missed", "sla_on_time"):
        deadlines = Deadline.objects.filter(in_period("due_at", period), kind=key).filter(
            on_time_q() if kpi == "sla_on_time" else missed_q(now))
        qs = cases.filter(pk__in=deadlines.values("case_id"))
    elif kpi == "escalated":
        qs = cases.filter(pk__in=Escalation.objects.filter(in_period("fired_at", period), kind=key)
                          .values("case_id"))
    elif kpi in DRILL_GROUPS:
        field_name = DRILL_GROUPS[kpi]
        match = Q(**{f"{field_name}__isnull": True}) if key == "" else Q(**{field_name: key})
        qs = cases.filter(in_period("triggered_at", period) | in_period("closed_at", period))
        qs = qs.filter(match)
    else:
        raise ValidationError({"kpi": [_("Unknown figure.")]})
    return qs.distinct().select_related("store", "customer", "failure_type").order_by(
        "-triggered_at")


def review_cases(*, cases: QuerySet[Case], period: Period) -> tuple[list[Case], list[Case]]:
    """Seed 000 §5.2: three recovered cases to share (largest score gain, then fastest first
    contact) and two failed ones to learn from (lost first, then retained)."""
    closed = closed_in(cases, period).select_related("store", "customer", "failure_type")
    best = list(closed.filter(outcome=Outcome.RECOVERED).annotate(
        gain=Coalesce(F("score_after"), F("score_before")) - F("score_before"),
        wait=F("contacted_at") - F("triggered_at"),
    ).order_by(F("gain").desc(nulls_last=True), F("wait").asc(nulls_last=True), "pk")[:3])
    failed = list(closed.exclude(outcome=Outcome.RECOVERED).annotate(
        lost=When_(When(outcome=Outcome.LOST, then=Value(0)), default=Value(1))
    ).order_by("lost", "-closed_at", "pk")[:2])
    return best, failed


def open_cases_waiting(*, cases: QuerySet[Case], limit: int = 10) -> list[Case]:
    """Open cases nobody has called yet, longest waiting first: what delay costs."""
    return list(cases.filter(contacted_at__isnull=True, closed_at__isnull=True)
                .exclude(state="closed").select_related("store", "customer")
                .order_by("triggered_at")[:limit])


def review_actions(*, node: OrgNode | None, month: date):
    from .models import ReviewAction

    qs = ReviewAction.objects.filter(month=month).select_related("owner", "node")
    return qs.filter(node=node) if node else qs


def corrective_actions(*, cases: QuerySet[Case], period: Period):
    return (RootCause.objects.filter(case__in=closed_in(cases, period).values("pk"))
            .exclude(corrective_action="").select_related("case", "action_owner", "department")
            .order_by("action_due", "pk"))


def probability_bands():
    from .models import ProbabilityBand
    from .probability import DEFAULT_BANDS, Band

    rows = [Band(within=b.within, percent=b.percent, below=b.below)
            for b in ProbabilityBand.objects.all()]
    return rows or list(DEFAULT_BANDS)


def cost_of(*, cases: QuerySet[Case]) -> Decimal:
    """Issued compensation of these cases (for the drill-down list)."""
    return IssuedCompensation.objects.filter(case__in=cases.values("pk")).aggregate(
        total=Coalesce(Sum("value"), Value(Decimal("0")),
                       output_field=DecimalField(max_digits=14, decimal_places=2)))["total"]
