from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from org.models import OrgNode
        from recovery.config_cache import config_cache_watch

        from .models import NotificationPreference, WebhookEndpoint
        # The cached robots carry their node's path, which moves with the node.
        config_cache_watch(NotificationPreference, WebhookEndpoint, OrgNode)
