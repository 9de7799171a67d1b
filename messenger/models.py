from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    WECOM = "wecom", _("WeCom (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk (钉钉)")
    FEISHU = "feishu", _("Feishu (飞书)")


class MessengerIdentity(models.Model):
    """Who a person is in a work messenger: the id the platform sends in a callback, mapped to
    the product user whose authority decides."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="messenger_identities", verbose_name=_("user"))
    platform = models.CharField(_("messenger"), max_length=10, choices=Platform.choices)
    external_id = models.CharField(
        _("messenger user id"), max_length=100,
        help_text=_("WeCom userid, DingTalk userId, Feishu open_id (or user_id, as configured)."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["user__username", "platform"]
        verbose_name = _("messenger identity")
        verbose_name_plural = _("messenger identities")
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"],
                                    name="messenger_identity_external"),
            models.UniqueConstraint(fields=["user", "platform"], name="messenger_identity_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_platform_display()}"


class Subject(models.TextChoices):
    APPROVAL = "approval", _("Approval request")
    ESCALATION = "escalation", _("Escalation")


class MessengerCard(models.Model):
    """One interactive card sent to one person's messenger. Its buttons carry a signed token
    naming this row and its nonce; the row is used once, so a second tap or a replayed callback
    finds it used and changes nothing."""

    notification = models.ForeignKey("notifications.Notification", on_delete=models.CASCADE,
                                     related_name="messenger_cards")
    identity = models.ForeignKey(MessengerIdentity, on_delete=models.CASCADE,
                                 related_name="cards")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("addressee"))
    platform = models.CharField(_("messenger"), max_length=10, choices=Platform.choices)
    subject = models.CharField(_("about"), max_length=10, choices=Subject.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    approval = models.ForeignKey("compensation.Approval", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="+")
    escalation = models.ForeignKey("escalation.Escalation", on_delete=models.CASCADE,
                                   null=True, blank=True, related_name="+")
    nonce = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("buttons work until"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The platform's handle for updating the card (WeCom task_id, DingTalk outTrackId, Feishu
    # message_id).
    platform_ref = models.CharField(_("platform reference"), max_length=200, blank=True)
    # WeCom's response_code of the send: good for one update within 72 hours, without a tap.
    update_code = models.CharField(_("update code"), max_length=200, blank=True)
    # When the card was redrawn with a decision taken elsewhere (the approvals page, another
    # card): once.
    redrawn_at = models.DateTimeField(_("redrawn at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, blank=True)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("messenger card")
        verbose_name_plural = _("messenger cards")
        constraints = [
            models.UniqueConstraint(fields=["notification", "identity"],
                                    name="messenger_card_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} · {self.case_id} · {self.platform}"
