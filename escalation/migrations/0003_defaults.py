"""SLA windows of SPEC §4."""

from datetime import timedelta
from decimal import Decimal

from django.db import migrations

POLICIES = [
    # kind, window, counted from, on breach notify
    ("assembly", timedelta(minutes=15), "received", "admins"),
    ("contact", timedelta(hours=2), "triggered", "regional_director"),
    ("plan", timedelta(hours=4), "triggered", "area_director"),
    ("execution", timedelta(hours=8), "triggered", "owner_superior"),
    ("resolution", timedelta(hours=24), "triggered", "hq"),
    ("followup_3d", timedelta(days=3), "resolved", "owner"),
    ("followup_7d", timedelta(days=7), "resolved", "owner"),
    ("followup_30d", timedelta(days=30), "resolved", "owner"),
]


def load(apps, schema_editor):
    SlaPolicy = apps.get_model("escalation", "SlaPolicy")
    for position, (kind, window, anchor, target) in enumerate(POLICIES, start=1):
        SlaPolicy.objects.get_or_create(kind=kind, defaults={
            "window": window, "anchor": anchor, "target": target,
            "warn_ratio": Decimal("0.75"), "position": position,
        })


class Migration(migrations.Migration):
    dependencies = [("escalation", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
