"""The words for the codes the figures are keyed by (status, re-score band, cause, failure type,
drill-down figure), in the language of the request: what pages and exports print instead of
`red`, `none` or `failure_type · safety`."""

from django.utils.translation import gettext as _

from cases.models import FailureType
from escalation.models import DeadlineKind
from org.models import OrgNode
from toolkit.models import CauseCategory

from .models import KpiStatus


def status_label(status: str) -> str:
    return KpiStatus(status).label if status in KpiStatus.values else status


def band_label(band: str) -> str:
    return _("not re-scored") if band == "none" else band


def cause_label(code: str | None) -> str:
    return str(dict(CauseCategory.choices).get(code, code)) if code else _("not analysed")


def failure_type_labels(codes) -> dict:
    """Code → name in the page's language (the English name on an English page), one query."""
    return {t.code: str(t) for t in FailureType.objects.filter(code__in=[c for c in codes if c])}


def unit_label(unit: str) -> str:
    return {"h": _("hours"), "¥": _("yuan")}.get(unit, unit)


def labelled_breakdowns(report) -> dict[str, list[dict]]:
    """The report's breakdown rows with `label` in the page's language (the selectors give the
    failure type's Chinese name, the cause's code)."""
    types = failure_type_labels(r["key"] for r in report.by_failure_type)
    return {
        "by_failure_type": [{**r, "label": types.get(r["key"], _("unknown"))}
                            for r in report.by_failure_type],
        "by_cause": [{**r, "label": cause_label(r["key"])} for r in report.by_cause],
        "by_store": [{**r, "label": r.get("label") or r["key"]} for r in report.by_store],
    }


def drill_title(kpi: str, key: str) -> str:
    """What the drill-down list is the cases of, in words: "By failure type · Safety"."""
    figures = {
        "closed": _("Cases closed"), "recovered": _("Recovered"),
        "not_recovered": _("Not recovered"), "promoters": _("Promoters after recovery"),
        "not_promoters": _("Not promoters after recovery"), "opened": _("Opened"),
        "contacted": _("Contacted"), "not_contacted": _("Not contacted yet"),
        "cost": _("Compensation issued"), "retained": _("Came back"),
        "not_retained": _("Did not come back"), "band": _("Score after"),
        "sla_on_time": _("Deadline met"), "sla_missed": _("Deadline missed"),
        "escalated": _("Escalations"), "failure_type": _("By failure type"),
        "cause": _("By cause"), "store": _("By store"),
    }
    title = figures.get(kpi, kpi)
    if kpi == "band":
        return f"{title} · {band_label(key)}"
    if kpi in ("sla_on_time", "sla_missed", "escalated"):
        return f"{title} · {dict(DeadlineKind.choices).get(key, key)}"
    if kpi == "failure_type":
        return f"{title} · {failure_type_labels([key]).get(key, _('unknown'))}"
    if kpi == "cause":
        return f"{title} · {cause_label(key)}"
    if kpi == "store":
        store = OrgNode.objects.filter(code=key).first()
        return f"{title} · {store.name if store else key}"
    return title
