import functools
import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from org.models import OrgNode, Role
from recovery.data_i18n import in_language
from recovery.immutable import ImmutableError, ImmutableQuerySet
from recovery.singleton import SettingsRow

from .guards import checklist_settled, contact_logged, outcome_earned, plan_ready
from .permissions import can_reopen, can_work
from .reading import compile_phrase


class Level(models.TextChoices):
    L1 = "L1", _("L1 · service advisor")
    L2 = "L2", _("L2 · service manager")
    L3 = "L3", _("L3 · center director")
    L4 = "L4", _("L4 · regional director")


# Who owns a case of each level (SPEC §3).
LEVEL_OWNER_ROLE = {
    Level.L1: Role.ADVISOR,
    Level.L2: Role.SERVICE_MANAGER,
    Level.L3: Role.CENTER_DIRECTOR,
    Level.L4: Role.REGIONAL_DIRECTOR,
}


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    CRISIS = "crisis", _("Crisis")


LEVEL_SEVERITY = {
    Level.L1: Severity.MINOR,
    Level.L2: Severity.MODERATE,
    Level.L3: Severity.SEVERE,
    Level.L4: Severity.CRISIS,
}


class Flag(models.TextChoices):
    REPEAT_REPAIR = "repeat_repair", _("Repeat repair")
    MULTIPLE_REPAIR = "multiple_repair", _("Multiple repairs")
    PUBLIC_COMPLAINT = "public_complaint", _("Public complaint")
    MEDIA_EXPOSURE = "media_exposure", _("Media exposure")
    LAWSUIT = "lawsuit", _("Lawsuit")
    SAFETY = "safety", _("Safety issue")
    ONSITE_COMPLAINT = "onsite_complaint", _("Complained on site")
    REFUND_REQUEST = "refund_request", _("Refund requested")
    REQUESTS_SENIOR = "requests_senior", _("Asks for senior management")
    VIP = "vip", _("VIP")


# Flags a caller may send; the others are computed by the system.
COMPUTED_FLAGS = {Flag.REPEAT_REPAIR, Flag.MULTIPLE_REPAIR, Flag.VIP}


class State(models.TextChoices):
    OPEN = "open", _("Open")
    CONTACTED = "contacted", _("Contacted")
    PLAN_PROPOSED = "plan_proposed", _("Plan proposed")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    FOLLOWING_UP = "following_up", _("Following up")
    CLOSED = "closed", _("Closed")


ACTIVE_STATES = [s for s in State.values if s != State.CLOSED]

# What each transition a user can run is called on its button.
TRANSITION_LABELS = {
    "contact": _("Customer contacted"),
    "propose": _("Plan proposed"),
    "start": _("Start execution"),
    "resolve": _("Resolved"),
    "follow_up": _("Start follow-ups"),
    "close": _("Close"),
    "reopen": _("Reopen"),
}


class Outcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered")
    RETAINED = "retained", _("Retained")
    LOST = "lost", _("Lost")


class CaseSource(models.TextChoices):
    SURVEY = "survey", _("Survey response")
    INCIDENT = "incident", _("Incident report")


class IntakePolicy(SettingsRow):
    """The configurable numbers of intake (one row, editable in the admin)."""

    score_threshold = models.PositiveSmallIntegerField(
        _("score threshold"), default=6, validators=[MaxValueValidator(10)],
        help_text=_("A survey score at or below this opens a case."),
    )

    class Meta:
        verbose_name = _("intake policy")
        verbose_name_plural = _("intake policy")

    def __str__(self) -> str:
        return str(_("Intake policy"))



class SopPolicy(SettingsRow):
    """The configurable numbers of the recovery SOP (one row, editable in the admin)."""

    promoter_line = models.PositiveSmallIntegerField(
        _("promoter line"), default=9, validators=[MaxValueValidator(10)],
        help_text=_("A re-score at or above this lets a case close as recovered."),
    )

    class Meta:
        verbose_name = _("SOP policy")
        verbose_name_plural = _("SOP policy")

    def __str__(self) -> str:
        return str(_("SOP policy"))


