from django import template

from ..selectors import deliveries_failed, notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The bell's badge: `{% load notifications %}{% unread_notifications %}`."""
    return notification_unread_count(user=context["request"].user)


@register.inclusion_tag("notifications/_failed_deliveries.html", takes_context=True)
def failed_deliveries(context, limit: int = 20) -> dict:
    """The dashboard's list of deliveries that gave up, with a re-send button."""
    user = context["request"].user
    can_resend = user.is_staff or user.is_superuser
    return {"deliveries": list(deliveries_failed(user=user)[:limit]) if can_resend else [],
            "request": context["request"], "csrf_token": context.get("csrf_token")}
