"""Issue 19: the response-time KPIs count on the first-contact SLA policy's clock, as its
deadline, the sweep and the countdowns do: business time on the store's calendar, or wall time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from escalation.models import SlaPolicy
from metrics.facts import case_facts_rebuild
from metrics.tallies import tallies_rebuild
from tests.conftest import api_as, client_for
from tests.factories import open_case, sop_contact

TZ = ZoneInfo("Asia/Shanghai")
FRIDAY_NIGHT = datetime(2026, 3, 6, 22, 0, tzinfo=TZ)
MONDAY_MORNING = datetime(2026, 3, 9, 9, 0, tzinfo=TZ)  # S01 opens at 08:30
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def contact_policy(clock: str) -> None:
    policy = SlaPolicy.objects.get(kind="contact")
    policy.clock = clock
    policy.save()


def case_over_the_weekend(org):
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        case = open_case(store=org.S01, score=3)
    sop_contact(case, org.director1, at=MONDAY_MORNING)
    return case


def response(user) -> tuple[dict, dict]:
    with time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=TZ), tick=False):
        kpis = api_as(user).get("/api/v1/metrics/", MARCH).json()["kpis"]
    return kpis["response_mean"], kpis["response_p90"]


@pytest.mark.parametrize(("clock", "seconds", "shown"), [
    ("business", 30 * 60, "0.5 h"),  # Friday 22:00 → Monday 08:30 closed, then 30 min
    ("wall", 59 * 3600, "59.0 h"),
])
def test_a_weekend_counts_on_the_contact_policys_clock(org, clock, seconds, shown):
    contact_policy(clock)
    case_over_the_weekend(org)
    mean, p90 = response(org.manager1)
    assert (mean["seconds"], p90["seconds"]) == (pytest.approx(seconds), pytest.approx(seconds))
    assert (mean["contacted"], mean["value"]) == (1, round(seconds / 3600, 2))
    with time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=TZ), tick=False):
        page = client_for(org.manager1).get("/metrics/", {**MARCH, "lang": "en"})
    assert page.content.decode().count(f"<b>{shown}</b>") == 2  # the mean and the p90 cards
    # A rebuild from the source tables counts on the same clock, for the store and the network.
    case_facts_rebuild()
    tallies_rebuild()
    assert response(org.manager1)[0]["seconds"] == pytest.approx(seconds)
    assert response(org.hq1)[0]["seconds"] == pytest.approx(seconds)