class Cue(models.TextChoices):
    """What a lexicon phrase tells the reader (see cases/reading.py)."""

    FLAG = "flag", _("Sets a flag")
    VISITS = "visits", _("Counts visits for the same problem")
    FAILURE = "failure", _("Names a failure type")
    COMPLAINT = "complaint", _("Complaint (negative content)")
    EMOTION = "emotion", _("Shows an emotion")
    PRAISE = "praise", _("Praise")
    NEGATION = "negation", _("Negation (cancels what follows closely)")
    OTHERS = "others", _("Someone else or another shop (cancels its clause)")
    RESOLVED = "resolved", _("Problem fixed (cancels what came before)")
    SUGGESTION = "suggestion", _("Suggestion (what follows is no failure)")
    HEARSAY = "hearsay", _("Reported words (a 'fixed' said by them is not fixed)")
    CONTRAST = "contrast", _("Contrast (but, 就是)")
    SARCASM = "sarcasm", _("Sarcasm (turns praise into complaint)")
    WORD = "word", _("A word for the Chinese segmenter (no meaning of its own)")


class Emotion(models.TextChoices):
    """Seed 003's five emotions of a dissatisfied customer."""

    ANGRY = "angry", _("Angry")
    ANXIOUS = "anxious", _("Anxious")
    CONFUSED = "confused", _("Confused")
    HUMOROUS = "humorous", _("Humorous")
    AGGRIEVED = "aggrieved", _("Aggrieved")


class LexiconLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class LexiconEntry(models.Model):
    """One phrase of the triage lexicon and what it tells (GUIDE: flags, failure type, emotion,
    and the context rules: negation, someone else, fixed, suggestion, contrast, sarcasm)."""

    phrase = models.CharField(
        _("phrase"), max_length=200,
        help_text=_("Literal text; … is a short gap, <n> a number, (a|b) alternatives."))
    language = models.CharField(_("language"), max_length=8, choices=LexiconLanguage.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Cue.choices)
    value = models.CharField(
        _("value"), max_length=40, blank=True,
        help_text=_("The flag, failure type or emotion it names; for visits the count."))
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=2, default=1)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["language", "kind", "value", "phrase"]
        verbose_name = _("lexicon entry")
        verbose_name_plural = _("lexicon")
        constraints = [models.UniqueConstraint(fields=["phrase", "language", "kind", "value"],
                                               name="uniq_lexicon_entry")]

    def __str__(self) -> str:
        return self.phrase

    def clean(self) -> None:
        try:
            compile_phrase(self.phrase, self.language)
        except re.error as exc:
            raise ValidationError({"phrase": str(exc)}) from exc
        valid = {Cue.FLAG: Flag.values, Cue.EMOTION: Emotion.values,
                 Cue.VISITS: ["", "2", "3"]}.get(self.kind)
        if self.kind == Cue.FAILURE:
            valid = list(FailureType.objects.values_list("code", flat=True))
        if valid is not None and self.value not in valid:
            raise ValidationError({"value": _("Not a value this kind of phrase can name.")})


