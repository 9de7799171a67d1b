"""Celery entry points of the measures. Beat folds the tally changes every 10 s (the "measures:
fold tallies" PeriodicTask, editable in the admin); a store moved in the tree rebuilds them."""

from celery import shared_task

from .tallies import tallies_fold, tallies_rebuild


# No retry: the next beat tick folds what this one left.
@shared_task(name="metrics.tallies_fold", ignore_result=True)
def tallies_fold_task() -> int:
    return tallies_fold()


@shared_task(name="metrics.tallies_rebuild", ignore_result=True)
def tallies_rebuild_task() -> int:
    return tallies_rebuild()
