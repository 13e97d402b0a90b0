"""The one writer of the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def audit_record(
    *,
    actor: User | Actor | None,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry for `action` (`<entity>.<verb>`, e.g. `category.updated`).

    Call it inside the service's transaction, so the entry commits or rolls back with the
    change. Record a deletion before deleting, while the target still has its pk.
    """
    actor = Actor.of(actor)
    return AuditEntry.objects.create(
        actor_id=actor.user.pk if actor.user is not None else None,
        actor_label=actor.display[:200],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=_jsonable(details or {}),
    )