class FailureType(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("failure type")
        verbose_name_plural = _("failure types")

    def __str__(self) -> str:
        return in_language(self.name, self.name_en)


class Segment(models.TextChoices):
    REGULAR = "regular", _("Regular")
    BUSINESS = "business", _("Business")
    PRICE_SENSITIVE = "price_sensitive", _("Price-sensitive")
    HIGH_END = "high_end", _("High-end")


class ContactChannel(models.TextChoices):
    """How a message reaches the customer."""

    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat (WeCom)")


class CustomerLanguage(models.TextChoices):
    """The language the customer reads their messages and their page in (Django's codes)."""

    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Customer(models.Model):
    external_id = models.CharField(_("external id"), max_length=100, unique=True, null=True,
                                   blank=True)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    vip = models.BooleanField(_("VIP"), default=False)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices,
                               default=Segment.REGULAR)
    # The customer's car as last known; each visit keeps its own (a customer may have several).
    # A database default too: the intake's upsert is raw SQL that names its own columns.
    plate = models.CharField(_("plate"), max_length=20, blank=True, default="", db_default="")
    vin = models.CharField(_("VIN"), max_length=17, blank=True, default="", db_default="")
    vehicle_model = models.CharField(_("vehicle model"), max_length=80, blank=True, default="",
                                     db_default="")
    # Messages to the customer (the customer's page link): how they want them, and whether at
    # all. An opt-out stops every message; calls stay with the team's judgement. Database
    # defaults as for the car fields: the intake's upsert names its own columns.
    contact_opted_out_at = models.DateTimeField(_("opted out of messages at"), null=True,
                                                blank=True)
    preferred_channel = models.CharField(_("preferred channel"), max_length=10,
                                         choices=ContactChannel.choices,
                                         default=ContactChannel.SMS, db_default="sms")
    wecom_external_userid = models.CharField(
        _("WeCom external contact id"), max_length=64, blank=True, default="", db_default="",
        help_text=_("The customer as a WeCom external contact, for WeChat messages."))
    language = models.CharField(_("language"), max_length=8, choices=CustomerLanguage.choices,
                                default=CustomerLanguage.ZH_HANS, db_default="zh-hans",
                                help_text=_("Of the messages to the customer and their page."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        # Incidents find the customer by the (normalised, `cases.phones`) number.
        indexes = [models.Index(fields=["phone"], name="customer_phone")]

    def __str__(self) -> str:
        return self.name


class ServiceRecord(models.Model):
    """A visit: repair order, advisor, technician. Earlier visits of the same customer for the
    same service type make a repeat repair."""

    store = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="service_records")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT,
                                 related_name="service_records")
    order_number = models.CharField(_("repair order"), max_length=60)
    service_type = models.CharField(_("service type"), max_length=80, blank=True)
    advisor = models.CharField(_("advisor"), max_length=80, blank=True)
    technician = models.CharField(_("technician"), max_length=80, blank=True)
    visit_at = models.DateTimeField(_("visit time"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2,
                                 default=Decimal("0.00"))
    plate = models.CharField(_("plate"), max_length=20, blank=True)
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    vehicle_model = models.CharField(_("vehicle model"), max_length=80, blank=True)
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.UniqueConstraint(fields=["store", "order_number"], name="uniq_store_order"),
        ]
        indexes = [models.Index(fields=["customer", "service_type", "visit_at"],
                                name="servicerecord_history")]

    def __str__(self) -> str:
        return self.order_number


@functools.cache
def _case_page_url_parts() -> tuple[str, str]:
    """The case page's address around its id, reversed once: an escalation sweep links a
    notification to every case it fires, and reversing each cost a tenth of its time."""
    marker = 987654321
    head, _marker, tail = reverse("case-page", args=[marker]).partition(str(marker))
    return head, tail


