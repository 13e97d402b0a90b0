"""django-q2 entry points (run inside the tenant's schema by panel1.jobs); thin."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

RUN_RETENTION = timedelta(days=30)


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
    """Delete rule runs older than 30 days (the log would otherwise grow per event)."""
    from automation.models import RuleRun

    deleted, _ = RuleRun.objects.filter(created_at__lt=timezone.now() - RUN_RETENTION).delete()
    return deleted
