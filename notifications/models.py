from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one person. Written in the transaction of the event that causes it (the
    outbox); it is the in-app message itself, and its `Delivery` rows carry it to other channels."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="notifications")
    event = models.ForeignKey("cases.CaseEvent", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Rows written by one call share a batch: a group chat robot posts the batch once.
    batch = models.UUIDField(_("batch"), null=True, blank=True, editable=False)
    # Extra values for the message templates (amounts, deadline kind, scores).
    params = models.JSONField(_("template values"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True),
                         name="notif_unread"),
            models.Index(fields=["batch"], name="notif_batch"),
        ]

    def __str__(self) -> str:
        return self.title


class SendMode(models.TextChoices):
    ALL = "all", _("Every notification")
    URGENT = "urgent", _("Urgent notifications only")
    OFF = "off", _("Never")


class NotificationPreference(models.Model):
    """How one person wants to be reached. Without a row the defaults apply: e-mail for
    everything, SMS for urgent events, Simplified Chinese, the default quiet hours."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("user"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    email = models.CharField(_("e-mail"), max_length=10, choices=SendMode.choices,
                             default=SendMode.ALL)
    sms = models.CharField(_("SMS"), max_length=10, choices=SendMode.choices,
                           default=SendMode.URGENT)
    quiet_start = models.TimeField(
        _("quiet hours start"), null=True, blank=True,
        help_text=_("Non-urgent e-mail and SMS wait until the quiet hours end. Leave both empty "
                    "for the default; set start = end for no quiet hours."))
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk group robot (钉钉)")
    FEISHU = "feishu", _("Feishu group robot (飞书)")
    GENERIC = "generic", _("Generic JSON (HMAC-SHA256 signed)")


class WebhookEndpoint(models.Model):
    """A chat group robot or system that hears about every case under one node of the tree."""

    name = models.CharField(_("name"), max_length=100)
    node = models.ForeignKey("org.OrgNode", on_delete=models.CASCADE, related_name="webhooks",
                             verbose_name=_("organisation node"))
    kind = models.CharField(_("format"), max_length=10, choices=WebhookKind.choices)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    kinds = models.JSONField(_("event kinds"), default=list, blank=True,
                             help_text=_('e.g. ["opened", "escalated"]; empty for every kind.'))
    urgent_only = models.BooleanField(_("urgent only"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")
    MESSENGER = "messenger", _("Work messenger card")
    WECHAT = "wechat", _("WeChat (WeCom)")
    # A sent messenger card redrawn with the decision taken elsewhere (messenger/).
    REDRAW = "redraw", _("Work messenger card update")


class CustomerMessage(models.Model):
    """A message to a customer (not a user): the text as sent, to whom, by which channel. Its
    one delivery carries it through the same outbox as the staff's notifications."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE,
                             related_name="customer_messages", verbose_name=_("case"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The phone number or WeCom external contact id, as it was when the message was written.
    to = models.CharField(_("to"), max_length=64)
    text = models.TextField(_("text"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("sent by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer message")
        verbose_name_plural = _("customer messages")

    def __str__(self) -> str:
        return f"{self.case_id} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One notification on one channel (the outbox row). `key` is unique and travels with the
    message so the receiver can drop a duplicate; the row is claimed before sending so one
    delivery is sent once however many tasks ask for it."""

    # A staff member's notification, or a message to a customer: one of the two.
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="deliveries")
    customer_message = models.OneToOneField(CustomerMessage, on_delete=models.CASCADE,
                                            null=True, blank=True, related_name="delivery")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="deliveries")
    key = models.CharField(_("delivery key"), max_length=100, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"),
                         name="delivery_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"),
                         name="delivery_claimed"),
            models.Index(fields=["-created_at"], condition=Q(status="failed"),
                         name="delivery_failed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(notification__isnull=False, customer_message__isnull=True)
                | Q(notification__isnull=True, customer_message__isnull=False),
                name="delivery_one_subject"),
        ]

    def __str__(self) -> str:
        return self.key


class DeliveryAttempt(models.Model):
    """Every try, with its error: the history an administrator reads before re-sending."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("at"), default=timezone.now)
    ok = models.BooleanField(_("succeeded"))
    retryable = models.BooleanField(_("retryable"), default=False)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} {'ok' if self.ok else 'failed'} {self.at:%Y-%m-%d %H:%M:%S}"
