"""Template side of `org.pii`: `{{ value|phone_mask }}` and `{% case_phone case %}`."""

from django import template

from org.pii import phone_for
from org.pii import phone_mask as _phone_mask

from ..permissions import sees_phone

register = template.Library()


@register.filter
def phone_mask(value) -> str:
    return _phone_mask(value)


@register.simple_tag(takes_context=True)
def case_phone(context, case) -> str:
    """The customer's number in full for someone who works the case (`sees_phone`), masked else."""
    user = context["request"].user
    return phone_for(case.customer.phone, full=sees_phone(case, user))
