"""Replies, internal notes and system messages on a ticket."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.db_writes import insert_one
from panel1.events import bus, names
from panel1.exceptions import DomainError, PermissionDenied
from panel1.text import clean_text
from tickets.mentions import mentioned_staff
from tickets.models import Channel, Message, MessageType, Status, Ticket
from tickets.services import extensions
from tickets.services.attachments import AttachmentInput, attachments_store
from tickets.services.audit import audit, emit, touch, touch_bulk
from tickets.services.locking import TicketRef, ticket_lock_survivor
from tickets.services.transitions import status_apply

MAX_CONTENT_LENGTH = 200_000
_CUSTOMER_REOPENS = (Status.WAITING_ON_CUSTOMER, Status.RESOLVED)


def _default_type(actor: Actor) -> str:
    if actor.user is None:
        return MessageType.SYSTEM
    return MessageType.STAFF_REPLY if actor.user.is_helpdesk_staff else MessageType.CUSTOMER_REPLY


def _check_message(actor: Actor, ticket: Ticket, message_type: str, content: str, time_spent):
    if message_type not in MessageType.values:
        raise DomainError(
            {
                "message_type": [
                    _("%(message_type)s is not a valid message type.")
                    % {"message_type": repr(message_type)}
                ]
            }
        )
    if not (content or "").strip():
        raise DomainError({"content": [_("A message may not be empty.")]})
    if len(content) > MAX_CONTENT_LENGTH:
        raise DomainError(
            {
                "content": [
                    _("Use at most %(max_content_length)s characters.")
                    % {"max_content_length": MAX_CONTENT_LENGTH}
                ]
            }
        )
    if not actor.is_staff and message_type != MessageType.CUSTOMER_REPLY:
        raise PermissionDenied({"message_type": [_("Customers may only send CUSTOMER_REPLY.")]})
    if message_type == MessageType.SYSTEM and actor.user is not None:
        raise DomainError({"message_type": [_("SYSTEM messages are written by the helpdesk.")]})
    if time_spent is not None:
        if not actor.is_staff:
            raise PermissionDenied({"time_spent": [_("Only staff record time spent.")]})
        if not isinstance(time_spent, int) or not 0 <= time_spent <= 60 * 24 * 7:
            raise DomainError({"time_spent": [_("Give whole minutes between 0 and 10080.")]})
    if ticket.status == Status.CLOSED and message_type in (
        MessageType.CUSTOMER_REPLY,
        MessageType.STAFF_REPLY,
    ):
        raise DomainError(
            {
                "non_field_errors": [
                    _("%(ticket_number)s is closed; open a new ticket instead.")
                    % {"ticket_number": ticket.number}
                ]
            }
        )


@transaction.atomic
def message_add(**kwargs) -> Message:
    """Add a message; a staff reply starts work and stamps the first response, a customer
    reply reopens a ticket that waited on them. Emits `message.added` (not for the first
    message, whose event is `ticket.created`). `ticket` may be a `TicketRef` (the API): read
    with the caller's visibility under the row lock. Keyword arguments: see `message_write`."""
    with bus.batch():
        return message_write(**kwargs)


def message_write(
    *,
    ticket: Ticket | TicketRef,
    actor: User | Actor,
    content: str,
    message_type: str | None = None,
    author: User | None = None,
    time_spent: int | None = None,
    attachments: list[AttachmentInput] = (),
    channel: str = Channel.WEB,
    email_message_id: str = "",
    is_auto_response: bool = False,
    initial: bool = False,
) -> Message:
    """`message_add` inside the caller's transaction (no savepoint of its own): for services
    that already run in one, such as `ticket_create`."""
    actor = Actor.of(actor)
    message_type = message_type or _default_type(actor)
    # The database cannot store NUL; mail and pages arrive here with controls already
    # stripped, the API refuses them: this is the last line for every other caller.
    content = clean_text(content or "")
    if not initial:
        ticket = ticket_lock_survivor(ticket)
    _check_message(actor, ticket, message_type, content, time_spent)
    content = extensions.message_content(
        ticket=ticket,
        actor=actor,
        content=content,
        message_type=message_type,
        channel=channel,
        initial=initial,
    )
    author = author or actor.user
    message = insert_one(
        Message(
            ticket=ticket,
            author=author,
            author_label=author.get_full_name() if author else actor.display,
            message_type=message_type,
            content=content,
            time_spent=time_spent,
            channel=channel,
            email_message_id=email_message_id[:998],
            is_auto_response=is_auto_response,
        )
    )
    if attachments:
        attachments_store(message=message, inputs=list(attachments))
    if initial:
        return message
    _after_message(ticket, actor, message)
    _message_record(ticket, actor, message, author=author)
    return message


