"""django-q2 entry points (run inside the tenant's schema by panel1.jobs); thin."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def webhook_deliver_task(delivery_id: str) -> str | None:
    from automation.deliveries import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)


def webhook_retries_task() -> int:
    from automation.deliveries import deliveries_retry_due

    return deliveries_retry_due()


def idle_rules_task() -> int:
    from automation.idle import idle_rules_run

    return idle_rules_run()


def rule_runs_prune_task() -> int:
    """Delete rule runs older than the tenant's retention (RetentionPolicy.automation_runs,
    30 days by default; 0 keeps them), so the log does not grow per event forever."""
    from automation.privacy import rule_runs_prune
    from panel1.privacy.models import RetentionPolicy

    days = RetentionPolicy.get().automation_runs
    if not days:
        return 0
    return rule_runs_prune(timezone.now() - timedelta(days=days))
