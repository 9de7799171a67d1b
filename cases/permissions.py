"""Who may see, work and act on a case: one rule, used by the FSM transitions, the API, the
pages and the toolkit. Recovery-team members (seed 001 能力5) see and act on the cases they are
put on wherever their own node is; the team is the toolkit's, which tells this module who is on
it by registering a `TeamMembership` in its `AppConfig.ready()`."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from org.models import Role
from org.selectors import user_can_see_node

# The models import this module (the transitions' permissions): the case's level is compared
# by value, and its owner role read from the case.
L1 = "L1"


@dataclass(frozen=True)
class TeamMembership:
    """`case_ids(user)`: the ids of the cases the user is on the team of (a subquery);
    `is_member(case_id, user)`, `is_leader(case_id, user)`."""

    case_ids: Callable[..., QuerySet]
    is_member: Callable[..., bool]
    is_leader: Callable[..., bool]


_team: list[TeamMembership] = []


def team_membership_provide(membership: TeamMembership) -> None:
    _team[:] = [membership]


def team_case_ids(*, user) -> QuerySet | None:
    """The ids of the cases the user is on the recovery team of; None without a team."""
    return _team[0].case_ids(user=user) if _team else None


def is_team_member(case, user) -> bool:
    return bool(_team) and _team[0].is_member(case_id=case.pk, user=user)


def can_see(case, user) -> bool:
    return user_can_see_node(user=user, node=case.store) or is_team_member(case, user)


def can_work(case, user) -> bool:
    """Anyone in scope works an L1 case; from L2 up the service manager or someone more senior
    must (SPEC §3: the manager makes the first call himself, not an SA)."""
    if not can_see(case, user):
        return False
    return case.level == L1 or user.has_rank(Role.SERVICE_MANAGER)


def can_act(case, user) -> bool:
    """Those who work the case by rank, and everyone put on its team to work it (the toolkit,
    attachments, the customer's full number)."""
    return can_work(case, user) or is_team_member(case, user)


def may_make_first_contact(case, user) -> bool:
    """SPEC §3: the first call of an L2+ case is made by a service manager or above, never an SA."""
    return case.level == L1 or user.has_rank(Role.SERVICE_MANAGER)


def is_case_advisor(case, user) -> bool:
    """The SA the customer dealt with (seed 001: "当事SA"): an advisor of a store in scope who
    reported the incident, owns the case, or is the advisor the visit's repair order names."""
    if user.role != Role.ADVISOR or not can_see(case, user):
        return False
    if user.pk in (case.created_by_id, case.owner_id):
        return True
    named = case.service_record.advisor.strip() if case.service_record_id else ""
    return bool(named) and named in {user.username, user.get_full_name().strip()}


def may_record_onsite(case, user) -> bool:
    """The on-site part of a case (apology, gift handed over, photos) is recorded by those who
    act on it and by its SA at any level; the first call of an L2+ case stays the manager's."""
    return can_act(case, user) or is_case_advisor(case, user)


def sees_phone(case, user) -> bool:
    """The customer's number in full for those who work the case: its owner, its SA, its team,
    and the managers of the store's chain who may act on it. Masked for those who only read it
    (headquarters, an SA of the store who is not the case's on an L2+ case)."""
    if case.owner_id == user.pk or is_case_advisor(case, user):
        return True
    if is_team_member(case, user):
        return True
    return can_work(case, user) and user.role != Role.HQ


def can_manage_team(case, user) -> bool:
    if can_work(case, user) and user.has_rank(Role.SERVICE_MANAGER):
        return True
    return bool(_team) and _team[0].is_leader(case_id=case.pk, user=user)


def can_reopen(case, user) -> bool:
    return can_see(case, user) and user.has_rank(Role.SERVICE_MANAGER)


def can_correct(case, user) -> bool:
    """Triage is corrected by the case's owner or anyone in scope ranking at least as high as
    the role that owns the case's level."""
    if not can_see(case, user):
        return False
    return case.owner_id == user.pk or user.has_rank(case.owner_role)
