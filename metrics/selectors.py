"""Reads of the measures (SPEC §10). Every figure is an aggregate computed by the database over
the user's scope (`cases.selectors.case_scope`); Python only adds up the handful of grouped rows.

Which cases a period holds, per figure:
- closed-case KPIs (success, retention, NPS, cost, re-score table): cases closed in the period;
- response time: cases triggered (T0) in the period;
- SLA compliance: deadlines due in the period; escalations: fired in the period;
- cases by failure type / cause / store: opened (T0) in the period, with those closed in it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import (
    Avg,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import (
    Case as When_,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, FailureType, Outcome, ServiceRecord
from cases.selectors import case_scope
from escalation.models import Deadline, DeadlineKind, Escalation
from org.models import OrgNode, User
from org.selectors import user_can_see_node, user_scope_path
from toolkit.scope import team_case_ids

from .db import PercentileCont, percentile_of
from .models import (
    DEFAULT_TARGETS,
    KPI_UNITS,
    CaseFact,
    DeadlineDay,
    Direction,
    EscalationDay,
    Kpi,
    KpiTarget,
)
from .summaries import counted_q, on_time_q, summary_zone, unsettled_q

HOUR = 3600.0
# Re-score bands of seed 001's table (改后平均分 9-10 / 7-8 / 5-6 / 0-3) and "not re-scored".
RESCORE_BANDS = ["9-10", "7-8", "5-6", "0-4", "none"]


# ---------------------------------------------------------------- period and scope


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end + 1 day) as aware datetimes in the current time zone."""
        tz = timezone.get_current_timezone()
        return (datetime.combine(self.start, time.min, tzinfo=tz),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        return Period(start=self.start - timedelta(days=self.days),
                      end=self.start - timedelta(days=1))

    @classmethod
    def month_of(cls, day: date) -> "Period":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(start=first, end=following - timedelta(days=1))

    @classmethod
    def last_days(cls, days: int = 30, *, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(start=today - timedelta(days=days - 1), end=today)

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        out, month = [], self.start.replace(day=1)
        while month <= self.end:
            out.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return out


def period_build(*, start: date | None, end: date | None, today: date | None = None) -> Period:
    """Default: the last 30 days. Raises ValidationError with field errors."""
    today = today or timezone.localdate()
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise ValidationError({"from": [_("The start must not be after the end.")]})
    if (end - start).days > 3 * 366:
        raise ValidationError({"from": [_("A period may span at most three years.")]})
    return Period(start=start, end=end)


def metrics_node(*, user: User, code: str | None) -> OrgNode | None:
    """The node to filter by; unknown → ValidationError (400), outside the scope → 403."""
    if not code:
        return None
    node = OrgNode.objects.filter(code=code).first()
    if node is None:
        raise ValidationError({"node": [_("Unknown organisation node.")]})
    if not user_can_see_node(user=user, node=node):
        raise PermissionDenied(_("This node is outside your part of the organisation."))
    return node


def metrics_cases(*, user: User, node: OrgNode | None = None) -> QuerySet[Case]:
    cases = case_scope(user=user)
    if node is not None:
        cases = cases.filter(store__path__startswith=node.path)
    return cases


def in_period(prefix: str, period: Period) -> Q:
    start, end = period.bounds
    return Q(**{f"{prefix}__gte": start, f"{prefix}__lt": end})


def closed_in(cases: QuerySet, period: Period) -> QuerySet:
    return cases.filter(in_period("closed_at", period))


def later_visit() -> Exists:
    """The customer came back after the case was resolved (or closed): retained (SPEC §10)."""
    return Exists(ServiceRecord.objects.filter(
        customer=OuterRef("customer"),
        visit_at__gt=Coalesce(OuterRef("resolved_at"), OuterRef("closed_at"))))


def rescore_band() -> When_:
    return When_(
        When(score_after__gte=9, then=Value("9-10")), When(score_after__gte=7, then=Value("7-8")),
        When(score_after__gte=5, then=Value("5-6")), When(score_after__isnull=False,
                                                          then=Value("0-4")),
        default=Value("none"), output_field=CharField())


def _month_key(value) -> str:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%Y-%m}"


# ---------------------------------------------------------------- targets


def kpi_targets() -> dict[str, tuple[str, Decimal | None]]:
    targets = dict(DEFAULT_TARGETS)
    for row in KpiTarget.objects.all():
        targets[row.kpi] = (row.direction, row.target)
    return targets


def _judge(value, direction: str, target: Decimal | None) -> str:
    if value is None:
        return "no_data"
    if direction == Direction.WATCHED or target is None:
        return "watched"
    good = value >= float(target) if direction == Direction.AT_LEAST else value <= float(target)
    return "green" if good else "red"


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 2)


# ---------------------------------------------------------------- the queries


