"""A store moved in the organisation tree changes which nodes' tallies hold its cases: the
tallies are rebuilt by the worker once the move commits."""

from django.db import transaction

from org.models import OrgNode

from .tallies import tallies_enabled


def node_path_remember(sender, instance: OrgNode, **kwargs) -> None:
    instance._stored_path = (OrgNode.objects.filter(pk=instance.pk)
                             .values_list("path", flat=True).first() if instance.pk else None)


def tallies_rebuild_if_moved(sender, instance: OrgNode, created: bool, **kwargs) -> None:
    stored = getattr(instance, "_stored_path", None)
    if created or stored in (None, instance.path) or not tallies_enabled():
        return
    from .tasks import tallies_rebuild_task

    transaction.on_commit(tallies_rebuild_task.delay, robust=True)
