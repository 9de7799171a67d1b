"""Pages of the measures: dashboard, drill-down list, monthly review and its exports. Thin:
figures come from selectors, writes from services."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .charts import breakdown_bars, kpi_trend
from .exports import csv_response, review_table, xlsx_response
from .forms import MetricsFilterForm, ReviewActionForm, month_parse
from .labels import drill_title, labelled_breakdowns, status_label
from .models import Kpi
from .review import (
    corrective_actions,
    drill_cases,
    open_cases_waiting,
    review_actions,
    review_cases,
)
from .selectors import (
    Period,
    metrics_cases,
    metrics_node,
    metrics_report,
    metrics_sources,
    period_build,
)


def _filters(request):
    """(form, node, period) from the query string; raises ValidationError / PermissionDenied."""
    form = MetricsFilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        raise ValidationError(form.errors.get_json_data())
    data = form.cleaned_data if request.GET else {}
    node = data.get("node")
    node = metrics_node(user=request.user, code=node.code) if node else None
    return form, node, period_build(start=data.get("from"), end=data.get("to"))


def _bad(request, exc: ValidationError):
    return HttpResponseBadRequest(render(request, "metrics/error.html", {"errors": exc}).content)


def _charts(months: list[dict]) -> list[dict]:
    return [{"kpi": kpi, "label": kpi.label, "chart": kpi_trend(kpi=kpi, months=months)}
            for kpi in Kpi]


@login_required
def dashboard(request):
    try:
        form, node, period = _filters(request)
    except ValidationError as exc:
        return _bad(request, exc)
    cases = metrics_cases(user=request.user, node=node)
    sources = metrics_sources(user=request.user, node=node)
    report = metrics_report(sources=sources, period=period, node=node)
    first = (period.end.replace(day=1) - timedelta(days=335)).replace(day=1)
    trend = metrics_report(sources=sources, period=Period(first, period.end), details=False)
    last, before = (trend.months[-1], trend.months[-2]) if len(trend.months) > 1 else ({}, {})
    cards = [{"kpi": k, "label": k.label, **v, "this_month": last.get(k, {}).get("value"),
              "last_month": before.get(k, {}).get("value")} for k, v in report.kpis.items()]
    breakdowns = labelled_breakdowns(report)
    return render(request, "metrics/dashboard.html", {
        "form": form, "report": report, "cards": cards, "charts": _charts(trend.months),
        "query": _query(period, node), "waiting": open_cases_waiting(cases=cases),
        **breakdowns,
        "type_bars": breakdown_bars(title=_("Cases opened by failure type"), rows=[
            (r["label"], r["opened"]) for r in breakdowns["by_failure_type"] if r["opened"]]),
    })


def _query(period: Period, node) -> str:
    return f"from={period.start}&to={period.end}" + (f"&node={node.code}" if node else "")


@login_required
def kpi_cases(request):
    try:
        form, node, period = _filters(request)
        cases = drill_cases(cases=metrics_cases(user=request.user, node=node), period=period,
                            kpi=request.GET.get("kpi", ""), key=request.GET.get("key", ""))
    except ValidationError as exc:
        return _bad(request, exc)
    return render(request, "metrics/cases.html", {
        "cases": cases[:500], "shown": cases.count(), "period": period, "node": node,
        "title": drill_title(request.GET.get("kpi", ""), request.GET.get("key", "")),
        "query": _query(period, node)})


def _review_context(request):
    month = month_parse(request.GET.get("month"))
    if month is None:
        raise ValidationError({"month": [_("Give the month as YYYY-MM.")]})
    node = metrics_node(user=request.user, code=request.GET.get("node"))
    node = node or request.user.node
    scope = node if request.GET.get("node") else None
    cases = metrics_cases(user=request.user, node=scope)
    sources = metrics_sources(user=request.user, node=scope)
    this = Period.month_of(month)
    previous = Period.month_of(month - timedelta(days=1))
    both = metrics_report(sources=sources, period=Period(previous.start, this.end), node=node,
                          details=False)
    report = metrics_report(sources=sources, period=this, node=node)
    best, failed = review_cases(cases=cases, period=this)
    rows = []
    for kpi, figure in report.kpis.items():
        rows.append({"kpi": kpi, "label": kpi.label, **figure,
                     "status_label": status_label(figure["status"]),
                     "previous": both.months[0][kpi]["value"]})
    return {
        "month": month, "node": node, "report": report, "rows": rows, "best": best,
        **labelled_breakdowns(report),
        "failed": failed, "actions": review_actions(node=node, month=month),
        "corrective": corrective_actions(cases=cases, period=this),
        "query": _query(this, node if request.GET.get("node") else None),
        "month_param": f"{month:%Y-%m}", "previous_month": f"{previous.start:%Y-%m}",
        "next_month": f"{this.end + timedelta(days=1):%Y-%m}",
    }


@login_required
def review(request):
    try:
        context = _review_context(request)
    except ValidationError as exc:
        return _bad(request, exc)
    node = context["node"]
    form = None
    if node is not None and request.user.has_rank("service_manager"):
        form = ReviewActionForm(request.POST or None, node=node)
    if request.method == "POST" and form is not None and form.is_valid():
        from .services import review_action_add

        try:
            review_action_add(actor=request.user, node=node, month=context["month"],
                              **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Action recorded."))
            return redirect(request.get_full_path())
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        table = review_table(context)
        name = f"review-{context['month_param']}-{node.code if node else 'all'}"
        return csv_response(table, name) if fmt == "csv" else xlsx_response(table, name)
    return render(request, "metrics/review.html", {**context, "form": form,
                                                   "now": timezone.now()})
