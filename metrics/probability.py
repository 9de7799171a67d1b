"""Seed 001: the chance of winning a customer back falls with the time to the first contact
(within 2 h 85 %, 24 h 60 %, 48 h 30 %, later under 10 %). A pure function over the bands; the
bands are data (`ProbabilityBand`, editable in the admin)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from escalation.calendar import sla_due, sla_elapsed
from escalation.deadlines import policy_clock_business
from escalation.models import DeadlineKind


@dataclass(frozen=True)
class Band:
    within: timedelta | None  # None: any later
    percent: int
    below: bool = False

    @property
    def label(self) -> str:
        return f"{'<' if self.below else ''}{self.percent}%"


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(timedelta(hours=2), 85), Band(timedelta(hours=24), 60), Band(timedelta(hours=48), 30),
    Band(None, 10, below=True),
)


@dataclass(frozen=True)
class Probability:
    band: Band
    elapsed: timedelta
    contacted: bool
    next_band: Band | None  # what it falls to next, while nobody has called yet
    next_at: datetime | None  # when it falls

    @property
    def percent(self) -> int:
        return self.band.percent

    @property
    def label(self) -> str:
        return self.band.label


@dataclass(frozen=True)
class SlaClock:
    """How time is counted: `elapsed(start, end)` and `due(start, window)`."""

    elapsed: Callable[[datetime, datetime], timedelta]
    due: Callable[[datetime, timedelta], datetime]


WALL_CLOCK = SlaClock(elapsed=lambda start, end: end - start,
                      due=lambda start, window: start + window)


def contact_clock(*, store_id: int | None) -> SlaClock:
    """The first-contact SLA's clock at a store (seed 001 counts from the trigger to the first
    call), the clock the response-time KPIs count on too."""
    business = policy_clock_business(DeadlineKind.CONTACT)
    return SlaClock(
        elapsed=lambda start, end: sla_elapsed(start, end, store_id=store_id, business=business),
        due=lambda start, window: sla_due(start, window, store_id=store_id, business=business))


def _ordered(bands: Sequence[Band]) -> list[Band]:
    return sorted(bands, key=lambda b: (b.within is None, b.within or timedelta(0)))


def success_probability(*, contacted_at: datetime | None, triggered_at: datetime,
                        now: datetime, bands: Sequence[Band] = DEFAULT_BANDS,
                        clock: SlaClock | None = None) -> Probability:
    """The band the response time falls in: the time to the first contact when there was one,
    else the time waited so far (and when the chance drops next, which is what delay costs).
    `clock` counts that time as the contact deadline does (business hours of the store, or wall
    time, the default)."""
    clock = clock or WALL_CLOCK
    ordered = _ordered(bands) or list(DEFAULT_BANDS)
    end = contacted_at or now
    elapsed = max(clock.elapsed(triggered_at, end), timedelta(0))
    index = next((i for i, b in enumerate(ordered) if b.within is None or elapsed <= b.within),
                 len(ordered) - 1)
    band = ordered[index]
    next_band = next_at = None
    if contacted_at is None and band.within is not None and index + 1 < len(ordered):
        next_band, next_at = ordered[index + 1], clock.due(triggered_at, band.within)
    return Probability(band=band, elapsed=elapsed, contacted=contacted_at is not None,
                       next_band=next_band, next_at=next_at)
