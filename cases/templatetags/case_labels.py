from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.models import Flag, State
from org.models import Role

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
    return dict(Role.choices).get(code, code)


TRIAGE_RULES = {
    "phrase": _("phrase"), "sent": _("sent by the survey"), "history": _("earlier visits"),
    "customer": _("customer record"), "safety flag": _("safety flag"), "tone": _("tone"),
    "negation": _("negated"), "someone_else": _("someone else"), "resolved": _("fixed and praised"),
    "suggestion": _("a suggestion"), "praise": _("praise only"), "sarcasm": _("sarcasm"),
}
TRIAGE_FIELDS = {"failure_type": _("Failure type"), "severity": _("Severity"),
                 "emotion": _("Emotion"), "flags": _("Flags"), "level": _("Level")}


@register.filter
def triage_rule(code: str) -> str:
    return TRIAGE_RULES.get(code, code)


@register.filter
def triage_field(code: str) -> str:
    return TRIAGE_FIELDS.get(code, code)


@register.filter
def triage_value(value) -> str:
    """A corrected value as a reader wants it: flags by name, none as a dash."""
    if value in (None, "", []):
        return "–"
    if isinstance(value, list):
        return "、".join(str(FLAG_LABELS.get(v, v)) for v in value)
    return str(FLAG_LABELS.get(value, value))


@register.simple_tag
def triage_reason(reason: dict) -> str:
    """“发抖音” (phrase), 2 earlier visits (history), sent by the survey…"""
    rule = str(TRIAGE_RULES.get(reason.get("rule"), reason.get("rule", "")))
    if reason.get("said"):
        return format_html("“{}” · {}", reason["said"], rule)
    if reason.get("earlier_visits"):
        return format_html("{} × {}", rule, reason["earlier_visits"])
    return rule
