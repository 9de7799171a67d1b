"""The SLA clock (issue 19): business time on a store's calendar, or wall time. One place decides
when a window ends and how much of it has passed; deadlines, their warnings, the countdowns, the
sweep (which reads the stored times) and the recovery probability all ask here.

Business time runs only while the store is open: its hours (`BusinessHours`, per store or the
network's default) on its open days. China's public holidays and adjusted working days (调休)
come from the `chinesecalendar` package, which knows the years the State Council has published;
for a later year it raises, and the calendar falls back to Monday–Friday (no holidays known),
so deadlines never stop, they are just not holiday-aware until the package is upgraded."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

from recovery.config_cache import config_cached

# A window never spans more than this many calendar days (a calendar with no open day at all
# would otherwise loop for ever): past it, the wall clock answers.
MAX_DAYS = 3660


class Days:
    """Which days a store opens (the choices of `BusinessHours.days`)."""

    CN_WORKDAYS = "cn_workdays"  # Mon–Fri and adjusted working days, public holidays off
    ALL_BUT_HOLIDAYS = "all_but_holidays"  # every day but public holidays
    EVERY_DAY = "every_day"


@dataclass(frozen=True)
class Hours:
    opens: time
    closes: time
    days: str = Days.CN_WORKDAYS


DEFAULT_HOURS = Hours(opens=time(8, 30), closes=time(18, 0))


# Every deadline written and every countdown shown walks days through these: the same few
# days, asked again and again (about 30 per case opened). The package's data and a store's hours
# (part of the key) only change with a new process or a new key.
@lru_cache(maxsize=8192)
def _holiday_detail(day: date) -> tuple[bool, str | None] | None:
    """(off, holiday name) from the package; None for a year it does not know."""
    try:
        return chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None


def is_open_day(day: date, days: str) -> bool:
    if days == Days.EVERY_DAY:
        return True
    detail = _holiday_detail(day)
    if days == Days.ALL_BUT_HOLIDAYS:
        # A named day off is a public holiday; a named working day is 调休 (open anyway).
        return detail is None or not (detail[0] and detail[1])
    if detail is None:
        return day.weekday() < 5
    return not detail[0]


@lru_cache(maxsize=8192)
def _open_interval(day: date, hours: Hours, tz) -> tuple[datetime, datetime] | None:
    if not is_open_day(day, hours.days) or hours.closes <= hours.opens:
        return None
    return (datetime.combine(day, hours.opens, tzinfo=tz),
            datetime.combine(day, hours.closes, tzinfo=tz))


def business_add(start: datetime, duration: timedelta, hours: Hours) -> datetime:
    """The moment `duration` of open time after `start`. Started while closed, the clock waits
    for the next opening; a window that ends exactly at closing time ends then."""
    tz = timezone.get_default_timezone()
    cursor = timezone.localtime(start, tz)
    left = duration
    for offset in range(MAX_DAYS):
        day = cursor.date() + timedelta(days=offset)
        interval = _open_interval(day, hours, tz)
        if interval is None:
            continue
        begin = max(interval[0], cursor)
        if begin >= interval[1]:
            continue
        if left <= interval[1] - begin:
            return begin + left
        left -= interval[1] - begin
    return start + duration


def business_between(start: datetime, end: datetime, hours: Hours) -> timedelta:
    """Open time from `start` to `end` (negative when `end` is earlier)."""
    if end < start:
        return -business_between(end, start, hours)
    tz = timezone.get_default_timezone()
    first, last = timezone.localtime(start, tz), timezone.localtime(end, tz)
    total = timedelta(0)
    for offset in range(min((last.date() - first.date()).days + 1, MAX_DAYS)):
        interval = _open_interval(first.date() + timedelta(days=offset), hours, tz)
        if interval is None:
            continue
        begin, finish = max(interval[0], first), min(interval[1], last)
        if finish > begin:
            total += finish - begin
    return total


def store_hours(store_id: int | None) -> Hours:
    """The store's own hours, else the network's default row, else 08:30–18:00 on China's
    working days."""
    def load() -> dict:
        from .models import BusinessHours

        return {row.store_id: Hours(opens=row.opens_at, closes=row.closes_at, days=row.days)
                for row in BusinessHours.objects.all()}

    every = config_cached("business-hours", load)
    return every.get(store_id) or every.get(None) or DEFAULT_HOURS


def sla_due(start: datetime, window: timedelta, *, store_id: int | None,
            business: bool) -> datetime:
    """When a window of an SLA that starts at `start` ends: the one function for due and warning
    times."""
    if not business:
        return start + window
    return business_add(start, window, store_hours(store_id))


def sla_elapsed(start: datetime, end: datetime, *, store_id: int | None,
                business: bool) -> timedelta:
    """How much of an SLA's clock ran from `start` to `end` (negative when `end` is earlier):
    the countdowns and the recovery probability."""
    if not business:
        return end - start
    return business_between(start, end, store_hours(store_id))


def store_open_at(moment: datetime, *, store_id: int | None) -> bool:
    """Whether a business-time clock of the store runs at `moment`."""
    hours = store_hours(store_id)
    local = timezone.localtime(moment, timezone.get_default_timezone())
    interval = _open_interval(local.date(), hours, local.tzinfo)
    return interval is not None and interval[0] <= local < interval[1]
