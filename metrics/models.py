"""Configuration of the measures (SPEC §10): KPI targets, the response-time → recovery-probability
bands of seed 001, and the actions agreed at the monthly review (seed 000 §5.2)."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kpi(models.TextChoices):
    SUCCESS_RATE = "success_rate", _("Recovery success rate")
    RESPONSE_MEAN = "response_mean", _("Response time (mean)")
    RESPONSE_P90 = "response_p90", _("Response time (p90)")
    RETENTION_RATE = "retention_rate", _("Retention rate")
    NPS_CONVERSION = "nps_conversion", _("NPS conversion")
    COST_PER_RECOVERY = "cost_per_recovery", _("Cost per recovery")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least (higher is better)")
    AT_MOST = "at_most", _("at most (lower is better)")
    WATCHED = "watched", _("watched (no target)")


class KpiStatus(models.TextChoices):
    """How a figure stands against its target."""

    GREEN = "green", _("on target")
    RED = "red", _("off target")
    WATCHED = "watched", _("watched (no target)")
    NO_DATA = "no_data", _("no data")


# Unit each KPI's target is written in: percent, hours or yuan.
KPI_UNITS = {
    Kpi.SUCCESS_RATE: "%", Kpi.RESPONSE_MEAN: "h", Kpi.RESPONSE_P90: "h",
    Kpi.RETENTION_RATE: "%", Kpi.NPS_CONVERSION: "%", Kpi.COST_PER_RECOVERY: "¥",
}

# Seed 000 §5.1; the data migration loads these and the admin edits them.
DEFAULT_TARGETS = {
    Kpi.SUCCESS_RATE: (Direction.AT_LEAST, Decimal("80")),
    Kpi.RESPONSE_MEAN: (Direction.AT_MOST, Decimal("2")),
    Kpi.RESPONSE_P90: (Direction.AT_MOST, Decimal("2")),
    Kpi.RETENTION_RATE: (Direction.AT_LEAST, Decimal("70")),
    Kpi.NPS_CONVERSION: (Direction.AT_LEAST, Decimal("30")),
    Kpi.COST_PER_RECOVERY: (Direction.WATCHED, None),
}


class KpiTarget(models.Model):
    """The target of one KPI: percent for rates, hours for response times, yuan for cost."""

    kpi = models.CharField(_("KPI"), max_length=30, choices=Kpi.choices, unique=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True,
                                 blank=True, help_text=_("Percent, hours or yuan; empty when "
                                                         "the KPI is only watched."))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")

    def __str__(self) -> str:
        return self.get_kpi_display()


class ProbabilityBand(models.Model):
    """Seed 001: the chance of winning the customer back by how fast the first contact came
    (within 2 h 85 %, 24 h 60 %, 48 h 30 %, later under 10 %). `within` empty = any later."""

    within = models.DurationField(_("first contact within"), null=True, blank=True,
                                  unique=True)
    percent = models.PositiveSmallIntegerField(
        _("success probability (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    below = models.BooleanField(_("shown as “under”"), default=False,
                                help_text=_("Show the figure as an upper bound (< 10 %)."))

    class Meta:
        ordering = [models.F("within").asc(nulls_last=True)]
        verbose_name = _("recovery probability band")
        verbose_name_plural = _("recovery probability bands")

    def __str__(self) -> str:
        return f"{self.within or '∞'} → {'<' if self.below else ''}{self.percent}%"


DEFAULT_BANDS = [
    (timedelta(hours=2), 85, False),
    (timedelta(hours=24), 60, False),
    (timedelta(hours=48), 30, False),
    (None, 10, True),
]


class ReviewAction(models.Model):
    """An action agreed at the monthly review: what, who, by when (seed 000 §5.2 行动计划)."""

    node = models.ForeignKey("org.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("organisation node"))
    month = models.DateField(_("month"), help_text=_("The first day of the reviewed month."))
    action = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("owner"))
    due = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("review action")
        verbose_name_plural = _("review actions")
        indexes = [models.Index(fields=["node", "month"], name="reviewaction_node_month")]

    def __str__(self) -> str:
        return self.action


# What the report reads of the cases closed in a period, and of those opened in it.
CLOSED_COLUMNS = ["band", "outcome", "retained", "score_before", "score_after", "cost",
                  "failure_type", "cause"]
OPENED_COLUMNS = ["response_seconds", "failure_type", "cause"]


class CaseFact(models.Model):
    """What the measures read of one case, kept in step by `metrics.facts` inside the writers'
    transactions (case open / transition / re-score, compensation issued, root cause, a later
    visit). Every column is the live value of the same name in `metrics.facts.live_facts`."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True,
                                related_name="fact")
    store = models.ForeignKey("org.OrgNode", on_delete=models.CASCADE, related_name="+")
    triggered_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True)
    outcome = models.CharField(max_length=10, blank=True)
    response_seconds = models.FloatField(null=True)
    score_before = models.PositiveSmallIntegerField(null=True)
    score_after = models.PositiveSmallIntegerField(null=True)
    band = models.CharField(max_length=5)
    retained = models.BooleanField()
    failure_type = models.ForeignKey("cases.FailureType", on_delete=models.CASCADE, null=True,
                                     related_name="+")
    # NULL, not "": a case with no root cause groups apart, as the live LEFT JOIN does.
    cause = models.CharField(max_length=20, null=True)  # noqa: DJ001
    cost = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        # Covering: each query of the report reads one of these alone (an index-only scan),
        # not a heap page per case; the store-first pair serves a store's or region's scope.
        indexes = [
            models.Index(fields=["closed_at"], name="casefact_closed",
                         include=["store", *CLOSED_COLUMNS]),
            models.Index(fields=["triggered_at"], name="casefact_triggered",
                         include=["store", *OPENED_COLUMNS]),
            models.Index(fields=["store", "closed_at"], name="casefact_store_closed",
                         include=CLOSED_COLUMNS),
            models.Index(fields=["store", "triggered_at"], name="casefact_store_triggered",
                         include=OPENED_COLUMNS),
            # The exact p90 reads the few values of one response-time bucket.
            models.Index(fields=["response_seconds"], name="casefact_response",
                         include=["triggered_at", "store"]),
        ]

    def __str__(self) -> str:
        return f"facts of case {self.case_id}"


