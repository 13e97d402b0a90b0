"""Reads of the audit log shared by the API, the desk page and its CSV export."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from panel1.accounts.models import User
from panel1.audit.models import AuditEntry


def audit_entry_list(
    *,
    action: str = "",
    actor: str = "",
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries newest first. `actor` is a user id, a user's current email, or a label such as
    `system`; an actor nobody matches gives no rows."""
    entries = AuditEntry.objects.order_by("-created_at", "-id")
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(_actor_q(actor.strip()))
    if created_after is not None:
        entries = entries.filter(created_at__gte=created_after)
    if created_before is not None:
        entries = entries.filter(created_at__lt=created_before)
    return entries


def _actor_q(actor: str) -> Q:
    try:
        return Q(actor_id=uuid.UUID(actor))
    except ValueError:
        pass
    if "@" in actor:
        user_id = User.objects.filter(email__iexact=actor).values_list("pk", flat=True).first()
        return Q(actor_id=user_id) if user_id else Q(pk__in=[])
    return Q(actor_id__isnull=True, actor_label=actor)


def audit_actor_names(entries: Iterable[AuditEntry]) -> dict[uuid.UUID, str]:
    """User id -> the user's email now (their pseudonym after an erasure), in one query."""
    ids = {entry.actor_id for entry in entries if entry.actor_id}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "email")) if ids else {}


def audit_actor_display(entry: AuditEntry, names: dict[uuid.UUID, str]) -> str:
    if entry.actor_id:
        return names.get(entry.actor_id, "deleted user")
    return entry.actor_label or "system"


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
