"""The top bar's navigation: which links a user gets, and the approvals badge."""

from django import template
from django.urls import NoReverseMatch, reverse

from ..pages import APPROVALS, badge

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_approvals(context) -> int | None:
    """Approvals waiting for the user, or None for roles that never approve (SAs); counted by
    the app that registered the badge (compensation)."""
    return badge(APPROVALS, context["request"].user)


@register.simple_tag
def url_if_exists(name: str) -> str:
    """The URL of a page another team may not have shipped yet, or ''."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
