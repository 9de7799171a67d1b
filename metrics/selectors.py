"""Reads of the measures (SPEC §10). Every figure is an aggregate computed by the database over
the user's scope (`cases.selectors.case_scope`); Python only adds up the handful of grouped rows.

Which cases a period holds, per figure:
- closed-case KPIs (success, retention, NPS, cost, re-score table): cases closed in the period;
- response time: cases triggered (T0) in the period;
- SLA compliance: deadlines due in the period; escalations: fired in the period;
- cases by failure type / cause / store: opened (T0) in the period, with those closed in it.

One path per figure: each reads the cells of `counted` (measure, key, month → count, value),
which are the stored tallies (`metrics.tallies`) wherever they serve the scope and otherwise
the same cells counted from the scoped rows (`tallied_live`: SQLite, a scope with
recovery-team cases, another time zone). Read live always: the deadlines still waiting (their
verdict is open) and the response times around the 90th percentile.
"""

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case as When_,
)
from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, FailureType, Outcome, ServiceRecord
from cases.selectors import case_scope
from escalation.models import (
    Deadline,
    DeadlineKind,
    Escalation,
    counted_q,
    on_time_q,
    unsettled_q,
)
from org.models import OrgNode, User
from org.selectors import user_can_see_node, user_scope_path
from toolkit.scope import team_case_ids

from .db import PercentileCont, percentile_of
from .models import (
    DEFAULT_TARGETS,
    KPI_UNITS,
    CaseFact,
    Direction,
    Kpi,
    KpiStatus,
    KpiTarget,
)
from .tallies import M, bucket_bounds, summary_zone, tallies_enabled

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
        return KpiStatus.NO_DATA
    if direction == Direction.WATCHED or target is None:
        return KpiStatus.WATCHED
    good = value >= float(target) if direction == Direction.AT_LEAST else value <= float(target)
    return KpiStatus.GREEN if good else KpiStatus.RED


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 2)


# ---------------------------------------------------------------- the queries


@dataclass(frozen=True)
class Sources:
    """The rows the report reads, already scoped: case facts, deadlines and escalations, and the
    tallies of the nodes that make up the scope (None where they cannot serve: SQLite, a scope
    that includes recovery-team cases, or days of another time zone than theirs)."""

    facts: QuerySet[CaseFact]
    deadlines: QuerySet[Deadline]
    escalations: QuerySet[Escalation]
    tally_nodes: list[OrgNode] | None = None


def _scoped(rows: QuerySet, *, user: User, node: OrgNode | None, case_id: str,
            team: bool) -> QuerySet:
    """`rows` (each of one case, carrying its store) cut to `metrics_cases`: the rule of
    `cases.selectors.case_scope`, applied to the rows' own store column so their (store, date)
    indexes serve. `team`: the user is on some recovery team."""
    scope = user_scope_path(user=user)
    if scope != "" and not user.is_authenticated:
        rows = rows.none()
    elif scope != "":
        in_team = Q(**{f"{case_id}__in": team_case_ids(user=user)})
        in_subtree = Q(store__path__startswith=scope)
        if scope is None:
            rows = rows.filter(in_team)
        else:
            rows = rows.filter(in_subtree | in_team if team else in_subtree)
    if node is not None:
        rows = rows.filter(store__path__startswith=node.path)
    return rows


def _tally_nodes(*, user: User, node: OrgNode | None, team: bool) -> list[OrgNode] | None:
    """The nodes whose tallies add up to the scope: the node asked for, else the user's node,
    else (everything) the roots of the tree."""
    if (team or not tallies_enabled() or timezone.get_current_timezone() != summary_zone()
            or not user.is_authenticated):
        return None
    if node is not None:
        return [node]
    scope = user_scope_path(user=user)
    if scope is None:
        return None
    if scope == "":
        return list(OrgNode.objects.filter(parent__isnull=True))
    return [user.node]


