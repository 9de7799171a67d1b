from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import open_case, sop_walk


def walk(case, steps, actor, at=None):
    """Run transitions in order, doing the SOP's work before each; returns the refreshed case."""
    sop_walk(case, actor, steps, outcome="recovered", at=at or timezone.now())
    case.refresh_from_db()
    return case


@pytest.fixture
def l2_case(org):
    """An L2 case at S01 opened an hour ago."""
    return open_case(store=org.S01, score=5, responded_at=timezone.now() - timedelta(hours=1))


@pytest.fixture
def resolved_case(org):
    """An L2 case at S01 resolved now."""
    case = open_case(store=org.S01, score=5, responded_at=timezone.now() - timedelta(hours=3))
    return walk(case, ["contact", "propose", "start", "resolve"], org.manager1)
