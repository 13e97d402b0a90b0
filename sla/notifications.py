"""Telling people about escalations.

An escalation's notice is recorded in the ticket's own transaction as an internal note that
mentions the people as "@Full Name" (so the desk shows it and it is never lost); then it goes
to every staff-notice channel of `tickets.notifiers` (mail through the email channel's
outbound path; chat or paging integrations register there too).
"""

from __future__ import annotations

from collections.abc import Iterable

from panel1.accounts.models import User
from panel1.actors import Actor
from tickets.models import MessageType, Ticket
from tickets.notifiers import StaffNotice, staff_notify
from tickets.services.messages import message_write


def escalation_notify(*, ticket: Ticket, users: Iterable[User], text: str, actor: Actor) -> None:
    """Write an internal note mentioning `users` and hand the notice to the channels. Runs
    inside the escalation's transaction (no savepoint of its own: a failure fails the
    escalation), so in the monitor's batch the note's history row and event go in with the
    batch's and out in the order they happened."""
    users = list(users) if users else []
    if not users:
        return
    mentions = ", ".join(f"@{user.get_full_name()}" for user in users)
    note = message_write(
        ticket=ticket,
        actor=actor,
        content=f"{mentions}: {text}",
        message_type=MessageType.INTERNAL_NOTE,
    )
    staff_notify(
        StaffNotice(
            ticket_id=str(ticket.pk),
            ticket_number=ticket.number,
            ticket_subject=ticket.subject,
            user_ids=tuple(str(user.pk) for user in users),
            message=text,
            title=f"SLA escalation: {ticket.subject}"[:200],
            note_id=str(note.pk),
        )
    )
