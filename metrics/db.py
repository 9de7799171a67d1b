"""Database functions Django lacks: seconds between two datetimes and percentile_cont.
PostgreSQL computes both; SQLite gets the seconds and a Python percentile (see `percentile`)."""

from django.db import NotSupportedError
from django.db.models import Aggregate, FloatField, Func


class SecondsBetween(Func):
    """`end − start` in seconds (float); NULL when either is NULL."""

    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"SecondsBetween is not implemented for {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, arg_joiner=" - ",
                              template="EXTRACT(EPOCH FROM (%(expressions)s))", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, arg_joiner=") - julianday(",
                              template="((julianday(%(expressions)s)) * 86400.0)", **extra)


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate: the continuous percentile of the non-NULL values."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must lie in [0, 1]")
        super().__init__(expression, fraction=repr(fraction), **extra)

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor != "postgresql":
            raise NotSupportedError("percentile_cont needs PostgreSQL")
        return super().as_sql(compiler, connection, **extra)


def percentile_of(values: list[float], fraction: float) -> float | None:
    """The same linear interpolation as percentile_cont, for the SQLite fallback."""
    data = sorted(v for v in values if v is not None)
    if not data:
        return None
    position = fraction * (len(data) - 1)
    low = int(position)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (position - low)
