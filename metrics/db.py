"""A database function Django lacks: PostgreSQL's percentile_cont (an ordered-set aggregate, which
the ORM cannot express with its built-in aggregates), and the same percentile in Python for
SQLite (`percentile_of`)."""

from django.db import NotSupportedError
from django.db.models import Aggregate, FloatField


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
