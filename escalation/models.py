from datetime import time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Level


class DeadlineKind(models.TextChoices):
    ASSEMBLY = "assembly", _("Case assembled, manager notified")
    CONTACT = "contact", _("First contact")
    PLAN = "plan", _("Plan proposed")
    EXECUTION = "execution", _("Execution started")
    RESOLUTION = "resolution", _("Resolved")
    FOLLOWUP_3D = "followup_3d", _("Follow-up at 3 days")
    FOLLOWUP_7D = "followup_7d", _("Follow-up at 7 days")
    FOLLOWUP_30D = "followup_30d", _("Follow-up at 30 days")


class Anchor(models.TextChoices):
    RECEIVED = "received", _("When the response reached us")
    TRIGGERED = "triggered", _("When the trigger fired (T0)")
    RESOLVED = "resolved", _("When the case was resolved")


class Target(models.TextChoices):
    ADMINS = "admins", _("Administrators")
    OWNER = "owner", _("Case owner")
    OWNER_SUPERIOR = "owner_superior", _("Owner and owner's superior")
    REGIONAL_DIRECTOR = "regional_director", _("Regional director")
    AREA_DIRECTOR = "area_director", _("Area director")
    HQ = "hq", _("Headquarters")


class Clock(models.TextChoices):
    BUSINESS = "business", _("Business hours of the store")
    WALL = "wall", _("Around the clock")


class OpenDays(models.TextChoices):
    CN_WORKDAYS = "cn_workdays", _("China's working days (public holidays off, adjusted "
                                   "working days on)")
    ALL_BUT_HOLIDAYS = "all_but_holidays", _("Every day except public holidays")
    EVERY_DAY = "every_day", _("Every day")


class BusinessHours(models.Model):
    """When a store is open, for the SLA windows that count business time. The row without a
    store is the network's default; China's holidays come from the `chinesecalendar` package."""

    store = models.OneToOneField("org.OrgNode", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="business_hours", verbose_name=_("store"),
                                 limit_choices_to={"kind": "store"},
                                 help_text=_("Empty: the default of every store without its "
                                             "own hours."))
    opens_at = models.TimeField(_("opens at"), default=time(8, 30))
    closes_at = models.TimeField(_("closes at"), default=time(18, 0))
    days = models.CharField(_("open on"), max_length=20, choices=OpenDays.choices,
                            default=OpenDays.CN_WORKDAYS)

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")

    def __str__(self) -> str:
        where = self.store.code if self.store_id else str(_("Default"))
        return f"{where} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def clean(self):
        if self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Closing time must be after opening time.")})
        default = BusinessHours.objects.filter(store__isnull=True).exclude(pk=self.pk)
        if self.store_id is None and default.exists():
            raise ValidationError({"store": _("There is a default row already.")})


