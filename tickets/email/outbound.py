"""One notification mail to one recipient: render, thread, send, log.

Runs inside a django-q2 task (never in a request). Every mail gets an OutboundEmail row first,
keyed by event + kind + recipient: a redelivered task finds the row and sends nothing twice
(the row is claimed with a conditional UPDATE before sending). The row keeps the stable
Message-ID, the threading headers and the reply token; inbound replies are matched to it.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import pgettext

from panel1.accounts.models import User
from panel1.i18n.languages import recipient_language
from panel1.tenants.models import Tenant
from panel1.tenants.services import current_tenant
from tickets.email import safety
from tickets.email.addresses import (
    from_header,
    header_safe,
    is_own_address,
    mail_domain,
    reply_to_address,
    site_base_url,
)
from tickets.email.dkim_signing import DkimSignedEmail, dkim_signer
from tickets.email.rendering import Brand, render_email
from tickets.email.threading import thread_root_id
from tickets.email.tokens import reply_token_for
from tickets.models import Message, OutboundEmail, OutboundStatus, Ticket

logger = logging.getLogger(__name__)

MAX_REFERENCES = 10
MAX_ATTEMPTS = 5
STALE_SENDING = timedelta(minutes=15)


@dataclass(frozen=True)
class MailSpec:
    """What to send: a notification `kind` about `ticket` to `recipient`."""

    kind: str
    ticket: Ticket
    recipient: User
    dedup_key: str
    values: dict = field(default_factory=dict)
    customer_facing: bool = False
    # RFC 3834: "auto-generated" for notifications, "auto-replied" for auto-responses,
    # "" for a person's reply relayed by mail.
    auto_submitted: str = "auto-generated"
    message: Message | None = None


def skip_reason(user: User, tenant: Tenant) -> str:
    """Why `user` gets no mail, or "" when they may be mailed."""
    if not user.is_active:
        return "inactive user"
    if not user.notify_by_email:
        return "the user turned email notifications off"
    if is_own_address(tenant, user.email):
        return "the helpdesk's own address"
    if safety.suppressed_addresses([user.email]):
        return "the address bounced"
    return ""


@dataclass(frozen=True)
class SendResult:
    row: OutboundEmail | None
    sent: bool  # sent by THIS call (False: skipped, failed, off, or sent before)


def outbound_send(spec: MailSpec) -> SendResult:
    """Send one notification, at most once; the row says what happened."""
    if not settings.ENABLE_EMAIL_SENDING:
        return SendResult(None, False)
    tenant = current_tenant()
    row = _row_for(spec, tenant)
    reason = skip_reason(spec.recipient, tenant)
    if reason:
        OutboundEmail.objects.filter(pk=row.pk, status=OutboundStatus.QUEUED).update(
            status=OutboundStatus.SKIPPED, error=reason
        )
        row.refresh_from_db()
        return SendResult(row, False)
    if not _claim(row):
        return SendResult(row, False)
    language = recipient_language(spec.recipient, tenant=tenant, ticket=spec.ticket)
    try:
        # Subject, text and HTML in the recipient's language (tenant texts are looked up for
        # the active language too).
        with translation.override(language):
            email = _build(spec, tenant, row)
        email = _plugin_filtered(email, spec)
        email.send(fail_silently=False)
    except Exception as exc:  # a bad header or a dead server must not crash the task
        logger.exception("Sending %s to %s failed", spec.kind, row.to_email)
        OutboundEmail.objects.filter(pk=row.pk).update(
            status=OutboundStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        row.refresh_from_db()
        return SendResult(row, False)
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=OutboundStatus.SENT, sent_at=timezone.now(), error=""
    )
    row.refresh_from_db()
    return SendResult(row, True)


def outbound_retry_failed(*, limit: int = 100) -> int:
    """Resend FAILED mails (and ones stuck in SENDING) with attempts left; answers how many."""
    stale = timezone.now() - STALE_SENDING
    rows = (
        OutboundEmail.objects.filter(attempts__lt=MAX_ATTEMPTS, ticket__isnull=False)
        .filter(
            Q(status=OutboundStatus.FAILED) | Q(status=OutboundStatus.SENDING, created_at__lt=stale)
        )
        .select_related("ticket", "recipient", "ticket_message")
        .order_by("created_at")[:limit]
    )
    resent = 0
    for row in rows:
        if row.recipient is None:
            continue
        OutboundEmail.objects.filter(pk=row.pk, status=OutboundStatus.SENDING).update(
            status=OutboundStatus.FAILED
        )
        from tickets.email.notifications import spec_for_retry

        spec = spec_for_retry(row)
        if spec is not None and outbound_send(spec).sent:
            resent += 1
    return resent


# --------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------


def _row_for(spec: MailSpec, tenant: Tenant) -> OutboundEmail:
    row_id = uuid.uuid4()
    row, _created = OutboundEmail.objects.get_or_create(
        dedup_key=spec.dedup_key[:200],
        defaults={
            "id": row_id,
            "kind": spec.kind,
            "ticket": spec.ticket,
            "ticket_message": spec.message,
            "recipient": spec.recipient,
            "to_email": spec.recipient.email,
            "message_id": f"{spec.kind.replace('_', '-')}.{row_id.hex}@{mail_domain(tenant)}",
        },
    )
    return row


def _claim(row: OutboundEmail) -> bool:
    """Take the row for sending; False when another worker sent or is sending it."""
    claimed = OutboundEmail.objects.filter(
        pk=row.pk, status__in=[OutboundStatus.QUEUED, OutboundStatus.FAILED]
    ).update(status=OutboundStatus.SENDING, attempts=row.attempts + 1)
    return bool(claimed)


def _build(spec: MailSpec, tenant: Tenant, row: OutboundEmail) -> EmailMultiAlternatives:
    base_url = site_base_url(tenant)
    ticket = spec.ticket
    token = reply_token_for(ticket=ticket, user=spec.recipient) if spec.customer_facing else ""
    values = {**_ticket_values(ticket, tenant), **spec.values}
    values["recipient_name"] = spec.recipient.get_full_name()
    path = (
        f"/tickets/{ticket.number}/" if spec.customer_facing else f"/desk/tickets/{ticket.number}/"
    )
    values["ticket_url"] = base_url + path
    rendered = render_email(key=spec.kind, values=values, brand=_brand(tenant, base_url))
    subject = mail_subject(rendered.subject, ticket.number)
    in_reply_to, references = _thread(ticket, spec.recipient, row, tenant)
    headers = {
        "Message-ID": f"<{row.message_id}>",
        "X-Panel1-Ticket": header_safe(ticket.number, limit=64),
    }
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
        headers["References"] = " ".join(f"<{ref}>" for ref in references)
    if spec.auto_submitted:
        headers["Auto-Submitted"] = spec.auto_submitted
        # Ask Exchange/Outlook not to send out-of-office replies to our notifications.
        headers["X-Auto-Response-Suppress"] = "All"
    OutboundEmail.objects.filter(pk=row.pk).update(
        subject=subject[:300],
        in_reply_to=in_reply_to,
        references=" ".join(references),
        reply_token=token,
    )
    email = DkimSignedEmail(
        subject=subject,
        body=rendered.text,
        from_email=from_header(tenant),
        to=[spec.recipient.email],
        reply_to=[reply_to_address(tenant, token)],
        headers=headers,
        connection=get_connection(),
        signer=dkim_signer(),
    )
    email.attach_alternative(rendered.html, "text/html")
    return email


def _plugin_filtered(email: EmailMultiAlternatives, spec: MailSpec) -> EmailMultiAlternatives:
    """The plugins' `filter.outgoing_mail`: they may change subject, text and HTML bodies."""
    from panel1.plugins import hooks

    html = next((body for body, mime in email.alternatives if mime == "text/html"), "")
    mail = {"subject": email.subject, "body": email.body, "html": html, "to": list(email.to)}
    meta = {"kind": spec.kind, "ticket_id": str(spec.ticket.pk), "number": spec.ticket.number}
    mail = hooks.apply_filter("filter.outgoing_mail", mail, meta)
    email.subject = header_safe(str(mail.get("subject", email.subject)), limit=300)
    email.body = str(mail.get("body", email.body))
    if html and mail.get("html") != html:
        email.alternatives = [(str(mail.get("html", "")), "text/html")]
    return email


