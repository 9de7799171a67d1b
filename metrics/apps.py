from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrics"
    verbose_name = _("Measures")

    def ready(self):
        from org.signals import node_moved

        from .signals import tallies_rebuild_after_move

        node_moved.connect(tallies_rebuild_after_move, dispatch_uid="metrics-node-moved")