@dataclass(frozen=True)
class Sources:
    """The rows the report reads, already scoped: case facts, deadlines and escalations, and the
    daily counts of deadlines and escalations (None where they cannot serve: a scope that
    includes recovery-team cases, or days of another time zone than theirs)."""

    facts: QuerySet[CaseFact]
    deadlines: QuerySet[Deadline]
    escalations: QuerySet[Escalation]
    deadline_days: QuerySet[DeadlineDay] | None = None
    escalation_days: QuerySet[EscalationDay] | None = None


def _scoped(rows: QuerySet, *, user: User, node: OrgNode | None, case_id: str | None,
            team: bool) -> QuerySet | None:
    """`rows` (each of one case or store, carrying the store) cut to `metrics_cases`: the rule
    of `cases.selectors.case_scope`, applied to the rows' own store column so their (store,
    date) indexes serve. `team`: the user is on some recovery team. None when the rows have no
    case (`case_id` None) and the scope needs team cases."""
    scope = user_scope_path(user=user)
    if scope != "" and not user.is_authenticated:
        rows = rows.none()
    elif scope != "":
        if (scope is None or team) and case_id is None:
            return None
        in_team = Q(**{f"{case_id}__in": team_case_ids(user=user)}) if case_id else Q()
        in_subtree = Q(store__path__startswith=scope)
        if scope is None:
            rows = rows.filter(in_team)
        else:
            rows = rows.filter(in_subtree | in_team if team else in_subtree)
    if node is not None:
        rows = rows.filter(store__path__startswith=node.path)
    return rows


def metrics_sources(*, user: User, node: OrgNode | None = None) -> Sources:
    # Most users are on no team outside their node; the plain prefix filter keeps its index.
    team = team_case_ids(user=user).exists()

    def scoped(rows, case_id="case_id"):
        return _scoped(rows, user=user, node=node, case_id=case_id, team=team)

    by_day = timezone.get_current_timezone() == summary_zone()
    return Sources(facts=scoped(CaseFact.objects.all(), "pk"),
                   deadlines=scoped(Deadline.objects.all()),
                   escalations=scoped(Escalation.objects.all()),
                   deadline_days=scoped(DeadlineDay.objects.all(), None) if by_day else None,
                   escalation_days=scoped(EscalationDay.objects.all(), None) if by_day else None)


def closed_rows(facts: QuerySet[CaseFact], period: Period) -> list[dict]:
    """One query: closed cases grouped by month and re-score band with every closed-case count
    and the compensation issued to them."""
    tz = timezone.get_current_timezone()
    return list(
        closed_in(facts, period)
        .values("band", month=TruncMonth("closed_at", tzinfo=tz))
        .annotate(closed=Count("*"),
                  recovered=Count("closed_at", filter=Q(outcome=Outcome.RECOVERED)),
                  retained=Count("closed_at", filter=Q(retained=True)),
                  before_sum=Sum("score_before"), before_n=Count("score_before"),
                  after_sum=Sum("score_after"), cost=Sum("cost"))
        .order_by()
    )


def response_rows(facts: QuerySet[CaseFact], period: Period) -> tuple[dict, list[dict]]:
    """Time to first contact of the cases triggered in the period: the whole period and by month
    (mean and p90 in seconds; PostgreSQL's percentile_cont, a Python fallback elsewhere)."""
    tz = timezone.get_current_timezone()
    opened = facts.filter(in_period("triggered_at", period))
    measures = {"opened": Count("*"), "contacted": Count("response_seconds"),
                "mean": Avg("response_seconds")}
    postgres = connection.vendor == "postgresql"
    if postgres:
        measures["p90"] = PercentileCont("response_seconds", 0.9)
    total = opened.aggregate(**measures)
    monthly = list(opened.values(month=TruncMonth("triggered_at", tzinfo=tz))
                   .annotate(**measures).order_by("month"))
    if not postgres:
        values: dict[str, list[float]] = {}
        for month, seconds in opened.filter(response_seconds__isnull=False).values_list(
                TruncMonth("triggered_at", tzinfo=tz), "response_seconds"):
            values.setdefault(_month_key(month), []).append(seconds)
        total["p90"] = percentile_of([v for vs in values.values() for v in vs], 0.9)
        for row in monthly:
            row["p90"] = percentile_of(values.get(_month_key(row["month"]), []), 0.9)
    return total, monthly


