from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolkitConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "toolkit"
    verbose_name = _("Recovery toolkit")

    def ready(self):
        from cases.guards import FIRST_CONTACT, SATISFACTION, fact_provide

        from .selectors import first_contact_logged, satisfaction_confirmed

        # The contact log is this app's: it tells the case's SOP guards what was done.
        fact_provide(FIRST_CONTACT, first_contact_logged)
        fact_provide(SATISFACTION, satisfaction_confirmed)
