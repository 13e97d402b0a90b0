"""Which tenants the per-minute SLA monitor has work in (the schedule's due check).

Mirrors the monitor's conditions (`sla.monitor._flag_sql`, `_escalate`): one queryset per
partial index, so each probe across a thousand schemas is an index lookup.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet

from sla.models import Target, TicketSLA

_RUNNING = {
    Target.FIRST_RESPONSE: Q(first_responded_at__isnull=True),
    Target.NEXT_RESPONSE: Q(next_response_due_at__isnull=False),
    Target.RESOLUTION: Q(resolved_at__isnull=True),
}


def sla_monitor_due(now: dt.datetime) -> list[QuerySet]:
    active = TicketSLA.objects.filter(active=True)
    checks = []
    for target in Target.values:
        pending = active.filter(_RUNNING[target], **{f"{target}_breached": False})
        checks.append(pending.filter(**{f"{target}_due_at__lt": now}))
        checks.append(pending.filter(**{f"{target}_at_risk": False, f"{target}_risk_at__lte": now}))
    if settings.ENABLE_ESCALATIONS:
        checks.append(active.filter(next_escalation_at__isnull=False, next_escalation_at__lte=now))
    return checks
