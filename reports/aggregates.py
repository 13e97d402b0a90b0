"""PostgreSQL ordered-set aggregates for the reports (median and 90th percentile)."""

from django.db.models import Aggregate, FloatField


class Percentile(Aggregate):
    """`percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`; null without rows."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be within 0..1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def median(expression, **extra) -> Percentile:
    return Percentile(expression, 0.5, **extra)


def p90(expression, **extra) -> Percentile:
    return Percentile(expression, 0.9, **extra)
