from django.db import models


class SettingsRow(models.Model):
    """A table of configurable numbers that holds one row, edited in the admin; until someone
    saves it, the field defaults apply."""

    class Meta:
        abstract = True

    @classmethod
    def current(cls):
        return cls.objects.order_by("pk").first() or cls()