def metrics_sources(*, user: User, node: OrgNode | None = None) -> Sources:
    # Most users are on no team outside their node; the plain prefix filter keeps its index.
    team = team_case_ids(user=user).exists()

    def scoped(rows, case_id="case_id"):
        return _scoped(rows, user=user, node=node, case_id=case_id, team=team)

    return Sources(facts=scoped(CaseFact.objects.all(), "pk"),
                   deadlines=scoped(Deadline.objects.all()),
                   escalations=scoped(Escalation.objects.all()),
                   tally_nodes=_tally_nodes(user=user, node=node, team=team))


# Measures the report shows month by month; the others only over the whole period.
MONTHLY = [M.CLOSED, M.RECOVERED, M.RETAINED, M.BEFORE, M.AFTER, M.OPENED, M.RESPONSE,
           M.BUCKET]


class Tallied(dict):
    """The counts of a scope over a period, in the cells of the tallies: (measure, key, first
    day of the month, or None for a measure not read by month) → [count, value]. `bucketed`:
    the response-time buckets are among them (the stored tallies)."""

    bucketed = False

    def keys_of(self, measure: str) -> dict[tuple[str, date | None], list]:
        return {(k, month): v for (m, k, month), v in self.items() if m == measure}

    def total(self, measure: str, key: str = "", month: date | None = None) -> list:
        return self.get((measure, key, month), [0, Decimal(0)])

    def add(self, measure: str, key, month, count, value=0) -> None:
        cell = self.setdefault((measure, "" if key is None else str(key),
                                month if measure in MONTHLY else None), [0, Decimal(0)])
        cell[0] += count
        cell[1] += Decimal(value or 0)


def tallied(nodes: list[OrgNode], period: Period) -> Tallied:
    """One statement: the nodes' day and month tallies that tile the period (whole months from
    the month rows, the days around them from the day rows) and the changes not yet folded of
    their stores, added up by measure, key and month. Plain SQL: a union of three ranges of one
    table and the pending changes, grouped by an expression of the measure, is one round trip
    here and several querysets (and a Python merge) through the ORM."""
    first_full = (period.start if period.start.day == 1
                  else (period.start.replace(day=1) + timedelta(days=32)).replace(day=1))
    after_full = (period.end + timedelta(days=1)).replace(day=1)
    if first_full >= after_full:  # no whole month: days only
        first_full = after_full = period.end + timedelta(days=1)
    ids, paths = [n.pk for n in nodes], [n.path for n in nodes]
    rows = """SELECT measure, key, day, count, value FROM metrics_tally
              WHERE node_id = ANY(%s) AND span = %s AND day >= %s AND day < %s"""
    sql = f"""
        SELECT measure, key,
               CASE WHEN measure = ANY(%s) THEN date_trunc('month', day)::date END AS month,
               SUM(count)::bigint, SUM(value)
        FROM ({rows} UNION ALL {rows} UNION ALL {rows} UNION ALL
              SELECT c.measure, c.key, c.day, c.count, c.value
              FROM metrics_tallychange c JOIN org_orgnode s ON s.id = c.store_id
              WHERE c.day >= %s AND c.day <= %s
                AND EXISTS (SELECT 1 FROM unnest(%s::text[]) p WHERE starts_with(s.path, p))
        ) cells
        GROUP BY 1, 2, 3"""
    params = [MONTHLY,
              ids, "m", first_full, after_full,
              ids, "d", period.start, first_full,
              ids, "d", after_full, period.end + timedelta(days=1),
              period.start, period.end, paths]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        t = Tallied({(m, k, month): [count, value]
                     for m, k, month, count, value in cursor.fetchall()})
    t.bucketed = True
    return t


def _first_day(moment) -> date:
    if isinstance(moment, datetime):
        moment = (timezone.localtime(moment) if timezone.is_aware(moment) else moment).date()
    return moment.replace(day=1)


