"""A store moved in the organisation tree changes which nodes' tallies hold its cases: the
tallies are rebuilt by the worker once the move commits."""

from django.db import transaction

from .tallies import tallies_enabled


def tallies_rebuild_after_move(sender, **kwargs) -> None:
    if not tallies_enabled():
        return
    from .tasks import tallies_rebuild_task

    transaction.on_commit(tallies_rebuild_task.delay, robust=True)
