from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolkitConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "toolkit"
    verbose_name = _("Recovery toolkit")