def sla_rows(sources: Sources, period: Period, *, now: datetime) -> list[dict]:
    """Per deadline kind: met on time (met_at ≤ due_at) against missed (escalated, met late,
    cancelled or still waiting after it fell due); deadlines still running count in neither, a
    deadline a close cancelled before it fell due nowhere. The settled ones come from the daily
    counts when the scope allows (`Sources.deadline_days`), the waiting ones live."""
    if sources.deadline_days is None:
        return sla_rows_live(sources.deadlines, period, now=now)
    kinds: dict[str, dict] = {}
    settled = (sources.deadline_days.filter(day__gte=period.start, day__lte=period.end)
               .values("kind").annotate(total=Sum("total"), on_time=Sum("on_time")).order_by())
    for row in settled:
        kinds[row["kind"]] = {"kind": row["kind"], "total": row["total"],
                              "on_time": row["on_time"], "missed": row["total"] - row["on_time"]}
    waiting = (sources.deadlines.filter(in_period("due_at", period), unsettled_q())
               .values("kind").annotate(total=Count("*"),
                                        missed=Count("due_at", filter=Q(due_at__lte=now)))
               .order_by())
    for row in waiting:
        counts = kinds.setdefault(row["kind"], {"kind": row["kind"], "total": 0, "on_time": 0,
                                                "missed": 0})
        counts["total"] += row["total"]
        counts["missed"] += row["missed"]
    return [kinds[k] for k in sorted(kinds) if kinds[k]["total"]]


def sla_rows_live(deadlines: QuerySet[Deadline], period: Period, *, now: datetime) -> list[dict]:
    """`sla_rows` computed from the deadline rows alone."""
    on_time = on_time_q()
    missed = ~on_time & (Q(escalated_at__isnull=False) | Q(met_at__gt=F("due_at"))
                         | Q(met_at__isnull=True, due_at__lte=now))
    rows = (deadlines.filter(in_period("due_at", period)).filter(counted_q())
            .values("kind")
            .annotate(total=Count("*"), on_time=Count("due_at", filter=on_time),
                      missed=Count("due_at", filter=missed))
            .order_by("kind"))
    return list(rows)


def escalation_rows(sources: Sources, period: Period) -> list[dict]:
    if sources.escalation_days is None:
        rows = (sources.escalations.filter(in_period("fired_at", period))
                .values("kind").annotate(count=Count("*")))
    else:
        rows = (sources.escalation_days.filter(day__gte=period.start, day__lte=period.end)
                .values("kind").annotate(count=Sum("count")).filter(count__gt=0))
    return list(rows.order_by("-count", "kind"))


def breakdown_rows(facts: QuerySet[CaseFact], period: Period) -> dict[str, list[dict]]:
    """Cases opened in the period and closed / recovered in it, grouped by failure type, by
    cause and by store. Two grouped scans (opened, closed), each of one covering index, added
    up here."""
    keys = ("store_id", "failure_type_id", "cause")
    groups: dict[tuple, dict] = {}

    def add(rows):
        for row in rows:
            counts = groups.setdefault(tuple(row[k] for k in keys),
                                       {"opened": 0, "closed": 0, "recovered": 0})
            for name in counts.keys() & row.keys():
                counts[name] += row[name]

    add(facts.filter(in_period("triggered_at", period)).values(*keys)
        .annotate(opened=Count("*")).order_by())
    add(facts.filter(in_period("closed_at", period)).values(*keys)
        .annotate(closed=Count("*"),
                  recovered=Count("closed_at", filter=Q(outcome=Outcome.RECOVERED)))
        .order_by())
    types = {pk: (code, name) for pk, code, name in FailureType.objects.filter(
        pk__in={k[1] for k in groups}).values_list("pk", "code", "name")}
    stores = {pk: (code, name) for pk, code, name in OrgNode.objects.filter(
        pk__in={k[0] for k in groups}).values_list("pk", "code", "name")}
    no_type = (None, None)
    return {
        "by_failure_type": _grouped(groups, key=lambda k: types.get(k[1], no_type)[0],
                                    label=lambda k: types.get(k[1], no_type)[1]),
        "by_cause": _grouped(groups, key=lambda k: k[2]),
        "by_store": _grouped(groups, key=lambda k: stores[k[0]][0],
                             label=lambda k: stores[k[0]][1]),
    }


def _grouped(groups: dict[tuple, dict], *, key, label=None) -> list[dict]:
    """The groups summed by `key(group)`, most opened first, then by key (no key last)."""
    out: dict = {}
    for group, counts in groups.items():
        row = out.setdefault(key(group), {"key": key(group), "opened": 0, "closed": 0,
                                          "recovered": 0})
        if label:
            row["label"] = label(group)
        for name, value in counts.items():
            row[name] += value
    return sorted(out.values(), key=lambda r: (-r["opened"], r["key"] is None, r["key"] or ""))


# ---------------------------------------------------------------- putting it together


@dataclass
class Report:
    period: Period
    node: OrgNode | None
    kpis: dict[str, dict]
    months: list[dict]
    rescore: list[dict]
    sla: list[dict] = field(default_factory=list)
    escalations: list[dict] = field(default_factory=list)
    by_failure_type: list[dict] = field(default_factory=list)
    by_cause: list[dict] = field(default_factory=list)
    by_store: list[dict] = field(default_factory=list)


