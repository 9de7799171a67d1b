"""The manager's working tools inside a case (SPEC §4, §7–§9): contact log, customer profile,
root cause, recovery team, emotion, words, remedy stock. Everything an administrator may tune is
a row here, loaded with the seed defaults by a data migration."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Customer, Emotion
from org.models import OrgNode
from recovery.data_i18n import in_language
from recovery.singleton import SettingsRow

# ---------------------------------------------------------------- contact log (SPEC §7)


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    LETTER = "letter", _("Letter")


# One-way channels: the customer receives, nobody talks.
ONE_WAY_CHANNELS = {Channel.SMS, Channel.LETTER}


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Spoke with the customer")
    NO_ANSWER = "no_answer", _("No answer")
    MESSAGE_LEFT = "message_left", _("Message left")
    SENT = "sent", _("Sent (message or letter)")
    REFUSED = "refused", _("Customer refused to talk")


# The customer got the touch: it counts as a follow-up.
DELIVERED_OUTCOMES = {ContactOutcome.REACHED, ContactOutcome.SENT}


class ContactPurpose(models.TextChoices):
    FIRST_CALL = "first_call", _("First call")
    PLAN = "plan", _("Plan")
    PROGRESS = "progress", _("Progress update")
    CALLBACK = "callback", _("Callback and re-score request")
    FOLLOW_UP = "follow_up", _("Follow-up")
    BIRTHDAY = "birthday", _("Birthday greeting")
    MAINTENANCE = "maintenance", _("Maintenance invitation")
    OTHER = "other", _("Other")


class Contact(models.Model):
    """One touch with the customer. History: written by the contact service only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts",
                             verbose_name=_("case"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=ContactPurpose.choices,
                               default=ContactPurpose.OTHER)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    met_deadline = models.CharField(_("deadline met"), max_length=20, blank=True)
    satisfied = models.BooleanField(
        _("customer confirms being satisfied"), default=False,
        help_text=_("Said by the customer in a callback or follow-up; lets the case close as "
                    "recovered."))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["case", "at"], name="contact_case_at")]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_channel_display()} · {self.at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------- customer 360 and care


class CustomerProfile(models.Model):
    """What the manager learns about a customer beyond what intake sends (000 §3.2 principle 5,
    001 step 6 birthday care)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="profile",
                                    verbose_name=_("customer"))
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=120, blank=True)
    preferences = models.TextField(_("preferences"), blank=True,
                                   help_text=_("Likes, dislikes, best time to call."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer profile")
        verbose_name_plural = _("customer profiles")

    def __str__(self) -> str:
        return str(self.customer)


class CarePolicy(SettingsRow):
    """How early care reminders show (one row, editable in the admin)."""

    birthday_lead_days = models.PositiveSmallIntegerField(
        _("birthday reminder lead (days)"), default=7, validators=[MaxValueValidator(60)],
        help_text=_("A birthday greeting shows as a follow-up this many days ahead."),
    )

    class Meta:
        verbose_name = _("care policy")
        verbose_name_plural = _("care policy")

    def __str__(self) -> str:
        return str(_("Care policy"))



# ---------------------------------------------------------------- root cause (SPEC §8)


class CauseCategory(models.TextChoices):
    # Seed 003's three scenes of failure.
    PRODUCT_DEFECT = "product_defect", _("Product/service defect")
    PROCESS_ERROR = "process_error", _("Process/system error")
    HUMAN_NEGLIGENCE = "human_negligence", _("Human negligence")


class Department(models.Model):
    """A department a cause can be laid at (seed 003 责任界定表)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return in_language(self.name, self.name_en)


MAX_WHYS = 5


class RootCause(models.Model):
    """The 5-Why analysis of a case and what will stop it happening again (001 能力2)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="root_cause",
                                verbose_name=_("case"))
    whys = models.JSONField(_("5-Why chain"), default=list, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=CauseCategory.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="root_causes",
                                   verbose_name=_("responsible department"))
    corrective_action = models.TextField(_("corrective action"), blank=True)
    action_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("action owner"))
    action_due = models.DateField(_("action due"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        indexes = [models.Index(fields=["category", "department"], name="rootcause_group")]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_category_display()}"


# ---------------------------------------------------------------- recovery team (001 能力5)


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    TECHNICAL_LEAD = "technical_lead", _("Technical lead")
    CS_SPECIALIST = "cs_specialist", _("Customer-service specialist")
    SENIOR_SA = "senior_sa", _("Senior service advisor")


class TeamMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team",
                             verbose_name=_("case"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="recovery_teams", verbose_name=_("user"))
    role = models.CharField(_("team role"), max_length=20, choices=TeamRole.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["case", "role", "pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="uniq_team_member"),
            models.UniqueConstraint(fields=["case"], condition=Q(role="leader"),
                                    name="one_team_leader"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_role_display()} · {self.user}"


# ---------------------------------------------------------------- emotion and visit (seed 003)


class EmotionAdvice(models.Model):
    emotion = models.CharField(_("emotion"), max_length=12, choices=Emotion.choices, unique=True)
    advice = models.TextField(_("advice"))
    advice_en = models.TextField(_("English advice"), blank=True)

    class Meta:
        ordering = ["emotion"]
        verbose_name = _("emotion advice")
        verbose_name_plural = _("emotion advice")

    def __str__(self) -> str:
        return self.get_emotion_display()


class CaseProfile(models.Model):
    """What the owner records about the customer's state of mind and the booked visit."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="toolkit_profile",
                                verbose_name=_("case"))
    emotion = models.CharField(_("emotion"), max_length=12, choices=Emotion.choices, blank=True)
    emotion_note = models.TextField(_("emotion note"), blank=True)
    visit_at = models.DateTimeField(_("booked visit"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("case profile")
        verbose_name_plural = _("case profiles")

    def __str__(self) -> str:
        return str(self.case)


# ---------------------------------------------------------------- words (SPEC §9)


class PhraseCategory(models.TextChoices):
    BUT_APOLOGY = "but_apology", _("'But' apology")
    MECHANICAL_APOLOGY = "mechanical_apology", _("Mechanical apology")
    VAGUE_ADMISSION = "vague_admission", _("Vague admission")
    EXCUSE = "excuse", _("Excuse")
    BLAME_SHIFTING = "blame_shifting", _("Shifting blame")
    PERFUNCTORY = "perfunctory", _("Brushing off")
    STALLING = "stalling", _("Stalling")
    VAGUE_PROMISE = "vague_promise", _("Vague promise")
    YOU_NOT_WE = "you_not_we", _("'You' instead of 'we'")


class PhrasePattern(models.Model):
    """A forbidden way of speaking (000 §3.1, §3.3; 001 禁忌) and the better phrasing."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=PhraseCategory.choices)
    pattern = models.CharField(_("pattern (regular expression)"), max_length=300)
    explanation = models.CharField(_("why it hurts"), max_length=200)
    explanation_en = models.CharField(_("why it hurts (English)"), max_length=200, blank=True)
    suggestion = models.CharField(_("say instead"), max_length=300)
    suggestion_en = models.CharField(_("say instead (English)"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("phrase pattern")
        verbose_name_plural = _("phrase patterns")

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise ValidationError({"pattern": str(exc)}) from exc


class WordKind(models.TextChoices):
    FIRST_CALL = "first_call", _("First-call script")
    PLAN_MESSAGE = "plan_message", _("Plan message")
    CALLBACK = "callback", _("Callback script")
    SARA = "sara", _("SARA apology")
    LETTER = "letter", _("Apology letter")
    PORTAL_LINK = "portal_link", _("Customer page message")


class WordLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


# The facts a template may name as {placeholder}.
WORD_FACTS = [
    "customer", "store", "manager", "manager_phone", "score", "problem", "offer", "offer_value",
    "visit_time", "date", "case_number",
]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class WordTemplate(models.Model):
    """A script or letter with {placeholders} for the case's facts (000 §3.1, 001 话术, 工具3)."""

    kind = models.CharField(_("kind"), max_length=20, choices=WordKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=WordLanguage.choices)
    body = models.TextField(_("body"), help_text=_(
        "Placeholders: {customer} {store} {manager} {manager_phone} {score} {problem} {offer} "
        "{offer_value} {visit_time} {date} {case_number}"))

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("word template")
        verbose_name_plural = _("word templates")
        constraints = [models.UniqueConstraint(fields=["kind", "language"],
                                               name="uniq_word_template")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.language}"

    def clean(self) -> None:
        unknown = set(PLACEHOLDER.findall(self.body)) - set(WORD_FACTS)
        if unknown:
            raise ValidationError({"body": _("Unknown placeholders: %(names)s")
                                   % {"names": ", ".join(sorted(unknown))}})


# ---------------------------------------------------------------- remedy stock (000 §4.2)


class StockThreshold(models.Model):
    """Default low-stock threshold of an item code; a store's row may override it."""

    item_code = models.SlugField(_("item code"), max_length=40, unique=True)
    threshold = models.PositiveIntegerField(_("warn at or below"))

    class Meta:
        ordering = ["item_code"]
        verbose_name = _("stock threshold")
        verbose_name_plural = _("stock thresholds")

    def __str__(self) -> str:
        return f"{self.item_code} ≤ {self.threshold}"


class StockItem(models.Model):
    """What a store holds of one remedy item (vouchers, gifts, loaner cars). The quantity changes
    only through the stock services, each change a `StockMovement`."""

    store = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="stock",
                              verbose_name=_("store"))
    item_code = models.SlugField(_("item code"), max_length=40,
                                 help_text=_("The catalog code, e.g. voucher, gift, loaner_car."))
    name = models.CharField(_("name"), max_length=80)
    quantity = models.PositiveIntegerField(_("in stock"), default=0)
    low_threshold = models.PositiveIntegerField(
        _("warn at or below"), null=True, blank=True,
        help_text=_("Empty: the default threshold of the item code."),
    )

    class Meta:
        ordering = ["store__path", "item_code"]
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        constraints = [
            models.UniqueConstraint(fields=["store", "item_code"], name="uniq_store_stock"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.store.code} · {self.name} × {self.quantity}"


class StockReason(models.TextChoices):
    ISSUE = "issue", _("Issued to a customer")
    RECEIVE = "receive", _("Received")
    RETURN = "return", _("Returned (loaner car back)")


class StockMovement(models.Model):
    stock = models.ForeignKey(StockItem, on_delete=models.CASCADE, related_name="movements",
                              verbose_name=_("stock item"))
    delta = models.IntegerField(_("change"))
    reason = models.CharField(_("reason"), max_length=10, choices=StockReason.choices)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("case"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.stock} {self.delta:+d}"
