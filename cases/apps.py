from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from recovery.config_cache import config_cache_watch

        from .models import (
            ChecklistTemplateItem,
            FailureType,
            IntakePolicy,
            IntakeSource,
            LexiconEntry,
            SopPolicy,
        )
        config_cache_watch(ChecklistTemplateItem, FailureType, IntakePolicy, IntakeSource,
                           LexiconEntry, SopPolicy)
