"""Telling people about escalations.

An escalation's notice is recorded in the ticket's own transaction as an internal note that
mentions the people as "@Full Name" (so the desk shows it and it is never lost); then it goes
to every staff-notice channel of `tickets.notifiers` (mail through the email channel's
outbound path; chat or paging integrations register there too).
"""

from __future__ import annotations

from dataclasses import dataclass

from panel1.accounts.models import User
from panel1.actors import Actor
from tickets.models import Ticket
from tickets.notifiers import StaffNotice, staff_notify
from tickets.services.messages import notes_add_bulk


@dataclass(frozen=True)
class EscalationNotice:
    """Tell `users` about the escalation of `ticket` (locked by the caller), saying `text`."""

    ticket: Ticket
    users: list[User]
    text: str


def escalation_notify(*, notices: list[EscalationNotice], actor: Actor) -> None:
    """Write an internal note on each ticket mentioning its people (all notes with one
    INSERT, in the escalation's transaction: a failure fails the escalation) and hand each
    notice to the channels."""
    notices = [notice for notice in notices if notice.users]
    notes = notes_add_bulk(
        actor=actor,
        notes=[(notice.ticket, f"{_mentions(notice.users)}: {notice.text}") for notice in notices],
    )
    for notice, note in zip(notices, notes, strict=True):
        ticket = notice.ticket
        staff_notify(
            StaffNotice(
                ticket_id=str(ticket.pk),
                ticket_number=ticket.number,
                ticket_subject=ticket.subject,
                user_ids=tuple(str(user.pk) for user in notice.users),
                message=notice.text,
                title=f"SLA escalation: {ticket.subject}"[:200],
                note_id=str(note.pk),
            )
        )


def _mentions(users: list[User]) -> str:
    return ", ".join(f"@{user.get_full_name()}" for user in users)
