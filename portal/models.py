"""The customer's own page of a case (issue 22): the links that open it and what the customer
answered on it."""

from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recovery.singleton import SettingsRow


class PortalPolicy(SettingsRow):
    """How long a link lives and which visit times the page offers (one row, admin)."""

    link_valid_for = models.DurationField(_("link valid for"), default=timedelta(days=7))
    slot_days = models.PositiveSmallIntegerField(
        _("days of visit times offered"), default=5,
        help_text=_("The page offers visit or pickup times on this many days from tomorrow."))
    slot_times = models.CharField(
        _("visit times of a day"), max_length=100, default="09:00,11:00,14:00,16:00",
        help_text=_("Comma-separated, in the store's time zone."))

    class Meta:
        verbose_name = _("customer page policy")
        verbose_name_plural = _("customer page policy")

    def __str__(self) -> str:
        return str(_("Customer page policy"))

    def clean(self) -> None:
        try:
            self.times()
        except ValueError as exc:
            raise ValidationError({"slot_times": _("Write times like 09:00,14:00.")}) from exc

    def times(self) -> list[time]:
        return sorted(time.fromisoformat(t.strip()) for t in self.slot_times.split(",")
                      if t.strip())


class LinkChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat (WeCom)")
    COPIED = "copied", _("Copied by staff")


class CustomerLink(models.Model):
    """One link to the customer's page of one case. Only the token's SHA-256 is stored: the
    link is shown once, to the staff member who makes it, and a leaked table opens nothing."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE,
                             related_name="customer_links", verbose_name=_("case"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.CharField(_("sent by"), max_length=10, choices=LinkChannel.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("revoked by"))
    last_opened_at = models.DateTimeField(_("last opened at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer page link")
        verbose_name_plural = _("customer page links")
        indexes = [models.Index(fields=["case", "revoked_at"], name="customerlink_case")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.created_at:%Y-%m-%d %H:%M}"


class CustomerReply(models.Model):
    """What the customer answered on their page, each answer once: the option chosen (an offer
    on the case), the visit time and the closing re-score."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE,
                                related_name="customer_reply", verbose_name=_("case"))
    offer = models.ForeignKey("compensation.Offer", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("chosen offer"))
    chosen_at = models.DateTimeField(_("option chosen at"), null=True, blank=True)
    visit_at = models.DateTimeField(_("visit time chosen"), null=True, blank=True)
    visit_chosen_at = models.DateTimeField(_("visit chosen at"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("re-score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    rescored_at = models.DateTimeField(_("re-scored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer reply")
        verbose_name_plural = _("customer replies")

    def __str__(self) -> str:
        return str(self.case_id)
