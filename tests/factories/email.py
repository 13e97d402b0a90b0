"""Factories for the email channel: raw RFC 5322 mails and outbound log rows."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import format_datetime

import factory
from django.utils import timezone


def raw_mail(
    *,
    sender: str = "carol@customer.test",
    sender_name: str = "Carol Customer",
    to: str = "support@acme.example",
    cc: str | None = None,
    subject: str = "The printer is jammed",
    body: str = "It shows error E-42.\n",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> bytes:
    """A well-formed mail as an MTA would deliver it (CRLF line ends)."""
    msg = EmailMessage()
    msg["From"] = f"{sender_name} <{sender}>" if sender_name else sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = f"<{message_id or uuid.uuid4().hex + '@customer.test'}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{ref}>" for ref in references)
    for name, value in (headers or {}).items():
        msg[name] = value
    if html is None:
        msg.set_content(body)
    elif body:
        msg.set_content(body)
        msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html, subtype="html")
    for filename, content, ctype in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    """A notification we sent earlier (to set up threads)."""

    class Meta:
        model = "tickets.OutboundEmail"

    kind = "staff_reply"
    to_email = factory.LazyAttribute(lambda o: o.ticket.requester.email)
    recipient = factory.LazyAttribute(lambda o: o.ticket.requester)
    message_id = factory.Sequence(lambda n: f"staff-reply.{n}@acme.example")
    dedup_key = factory.Sequence(lambda n: f"test:{n}")
    status = "sent"
