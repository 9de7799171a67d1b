"""Compensation (SPEC §5) and authority (SPEC §6). Every number an administrator may change is a
row here, loaded with the SPEC defaults by a data migration."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, FailureType, Segment, Severity
from org.models import OrgNode, Role
from recovery.data_i18n import in_language
from recovery.immutable import ImmutableError
from recovery.singleton import SettingsRow

ZERO = Decimal("0.00")
NON_NEGATIVE = [MinValueValidator(ZERO)]


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2,
                               validators=NON_NEGATIVE, **kwargs)


class Dimension(models.TextChoices):
    MATERIAL = "material", _("Material")
    EMOTIONAL = "emotional", _("Emotional")
    CONVENIENCE = "convenience", _("Convenience")


class RemedyItem(models.Model):
    """One remedy of the catalog. Its value is fixed, or a share of the case's repair order
    (`order_share` 1.00 = waive the whole order); `value` is then the fallback when the case has
    no order amount."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    value = money_field(_("value (CNY)"), default=ZERO)
    order_share = models.DecimalField(
        _("share of the repair order"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Set to value the item from the case's repair order (1.00 = all of it)."),
    )
    variable = models.BooleanField(
        _("variable value"), default=False,
        help_text=_("The person making an offer may give this item's value."),
    )
    segments = models.JSONField(
        _("suits segments"), default=list, blank=True,
        help_text=_("Customer segments this item suits best; empty = every segment."),
    )
    level = models.CharField(
        _("level"), max_length=10, choices=[("basic", _("Basic")), ("expected", _("Expected")),
                                            ("surprise", _("Surprise"))], default="expected",
        help_text=_("The lowest option this item belongs to (seed 000's 3 × 3 matrix)."),
    )
    value_max = money_field(_("top of the value range (CNY)"), null=True, blank=True,
                            help_text=_("Set for a range: the value is its bottom, this its top "
                                        "(taken by the surprise option)."))
    earlier_visits = models.BooleanField(
        _("includes earlier visits"), default=False,
        help_text=_("Valued from the order share of this visit and every earlier visit of the "
                    "customer for the same problem."),
    )
    fits = models.JSONField(
        _("fits failure types"), default=list, blank=True,
        help_text=_("Codes of the failure types this item suits; empty = every type."),
    )
    min_severity = models.CharField(
        _("from severity"), max_length=10, choices=Severity.choices, blank=True,
        help_text=_("The generator offers this item only from this severity up."),
    )
    replaces = models.SlugField(
        _("replaces"), max_length=40, blank=True,
        help_text=_("Code of the item this one supersedes in a higher option."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("remedy item")
        verbose_name_plural = _("remedy items")

    def __str__(self) -> str:
        return in_language(self.name, self.name_en)

    def clean(self) -> None:
        errors = {}
        if not isinstance(self.segments, list) or set(self.segments) - set(Segment.values):
            errors["segments"] = _("Give a list of: %(codes)s") % {
                "codes": ", ".join(Segment.values)}
        known = set(FailureType.objects.values_list("code", flat=True))
        if not isinstance(self.fits, list) or set(self.fits) - known:
            errors["fits"] = _("Give a list of failure type codes: %(codes)s") % {
                "codes": ", ".join(sorted(known))}
        if self.value_max is not None and self.value_max < self.value:
            errors["value_max"] = _("The top of the range is below its bottom.")
        if errors:
            raise ValidationError(errors)


class BasePlan(models.Model):
    """The standard remedy for a failure type at a severity (seed 001 能力3, 000 §2.2)."""

    failure_type = models.ForeignKey(FailureType, on_delete=models.CASCADE,
                                     related_name="base_plans", verbose_name=_("failure type"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["failure_type__code", "severity"]
        verbose_name = _("base plan")
        verbose_name_plural = _("base plans")
        constraints = [models.UniqueConstraint(fields=["failure_type", "severity"],
                                               name="uniq_base_plan")]

    def __str__(self) -> str:
        return f"{self.failure_type} · {self.get_severity_display()}"


class BasePlanItem(models.Model):
    plan = models.ForeignKey(BasePlan, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(RemedyItem, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("item"))
    value = money_field(_("value (CNY)"), null=True, blank=True,
                        help_text=_("Empty: the catalog value."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("base plan item")
        verbose_name_plural = _("base plan items")

    def __str__(self) -> str:
        return str(self.item)


class FactorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer factor")
    SEVERITY = "severity", _("Severity factor")
    INCREMENT = "increment", _("Special increment")
    MULTIPLIER = "multiplier", _("Multiplier (multiplicative scheme)")


class CoefficientScheme(models.TextChoices):
    ADDITIVE = "additive", _("Customer × severity × (1 + increments) (seed 001 工具2)")
    MULTIPLICATIVE = "multiplicative", _("Product of the multipliers (seed 001 能力3)")


class CoefficientFactor(models.Model):
    """One cell of the coefficient matrix (seed 001 工具2): customer factor by customer type,
    severity factor by severity, and an increment per case flag."""

    kind = models.CharField(_("kind"), max_length=10, choices=FactorKind.choices)
    key = models.SlugField(_("key"), max_length=40,
                           help_text=_("regular/vip, a severity, or a case flag."))
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=3,
                                validators=NON_NEGATIVE)

    class Meta:
        ordering = ["kind", "key"]
        verbose_name = _("coefficient factor")
        verbose_name_plural = _("coefficient factors")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="uniq_factor")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}: {self.value}"


class GuidanceRange(models.Model):
    """The value an offer should have at a severity (000 §2.3); outside it is flagged only."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                unique=True)
    minimum = money_field(_("minimum (CNY)"), default=ZERO)
    maximum = money_field(_("maximum (CNY)"), null=True, blank=True,
                          help_text=_("Empty: no cap."))

    class Meta:
        ordering = ["minimum"]
        verbose_name = _("guidance range")
        verbose_name_plural = _("guidance ranges")

    def __str__(self) -> str:
        return self.get_severity_display()


class AuthorityLimit(models.Model):
    """What a role may grant alone, and how long it has to decide a request (000 §4.1)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    limit = money_field(_("limit (CNY)"), null=True, blank=True, help_text=_("Empty: no limit."))
    decision_window = models.DurationField(_("decision window"), null=True, blank=True,
                                           help_text=_("Empty: decides on the spot."))

    class Meta:
        ordering = ["limit"]
        verbose_name = _("authority limit")
        verbose_name_plural = _("authority limits")

    def __str__(self) -> str:
        return self.get_role_display()


class CompensationPolicy(SettingsRow):
    """The remaining numbers of the generator (one row, editable in the admin)."""

    loss_multiplier = models.DecimalField(
        _("loss multiplier"), max_digits=5, decimal_places=2, default=Decimal("2.00"),
        validators=NON_NEGATIVE,
        help_text=_("An offer under this many times the customer's loss is flagged."),
    )
    coefficient_scheme = models.CharField(
        _("coefficient scheme"), max_length=14, choices=CoefficientScheme.choices,
        default=CoefficientScheme.ADDITIVE,
    )
    fallback_failure_type = models.ForeignKey(
        FailureType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("fallback failure type"),
        help_text=_("Used for quoting a case that has no failure type."),
    )
    retry_delay = models.DurationField(
        _("sweep retry delay"), default=timezone.timedelta(minutes=5),
        help_text=_("How long an approval the sweep failed on waits before the next try."),
    )
    customer_window = models.DurationField(
        _("customer history window"), default=timezone.timedelta(days=365),
        help_text=_("Offers to the same customer on other cases within this time count towards "
                    "the authority an offer needs."),
    )

    class Meta:
        verbose_name = _("compensation policy")
        verbose_name_plural = _("compensation policy")

    def __str__(self) -> str:
        return str(_("Compensation policy"))



class Tier(models.TextChoices):
    BASIC = "basic", _("Basic")
    EXPECTED = "expected", _("Expected")
    SURPRISE = "surprise", _("Surprise")
    CUSTOM = "custom", _("Custom")


class OfferStatus(models.TextChoices):
    PENDING = "pending_approval", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Offer(models.Model):
    """The option the customer chose, as proposed on a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="offers",
                             verbose_name=_("case"))
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    status = models.CharField(_("status"), max_length=20, choices=OfferStatus.choices)
    proposed_value = money_field(_("proposed value (CNY)"))
    total_value = money_field(_("total value (CNY)"))
    customer_loss = money_field(_("customer loss (CNY)"), null=True, blank=True)
    outside_range = models.BooleanField(_("outside guidance range"), default=False)
    under_loss = models.BooleanField(_("under the loss multiple"), default=False)
    note = models.TextField(_("note"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("proposed by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [models.Index(fields=["case", "status"], name="offer_case_status")]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_tier_display()} · ¥{self.total_value}"


class OfferLine(models.Model):
    """One item of an offer, copied from the catalog so later catalog edits change nothing."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(RemedyItem, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("item"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    value = money_field(_("value (CNY)"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("offer line")
        verbose_name_plural = _("offer lines")

    def __str__(self) -> str:
        return f"{self.name} ¥{self.value}"

    @property
    def label(self) -> str:
        """The item's name in the page's language; `name` keeps the catalog's words of the day
        the offer was made."""
        return in_language(self.name, self.item.name_en)


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Approval(models.Model):
    """A request for someone with more authority to decide an offer. `due_at` is when it moves
    one role up; the partial index covers only pending requests, the ones the sweep looks at."""

    offer = models.OneToOneField(Offer, on_delete=models.CASCADE, related_name="approval")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="approvals",
                             verbose_name=_("case"))
    amount = money_field(_("amount (CNY)"))
    # What the decision commits in all: this case's approved and pending offers plus the same
    # customer's recent ones elsewhere. Authority is checked against this, not `amount`.
    cumulative_amount = money_field(_("cumulative amount (CNY)"), default=ZERO)
    approver_role = models.CharField(_("approver role"), max_length=20, choices=Role.choices)
    approver_node = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("approver node"))
    status = models.CharField(_("status"), max_length=10, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING)
    due_at = models.DateTimeField(_("decide by"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    escalated_at = models.DateTimeField(_("last escalated at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    change_reason = models.TextField(_("reason for the change"), blank=True)
    failure_message = models.TextField(_("last sweep error"), blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        indexes = [
            models.Index(fields=["due_at"], name="approval_pending_due",
                         condition=Q(status="pending", due_at__isnull=False)),
            models.Index(fields=["approver_role", "status"], name="approval_role_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · ¥{self.amount} · {self.get_approver_role_display()}"

    # A decision is part of the audit trail: once read back decided, the row never changes.
    def save(self, *args, **kwargs):
        if getattr(self, "decided_when_read", False):
            raise ImmutableError("A decided approval cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status in DECIDED:
            raise ImmutableError("A decided approval cannot be deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        approval = super().from_db(db, field_names, values)
        approval.decided_when_read = approval.__dict__.get("status") in DECIDED
        return approval


DECIDED = {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED}


class Onsite(models.TextChoices):
    """What the SA records of the on-site part of a case (seed 001 上门服务标准: apology, gift),
    as a timeline event (`CaseEvent.data["onsite"]`)."""

    APOLOGY = "apology", _("Apologised on site")
    GIFT = "gift", _("Gift handed over")


class IssuedCompensation(models.Model):
    """What was actually handed to the customer: the cost side of the recovery (SPEC §10)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="issued_compensation",
                             verbose_name=_("case"))
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="issued",
                              verbose_name=_("offer"))
    line = models.OneToOneField(OfferLine, on_delete=models.PROTECT, related_name="issued",
                                verbose_name=_("offer line"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    value = money_field(_("value (CNY)"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("issued by"))

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("issued compensation")
        verbose_name_plural = _("issued compensation")
        indexes = [models.Index(fields=["case", "issued_at"], name="issued_case_at")]

    def __str__(self) -> str:
        return f"{self.case} · {self.name} ¥{self.value}"
