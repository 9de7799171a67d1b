"""Recovery-team membership as a scope: a team member sees the case even outside their own
store node, and only that case. Depends on toolkit models alone so `cases.selectors` and
`cases.permissions` can use it without an import cycle."""

from django.db.models import QuerySet

from org.models import User

from .models import TeamMember


def team_case_ids(*, user: User) -> QuerySet:
    """The ids of the cases `user` is on the recovery team of (a subquery, not a list)."""
    if not user.is_authenticated:
        return TeamMember.objects.none().values("case_id")
    return TeamMember.objects.filter(user=user).values("case_id")


def is_team_member(*, case_id: int, user: User) -> bool:
    return user.is_authenticated and TeamMember.objects.filter(case_id=case_id,
                                                               user=user).exists()
