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


def is_case_advisor(case: Case, user: User) -> bool:
    """The SA the customer dealt with (seed 001: "当事SA"): an advisor of a store in scope who
    reported the incident, owns the case, or is the advisor the visit's repair order names."""
    if user.role != Role.ADVISOR or not can_see(case, user):
        return False
    if user.pk in (case.created_by_id, case.owner_id):
        return True
    named = case.service_record.advisor.strip() if case.service_record_id else ""
    return bool(named) and named in {user.username, user.get_full_name().strip()}


def may_record_onsite(case: Case, user: User) -> bool:
    """The on-site part of a case (apology, gift handed over, photos) is recorded by those who
    act on it and by its SA at any level; the first call of an L2+ case stays the manager's."""
    return can_act(case, user) or is_case_advisor(case, user)


def sees_phone(case: Case, user: User) -> bool:
    """The customer's number in full for those who work the case: its owner, its SA, its team,
    and the managers of the store's chain who may act on it. Masked for those who only read it
    (headquarters, an SA of the store who is not the case's on an L2+ case)."""
    if case.owner_id == user.pk or is_case_advisor(case, user):
        return True
    if is_team_member(case_id=case.pk, user=user):
        return True
    return can_work(case, user) and user.role != Role.HQ


def can_manage_team(case: Case, user: User) -> bool:
    if can_work(case, user) and user.has_rank(Role.SERVICE_MANAGER):
        return True
    return case.team.filter(user=user, role=TeamRole.LEADER).exists()
