from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessengerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "messenger"
    verbose_name = _("Work messenger")

    def ready(self):
        from notifications.channels import channel_register
        from recovery.config_cache import config_cache_watch

        from .models import MessengerIdentity
        from .transport import MessengerChannel, MessengerTransport

        # Approval requests and escalations also go out as cards, through the outbox.
        channel_register(channel=MessengerChannel(), transport=MessengerTransport)
        config_cache_watch(MessengerIdentity)
