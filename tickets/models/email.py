"""Models of the email channel: templates, the outbound log, inbound mail, bounces, mailboxes.

Imported by tickets/models/__init__.py, so Django sees them as models of the tickets app.
Foreign keys use string references ("tickets.Ticket"), as the other model modules do not
need to be loaded first.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panel1.content_language import default_language, language_error, normalize_language

__all__ = [
    "BouncedAddress",
    "DkimKey",
    "EmailReplyToken",
    "EmailTemplate",
    "EmailTemplateKey",
    "ImapMailbox",
    "InboundEmail",
    "InboundOutcome",
    "InboundStatus",
    "OutboundEmail",
    "OutboundStatus",
]


class EmailTemplateKey(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Ticket created (to the requester)")
    STAFF_REPLY = "staff_reply", _("Staff reply (to the requester and CCs)")
    CUSTOMER_REPLY = "customer_reply", _("Customer reply (to the assignee)")
    TICKET_RESOLVED = "ticket_resolved", _("Ticket resolved (to the requester)")
    TICKET_ASSIGNED = "ticket_assigned", _("Ticket assigned (to the agent)")
    NOTE_MENTION = "note_mention", _("Mentioned in an internal note (to staff)")
    SLA_BREACH = "sla_breach", _("SLA breached (to the users the rule names)")
    TICKET_ESCALATED = "ticket_escalated", _("Ticket escalated (to the users the rule names)")
    STAFF_NOTICE = "staff_notice", _("Staff notice (SLA escalation or automation rule, to staff)")


class EmailTemplate(models.Model):
    """A tenant's override of one notification; placeholders like {{ ticket_number }}.

    Rendered by tickets.email.rendering (a placeholder substitution, not a template engine):
    values are inserted once and never evaluated, and escaped in the HTML body.
    """

    key = models.CharField(max_length=32, choices=EmailTemplateKey.choices)
    # One text per language; mail in a language without one falls back to the tenant
    # default's text, then to the built-in default (tickets.email.rendering.template_for).
    language = models.CharField(max_length=10, default=default_language)
    subject = models.CharField(max_length=255)
    body_text = models.TextField(help_text=_("Plain-text body."))
    body_html = models.TextField(
        blank=True, help_text=_("HTML body (sanitized); empty = the text body as HTML.")
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="email_template_key_language")
        ]

    def __str__(self):
        return f"{self.get_key_display()} ({self.language})"

    def clean(self):
        from tickets.email.rendering import template_errors

        errors = template_errors(
            key=self.key, subject=self.subject, body_text=self.body_text, body_html=self.body_html
        )
        if normalize_language(self.language) != self.language:
            errors.setdefault("language", []).append(language_error(self.language))
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)


class EmailReplyToken(models.Model):
    """Per-ticket, per-recipient token carried in Reply-To (support+<token>@domain)."""

    token = models.CharField(max_length=64, unique=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="email_reply_tokens"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="email_token_ticket_user_uniq")
        ]

    def __str__(self):
        return self.token


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class OutboundEmail(models.Model):
    """One notification mail to one recipient: the log, the idempotency key, the thread."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_emails",
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=EmailTemplateKey.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_email = models.EmailField()
    subject = models.CharField(max_length=300, blank=True)
    # Stored without angle brackets, like ParsedEmail ids and Message.email_message_id.
    message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    reply_token = models.CharField(max_length=64, blank=True)
    # event id + kind + recipient: a redelivered task finds its row and sends nothing twice.
    dedup_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=8, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="outbound_ticket_idx"),
            models.Index(fields=["status", "created_at"], name="outbound_status_idx"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.to_email}"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")
    HELD = "held", _("Held for review")
    BOUNCE = "bounce", _("Bounce")
    DUPLICATE = "duplicate", _("Duplicate")
    IGNORED = "ignored", _("Ignored (own address)")


class InboundOutcome(models.TextChoices):
    NONE = "", _("-")
    TICKET_CREATED = "ticket_created", _("New ticket")
    REPLY_ADDED = "reply_added", _("Reply on a ticket")
    AUTO_REPLY_RECORDED = "auto_reply_recorded", _("Automatic reply noted on a ticket")


class InboundEmail(models.Model):
    """Every inbound mail, stored raw before anything else so nothing is ever lost."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(max_length=32)
    raw = models.BinaryField()
    raw_size = models.PositiveIntegerField(default=0)
    raw_sha256 = models.CharField(max_length=64)
    envelope_recipient = models.CharField(max_length=320, blank=True)
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    # Message-ID, or the raw bytes' hash when there is none: the same key twice = one message.
    dedup_key = models.CharField(max_length=1000, db_index=True)
    sender = models.CharField(max_length=320, blank=True, db_index=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    outcome = models.CharField(
        max_length=24, choices=InboundOutcome.choices, blank=True, default=InboundOutcome.NONE
    )
    reason = models.TextField(blank=True, help_text=_("Why it was held, ignored, matched ..."))
    error = models.TextField(blank=True)
    auto_submitted_reason = models.CharField(max_length=64, blank=True)
    sender_is_new = models.BooleanField(default=False)
    defects = models.JSONField(default=list, blank=True)
    html = models.TextField(blank=True, help_text=_("Sanitized HTML body, for display."))
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_emails",
    )
    ticket_message = models.ForeignKey(
        "tickets.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_emails",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="inbound_status_idx"),
            models.Index(fields=["sender", "received_at"], name="inbound_sender_idx"),
        ]

    def __str__(self):
        return f"{self.sender or '?'}: {self.subject or '(no subject)'}"


class BouncedAddress(models.Model):
    """An address mail bounced from; while suppressed, notifications to it are skipped."""

    email = models.EmailField(unique=True)
    bounce_count = models.PositiveIntegerField(default=0)
    suppressed = models.BooleanField(default=True)
    last_bounced_at = models.DateTimeField()
    last_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_bounced_at"]
        verbose_name_plural = _("bounced addresses")

    def __str__(self):
        return self.email


class ImapMailbox(models.Model):
    """A mailbox polled for new mail; the password is encrypted at rest (Fernet)."""

    name = models.CharField(max_length=100)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True)
    username = models.CharField(max_length=255)
    password_encrypted = models.TextField(blank=True, editable=False)
    folder = models.CharField(max_length=255, default="INBOX")
    is_active = models.BooleanField(default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("IMAP mailbox")
        verbose_name_plural = _("IMAP mailboxes")

    def __str__(self):
        return f"{self.name} ({self.username}@{self.host})"


class DkimKey(models.Model):
    """The tenant's DKIM signing key for outbound mail (tickets.email.dkim_signing). The
    private key is encrypted at rest (panel1.crypto); the public half is what the DNS TXT
    record `<selector>._domainkey.<domain>` publishes. One key is active; older ones stay
    (inactive) until their DNS records are removed."""

    domain = models.CharField(max_length=253)
    selector = models.CharField(max_length=63)
    private_key_encrypted = models.TextField(editable=False)
    public_key = models.TextField(editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("DKIM key")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="dkim_one_active_key",
            ),
        ]

    def __str__(self):
        return f"{self.selector}._domainkey.{self.domain}"
