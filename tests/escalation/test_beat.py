"""The sweep is scheduled in the database (django-celery-beat) and reachable as a Celery task."""

import pytest
from django_celery_beat.models import PeriodicTask

from escalation.models import Escalation
from escalation.tasks import sweep_task
from recovery.celery import app
from tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_beat_schedule_runs_the_sweep_every_30_seconds():
    task = PeriodicTask.objects.get(name="escalation sweep")
    assert task.enabled and task.task == "escalation.sweep"
    assert (task.interval.every, task.interval.period) == (30, "seconds")
    app.loader.import_default_modules()
    assert "escalation.sweep" in app.tasks


def test_sweep_task_fires_due_deadlines(org, clock):
    open_case(store=org.S01, score=5)
    clock.at(hours=2)
    result = sweep_task.apply().get()
    assert result["escalated"] == 1
    assert Escalation.objects.count() == 1
