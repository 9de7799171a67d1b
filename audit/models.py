from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from recovery.immutable import ImmutableError, ImmutableQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")


class AuditRecord(models.Model):
    """Who changed which setting, when, from what to what. Written once, never changed; the
    actor is protected so a user who changed settings is deactivated, not deleted."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("actor"))
    source = models.CharField(_("source"), max_length=200, blank=True,
                              help_text=_("The request path; empty for a shell, command or "
                                          "worker."))
    action = models.CharField(pgettext_lazy("audit record", "action"), max_length=10,
                              choices=AuditAction.choices)
    model = models.CharField(_("model"), max_length=100, db_index=True)
    object_pk = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, encoder=DjangoJSONEncoder,
                               help_text=_("Field: [before, after]."))

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["model", "object_pk"], name="audit_model_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Audit records cannot be deleted.")
