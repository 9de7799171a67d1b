from django.db.models import QuerySet

from org.models import User
from org.selectors import user_scope_path

from .models import Delivery, DeliveryStatus, Notification


def notification_list(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs


def notification_unread_count(*, user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def deliveries_failed(*, user: User) -> QuerySet[Delivery]:
    """Deliveries that gave up, to people under the user's node (what the dashboard shows)."""
    scope = user_scope_path(user=user)
    if scope is None:
        return Delivery.objects.none()
    return (Delivery.objects.filter(status=DeliveryStatus.FAILED,
                                    notification__recipient__node__path__startswith=scope)
            .select_related("notification__recipient", "notification__case", "endpoint")
            .order_by("-created_at", "-pk"))