def _kpis(*, closed: dict, response: dict, targets: dict) -> dict[str, dict]:
    def kpi(name, value, **counts):
        direction, target = targets[name]
        return {"value": value, "unit": KPI_UNITS[name], "direction": direction,
                "target": None if target is None else float(target),
                "status": _judge(value, direction, target), **counts}

    n, cost = closed["closed"], closed["cost"]
    cost_value = float(round(cost / n, 2)) if n else None
    return {
        Kpi.SUCCESS_RATE: kpi(Kpi.SUCCESS_RATE, _rate(closed["recovered"], n),
                              recovered=closed["recovered"], closed=n),
        Kpi.RESPONSE_MEAN: kpi(Kpi.RESPONSE_MEAN, _hours(response["mean"]),
                               seconds=response["mean"], contacted=response["contacted"],
                               opened=response["opened"]),
        Kpi.RESPONSE_P90: kpi(Kpi.RESPONSE_P90, _hours(response["p90"]),
                              seconds=response["p90"], contacted=response["contacted"],
                              opened=response["opened"]),
        Kpi.RETENTION_RATE: kpi(Kpi.RETENTION_RATE, _rate(closed["retained"], n),
                                retained=closed["retained"], closed=n),
        Kpi.NPS_CONVERSION: kpi(Kpi.NPS_CONVERSION, _rate(closed["promoters"], n),
                                promoters=closed["promoters"], closed=n),
        Kpi.COST_PER_RECOVERY: kpi(Kpi.COST_PER_RECOVERY, cost_value,
                                   total=float(cost), closed=n),
    }


def _add(rows: list[dict]) -> dict:
    total = {"closed": 0, "recovered": 0, "retained": 0, "promoters": 0, "before_sum": 0,
             "before_n": 0, "after_sum": 0, "rescored": 0, "cost": Decimal("0")}
    for r in rows:
        for k in ("closed", "recovered", "retained", "before_sum", "before_n", "after_sum",
                  "cost"):
            total[k] += r[k] or 0
        if r["band"] != "none":
            total["rescored"] += r["closed"]
        if r["band"] == "9-10":
            total["promoters"] += r["closed"]
    return total


def _rescore_table(rows: list[dict]) -> list[dict]:
    everything = _add(rows)
    table = []
    for band in RESCORE_BANDS:
        t = _add([r for r in rows if r["band"] == band])
        table.append({
            "band": band, "cases": t["closed"], "share": _rate(t["closed"], everything["closed"]),
            "score_before": round(t["before_sum"] / t["before_n"], 1) if t["before_n"] else None,
            "score_after": (round(t["after_sum"] / t["closed"], 1)
                            if t["closed"] and band != "none" else None),
            "churn": _rate(t["closed"] - t["retained"], t["closed"]),
        })
    return table


def _kind_label(kind: str) -> str:
    return str(dict(DeadlineKind.choices).get(kind, kind))


def metrics_report(*, sources: Sources, period: Period, node: OrgNode | None = None,
                   now: datetime | None = None, details: bool = True) -> Report:
    """All of SPEC §10 for the rows (already scoped) in the period. `details=False` leaves
    out SLA, escalations and the breakdowns (the trend charts need only the KPIs)."""
    now = now or timezone.now()
    facts = sources.facts
    targets = kpi_targets()
    closed = closed_rows(facts, period)
    response, response_monthly = response_rows(facts, period)
    months = []
    by_month_response = {_month_key(r["month"]): r for r in response_monthly}
    empty_response = {"opened": 0, "contacted": 0, "mean": None, "p90": None}
    for month in period.months():
        key = f"{month:%Y-%m}"
        month_closed = _add([r for r in closed if _month_key(r["month"]) == key])
        months.append({"month": key, **_kpis(
            closed=month_closed, response=by_month_response.get(key, empty_response),
            targets=targets)})
    report = Report(period=period, node=node,
                    kpis=_kpis(closed=_add(closed), response=response, targets=targets),
                    months=months, rescore=_rescore_table(closed))
    if details:
        report.sla = [{**r, "label": _kind_label(r["kind"]),
                       "compliance": _rate(r["on_time"], r["on_time"] + r["missed"])}
                      for r in sla_rows(sources, period, now=now)]
        report.escalations = [{**r, "label": _kind_label(r["kind"])}
                              for r in escalation_rows(sources, period)]
        breakdowns = breakdown_rows(facts, period)
        report.by_failure_type = breakdowns["by_failure_type"]
        report.by_cause = breakdowns["by_cause"]
        report.by_store = breakdowns["by_store"]
    return report
