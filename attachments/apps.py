from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "attachments"
    verbose_name = _("Attachments")

    def ready(self):
        from cases.pages import case_sections

        from .views import case_sections as attachment_sections

        case_sections.register(attachment_sections)
