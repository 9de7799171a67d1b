"""The top bar's navigation: which links a user gets, and the approvals badge."""

from django import template
from django.urls import NoReverseMatch, reverse

from org.models import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_approvals(context) -> int | None:
    """Approvals waiting for the user, or None for roles that never approve (SAs)."""
    from compensation.selectors import approvals_for

    user = context["request"].user
    if not user.is_authenticated or not user.has_rank(Role.SERVICE_MANAGER):
        return None
    return approvals_for(user=user, status="pending").count()


@register.simple_tag
def url_if_exists(name: str) -> str:
    """The URL of a page another team may not have shipped yet, or ''."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
