"""django-q2 entry points of the reports app (they run inside the tenant's schema)."""

from __future__ import annotations


def reports_refresh_task(full: bool = False) -> int:
    """The analytics job: recompute changed tickets' facts and the days they touch."""
    from reports.services import reports_refresh

    return reports_refresh(full=full)
