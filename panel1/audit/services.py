"""The one writer of the audit log."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db import models

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit import context
from panel1.audit.models import AuditEntry
from panel1.db_writes import insert_one
from panel1.events import bus


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


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def audit_record(
    *,
    actor: User | Actor | None,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> AuditEntry:
    """Append an audit entry for `action` (`<entity>.<verb>`, e.g. `category.updated`, or a
    security action such as `login`, `role_changed`, `token_created`).

    Call it inside the service's transaction, so the entry commits or rolls back with the
    change. Record a deletion before deleting, while the target still has its pk. The client
    address and user agent come from the request being served unless given. Never put an
    email address or a name in `details`: the log cannot be edited after an erasure.
    """
    actor = Actor.of(actor)
    request = context.current()
    entry = AuditEntry(
        actor_id=actor.user.pk if actor.user is not None else None,
        # Users are named by id only; the label is for the system and automation rules.
        actor_label="" if actor.user is not None else actor.display[:200],
        ip=_valid_ip(ip if ip is not None else request.ip),
        user_agent=(user_agent if user_agent is not None else request.user_agent)[
            : context.USER_AGENT_MAX
        ],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=_jsonable(details or {}),
    )
    # Inside an event batch (nothing reads the log in the change's transaction) the entry
    # goes in with the batch's other rows, one statement; its id is then left unset.
    if bus.defer_insert(entry):
        return entry
    return insert_one(entry)


def audit_actor() -> User | None:
    """The signed-in user of the request being served, for framework hooks with no actor."""
    return context.current().user
