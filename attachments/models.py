import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recovery.singleton import SettingsRow


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Photo")
    VIDEO = "video", _("Video")
    PDF = "pdf", _("PDF document")


def attachment_path(instance, filename: str) -> str:
    """A random name: nothing about the case or the customer, nothing to guess."""
    ext = {"image": ".jpg", "video": "", "pdf": ".pdf"}.get(instance.kind, "")
    if instance.kind == AttachmentKind.VIDEO:
        ext = {"video/mp4": ".mp4", "video/quicktime": ".mov",
               "video/webm": ".webm"}.get(instance.content_type, "")
    now: datetime = timezone.now()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"


class AttachmentPolicy(SettingsRow):
    """Limits of the uploads (one row, editable in the admin)."""

    max_image_mb = models.PositiveSmallIntegerField(_("largest photo (MB)"), default=20)
    max_video_mb = models.PositiveSmallIntegerField(_("largest video (MB)"), default=100)
    max_pdf_mb = models.PositiveSmallIntegerField(_("largest PDF (MB)"), default=20)
    image_max_side = models.PositiveSmallIntegerField(
        _("photo size (px)"), default=2048,
        help_text=_("Photos are shrunk so that their longer side is at most this."))

    class Meta:
        verbose_name = _("attachment policy")
        verbose_name_plural = _("attachment policy")

    def __str__(self) -> str:
        return str(_("Attachment policy"))

    def max_bytes(self, kind: str) -> int:
        mb = {AttachmentKind.IMAGE: self.max_image_mb, AttachmentKind.VIDEO: self.max_video_mb,
              AttachmentKind.PDF: self.max_pdf_mb}[kind]
        return mb * 1024 * 1024


class Attachment(models.Model):
    """A photo, video or PDF on a case; optionally about one contact or checklist item."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="attachments",
                             verbose_name=_("case"))
    checklist_item = models.ForeignKey("cases.ChecklistItem", on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="attachments",
                                       verbose_name=_("checklist item"))
    contact = models.ForeignKey("toolkit.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="attachments",
                                verbose_name=_("contact"))
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    content_type = models.CharField(_("content type"), max_length=60)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # The team chose to show it on the customer's own page (the daily repair photos of seed 001).
    shared_with_customer = models.BooleanField(_("shared with the customer"), default=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["case", "uploaded_at"], name="attachment_case_at")]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()} · {self.original_name}"
