"""Thin Celery tasks: the beat schedule (migration 0003) runs the approval sweep every 30 s."""

from celery import shared_task
from django.db import OperationalError

from .sweep import approvals_sweep


@shared_task(name="compensation.approvals_sweep", autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=3)
def approvals_sweep_task() -> int:
    return approvals_sweep()
