from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "escalation"
    verbose_name = _("Escalation")

    def ready(self):
        from cases.events import case_events
        from cases.pages import case_sections
        from cases.selectors import (
            FOLLOWUP_DUE,
            OVERDUE,
            case_expression_provide,
            case_next_deadline_provide,
        )
        from cases.serializers import DEADLINES, ESCALATIONS, case_field_provide
        from recovery.config_cache import config_cache_watch

        from .deadlines import case_deadline_next, followup_due_exists, overdue_exists
        from .handlers import case_events_clock
        from .models import BusinessHours, SlaPolicy
        from .serializers import deadlines_field, escalations_field
        from .views import case_sections as deadline_sections
        config_cache_watch(SlaPolicy, BusinessHours)
        case_events.register(case_events_clock)
        case_sections.register(deadline_sections)
        case_expression_provide(OVERDUE, overdue_exists)
        case_expression_provide(FOLLOWUP_DUE, followup_due_exists)
        case_next_deadline_provide(case_deadline_next)
        case_field_provide(DEADLINES, deadlines_field)
        case_field_provide(ESCALATIONS, escalations_field)
