from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrics"
    verbose_name = _("Measures")

    def ready(self):
        from org.models import OrgNode

        from .signals import node_path_remember, tallies_rebuild_if_moved

        pre_save.connect(node_path_remember, sender=OrgNode, dispatch_uid="metrics-node-path")
        post_save.connect(tallies_rebuild_if_moved, sender=OrgNode,
                          dispatch_uid="metrics-node-moved")
