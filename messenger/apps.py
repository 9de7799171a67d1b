from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessengerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "messenger"
    verbose_name = _("Work messenger")

    def ready(self):
        from cases.events import case_events
        from notifications.channels import channel_register, transport_register
        from notifications.models import Channel
        from recovery.config_cache import config_cache_watch

        from .models import MessengerIdentity
        from .services import cards_redraw_plan
        from .transport import CardRedrawTransport, MessengerChannel, MessengerTransport

        # Approval requests and escalations also go out as cards, through the outbox.
        channel_register(channel=MessengerChannel(), transport=MessengerTransport)
        # A decision taken anywhere redraws the approval's sent cards, through the outbox.
        transport_register(channel=Channel.REDRAW, transport=CardRedrawTransport)
        case_events.register(cards_redraw_plan)
        config_cache_watch(MessengerIdentity)
