"""The monthly review as a table of rows: CSV for anyone, XLSX when openpyxl is installed."""

import csv

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from .labels import band_label, status_label, unit_label
from .models import KPI_UNITS


def review_table(context: dict) -> list[list]:
    """The review in the request's language: labels where the figures are keyed by codes
    (status, unit, cause, failure type, re-score band, outcome)."""
    rows: list[list] = [[_("Monthly recovery review"), context["month_param"],
                         context["node"].name if context["node"] else ""], []]
    rows.append([_("KPI"), _("This month"), _("Last month"), _("Target"), _("Status"),
                 _("Unit")])
    for r in context["rows"]:
        rows.append([str(r["label"]), r["value"], r["previous"], r["target"],
                     status_label(r["status"]), unit_label(KPI_UNITS[r["kpi"]])])
    rows += [[], [_("Cause"), _("Opened"), _("Closed"), _("Recovered")]]
    for r in context["by_cause"]:
        rows.append([r["label"], r["opened"], r["closed"], r["recovered"]])
    rows += [[], [_("Failure type"), _("Opened"), _("Closed"), _("Recovered")]]
    for r in context["by_failure_type"]:
        rows.append([r["label"], r["opened"], r["closed"], r["recovered"]])
    rows += [[], [_("Re-score"), _("Cases"), _("Share %"), _("Score before"),
                  _("Score after"), _("Churn %")]]
    for r in context["report"].rescore:
        rows.append([band_label(r["band"]), r["cases"], r["share"], r["score_before"],
                     r["score_after"], r["churn"]])
    for title, cases in ((_("Best recovered cases"), context["best"]),
                         (_("Failed cases"), context["failed"])):
        rows += [[], [title, _("Store"), _("Score before"), _("Score after"), _("Outcome")]]
        for c in cases:
            rows.append([c.number, c.store.name, c.score_before, c.score_after,
                         c.get_outcome_display()])
    rows += [[], [_("Action"), _("Owner"), _("Due")]]
    for a in context["actions"]:
        rows.append([a.action, a.owner.get_full_name() or a.owner.username, a.due])
    for rc in context["corrective"]:
        owner = rc.action_owner
        rows.append([rc.corrective_action, owner.get_full_name() or owner.username if owner
                     else "", rc.action_due])
    return rows


# A cell a spreadsheet would read as a formula (or, after a tab or a line break, as one):
# people type these texts (corrective actions, names), so they are written as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A value as an export writes it: empty for None, numbers as numbers, text that could run
    as a formula behind a quote (OWASP's advice against CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        value = str(value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def csv_response(rows: list[list], name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 (Chinese) correctly with a BOM
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return response


def xlsx_response(rows: list[list], name: str) -> HttpResponse:
    try:
        from openpyxl import Workbook
    except ImportError as exc:  # the dependency is optional
        raise Http404("XLSX export needs openpyxl") from exc
    book = Workbook()
    sheet = book.active
    sheet.title = name[:31]
    for row in rows:
        sheet.append([cell(v) for v in row])
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    book.save(response)
    return response
