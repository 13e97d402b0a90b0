"""What the ticket domain holds about a person, for exports and erasures (panel1.privacy).

Export: the tickets they requested (with the staff replies they received and their rating),
the tickets they were CC'd on (only what they wrote there), every message they wrote with its
files, and the mail they sent and were sent. Nothing about anyone else: other people's
messages, names and addresses stay out.

Erasure: their messages' bodies are redacted and their files deleted, the subjects of their
tickets redacted, rating comments dropped, their raw inbound mails, outbound mail records,
reply tokens and bounce records deleted, their identifiers replaced in the tickets' history;
ticket numbers, timestamps, statuses, SLA outcomes and rating scores stay.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.privacy import registry
from panel1.privacy.files import delete_after_commit
from panel1.privacy.pseudonyms import pseudonym_email
from panel1.privacy.scrub import person_terms, scrub_json_rows, scrub_text_rows
from tickets.models import (
    Attachment,
    BouncedAddress,
    EmailReplyToken,
    InboundEmail,
    Message,
    MessageType,
    OutboundEmail,
    SatisfactionRating,
    Ticket,
    TicketEvent,
)
from tickets.presentation import rendered_cache_key

REDACTED = "[redacted]"


def _iso(value):
    return value.isoformat() if value else None


def _message(message: Message, *, own: bool) -> dict:
    return {
        "id": str(message.pk),
        "ticket": message.ticket.number,
        "type": message.message_type,
        "from": "you" if own else "staff",
        "content": message.content,
        "created_at": _iso(message.created_at),
        "attachments": [
            {"filename": a.filename, "size": a.size, "content_type": a.content_type}
            for a in message.attachments.all()
        ],
    }


def export_person(person: User) -> registry.ExportPart:
    requested = Ticket.objects.filter(requester=person).order_by("created_at")
    cc_only = Ticket.objects.filter(cc=person).exclude(requester=person).order_by("created_at")
    received = (
        Message.objects.filter(ticket__requester=person, message_type=MessageType.STAFF_REPLY)
        .exclude(author=person)
        .select_related("ticket")
        .prefetch_related("attachments")
    )
    own = (
        Message.objects.filter(author=person)
        .select_related("ticket")
        .prefetch_related("attachments")
        .order_by("created_at")
    )
    ratings = SatisfactionRating.objects.filter(ticket__requester=person).select_related("ticket")
    files = [
        (f"{a.message.ticket.number}/{a.pk}-{a.filename}", a.file)
        for a in Attachment.objects.filter(message__author=person).select_related("message__ticket")
    ]
    data = {
        "tickets_requested": [_ticket(t, with_subject=True) for t in requested],
        "tickets_cc": [_ticket(t, with_subject=False) for t in cc_only],
        "messages_written": [_message(m, own=True) for m in own],
        "messages_received": [_message(m, own=False) for m in received],
        "satisfaction": [
            {"ticket": r.ticket.number, "rating": r.rating, "comment": r.comment} for r in ratings
        ],
        "mail_sent_to_you": [
            {"kind": m.kind, "subject": m.subject, "status": m.status, "at": _iso(m.created_at)}
            for m in OutboundEmail.objects.filter(Q(recipient=person) | Q(to_email=person.email))
        ],
        "mail_from_you": [
            {"subject": m.subject, "status": m.status, "at": _iso(m.received_at)}
            for m in InboundEmail.objects.filter(sender__iexact=person.email)
        ],
    }
    return registry.ExportPart(data=data, files=files)


def _ticket(ticket: Ticket, *, with_subject: bool) -> dict:
    row = {
        "number": ticket.number,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
    }
    if with_subject:
        row["subject"] = ticket.subject
    return row


def erase_person(person: User, pseudonym: str) -> dict[str, int]:
    terms = person_terms(person, pseudonym_email(person.pk), pseudonym)
    messages = Message.objects.filter(author=person)
    # Rendered message HTML is cached per message: drop it with the text it was made from.
    cache.delete_many([rendered_cache_key(m) for m in messages])
    attachments = list(Attachment.objects.filter(message__author=person))
    for attachment in attachments:
        delete_after_commit(attachment.file)
    counts = {
        "attachments": Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()[0],
        "messages": messages.update(content=REDACTED, author_label=pseudonym),
        "tickets": Ticket.objects.filter(requester=person).update(
            subject=REDACTED, updated_at=timezone.now()
        ),
        "rating_comments": SatisfactionRating.objects.filter(ticket__requester=person)
        .exclude(comment="")
        .update(comment=""),
        "inbound_mails": InboundEmail.objects.filter(
            Q(sender__iexact=person.email) | Q(ticket_message__author=person)
        ).delete()[0],
        "outbound_mails": OutboundEmail.objects.filter(
            Q(recipient=person) | Q(to_email__iexact=person.email)
        ).delete()[0],
        "reply_tokens": EmailReplyToken.objects.filter(user=person).delete()[0],
        "bounces": BouncedAddress.objects.filter(email__iexact=person.email).delete()[0],
        "history_actor": TicketEvent.objects.filter(actor=person).update(actor_label=pseudonym),
        "history_values": scrub_json_rows(TicketEvent.objects.all(), ["before", "after"], terms),
        **_others_text_scrub(person, terms),
    }
    digest = hashlib.sha256(person.email.lower().encode()).hexdigest()[:32]
    cache.delete(f"email:ack-new:{digest}:{timezone.now().strftime('%Y%m%d%H')}")
    return counts


def _others_text_scrub(person: User, terms: dict[str, str]) -> dict[str, int]:
    """What other people wrote about the person (an agent greeting them by name, a colleague
    quoting their address) on the tickets they took part in: name and address become the
    pseudonym (whole words only), in messages, subjects and the mail records of those
    tickets."""
    tickets = Ticket.objects.filter(
        Q(requester=person) | Q(cc=person) | Q(messages__author=person)
    ).values("pk")
    others = Message.objects.filter(ticket__in=tickets).exclude(author=person)

    def forget_rendering(message):
        cache.delete(rendered_cache_key(message))

    return {
        "others_messages": scrub_text_rows(others, ["content"], terms, on_change=forget_rendering),
        "others_subjects": scrub_text_rows(
            Ticket.objects.filter(pk__in=tickets), ["subject"], terms
        ),
        "others_mail": scrub_text_rows(
            InboundEmail.objects.filter(ticket__in=tickets), ["subject", "html"], terms
        )
        + scrub_text_rows(OutboundEmail.objects.filter(ticket__in=tickets), ["subject"], terms),
    }


# --- Retention ----------------------------------------------------------------------------

PRUNABLE_INBOUND = ("processed", "duplicate", "ignored", "bounce")


def inbound_mail_prune(cutoff) -> int:
    """Raw inbound mail past its retention (held and failed mail waits for a person)."""
    return InboundEmail.objects.filter(
        received_at__lt=cutoff, status__in=PRUNABLE_INBOUND
    ).delete()[0]


def closed_tickets_prune(cutoff) -> int:
    """Closed tickets past retention: anonymised (numbers, dates, statuses, SLA outcomes and
    rating scores stay) or deleted, as the tenant's policy says."""
    from panel1.privacy.models import ClosedTicketAction, RetentionPolicy

    tickets = Ticket.objects.filter(status="CLOSED", closed_at__lt=cutoff)
    if RetentionPolicy.get().closed_ticket_action == ClosedTicketAction.DELETE:
        for attachment in Attachment.objects.filter(message__ticket__in=tickets):
            delete_after_commit(attachment.file)
        return tickets.delete()[1].get("tickets.Ticket", 0)
    tickets = tickets.exclude(subject=REDACTED)
    ids = list(tickets.values_list("pk", flat=True))
    if not ids:
        return 0
    messages = Message.objects.filter(ticket_id__in=ids)
    cache.delete_many([rendered_cache_key(m) for m in messages])
    for attachment in Attachment.objects.filter(message__ticket_id__in=ids):
        delete_after_commit(attachment.file)
    Attachment.objects.filter(message__ticket_id__in=ids).delete()
    messages.update(content=REDACTED)
    SatisfactionRating.objects.filter(ticket_id__in=ids).update(comment="")
    InboundEmail.objects.filter(ticket_id__in=ids).delete()
    OutboundEmail.objects.filter(ticket_id__in=ids).delete()
    return Ticket.objects.filter(pk__in=ids).update(subject=REDACTED)


def register() -> None:
    from panel1.privacy.retention import register_prunable

    registry.register(
        registry.Contributor(name="tickets", export=export_person, erase=erase_person, order=10)
    )
    register_prunable(name="inbound_mail", label=_("Raw inbound mail"), prune=inbound_mail_prune)
    register_prunable(name="closed_tickets", label=_("Closed tickets"), prune=closed_tickets_prune)
