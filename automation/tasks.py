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


def idle_rules_due(now):
    """Fan-out due check: tenants with an active idle rule (see panel1.jobs)."""
    from automation.models import Rule
    from panel1.events import names

    return Rule.objects.filter(
        trigger_event=names.TICKET_IDLE, is_active=True, idle_hours__isnull=False
    )


def webhook_retries_due(now):
    """Fan-out due check: tenants with a webhook delivery due for another attempt."""
    from automation.models import DeliveryStatus, WebhookDelivery

    return WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)


def rule_runs_prune_task() -> int:
    """Delete rule runs older than the tenant's retention (RetentionPolicy.automation_runs,
    30 days by default; 0 keeps them), so the log does not grow per event forever."""
    from automation.privacy import rule_runs_prune
    from panel1.privacy.models import RetentionPolicy

    days = RetentionPolicy.get().automation_runs
    if not days:
        return 0
    return rule_runs_prune(timezone.now() - timedelta(days=days))
