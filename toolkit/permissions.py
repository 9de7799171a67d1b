"""Who may use the toolkit on a case. The store scope and the L2+ rule come from
`cases.permissions`; recovery-team members are admitted on top (seed 001 能力5)."""

from cases.models import Case, Level
from cases.permissions import can_see, can_work
from org.models import Role, User

from .models import TeamRole
from .scope import is_team_member


def can_view(case: Case, user: User) -> bool:
    return can_see(case, user) or is_team_member(case_id=case.pk, user=user)


def can_act(case: Case, user: User) -> bool:
    """Those who work the case by rank, and everyone put on its team to work it."""
    return can_work(case, user) or is_team_member(case_id=case.pk, user=user)


def may_make_first_contact(case: Case, user: User) -> bool:
    """SPEC §3: the first call of an L2+ case is made by a service manager or above, never an SA."""
    return case.level == Level.L1 or user.has_rank(Role.SERVICE_MANAGER)


def can_manage_team(case: Case, user: User) -> bool:
    if can_work(case, user) and user.has_rank(Role.SERVICE_MANAGER):
        return True
    return case.team.filter(user=user, role=TeamRole.LEADER).exists()
