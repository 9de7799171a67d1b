from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .selectors import Period, Report, period_build


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


def _rows(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "month"} for r in rows]


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
