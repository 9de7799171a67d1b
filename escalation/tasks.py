"""Celery entry points of the escalation app. Beat runs `escalation.sweep` every 30 s (the
"escalation sweep" PeriodicTask, editable in the admin)."""

from celery import shared_task

from .sweep import sweep


# No retry: the next beat tick is the retry, and a sweep never loses work by failing (every
# deadline stays due until one sweep has recorded it).
@shared_task(name="escalation.sweep", ignore_result=True)
def sweep_task() -> dict:
    return sweep().as_dict()
