"""Retention: how long each tenant keeps what it no longer needs, and the daily prune.

Apps register what can be pruned (`register_prunable`) from their AppConfig.ready(); the
tenant's `RetentionPolicy` row says how many days each kind is kept (0 = forever). The daily
job (`retention_prune`, one task per tenant) deletes what is older and writes one audit entry
with the counts. Every prune is idempotent: running it twice deletes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from panel1.audit.services import audit_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prunable:
    name: str  # the RetentionPolicy field holding its days
    label: str
    # Delete (or anonymise) what is older than `cutoff`; answers how many rows.
    prune: Callable[[datetime], int]


_prunables: dict[str, Prunable] = {}


def register_prunable(*, name: str, label: str, prune: Callable[[datetime], int]) -> None:
    _prunables[name] = Prunable(name=name, label=label, prune=prune)


def prunables() -> list[Prunable]:
    return sorted(_prunables.values(), key=lambda p: p.name)


def retention_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Prune the current tenant by its policy; answers counts per kind (logged and audited)."""
    from panel1.privacy.models import RetentionPolicy

    now = now or timezone.now()
    policy = RetentionPolicy.get()
    counts: dict[str, int] = {}
    for prunable in prunables():
        days = getattr(policy, prunable.name, 0) or 0
        if days <= 0:
            continue
        try:
            with transaction.atomic():
                counts[prunable.name] = prunable.prune(now - timedelta(days=days))
        except Exception:
            logger.exception("Retention prune %s failed", prunable.name)
            counts[prunable.name] = -1
    with transaction.atomic():
        audit_record(actor=None, action="retention_pruned", details=counts)
    logger.info("Retention prune: %s", counts)
    return counts
