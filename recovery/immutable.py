"""Records that are written once and never changed (case events, the audit trail)."""

from django.db import models


class ImmutableError(Exception):
    pass


class ImmutableQuerySet(models.QuerySet):
    """Refuses bulk update and delete; the model's own save() and delete() refuse the rest."""

    def update(self, **kwargs):
        raise ImmutableError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def delete(self):
        raise ImmutableError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")