def _message_record(ticket: Ticket, actor: Actor, message: Message, *, author: User | None):
    """The history row, `message.added` (and `ticket.mentioned`) and the plugins' hook of a
    message just written to `ticket`."""
    audit(ticket, actor, names.MESSAGE_ADDED, field="message_type", after=message.message_type)
    emit(
        names.MESSAGE_ADDED,
        ticket,
        actor,
        subject=message,
        message_id=message.pk,
        message_type=message.message_type,
    )
    extensions.message_added(ticket=ticket, message=message)
    if (
        message.message_type == MessageType.INTERNAL_NOTE
        and author is not None
        and author.is_helpdesk_staff
    ):
        _emit_mentions(ticket, actor, message)


def notes_add_bulk(*, actor: User | Actor, notes: list[tuple[Ticket, str]]) -> list[Message]:
    """Add an internal note to each of many tickets the caller locked (each once), as
    `message_add` would: the notes with one INSERT, the tickets touched with one UPDATE (one
    version bump each), history rows and events through the caller's `bus.batch()`. For
    batch jobs (the SLA monitor's escalation notices); runs in the caller's transaction."""
    actor = Actor.of(actor)
    author = actor.user
    messages = []
    for ticket, content in notes:
        content = clean_text(content or "")
        _check_message(actor, ticket, MessageType.INTERNAL_NOTE, content, None)
        content = extensions.message_content(
            ticket=ticket,
            actor=actor,
            content=content,
            message_type=MessageType.INTERNAL_NOTE,
            channel=Channel.WEB,
            initial=False,
        )
        messages.append(
            Message(
                ticket=ticket,
                author=author,
                author_label=author.get_full_name() if author else actor.display,
                message_type=MessageType.INTERNAL_NOTE,
                content=content,
                channel=Channel.WEB,
            )
        )
    if not messages:
        return []
    Message.objects.bulk_create(messages)
    touch_bulk([ticket for ticket, _content in notes])
    for (ticket, _content), message in zip(notes, messages, strict=True):
        _message_record(ticket, actor, message, author=author)
    return messages


def _emit_mentions(ticket: Ticket, actor: Actor, message: Message) -> None:
    """`ticket.mentioned` for the staff an internal note names (never the writer)."""
    mentioned = [u.pk for u in mentioned_staff(message.content) if u.pk != message.author_id]
    if mentioned:
        audit(ticket, actor, names.TICKET_MENTIONED, field="mentioned", after=len(mentioned))
        emit(names.TICKET_MENTIONED, ticket, actor, message_id=message.pk, user_ids=mentioned)


def _after_message(ticket: Ticket, actor: Actor, message: Message) -> None:
    # The stamps and a resulting status change go to the database in one UPDATE. Without a
    # status change it goes in with the batch's history and event rows (`touch`): nothing of
    # the batch writes the ticket row again (the SLA subscriber writes its own row; hooks and
    # the other subscribers run after commit).
    now = timezone.now()
    if message.message_type == MessageType.STAFF_REPLY:
        ticket.last_staff_message_at = now
        fields = ["last_staff_message_at"]
        if ticket.first_responded_at is None and not message.is_auto_response:
            ticket.first_responded_at = now
            fields.append("first_responded_at")
        if ticket.status == Status.OPEN and not message.is_auto_response:
            status_apply(ticket, actor, Status.IN_PROGRESS, reason="Staff replied", also=fields)
        else:
            touch(ticket, *fields, with_batch=True)
    elif message.message_type == MessageType.CUSTOMER_REPLY:
        ticket.last_customer_message_at = now
        if ticket.status in _CUSTOMER_REOPENS:
            status_apply(
                ticket,
                actor,
                Status.OPEN,
                reason="Customer replied",
                also=["last_customer_message_at"],
            )
        else:
            touch(ticket, "last_customer_message_at", with_batch=True)
    else:
        touch(ticket, with_batch=True)
