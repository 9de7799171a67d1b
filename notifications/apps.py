from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from cases.events import case_events
        from cases.privacy import personal_data
        from org.models import OrgNode
        from recovery.config_cache import config_cache_watch

        from .handlers import case_events_announce
        from .models import NotificationPreference, WebhookEndpoint
        from .privacy import NotificationData
        # The cached robots carry their node's path, which moves with the node.
        config_cache_watch(NotificationPreference, WebhookEndpoint, OrgNode)
        case_events.register(case_events_announce)
        personal_data.register(NotificationData)