class Case(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=CaseSource.choices)
    store = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="cases",
                              verbose_name=_("store"))
    # Indexed by case_customer_active, which leads with it.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases",
                                 verbose_name=_("customer"), db_index=False)
    service_record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="cases")
    failure_type = models.ForeignKey(FailureType, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="cases",
                                     verbose_name=_("failure type"))
    level = models.CharField(_("level"), max_length=2, choices=Level.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    emotion = models.CharField(_("emotion"), max_length=12, choices=Emotion.choices,
                               blank=True)
    # Why: what fired each flag, the failure type and the emotion (see cases.triage).
    triage = models.JSONField(_("triage"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    plan = models.TextField(_("written plan"), blank=True,
                            help_text=_("Fix, compensation and commitment, as put to the "
                                        "customer."))
    score_before = models.PositiveSmallIntegerField(_("score before"), null=True, blank=True)
    score_after = models.PositiveSmallIntegerField(_("score after"), null=True, blank=True)
    rescored_at = models.DateTimeField(_("re-scored at"), null=True, blank=True)
    triggered_at = models.DateTimeField(_("triggered at (T0)"))
    received_at = models.DateTimeField(_("received at"))
    state = FSMField(_("state"), default=State.OPEN, choices=State.choices, protected=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="owned_cases", verbose_name=_("owner"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    contacted_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The key a report form (or an API client) sends with it: the same key again, as after Back
    # and submit, answers with this case instead of opening another.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    # 1, and one more at each reopen: the round the case's current deadlines belong to.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-triggered_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["store", "state"], name="case_store_state"),
            models.Index(fields=["state", "level"], name="case_state_level"),
            # A customer's active case at a store; and, covering, the cases of the customers a
            # search found, read from the index alone (PostgreSQL).
            models.Index(fields=["customer", "store", "state"], include=["triggered_at", "id"],
                         name="case_customer_active"),
            models.Index(fields=["triggered_at"], name="case_triggered"),
            # The case list's keyset order.
            models.Index(fields=["-triggered_at", "-id"], name="case_list_order"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "idempotency_key"],
                                    condition=~models.Q(idempotency_key=""),
                                    name="uniq_case_idempotency"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        head, tail = _case_page_url_parts()
        return f"{head}{self.pk}{tail}"

    @property
    def owner_role(self) -> str:
        return LEVEL_OWNER_ROLE[Level(self.level)]

    # The deadlines the opening event's handler has just written (escalation), kept on the
    # instance so that the intake's answer and the first notifications need not read them back.
    opened_deadlines = None
    # True on a case an incident report with an already used idempotency key answered with.
    replayed = False

    def deadline_rows(self):
        """One deadline per kind: after a reopen, the new round's row replaces the earlier one
        (which stays stored, cancelled or met, for the measures)."""
        rows = self.deadlines.all() if self.opened_deadlines is None else self.opened_deadlines
        latest = {}
        for row in rows:
            if row.kind not in latest or row.round > latest[row.kind].round:
                latest[row.kind] = row
        return sorted(latest.values(), key=lambda row: (row.due_at, row.pk or 0))

    # Transitions touch only this row; the service records the event and meets deadlines. The
    # `conditions` are the SOP's guards (`cases.guards`): each names what is still to be done.
    @transition(field=state, source=State.OPEN, target=State.CONTACTED, permission=can_work,
                conditions=[contact_logged])
    def contact(self, *, at):
        if not self.contacted_at:
            self.contacted_at = at

    @transition(field=state, source=State.CONTACTED, target=State.PLAN_PROPOSED,
                permission=can_work, conditions=[plan_ready])
    def propose(self, *, at):
        """The plan (fix + compensation + commitment) is put to the customer."""

    @transition(field=state, source=State.PLAN_PROPOSED, target=State.AWAITING_APPROVAL)
    def await_approval(self, *, at):
        """An offer above the proposer's authority waits for an approver."""

    @transition(field=state, source=State.AWAITING_APPROVAL, target=State.IN_PROGRESS)
    def approve_plan(self, *, at):
        """The approver said yes; execution starts."""

    @transition(field=state, source=State.AWAITING_APPROVAL, target=State.PLAN_PROPOSED)
    def reject_plan(self, *, at):
        """The approver said no; the owner builds another plan."""

    @transition(field=state, source=State.PLAN_PROPOSED, target=State.IN_PROGRESS,
                permission=can_work)
    def start(self, *, at):
        """Execution of the agreed plan starts."""

    @transition(field=state, source=State.IN_PROGRESS, target=State.RESOLVED, permission=can_work,
                conditions=[checklist_settled])
    def resolve(self, *, at):
        self.resolved_at = at

    @transition(field=state, source=State.RESOLVED, target=State.FOLLOWING_UP,
                permission=can_work)
    def follow_up(self, *, at):
        """Follow-up touches at 3, 7 and 30 days run."""

    @transition(field=state, source=[State.RESOLVED, State.FOLLOWING_UP], target=State.CLOSED,
                permission=can_work, conditions=[outcome_earned])
    def close(self, *, at, outcome):
        """`outcome` is set on the instance before the guards run (`case_transition`)."""
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": _("Choose recovered, retained or lost.")})
        self.outcome = outcome
        self.closed_at = at

    @transition(field=state, source=[State.RESOLVED, State.FOLLOWING_UP, State.CLOSED],
                target=State.IN_PROGRESS, permission=can_reopen)
    def reopen(self, *, at):
        self.round += 1
        self.outcome = ""
        self.closed_at = None
        self.resolved_at = None


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    TRANSITION = "transition", _("State changed")
    RESCORED = "rescored", _("Re-scored")
    SEVERITY_CHANGED = "severity_changed", _("Severity changed")
    CORRECTED = "corrected", _("Triage corrected")
    CHECKLIST = "checklist", _("Checklist item done")
    ESCALATED = "escalated", _("Escalated")
    WARNED = "warned", _("Deadline warning")
    NOTE = "note", _("Note")
    REASSIGNED = "reassigned", _("Owner changed")
    WATCHERS = "watchers", _("Watchers changed")


# What the owner may correct of what triage read, in the order it is applied and recorded.
CORRECTABLE_FIELDS = ("failure_type", "severity", "emotion", "flags")


class CaseEventQuerySet(ImmutableQuerySet):
    def note_redact(self, note: str) -> int:
        """The one sanctioned change: erasing a customer's personal data from the notes."""
        return models.QuerySet.update(self, note=note)


class CaseEvent(models.Model):
    """The case's audit trail and SLA history. Written once, never changed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=CaseEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("actor"))
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableError("Case events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Case events cannot be deleted.")


class CaseWatcher(models.Model):
    """Someone who follows a case: they receive the case's notifications."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="watchers",
                             verbose_name=_("case"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="watched_cases", verbose_name=_("user"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("watcher")
        verbose_name_plural = _("watchers")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="uniq_case_watcher")]

    def __str__(self) -> str:
        return f"{self.case} · {self.user}"


class ChecklistTemplateItem(models.Model):
    """A step of the recovery checklist (seed 001 工具1). Empty `failure_types` means every type."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=120)
    title_en = models.CharField(_("English title"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    failure_types = models.ManyToManyField(FailureType, blank=True, related_name="+",
                                           verbose_name=_("failure types"))
    required = models.BooleanField(
        _("required before resolving"), default=False,
        help_text=_("A case of these failure types cannot be resolved until this item is done "
                    "or waived with a reason."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("checklist template item")
        verbose_name_plural = _("checklist template items")

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checklist")
    code = models.SlugField(max_length=40)
    title = models.CharField(_("title"), max_length=120)
    title_en = models.CharField(_("English title"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    required = models.BooleanField(_("required before resolving"), default=False)
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waived_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    waive_reason = models.TextField(_("reason for waiving"), blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="uniq_case_item")]

    def __str__(self) -> str:
        return in_language(self.title, self.title_en)


class SurveyResponse(models.Model):
    source = models.CharField(_("source"), max_length=50)
    external_id = models.CharField(_("external id"), max_length=100)
    store = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="responses")
    service_record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(0),
                                                        MaxValueValidator(10)])
    comment = models.TextField(_("comment"), blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    responded_at = models.DateTimeField(_("responded at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="responses")
    rescore = models.BooleanField(_("re-score"), default=False)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="uniq_response"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class IntakeSource(models.Model):
    """A survey platform or DMS that pushes responses. It signs each request with its own
    secret (HMAC-SHA256); its account's org node bounds the stores it may send for."""

    code = models.SlugField(_("source"), max_length=50, unique=True,
                            help_text=_("The `source` its responses carry."))
    name = models.CharField(_("name"), max_length=120)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("account"),
                                help_text=_("Its responses are stored as sent by this user."))
    secret = models.CharField(_("signing secret"), max_length=128, default=_new_secret)
    signed_only = models.BooleanField(
        _("signed requests only"), default=True,
        help_text=_("Refuse responses of this source sent with a token instead of a signature."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("intake source")
        verbose_name_plural = _("intake sources")

    def __str__(self) -> str:
        return self.code
