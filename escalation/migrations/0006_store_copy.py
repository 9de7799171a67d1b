"""The case's store copied onto deadlines and escalations, so the measures read one store's rows
through a (store, date) index (issue 8). Existing rows are filled from their case."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """UPDATE escalation_{table} SET store_id = (
          SELECT store_id FROM cases_case WHERE cases_case.id = escalation_{table}.case_id)"""


def store_field(null: bool) -> models.ForeignKey:
    return models.ForeignKey(db_index=False, null=null,
                             on_delete=django.db.models.deletion.CASCADE, related_name="+",
                             to="org.orgnode")


class Migration(migrations.Migration):

    dependencies = [
        ("escalation", "0005_sweep_schedule"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="deadline", name="store", field=store_field(True)),
        migrations.AddField(model_name="escalation", name="store", field=store_field(True)),
        migrations.RunSQL(FILL.format(table="deadline"), migrations.RunSQL.noop),
        migrations.RunSQL(FILL.format(table="escalation"), migrations.RunSQL.noop),
        migrations.AlterField(model_name="deadline", name="store", field=store_field(False)),
        migrations.AlterField(model_name="escalation", name="store", field=store_field(False)),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(fields=["store", "due_at"], name="deadline_store_due",
                               include=["kind", "met_at", "escalated_at", "cancelled_at"]),
        ),
        migrations.AddIndex(
            model_name="escalation",
            index=models.Index(fields=["store", "fired_at"], name="escalation_store_fired",
                               include=["kind"]),
        ),
    ]
