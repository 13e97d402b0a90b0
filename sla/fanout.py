"""Which tenants the per-minute SLA monitor has work in (the schedule's due check).

Mirrors the monitor's conditions (`sla.monitor._flag_sql`, `_escalate`). One queryset whose
OR arms each match a partial index (PostgreSQL combines them in a BitmapOr); separate
probes per index cost more planning than they save across a thousand schemas.
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


def sla_monitor_due(now: dt.datetime) -> QuerySet:
    work = Q()
    for target in Target.values:
        pending = _RUNNING[target] & Q(**{f"{target}_breached": False})
        work |= pending & Q(**{f"{target}_due_at__lt": now})
        work |= pending & Q(**{f"{target}_at_risk": False, f"{target}_risk_at__lte": now})
    if settings.ENABLE_ESCALATIONS:
        work |= Q(next_escalation_at__isnull=False, next_escalation_at__lte=now)
    return TicketSLA.objects.filter(work, active=True)
