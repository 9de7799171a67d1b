"""The periodic pick-up of undelivered notifications (every 30 s, django-celery-beat)."""

from django.db import migrations

TASK_NAME = "notifications: send due deliveries"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _created = IntervalSchedule.objects.get_or_create(every=30, period="seconds")
    PeriodicTask.objects.get_or_create(name=TASK_NAME, defaults={
        "task": "notifications.tasks.deliveries_pickup", "interval": every,
        "description": "Queue notification deliveries the broker lost, and retries that are due.",
    })


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
