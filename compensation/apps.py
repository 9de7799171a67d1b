from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compensation"
    verbose_name = _("Compensation")

    def ready(self):
        from cases.pages import APPROVALS, badge_provide, case_sections
        from cases.privacy import personal_data

        from .privacy import CompensationData
        from .selectors import pending_approvals_badge
        from .views import case_sections as compensation_sections

        case_sections.register(compensation_sections)
        badge_provide(APPROVALS, pending_approvals_badge)
        personal_data.register(CompensationData)
