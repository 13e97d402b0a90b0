"""The `tickets` capability plugins reach through their context (`ctx.tickets`), scoped by the
permissions they declared (`tickets:read`, `tickets:write`). Plugins act as the system, with
the actor label `plugin:<name>`; every change goes through the ticket services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from panel1.actors import Actor
from panel1.exceptions import NotFound
from panel1.plugins import requires
from tickets.models import Message, MessageType, Ticket


def _ticket(ticket_id: str) -> Ticket:
    import uuid

    ref = str(ticket_id)
    try:
        found = Ticket.objects.filter(pk=uuid.UUID(ref)).first()
    except ValueError:
        found = Ticket.objects.filter(number=ref.upper()).first()
    if found is None:
        raise NotFound({"detail": [_("No such ticket.")]})
    return found


def ticket_dict(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": str(ticket.pk),
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "tags": list(ticket.tags),
        "requester_email": ticket.requester.email,
        "assignee_email": ticket.assignee.email if ticket.assignee_id else None,
        "created_at": ticket.created_at.isoformat(),
    }


class TicketsCapability:
    def __init__(self, ctx):
        self._actor = Actor(label=ctx.actor_label)

    @requires("tickets:read")
    def get(self, ticket_id: str) -> dict[str, Any]:
        return ticket_dict(_ticket(ticket_id))

    @requires("tickets:read")
    def messages(self, ticket_id: str, *, public_only: bool = False) -> list[dict[str, Any]]:
        qs = Message.objects.filter(ticket=_ticket(ticket_id)).order_by("created_at")
        if public_only:
            qs = qs.exclude(message_type=MessageType.INTERNAL_NOTE)
        return [
            {
                "id": str(m.pk),
                "message_type": m.message_type,
                "author_email": m.author.email if m.author_id else None,
                "author_name": m.author_label,
                "content": m.content,
                "channel": m.channel,
                "created_at": m.created_at.isoformat(),
            }
            for m in qs.select_related("author")
        ]

    @requires("tickets:write")
    def add_note(self, ticket_id: str, content: str) -> str:
        from tickets.services import message_add

        message = message_add(
            ticket=_ticket(ticket_id),
            actor=self._actor,
            content=content,
            message_type=MessageType.INTERNAL_NOTE,
        )
        return str(message.pk)

    @requires("tickets:write")
    def add_tags(self, ticket_id: str, tags: list[str]) -> None:
        from tickets.services import ticket_update

        ticket = _ticket(ticket_id)
        ticket_update(ticket=ticket, actor=self._actor, tags=[*ticket.tags, *tags])

    @requires("tickets:write")
    def set_status(self, ticket_id: str, status: str, *, reason: str = "") -> None:
        from tickets.services import ticket_status_change

        ticket_status_change(
            ticket=_ticket(ticket_id), actor=self._actor, status=status, reason=reason
        )

    @requires("tickets:write")
    def create(
        self, *, requester_email: str, subject: str, content: str, channel: str, name: str = ""
    ) -> dict[str, Any]:
        """A ticket from a plugin channel (the customer is created if new)."""
        from panel1.accounts.services import customer_get_or_create
        from tickets.services import ticket_create

        requester, _unused = customer_get_or_create(email=requester_email, name=name)
        ticket = ticket_create(
            actor=self._actor,
            requester=requester,
            subject=subject,
            content=content,
            channel=channel,
        )
        return ticket_dict(ticket)

    @requires("tickets:write")
    def add_customer_reply(
        self, ticket_id: str, *, requester_email: str, content: str, channel: str
    ) -> str:
        """A message from the ticket's requester arriving through a plugin channel."""
        from tickets.services import message_add

        ticket = _ticket(ticket_id)
        if ticket.requester.email.lower() != requester_email.lower():
            raise NotFound({"detail": [_("No such ticket.")]})
        message = message_add(
            ticket=ticket,
            actor=Actor.of(ticket.requester),
            content=content,
            message_type=MessageType.CUSTOMER_REPLY,
            channel=channel,
        )
        return str(message.pk)


class MailCapability:
    """`ctx.mail`: send a plain mail from the helpdesk's address (queued, after commit)."""

    def __init__(self, ctx):
        self._plugin = ctx.plugin.name

    @requires("mail:send")
    def send(self, *, to: list[str], subject: str, body: str) -> None:
        from panel1 import jobs

        jobs.enqueue(
            "tickets.plugin_api.plugin_mail_send_task",
            list(to)[:20],
            str(subject)[:300],
            str(body)[:100_000],
            self._plugin,
        )


def plugin_mail_send_task(to: list[str], subject: str, body: str, plugin: str) -> int:
    from django.core.mail import EmailMessage

    from panel1.tenants.services import current_tenant
    from tickets.email.addresses import from_header, header_safe

    message = EmailMessage(
        subject=header_safe(subject, limit=300),
        body=body,
        from_email=from_header(current_tenant()),
        to=to,
        headers={"Auto-Submitted": "auto-generated", "X-Panel1-Plugin": plugin},
    )
    return message.send(fail_silently=False)
