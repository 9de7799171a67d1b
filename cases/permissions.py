"""Who may work a case. One rule, used by the FSM transitions, the API and the pages."""

from org.models import Role
from org.selectors import user_can_see_node


def can_see(case, user) -> bool:
    # Imported here: toolkit.models imports cases.models, which imports this module.
    from toolkit.scope import is_team_member

    return (user_can_see_node(user=user, node=case.store)
            or is_team_member(case_id=case.pk, user=user))


def can_work(case, user) -> bool:
    """Anyone in scope works an L1 case; from L2 up the service manager or someone more senior
    must (SPEC §3: the manager makes the first call himself, not an SA)."""
    if not can_see(case, user):
        return False
    return case.level == "L1" or user.has_rank(Role.SERVICE_MANAGER)


def can_reopen(case, user) -> bool:
    return can_see(case, user) and user.has_rank(Role.SERVICE_MANAGER)


def can_correct(case, user) -> bool:
    """Triage is corrected by the case's owner or anyone in scope ranking at least as high as
    the role that owns the case's level."""
    from .models import LEVEL_OWNER_ROLE, Level

    if not can_see(case, user):
        return False
    return case.owner_id == user.pk or user.has_rank(LEVEL_OWNER_ROLE[Level(case.level)])
