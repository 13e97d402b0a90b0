"""Telling people about escalations, pluggably.

An escalation's notice is recorded in the ticket's own transaction as an internal note that
mentions the people as "@Full Name" (so the desk shows it and it is never lost); then each
registered notifier (a dotted task path) is enqueued to run after commit with
(ticket_id, user_ids, text). The sla app registers a plain email task under "email" (the
email channel mails mentions only in notes people wrote, and mails the assignee on
`ticket.escalated`); a chat or paging integration adds itself under its own key, and the
same key replaces a notifier.
"""

from __future__ import annotations

from collections.abc import Iterable

from panel1 import jobs
from panel1.accounts.models import User
from panel1.actors import Actor
from tickets.models import MessageType, Ticket

_notifiers: dict[str, str] = {}


def register_notifier(key: str, task: str) -> None:
    """Register (or replace, by key) a task called with (ticket_id, user_ids, text)."""
    _notifiers[key] = task


def unregister_notifier(key: str) -> None:
    _notifiers.pop(key, None)


def escalation_notify(*, ticket: Ticket, users: Iterable[User], text: str, actor: Actor) -> None:
    """Write an internal note mentioning `users` and enqueue the notifiers (after commit)."""
    from tickets.services import message_add

    users = list(users) if users else []
    if not users:
        return
    mentions = ", ".join(f"@{user.get_full_name()}" for user in users)
    message_add(
        ticket=ticket,
        actor=actor,
        content=f"{mentions}: {text}",
        message_type=MessageType.INTERNAL_NOTE,
    )
    user_ids = [str(user.pk) for user in users]
    for task in _notifiers.values():
        jobs.enqueue(task, str(ticket.pk), user_ids, text)
