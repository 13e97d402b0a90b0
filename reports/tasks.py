"""django-q2 entry points of the reports app (they run inside the tenant's schema)."""

from __future__ import annotations

# Well inside django-q2's task timeout (Q_CLUSTER["timeout"], 120 s): a large backfill goes
# on in the next run.
BUDGET_SECONDS = 60


def reports_refresh_task(full: bool = False) -> int:
    """The analytics job: recompute changed tickets' facts and the days they touch, and
    advance the backfill by at most BUDGET_SECONDS."""
    from reports.services import reports_refresh

    return reports_refresh(full=full, budget_seconds=BUDGET_SECONDS)
