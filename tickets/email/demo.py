"""Demo data of the email channel: a few mails through the real ingest service."""

from __future__ import annotations

from email.message import EmailMessage

from tickets.email.ingest import inbound_receive
from tickets.models import InboundEmail, Ticket


def _mail(sender: str, subject: str, body: str, message_id: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@demo.localhost"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def demo_email_create(*, tenant, people) -> bool:
    """Ingest a new-ticket mail, a reply by ticket number, an auto-reply and a bounce."""
    if InboundEmail.objects.exists():
        return False
    erin_ticket = Ticket.objects.filter(requester__email="erin@example.org").first()
    mails = [
        _mail(
            "Frank Fisher <frank@example.org>",
            "Exported CSV has broken umlauts",
            "Hi,\n\nthe CSV export shows MÃ¼nchen instead of München. Path: C:\\exports\\a.csv\n",
            "demo-frank-1@example.org",
        ),
        _mail(
            "Newsletter <news@vendor.example>",
            "Our spring release",
            "Read all about it.",
            "demo-news-1@vendor.example",
            Precedence="bulk",
        ),
        _mail(
            "MAILER-DAEMON@mx.example.org (Mail Delivery System)",
            "Undelivered Mail Returned to Sender",
            "<old.customer@example.org>: host mx.example.org said: 550 5.1.1 User unknown\n",
            "demo-bounce-1@mx.example.org",
            X_Failed_Recipients="old.customer@example.org",
        ),
    ]
    if erin_ticket is not None:
        mails.append(
            _mail(
                "erin@example.org",
                f"Re: [{erin_ticket.number}] {erin_ticket.subject}",
                "It is back to normal since 10:02 UTC.\n\n> Since 09:10 UTC every call ...\n",
                "demo-erin-2@example.org",
            )
        )
    for raw in mails:
        inbound_receive(raw=raw, source="demo")
    return True
