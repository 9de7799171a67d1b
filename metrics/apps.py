from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrics"
    verbose_name = _("Measures")

    def ready(self):
        from cases.events import case_events, service_records_saved
        from escalation.events import deadlines_settled
        from org.signals import node_moved

        from .handlers import case_events_count, deadlines_count, service_records_count
        from .signals import tallies_rebuild_after_move

        node_moved.connect(tallies_rebuild_after_move, dispatch_uid="metrics-node-moved")
        case_events.register(case_events_count)
        service_records_saved.register(service_records_count)
        deadlines_settled.register(deadlines_count)
