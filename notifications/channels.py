"""Which channels carry a notification. One small class per channel; the in-app channel is the
Notification row itself, so it plans no delivery."""

from org.models import OrgNode
from recovery.config_cache import config_cached

from . import conf
from .models import Channel, Notification, NotificationPreference, WebhookEndpoint
from .preferences import mode_allows


class EmailChannel:
    name = Channel.EMAIL

    def wants(self, *, notification: Notification, preference: NotificationPreference) -> bool:
        return bool(notification.recipient.email) and mode_allows(
            mode=preference.email, urgent=notification.urgent)


class SmsChannel:
    name = Channel.SMS

    def wants(self, *, notification: Notification, preference: NotificationPreference) -> bool:
        return bool(conf.SMS_PROVIDER and notification.recipient.phone) and mode_allows(
            mode=preference.sms, urgent=notification.urgent)


PERSONAL_CHANNELS = [EmailChannel(), SmsChannel()]


def channel_register(*, channel, transport) -> None:
    """Another app adds a personal channel (its `wants` and its transport class) from its
    AppConfig.ready(): this app need not import it."""
    if all(c.name != channel.name for c in PERSONAL_CHANNELS):
        PERSONAL_CHANNELS.append(channel)
    transport_register(channel=channel.name, transport=transport)


def transport_register(*, channel: str, transport) -> None:
    """Another app's transport for deliveries it plans itself (`deliveries_add`)."""
    from .transports import TRANSPORTS

    TRANSPORTS[channel] = transport


def _chain_paths(path: str) -> list[str]:
    """"HQ/A1/R1/S01/" → the paths of that node and every node above it."""
    codes = path.strip("/").split("/")
    return ["".join(f"{c}/" for c in codes[:i]) for i in range(1, len(codes) + 1)]


def webhook_endpoints_for(*, notifications: list[Notification]) -> list[WebhookEndpoint]:
    """Group robots at any node above the case's store (or, without a case, above a recipient)
    hear the batch once, if they take its kind."""
    first = notifications[0]
    if first.case_id:
        nodes: list[OrgNode] = [first.case.store]
    else:
        nodes = [n.recipient.node for n in notifications if n.recipient.node_id]
    paths = {p for node in nodes for p in _chain_paths(node.path)}
    return [e for e in _active_endpoints()
            if e.node.path in paths and (not e.kinds or first.kind in e.kinds)
            and (first.urgent or not e.urgent_only)]


def _active_endpoints() -> list[WebhookEndpoint]:
    return config_cached("webhook-endpoints", lambda: list(
        WebhookEndpoint.objects.filter(active=True).select_related("node").order_by("pk")))
