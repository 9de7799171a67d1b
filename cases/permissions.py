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
