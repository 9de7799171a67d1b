from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

# A Monday morning in the product's default zone; every test starts its clock here.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Clock:
    """Frozen time that the test moves by hand (`clock.at(hours=2)` is T0 + 2 h)."""

    def __init__(self, traveller):
        self._traveller = traveller

    def at(self, **delta) -> datetime:
        moment = T0 + timedelta(**delta)
        self._traveller.move_to(moment)
        return moment

    def to(self, moment: datetime) -> datetime:
        self._traveller.move_to(moment)
        return moment


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield Clock(traveller)
