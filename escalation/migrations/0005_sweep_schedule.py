"""The beat schedule of the SLA sweep (SPEC §4: every 30 s by default), stored in the database by
django-celery-beat so an administrator can change it in the admin."""

from django.db import migrations

TASK_NAME = "escalation sweep"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_30s, _created = IntervalSchedule.objects.get_or_create(every=30, period="seconds")
    PeriodicTask.objects.get_or_create(name=TASK_NAME, defaults={
        "task": "escalation.sweep",
        "interval": every_30s,
        # A sweep queued behind a stopped worker is useless once the next one is queued.
        "expire_seconds": 60,
        "description": "Fires due SLA deadlines and warnings (escalation/sweep.py).",
    })


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0004_deadline_retry"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
