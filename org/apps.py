from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from recovery.config_cache import config_cache_watch

        from .models import OrgNode, User
        config_cache_watch(OrgNode, User)