def tallied_live(sources: Sources, period: Period, *, details: bool = True) -> Tallied:
    """The cells of `tallied`, counted from the scoped rows with the tallies' rules (see
    `metrics.tallies`): where no tallies serve the scope. Months are the current time zone's.
    `details=False` leaves out what only SLA, escalations and the breakdowns read."""
    tz = timezone.get_current_timezone()
    t = Tallied()
    closed = sources.facts.filter(in_period("closed_at", period))
    opened = sources.facts.filter(in_period("triggered_at", period))
    recovered = Count("closed_at", filter=Q(outcome=Outcome.RECOVERED))
    for r in (closed.values("band", month=TruncMonth("closed_at", tzinfo=tz)).order_by()
              .annotate(n=Count("*"), recovered=recovered,
                        retained=Count("closed_at", filter=Q(retained=True)),
                        before_n=Count("score_before"), before_sum=Sum("score_before"),
                        after_sum=Sum("score_after"), cost=Sum("cost"))):
        band, month = r["band"], _first_day(r["month"])
        t.add(M.CLOSED, band, month, r["n"], r["cost"])
        t.add(M.RECOVERED, band, month, r["recovered"])
        t.add(M.RETAINED, band, month, r["retained"])
        t.add(M.BEFORE, band, month, r["before_n"], r["before_sum"])
        t.add(M.AFTER, band, month, r["n"], r["after_sum"])
    for r in (opened.values(month=TruncMonth("triggered_at", tzinfo=tz)).order_by()
              .annotate(n=Count("*"), contacted=Count("response_seconds"),
                        seconds=Sum("response_seconds"))):
        month = _first_day(r["month"])
        t.add(M.OPENED, "", month, r["n"])
        t.add(M.RESPONSE, "", month, r["contacted"], r["seconds"])
    if not details:
        return t
    keys = ("store_id", "failure_type_id", "cause")
    grouped = ((opened, (M.OPENED_STORE, M.OPENED_TYPE, M.OPENED_CAUSE), {}),
               (closed, (M.CLOSED_STORE, M.CLOSED_TYPE, M.CLOSED_CAUSE),
                {"recovered": recovered}))
    for facts, measures, extra in grouped:
        for r in facts.values(*keys).order_by().annotate(n=Count("*"), **extra):
            for measure, key in zip(measures, keys, strict=True):
                t.add(measure, r[key], None, r["n"], r.get("recovered"))
    settled = (sources.deadlines.filter(in_period("due_at", period)).exclude(unsettled_q())
               .filter(counted_q()).values("kind").order_by()
               .annotate(n=Count("*"), on_time=Count("due_at", filter=on_time_q())))
    for r in settled:
        t.add(M.SLA, r["kind"], None, r["n"], r["on_time"])
    for r in (sources.escalations.filter(in_period("fired_at", period)).values("kind")
              .order_by().annotate(n=Count("*"))):
        t.add(M.ESCALATED, r["kind"], None, r["n"])
    return t


def counted(sources: Sources, period: Period, *, details: bool = True) -> Tallied:
    """What every figure of the report reads: the stored tallies where they serve the scope,
    else the same cells counted live. Always live besides: the deadlines still waiting (their
    verdict is open, `sla_rows`) and the response times around the 90th percentile (`_p90`)."""
    if sources.tally_nodes is not None:
        return tallied(sources.tally_nodes, period)
    return tallied_live(sources, period, details=details)


def closed_rows(t: Tallied) -> list[dict]:
    """Closed cases by month and re-score band with every closed-case count and the
    compensation issued to them."""
    rows = []
    for (band, month), (closed, cost) in t.keys_of(M.CLOSED).items():
        if not closed:
            continue
        before_n, before_sum = t.total(M.BEFORE, band, month)
        rows.append({
            "band": band, "month": month, "closed": closed,
            "recovered": t.total(M.RECOVERED, band, month)[0],
            "retained": t.total(M.RETAINED, band, month)[0],
            "before_sum": int(before_sum), "before_n": before_n,
            "after_sum": int(t.total(M.AFTER, band, month)[1]),
            "cost": cost.quantize(Decimal("0.01")),
        })
    return rows


