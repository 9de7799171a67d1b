from django import template

from cases.models import Flag, State

register = template.Library()

FLAG_LABELS = dict(Flag.choices)
STATE_LABELS = dict(State.choices)


@register.filter
def flag_label(code: str) -> str:
    return FLAG_LABELS.get(code, code)


@register.filter
def state_label(code: str) -> str:
    return STATE_LABELS.get(code, code)


@register.filter
def role_label(code: str) -> str:
    from org.models import Role

    return dict(Role.choices).get(code, code)
