"""What the case API shows of the SLA clock (SPEC §11): deadlines, escalations, `overdue`."""

import pytest

from escalation.sweep import sweep
from tests.conftest import api_as
from tests.factories import open_case, sop_contact

pytestmark = pytest.mark.django_db


def listed_ids(user, query: str) -> set[int]:
    r = api_as(user).get(f"/api/v1/cases/{query}")
    assert r.status_code == 200, r.content
    return {row["id"] for row in r.json()["results"]}


def test_case_detail_shows_escalations_and_each_deadline_due_met_remaining(org, clock):
    case = open_case(store=org.S01, score=5)
    clock.at(hours=1)
    sop_contact(case, org.manager1)
    clock.at(hours=4, minutes=30)
    sweep()
    body = api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/").json()
    deadlines = {d["kind"]: d for d in body["deadlines"]}
    assert deadlines["contact"]["status"] == "met"
    assert deadlines["contact"]["remaining_seconds"] is None
    assert deadlines["plan"]["status"] == "overdue"
    assert deadlines["plan"]["remaining_seconds"] == -30 * 60
    assert deadlines["plan"]["escalated_at"] is not None
    assert deadlines["execution"]["status"] == "waiting"
    assert deadlines["execution"]["remaining_seconds"] == 3 * 3600 + 30 * 60
    [escalation] = body["escalations"]
    assert escalation["kind"] == "plan" and escalation["target"] == "area_director"
    assert escalation["target_node"] == "A1"
    assert (escalation["from_level"], escalation["to_level"]) == ("L2", "L4")
    assert body["level"] == "L4"
    assert [e["kind"] for e in body["timeline"]].count("escalated") == 1


def test_overdue_filter_lists_cases_with_a_missed_deadline_until_it_is_met(org, clock):
    late = open_case(store=org.S01, score=5)
    clock.at(hours=1, minutes=30)
    on_time = open_case(store=org.S01, score=5)
    clock.at(hours=2, minutes=30)
    assert listed_ids(org.manager1, "?overdue=true") == {late.pk}
    assert listed_ids(org.manager1, "?overdue=false") == {on_time.pk}
    sweep()  # escalated, still not contacted: still overdue
    assert listed_ids(org.manager1, "?overdue=true") == {late.pk}
    sop_contact(late, org.manager1)
    assert listed_ids(org.manager1, "?overdue=true") == set()
    assert listed_ids(org.manager2, "?overdue=true") == set()
