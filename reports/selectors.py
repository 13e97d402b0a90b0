"""Reads of the reports: one report for a period, with the previous period's totals."""

from __future__ import annotations

from panel1.exceptions import NotFound
from reports.figures import REPORTS, Report
from reports.params import ReportParams


def report_get(name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        raise NotFound({"detail": f"No report named {name!r}."})
    return report


def report_run(*, name: str, params: ReportParams) -> dict:
    """`{name, start, end, previous, rows, totals}` for the period and its filters.

    `previous` carries the same totals for the period of equal length just before, with its
    own `start` and `end`. The number of queries does not depend on the amount of data.
    """
    report = report_get(name)
    rows, totals = report.compute(params)
    before = params.previous()
    _, previous = report.compute(before, with_rows=False)
    return {
        "name": report.name,
        "start": params.start,
        "end": params.end,
        "previous": {"start": before.start, "end": before.end, **previous},
        "rows": rows,
        "totals": totals,
    }