def _p90_bucketed(facts: QuerySet[CaseFact], buckets: dict[int, int]) -> float | None:
    """percentile_cont(0.9) of the response times of `facts`, whose count per bucket is
    `buckets`: the two values around the 90th percentile are read from their bucket(s) alone.
    If the rows changed since the tallies were read, the whole set is sorted instead."""
    n = sum(buckets.values())
    if not n:
        return None
    position = 0.9 * (n - 1)
    low = int(position)
    high = min(low + 1, n - 1)
    before, seen, first, last = 0, 0, None, None
    for bucket in sorted(buckets):
        if first is None and low < seen + buckets[bucket]:
            first, before = bucket, seen
        seen += buckets[bucket]
        if high < seen:
            last = bucket
            break
    lowest, _below = bucket_bounds(first)
    _above, highest = bucket_bounds(last)
    values = facts.filter(response_seconds__isnull=False)
    if lowest is not None:
        values = values.filter(response_seconds__gte=lowest)
    if highest is not None:
        values = values.filter(response_seconds__lt=highest)
    found = list(values.order_by("response_seconds")
                 .values_list("response_seconds", flat=True)[low - before:high - before + 1])
    if len(found) != high - low + 1:
        return _p90_sorted(facts)
    return found[0] + (found[-1] - found[0]) * (position - low)


def _p90_sorted(facts: QuerySet[CaseFact]) -> float | None:
    """percentile_cont(0.9) of all the response times of `facts` (PostgreSQL's, a Python one
    elsewhere)."""
    if connection.vendor == "postgresql":
        return facts.aggregate(p90=PercentileCont("response_seconds", 0.9))["p90"]
    return percentile_of(list(facts.filter(response_seconds__isnull=False)
                              .values_list("response_seconds", flat=True)), 0.9)


def _p90(facts: QuerySet[CaseFact], t: Tallied, buckets: Counter) -> float | None:
    return _p90_bucketed(facts, buckets) if t.bucketed else _p90_sorted(facts)


def response_rows(t: Tallied, facts: QuerySet[CaseFact],
                  period: Period) -> tuple[dict, list[dict]]:
    """Time to first contact (on the contact SLA's clock, `CaseFact.response_seconds`) of the
    cases triggered in the period: the whole period and by month, mean and p90 in seconds.
    Each p90 reads the response times of the cases: of one bucket or two when the tallies
    count them by bucket, else all of them."""
    months: dict[date, dict] = {}
    for (_key, month), (opened, _value) in t.keys_of(M.OPENED).items():
        contacted, seconds = t.total(M.RESPONSE, "", month)
        months[month] = {"month": month, "opened": opened, "contacted": contacted,
                         "mean": float(seconds) / contacted if contacted else None,
                         "_seconds": seconds, "_buckets": Counter()}
    for (key, month), (count, _value) in t.keys_of(M.BUCKET).items():
        months[month]["_buckets"][int(key)] += count
    opened = facts.filter(in_period("triggered_at", period))
    total = {"opened": 0, "contacted": 0, "_seconds": Decimal(0), "_buckets": Counter()}
    for month, row in sorted(months.items()):
        for name in total:
            total[name] += row[name]
        days = Period(start=max(period.start, month), end=min(period.end,
                                                             Period.month_of(month).end))
        row["p90"] = _p90(opened.filter(in_period("triggered_at", days)), t,
                          row.pop("_buckets"))
        del row["_seconds"]
    contacted = total["contacted"]
    total["mean"] = float(total.pop("_seconds")) / contacted if contacted else None
    total["p90"] = _p90(opened, t, total.pop("_buckets")) if months else None
    return total, [months[m] for m in sorted(months)]


def sla_rows(sources: Sources, period: Period, *, now: datetime,
             t: Tallied | None = None) -> list[dict]:
    """Per deadline kind: met on time against missed (escalated, met late, cancelled or still
    waiting after it fell due); deadlines still running count in neither, a deadline a close
    cancelled before it fell due nowhere (the rules of `escalation.models`). The settled ones
    are counted (`counted`), the waiting ones read live."""
    t = counted(sources, period) if t is None else t
    kinds: dict[str, dict] = {}
    for (kind, _month), (total, on_time) in t.keys_of(M.SLA).items():
        kinds[kind] = {"kind": kind, "total": total, "on_time": int(on_time),
                       "missed": total - int(on_time)}
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


