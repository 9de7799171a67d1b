"""What the measures' charts show, as data for Chart.js (vendored in static/vendor/chartjs).

The page carries each chart as JSON (`json_script`, which never runs) beside a <canvas>;
static/js/charts.js draws it. No inline script, so the CSP's `script-src 'self'` holds, and every
word of a chart (title, axis, unit, legend) comes from here in the page's language."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import KPI_UNITS, Direction, Kpi


def unit_words(kpi: str) -> dict:
    """How a KPI's values read on an axis: its title and what goes before / after a number."""
    unit = KPI_UNITS[Kpi(kpi)]
    if unit == "%":
        return {"axis": _("Percent (%)"), "prefix": "", "suffix": "%", "max": 100}
    if unit == "h":
        return {"axis": _("Hours"), "prefix": "", "suffix": pgettext("hours after a number", " h"),
                "max": None}
    return {"axis": _("Yuan (¥)"), "prefix": "¥", "suffix": "", "max": None}


def kpi_trend(*, kpi: str, months: list[dict]) -> dict:
    """One KPI month by month against its target; a month on the wrong side of it is red."""
    last = months[-1][kpi] if months else {}
    target = float(last["target"]) if last.get("target") is not None else None
    direction = last.get("direction", Direction.WATCHED)
    values = [m[kpi]["value"] for m in months]
    return {
        "kind": "line",
        "title": str(Kpi(kpi).label),
        "points": [[m["month"], m[kpi]["value"]] for m in months],
        "series": str(Kpi(kpi).label),
        "target": target,
        "target_label": _("Target"),
        "bad": [v is not None and target is not None and direction != Direction.WATCHED
                and (v < target if direction == Direction.AT_LEAST else v > target)
                for v in values],
        "x_axis": _("Month"),
        **unit_words(kpi),
    }


def breakdown_bars(*, title: str, rows: list[tuple[str, int]]) -> dict:
    """Horizontal bars: cases opened per group (failure type, cause, store)."""
    return {
        "kind": "bars",
        "title": title,
        "points": [[label, n] for label, n in rows],
        "series": _("Cases opened"),
        "x_axis": _("Cases opened"),
        "axis": "",
        "prefix": "",
        "suffix": "",
    }
