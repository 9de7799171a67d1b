from datetime import timedelta

import pytest
from django.utils import timezone

from cases.services import case_transition
from tests.factories import open_case


def walk(case, steps, actor, at=None):
    """Run transitions in order; returns the refreshed case."""
    at = at or timezone.now()
    for name in steps:
        params = {"outcome": "recovered"} if name == "close" else {}
        case_transition(case_id=case.pk, name=name, actor=actor, at=at, **params)
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
