"""Indexes the measures read through (SPEC §10). They sit on other apps' tables, so they are
plain SQL here; moving them into those models' Meta.indexes later needs only the same names."""

from django.db import migrations

INDEXES = [
    ("metrics_case_closed", "cases_case", "(closed_at)"),
    ("metrics_case_store_closed", "cases_case", "(store_id, closed_at)"),
    ("metrics_case_store_trig", "cases_case", "(store_id, triggered_at)"),
    ("metrics_sr_customer_visit", "cases_servicerecord", "(customer_id, visit_at)"),
    ("metrics_deadline_due", "escalation_deadline", "(due_at)"),
    ("metrics_escalation_fired", "escalation_escalation", "(fired_at)"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_defaults"),
        ("cases", "0003_defaults"),
        ("escalation", "0005_sweep_schedule"),
    ]
    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}",
                          f"DROP INDEX IF EXISTS {name}")
        for name, table, columns in INDEXES
    ]