class SlaPolicy(models.Model):
    """One SLA window (SPEC §4). Defaults come from a data migration; editable in the admin."""

    kind = models.CharField(_("deadline"), max_length=20, choices=DeadlineKind.choices,
                            unique=True)
    window = models.DurationField(_("window"))
    anchor = models.CharField(_("counted from"), max_length=10, choices=Anchor.choices)
    clock = models.CharField(
        _("clock"), max_length=10, choices=Clock.choices, default=Clock.WALL,
        help_text=_("Business hours: the window runs only while the store is open (a score at "
                    "22:00 is due 2 hours after the store opens)."))
    target = models.CharField(_("on breach, notify"), max_length=20, choices=Target.choices)
    warn_ratio = models.DecimalField(
        _("warn when this share of the window has passed"), max_digits=3, decimal_places=2,
        default=Decimal("0.75"), validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.get_kind_display()

    def warn_offset(self) -> timedelta:
        return self.window * float(self.warn_ratio)


class CaseRowQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.copy_store()
        return super().bulk_create(objs, *args, **kwargs)


class CaseRow(models.Model):
    """A row of one case that carries a copy of the case's store (a case never changes store),
    so the measures filter it by store and date through one index instead of joining the
    cases. Every ORM write fills the copy; SQL loads set it themselves."""

    store = models.ForeignKey("org.OrgNode", on_delete=models.CASCADE, related_name="+",
                              db_index=False)

    objects = CaseRowQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.copy_store()
        super().save(*args, **kwargs)

    def copy_store(self) -> None:
        if self.store_id is None:
            self.store_id = self.case.store_id


# When a deadline is settled, and its verdict: the one definition the sweep, the transitions,
# the live measures and the tallies share (the tallies count a deadline once, when it settles).


def waiting_q() -> Q:
    """Still to be met. An escalated deadline stays waiting: it is overdue until the transition
    meets it (late), and a close cancels it."""
    return Q(met_at__isnull=True, cancelled_at__isnull=True)


def unsettled_q() -> Q:
    """Waiting and not yet escalated: what the sweep looks at (the partial indexes cover it) and
    the only deadlines whose verdict may still change. Every other deadline is settled."""
    return Q(met_at__isnull=True, escalated_at__isnull=True, cancelled_at__isnull=True)


def on_time_q() -> Q:
    """Verdict of a settled deadline: met on time."""
    return Q(met_at__isnull=False, met_at__lte=F("due_at"))


def counted_q() -> Q:
    """Counted in the SLA figures at all (on time or missed). Left out: a deadline a close
    cancelled before it fell due was never missed."""
    return (Q(cancelled_at__isnull=True) | Q(met_at__isnull=False)
            | Q(escalated_at__isnull=False) | Q(cancelled_at__gt=F("due_at")))


def missed_q(now) -> Q:
    """Verdict at `now`: counted and not met on time, and escalated, met late, or past due."""
    return counted_q() & ~on_time_q() & (
        Q(escalated_at__isnull=False) | Q(met_at__gt=F("due_at"))
        | Q(met_at__isnull=True, due_at__lte=now))


class Deadline(CaseRow):
    """One SLA deadline of one case, stored on its own row so the sweep finds due ones with one
    indexed query (the partial index covers only deadlines still waiting)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("deadline"), max_length=20, choices=DeadlineKind.choices)
    # The case's round when the row was written: a reopened case's rows replace the earlier
    # round's, one row per kind and round.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    failure_message = models.TextField(_("last sweep error"), blank=True)
    # A row the sweep failed on waits until `retry_at` (growing back-off), so it never blocks the
    # rows behind it and is retried without flooding the log.
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    retry_at = models.DateTimeField(_("retry after"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "round"], name="uniq_deadline_round"),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="deadline_waiting_due", condition=unsettled_q()),
            models.Index(
                fields=["warn_at"], name="deadline_waiting_warn",
                condition=unsettled_q() & Q(warned_at__isnull=True),
            ),
            # The measures count the deadlines still waiting in a store's or region's scope live.
            models.Index(fields=["store", "due_at"], name="deadline_waiting_store",
                         include=["kind"], condition=unsettled_q()),
            models.Index(fields=["case", "kind"], name="deadline_case_kind"),
            # Covering: one store's SLA figures read the index alone, not a heap page per row.
            models.Index(fields=["store", "due_at"], name="deadline_store_due",
                         include=["kind", "met_at", "escalated_at", "cancelled_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_waiting(self) -> bool:
        """Still to be met (an escalated deadline can still be met late)."""
        return not (self.met_at or self.cancelled_at)


class Escalation(CaseRow):
    """A missed deadline, recorded once (the unique constraint makes a second record impossible
    even when two sweeps race)."""

    deadline = models.OneToOneField(Deadline, on_delete=models.CASCADE, related_name="escalation")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(_("deadline"), max_length=20, choices=DeadlineKind.choices)
    from_level = models.CharField(_("from level"), max_length=2, choices=Level.choices)
    to_level = models.CharField(_("to level"), max_length=2, choices=Level.choices)
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    target_node = models.ForeignKey("org.OrgNode", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    due_at = models.DateTimeField(_("due at"))
    fired_at = models.DateTimeField(_("fired at"))

    class Meta:
        ordering = ["fired_at", "pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [models.Index(fields=["store", "fired_at"], name="escalation_store_fired",
                                include=["kind"])]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} → {self.target}"
