from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Customer page")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cases.pages import case_sections
        from cases.privacy import personal_data

        from .privacy import PortalData
        from .views import case_sections as portal_sections

        case_sections.register(portal_sections)
        personal_data.register(PortalData)