def escalation_rows(sources: Sources, period: Period, t: Tallied | None = None) -> list[dict]:
    """Escalations fired in the period, by deadline kind, most first."""
    t = counted(sources, period) if t is None else t
    rows = [{"kind": kind, "count": count}
            for (kind, _month), (count, _value) in t.keys_of(M.ESCALATED).items() if count]
    return sorted(rows, key=lambda r: (-r["count"], r["kind"]))


def breakdown_rows(t: Tallied) -> dict[str, list[dict]]:
    """Cases opened in the period and closed / recovered in it, by failure type, by cause and
    by store (keys are text in the cells: "" is none)."""
    dimensions: dict[str, dict] = {"type": {}, "cause": {}, "store": {}}
    measures = {M.OPENED_TYPE: ("type", int), M.OPENED_CAUSE: ("cause", str),
                M.OPENED_STORE: ("store", int), M.CLOSED_TYPE: ("type", int),
                M.CLOSED_CAUSE: ("cause", str), M.CLOSED_STORE: ("store", int)}
    for measure, (dimension, as_key) in measures.items():
        for (key, _month), (count, recovered) in t.keys_of(measure).items():
            if not count:
                continue
            counts = dimensions[dimension].setdefault(
                as_key(key) if key else None, {"opened": 0, "closed": 0, "recovered": 0})
            if measure.startswith("opened"):
                counts["opened"] += count
            else:
                counts["closed"] += count
                counts["recovered"] += int(recovered)
    return _breakdowns(**dimensions)


def _breakdowns(*, type: dict, cause: dict, store: dict) -> dict[str, list[dict]]:  # noqa: A002
    """Each dimension's counts (key → opened, closed, recovered), labelled and ordered."""
    types = {pk: (code, name) for pk, code, name in FailureType.objects.filter(
        pk__in=[k for k in type if k is not None]).values_list("pk", "code", "name")}
    stores = {pk: (code, name) for pk, code, name in OrgNode.objects.filter(
        pk__in=list(store)).values_list("pk", "code", "name")}
    no_type = (None, None)
    return {
        "by_failure_type": _grouped(type, key=lambda k: types.get(k, no_type)[0],
                                    label=lambda k: types.get(k, no_type)[1]),
        "by_cause": _grouped(cause, key=lambda k: k),
        "by_store": _grouped(store, key=lambda k: stores[k][0], label=lambda k: stores[k][1]),
    }


def _grouped(groups: dict, *, key, label=None) -> list[dict]:
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


@contextmanager
def one_snapshot():
    """The report's reads see one moment (PostgreSQL's repeatable read), so the tallies and the
    rows read beside them agree; inside a caller's transaction, that transaction's. Plain SQL:
    the ORM sets no isolation level per transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def metrics_report(*, sources: Sources, period: Period, node: OrgNode | None = None,
                   now: datetime | None = None, details: bool = True) -> Report:
    """All of SPEC §10 for the rows (already scoped) in the period. `details=False` leaves
    out SLA, escalations and the breakdowns (the trend charts need only the KPIs)."""
    now = now or timezone.now()
    with one_snapshot():
        return _report(sources=sources, period=period, node=node, now=now, details=details)


def _report(*, sources: Sources, period: Period, node: OrgNode | None, now: datetime,
            details: bool) -> Report:
    targets = kpi_targets()
    t = counted(sources, period, details=details)
    closed = closed_rows(t)
    response, response_monthly = response_rows(t, sources.facts, period)
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
                      for r in sla_rows(sources, period, now=now, t=t)]
        report.escalations = [{**r, "label": _kind_label(r["kind"])}
                              for r in escalation_rows(sources, period, t)]
        breakdowns = breakdown_rows(t)
        report.by_failure_type = breakdowns["by_failure_type"]
        report.by_cause = breakdowns["by_cause"]
        report.by_store = breakdowns["by_store"]
    return report
