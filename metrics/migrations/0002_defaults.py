"""Default KPI targets (seed 000 §5.1) and probability bands (seed 001)."""

from datetime import timedelta
from decimal import Decimal

from django.db import migrations

TARGETS = [
    ("success_rate", "at_least", Decimal("80")),
    ("response_mean", "at_most", Decimal("2")),
    ("response_p90", "at_most", Decimal("2")),
    ("retention_rate", "at_least", Decimal("70")),
    ("nps_conversion", "at_least", Decimal("30")),
    ("cost_per_recovery", "watched", None),
]
BANDS = [(timedelta(hours=2), 85, False), (timedelta(hours=24), 60, False),
         (timedelta(hours=48), 30, False), (None, 10, True)]


def load(apps, schema_editor):
    KpiTarget = apps.get_model("metrics", "KpiTarget")
    ProbabilityBand = apps.get_model("metrics", "ProbabilityBand")
    for kpi, direction, target in TARGETS:
        KpiTarget.objects.get_or_create(kpi=kpi, defaults={"direction": direction,
                                                           "target": target})
    for within, percent, below in BANDS:
        ProbabilityBand.objects.get_or_create(within=within, defaults={"percent": percent,
                                                                       "below": below})


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_targets")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