def mail_subject(subject: str, number: str) -> str:
    """One format for every ticket mail: "[<number>] <text>".

    The number leads, bracketed (mail clients and our ingest thread by it); wherever a
    template or a tenant's override put it ("Ticket created: SUP-1", "Re: [SUP-1] Printer"), it
    is taken out of the text and put in front.
    """
    subject = header_safe(subject, limit=200)
    bare = r"(?<![\w-])" + re.escape(number) + r"(?![\w-])"
    pattern = re.compile(r"\[\s*" + re.escape(number) + r"\s*\]|" + bare, re.I)
    text = " ".join(pattern.sub(" ", subject).split())
    text = re.sub(r"\s+([:,;.!?)])", r"\1", text).replace("( ", "(").replace("()", "")
    text = text.strip(" :-\u2013\u2014|\u00b7#")
    return f"[{number}] {text}".strip()


def _thread(
    ticket: Ticket, recipient: User, row: OutboundEmail, tenant: Tenant
) -> tuple[str, list[str]]:
    """In-Reply-To and References: the previous mails of this ticket between us and them."""
    first = (
        Message.objects.filter(ticket=ticket)
        .exclude(email_message_id="")
        .order_by("created_at")
        .values_list("email_message_id", flat=True)
        .first()
    )
    root = first or thread_root_id(ticket, mail_domain(tenant))
    earlier = [
        (created, message_id)
        for created, message_id in OutboundEmail.objects.filter(
            ticket=ticket, to_email=row.to_email, status=OutboundStatus.SENT
        )
        .exclude(pk=row.pk)
        .order_by("-created_at")
        .values_list("created_at", "message_id")[:MAX_REFERENCES]
    ]
    earlier += list(
        Message.objects.filter(ticket=ticket, author=recipient)
        .exclude(email_message_id="")
        .order_by("-created_at")
        .values_list("created_at", "email_message_id")[:MAX_REFERENCES]
    )
    chain = [message_id for _when, message_id in sorted(earlier)][-MAX_REFERENCES:]
    references = list(dict.fromkeys([root, *chain]))
    return (chain[-1] if chain else root), references


def _ticket_values(ticket: Ticket, tenant: Tenant) -> dict[str, str]:
    return {
        "brand_name": tenant.brand_name,
        "ticket_number": ticket.number,
        "ticket_subject": ticket.subject,
        "ticket_status": ticket.get_status_display(),
        "ticket_priority": ticket.get_priority_display(),
        "requester_name": ticket.requester.get_full_name(),
        "requester_email": ticket.requester.email,
        "assignee_name": ticket.assignee.get_full_name()
        if ticket.assignee
        else pgettext("assignee of a ticket", "nobody"),
        "escalation_level": str(ticket.escalation_level),
    }


def _brand(tenant: Tenant, base_url: str) -> Brand:
    # The portal serves the tenant's logo at /branding/logo (panel1.tenants.views), on any host.
    return Brand(
        name=tenant.brand_name,
        color=tenant.primary_color,
        logo_url=f"{base_url}/branding/logo" if tenant.logo and base_url else "",
        footer=tenant.footer_text,
        home_url=base_url + "/" if base_url else "",
    )