class Tally(models.Model):
    """A running total the report reads instead of a million rows (`metrics.tallies`): one
    measure of the cases, deadlines or escalations of one organisation node's subtree (every
    ancestor of a store carries the store's share, so a region reads its own rows) over one
    day, or one calendar month (`span`), in settings.TIME_ZONE. `key` splits the measure (a
    re-score band, a deadline kind, a failure type…); `count` and `value` are what it adds up."""

    node = models.ForeignKey("org.OrgNode", on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    span = models.CharField(max_length=1)  # "d" day, "m" month (day = its first day)
    day = models.DateField()
    measure = models.CharField(max_length=16)
    key = models.CharField(max_length=40, blank=True)
    count = models.BigIntegerField(default=0)
    value = models.DecimalField(max_digits=24, decimal_places=6, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["node", "span", "day", "measure", "key"], name="tally_cell")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.span} {self.day} {self.measure} {self.key}"


class TallyChange(models.Model):
    """A change to the tallies of one store's day, written by the writer in its own transaction
    (only inserts: writers never wait on each other's totals) and folded into `Tally` by the
    worker every few seconds. The report adds the changes not yet folded."""

    store = models.ForeignKey("org.OrgNode", on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    day = models.DateField()
    measure = models.CharField(max_length=16)
    key = models.CharField(max_length=40, blank=True)
    count = models.BigIntegerField(default=0)
    value = models.DecimalField(max_digits=24, decimal_places=6, default=0)

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.measure} {self.key}"
