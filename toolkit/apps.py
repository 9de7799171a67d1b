from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolkitConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "toolkit"
    verbose_name = _("Recovery toolkit")

    def ready(self):
        from cases.guards import FIRST_CONTACT, SATISFACTION, fact_provide
        from cases.pages import case_sections
        from cases.permissions import TeamMembership, team_membership_provide
        from cases.privacy import personal_data

        from .privacy import ToolkitData
        from .scope import is_team_leader, is_team_member, team_case_ids
        from .selectors import first_contact_logged, satisfaction_confirmed
        from .views import case_sections as toolkit_sections

        # The contact log is this app's: it tells the case's SOP guards what was done.
        fact_provide(FIRST_CONTACT, first_contact_logged)
        fact_provide(SATISFACTION, satisfaction_confirmed)
        team_membership_provide(TeamMembership(case_ids=team_case_ids, is_member=is_team_member,
                                               is_leader=is_team_leader))
        case_sections.register(toolkit_sections)
        personal_data.register(ToolkitData)
