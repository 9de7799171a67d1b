from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "escalation"
    verbose_name = _("Escalation")

    def ready(self):
        from recovery.config_cache import config_cache_watch

        from .models import BusinessHours, SlaPolicy
        config_cache_watch(SlaPolicy, BusinessHours)
