"""Issue 19: the SLA clock runs on the store's business hours, with China's public holidays and
adjusted working days from the `chinesecalendar` package. Table-driven arithmetic, then one
case walked through a night end to end (deadline, warning, countdown, sweep, probability)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Case
from escalation.calendar import DEFAULT_HOURS, Days, Hours, business_add, business_between
from escalation.models import BusinessHours, SlaPolicy
from escalation.sweep import sweep
from tests.conftest import api_as, client_for
from tests.factories import open_case

TZ = ZoneInfo("Asia/Shanghai")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


H = timedelta(hours=1)

# start, window, due on 08:30–18:00 China working days
ADD = [
    ("2026-03-02 09:00", 2 * H, "2026-03-02 11:00", "within one day"),
    ("2026-03-03 22:00", 2 * H, "2026-03-04 10:30", "a night: the clock starts at opening"),
    ("2026-03-02 17:00", 2 * H, "2026-03-03 09:30", "across closing time"),
    ("2026-03-02 18:00", 2 * H, "2026-03-03 10:30", "at closing time"),
    ("2026-03-02 07:00", 2 * H, "2026-03-02 10:30", "before opening"),
    ("2026-03-06 17:30", 2 * H, "2026-03-09 10:00", "a weekend"),
    ("2026-03-07 11:00", 2 * H, "2026-03-09 10:30", "on a Saturday"),
    ("2026-09-30 17:00", 2 * H, "2026-10-08 09:30", "国庆: closed 10-01 to 10-07"),
    ("2026-10-09 17:00", 2 * H, "2026-10-10 09:30", "a 调休 Saturday is a working day"),
    ("2026-10-10 17:30", 2 * H, "2026-10-12 10:00", "the Sunday after it is not"),
    ("2026-03-02 09:00", 8 * H, "2026-03-02 17:00", "the 8-hour window in one day"),
    ("2026-03-02 09:00", 24 * H, "2026-03-04 14:00", "24 open hours span days"),
    ("2026-03-02 09:00", timedelta(0), "2026-03-02 09:00", "an empty window"),
    # 2027 is past the package's years: Monday–Friday, no holidays known.
    ("2027-01-01 17:00", 2 * H, "2027-01-04 09:30", "beyond the package: weekdays only"),
]


@pytest.mark.parametrize(("start", "window", "due", "why"), ADD, ids=[row[3] for row in ADD])
def test_business_add(start, window, due, why):
    assert business_add(t(start), window, DEFAULT_HOURS) == t(due)


@pytest.mark.parametrize(("start", "window", "due", "why"), ADD, ids=[row[3] for row in ADD])
def test_business_between_is_the_inverse(start, window, due, why):
    assert business_between(t(start), t(due), DEFAULT_HOURS) == window
    assert business_between(t(due), t(start), DEFAULT_HOURS) == -window


OTHER_HOURS = [
    (Hours(time(10), time(22), Days.EVERY_DAY), "2026-03-07 21:00", "2026-03-08 11:00"),
    (Hours(time(8, 30), time(18), Days.ALL_BUT_HOLIDAYS), "2026-03-06 17:30",
     "2026-03-07 10:00"),
    (Hours(time(8, 30), time(18), Days.ALL_BUT_HOLIDAYS), "2026-09-30 17:00",
     "2026-10-08 09:30"),
]


@pytest.mark.parametrize(("hours", "start", "due"), OTHER_HOURS)
def test_a_store_open_every_day_or_all_but_holidays(hours, start, due):
    assert business_add(t(start), 2 * H, hours) == t(due)


def test_policies_count_business_time_for_the_in_store_work_and_wall_time_for_the_rest(db):
    clocks = dict(SlaPolicy.objects.values_list("kind", "clock"))
    assert {k for k, c in clocks.items() if c == "business"} == {"contact", "plan", "execution"}


def test_a_score_at_22_00_is_due_2_hours_after_opening_on_every_clock(org):
    """The issue's night: no breach at midnight; the warning at 75 % and the escalation at
    10:30 next morning; the countdown and the probability stand still overnight."""
    with time_machine.travel(t("2026-03-03 22:00"), tick=False) as clock:
        case = open_case(store=org.S01, score=5)
        contact = case.deadlines.get(kind="contact")
        assert contact.due_at == t("2026-03-04 10:30")
        assert contact.warn_at == t("2026-03-04 10:00")  # 75 % of 2 open hours
        assert case.deadlines.get(kind="resolution").due_at == t("2026-03-04 22:00")  # wall
        clock.move_to(t("2026-03-04 00:30"))
        assert (sweep().escalated, sweep().warned) == (0, 0)
        body = api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/").json()
        row = next(d for d in body["deadlines"] if d["kind"] == "contact")
        assert (row["status"], row["remaining_seconds"]) == ("waiting", 2 * 3600)
        page = client_for(org.manager1).get(f"/cases/{case.pk}/").content.decode()
        assert 'data-left="7200" data-clock="business" data-running="0"' in page
        assert "85%" in page  # nothing of the contact window has run yet
        clock.move_to(t("2026-03-04 10:01"))
        assert sweep().warned == 1
        clock.move_to(t("2026-03-04 10:31"))
        assert sweep().escalated == 1
        assert Case.objects.get(pk=case.pk).escalations.get().kind == "contact"


def test_a_store_with_its_own_hours(org):
    BusinessHours.objects.create(store=org.S01, opens_at=time(10), closes_at=time(22),
                                 days=Days.EVERY_DAY)
    with time_machine.travel(t("2026-03-07 21:00"), tick=False):  # a Saturday
        s01 = open_case(store=org.S01, score=5)
        s02 = open_case(store=org.S02, score=5)
    assert s01.deadlines.get(kind="contact").due_at == t("2026-03-08 11:00")
    assert s02.deadlines.get(kind="contact").due_at == t("2026-03-09 10:30")


def test_a_wall_clock_policy_runs_through_the_night(org):
    SlaPolicy.objects.filter(kind="contact").update(clock="wall")
    from recovery.config_cache import config_cache_clear

    config_cache_clear()
    with time_machine.travel(t("2026-03-03 22:00"), tick=False):
        case = open_case(store=org.S01, score=5)
    assert case.deadlines.get(kind="contact").due_at == t("2026-03-04 00:00")
