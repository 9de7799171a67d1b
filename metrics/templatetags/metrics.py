from django import template
from django.utils import timezone

from ..probability import contact_clock
from ..probability import success_probability as probability
from ..review import probability_bands

register = template.Library()


@register.inclusion_tag("metrics/_probability.html", takes_context=True)
def success_probability(context, case, named=True):
    """{% load metrics %}{% success_probability case %} — seed 001's chance of recovery from
    the time to first contact; the bands are read once per page. `named=False` where the page
    names the figure already."""
    cache = context.render_context
    if "metrics_bands" not in cache:
        cache["metrics_bands"] = probability_bands()
    result = probability(contacted_at=case.contacted_at, triggered_at=case.triggered_at,
                         now=timezone.now(), bands=cache["metrics_bands"],
                         clock=contact_clock(store_id=case.store_id))
    return {"p": result, "closed": case.state == "closed", "named": named}
