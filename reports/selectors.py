"""Reads of the reports: one report for a period, with the previous period's totals."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from panel1.exceptions import NotFound
from reports.figures import REPORTS, Report
from reports.models import RollupState
from reports.params import ReportParams

DEFAULT_CACHE_SECONDS = 600


def report_get(name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        raise NotFound({"detail": _("No report named %(name)s.") % {"name": repr(name)}})
    return report


def report_run(*, name: str, params: ReportParams) -> dict:
    """`{name, start, end, previous, rows, totals}` for the period and its filters.

    `previous` carries the same totals for the period of equal length just before, with its
    own `start` and `end`. The number of queries does not depend on the amount of data.
    Answers are cached (REPORTS_CACHE_SECONDS) until the analytics job's next run.
    """
    report = report_get(name)
    seconds = getattr(settings, "REPORTS_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)
    if seconds <= 0:
        return _compute(report, params)
    # Figures change only when the analytics job runs: its last run is part of the key, so a
    # run makes every earlier answer unreachable (they expire). The cache key function puts
    # the tenant's schema in front of every key.
    key = _cache_key(report.name, params)
    found = cache.get(key)
    if found is None:
        found = _compute(report, params)
        cache.set(key, found, seconds)
    return found


def _cache_key(name: str, params: ReportParams) -> str:
    stamp = RollupState.objects.filter(pk=1).values_list("last_run_at", flat=True).first()
    parts = (
        name, params.start, params.end, params.zone.key, params.categories, params.agents,
        params.priorities, params.channels, params.tags, params.interval, params.own_only, stamp,
        translation.get_language(),  # rows carry translated labels ("Uncategorized")
    )  # fmt: skip
    return "reports:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _compute(report: Report, params: ReportParams) -> dict:
    rows, totals = report.compute(params)
    before = params.previous()
    _unused, previous = report.compute(before, with_rows=False)
    return {
        "name": report.name,
        "start": params.start,
        "end": params.end,
        "previous": {"start": before.start, "end": before.end, **previous},
        "rows": rows,
        "totals": totals,
    }
