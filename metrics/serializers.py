from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from escalation.models import DeadlineKind
from org.models import NodeKind

from .models import Direction, KpiStatus
from .selectors import RESCORE_BANDS, Period, Report, period_build


class MetricsQueryIn(serializers.Serializer):
    """`from` and `to` are ISO dates (default: the last 30 days), `node` an org node code."""

    to = serializers.DateField(required=False)
    node = serializers.CharField(required=False, allow_blank=True, max_length=32)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        return fields

    def validate(self, attrs):
        try:
            attrs["period"] = period_build(start=attrs.get("from"), end=attrs.get("to"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


def period_out(period: Period) -> dict:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


def report_out(report: Report) -> dict:
    """The JSON body of GET /api/v1/metrics/ (plain data: figures and the counts behind them)."""
    node = report.node
    return {
        "period": period_out(report.period),
        "node": {"code": node.code, "name": node.name, "kind": node.kind} if node else None,
        "kpis": {str(k): v for k, v in report.kpis.items()},
        "sla": report.sla,
        "escalations": report.escalations,
        "by_failure_type": report.by_failure_type,
        "by_cause": report.by_cause,
        "by_store": report.by_store,
        "rescore": report.rescore,
        "months": [{"month": m["month"], "kpis": {str(k): v for k, v in m.items()
                                                  if k != "month"}} for m in report.months],
    }


# ---------------------------------------------------------------- the response, for the schema


class MetricsPeriodOut(serializers.Serializer):
    to = serializers.DateField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class MetricsNodeOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=NodeKind.choices)


class MetricsKpiOut(serializers.Serializer):
    """One figure (percent, hours or yuan: `unit`), its target and the counts behind it."""

    value = serializers.FloatField(allow_null=True)
    unit = serializers.CharField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    target = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=KpiStatus.choices)


class MetricsSuccessOut(MetricsKpiOut):
    recovered = serializers.IntegerField()
    closed = serializers.IntegerField()


class MetricsResponseOut(MetricsKpiOut):
    seconds = serializers.FloatField(allow_null=True)
    contacted = serializers.IntegerField()
    opened = serializers.IntegerField()


class MetricsRetentionOut(MetricsKpiOut):
    retained = serializers.IntegerField()
    closed = serializers.IntegerField()


class MetricsNpsOut(MetricsKpiOut):
    promoters = serializers.IntegerField()
    closed = serializers.IntegerField()


class MetricsCostOut(MetricsKpiOut):
    total = serializers.FloatField(help_text="Issued compensation of the closed cases, yuan.")
    closed = serializers.IntegerField()


class MetricsKpisOut(serializers.Serializer):
    success_rate = MetricsSuccessOut()
    response_mean = MetricsResponseOut()
    response_p90 = MetricsResponseOut()
    retention_rate = MetricsRetentionOut()
    nps_conversion = MetricsNpsOut()
    cost_per_recovery = MetricsCostOut()


class MetricsSlaOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    label = serializers.CharField()
    total = serializers.IntegerField()
    on_time = serializers.IntegerField()
    missed = serializers.IntegerField()
    compliance = serializers.FloatField(allow_null=True)


class MetricsEscalationOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class MetricsBreakdownOut(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    opened = serializers.IntegerField()
    closed = serializers.IntegerField()
    recovered = serializers.IntegerField()


class MetricsLabelledBreakdownOut(MetricsBreakdownOut):
    label = serializers.CharField(allow_null=True)


class MetricsRescoreOut(serializers.Serializer):
    band = serializers.ChoiceField(choices=RESCORE_BANDS)
    cases = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    score_before = serializers.FloatField(allow_null=True)
    score_after = serializers.FloatField(allow_null=True)
    churn = serializers.FloatField(allow_null=True)


class MetricsMonthOut(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    kpis = MetricsKpisOut()


class MetricsOut(serializers.Serializer):
    """GET /api/v1/metrics/: the figures of SPEC §10 and the counts behind them."""

    period = MetricsPeriodOut()
    node = MetricsNodeOut(allow_null=True)
    kpis = MetricsKpisOut()
    sla = MetricsSlaOut(many=True)
    escalations = MetricsEscalationOut(many=True)
    by_failure_type = MetricsLabelledBreakdownOut(many=True)
    by_cause = MetricsBreakdownOut(many=True)
    by_store = MetricsLabelledBreakdownOut(many=True)
    rescore = MetricsRescoreOut(many=True)
    months = MetricsMonthOut(many=True)
