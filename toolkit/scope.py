"""Recovery-team membership as a scope: a team member sees the case even outside their own
store node, and only that case. `cases.permissions` asks these (registered in
`ToolkitConfig.ready`)."""

from django.db.models import QuerySet

from org.models import User

from .models import TeamMember, TeamRole


def team_case_ids(*, user: User) -> QuerySet:
    """The ids of the cases `user` is on the recovery team of (a subquery, not a list)."""
    if not user.is_authenticated:
        return TeamMember.objects.none().values("case_id")
    return TeamMember.objects.filter(user=user).values("case_id")


def is_team_member(*, case_id: int, user: User) -> bool:
    return user.is_authenticated and TeamMember.objects.filter(case_id=case_id,
                                                               user=user).exists()


def is_team_leader(*, case_id: int, user: User) -> bool:
    return TeamMember.objects.filter(case_id=case_id, user=user, role=TeamRole.LEADER).exists()
