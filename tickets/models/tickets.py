"""Tickets, their conversation, files, categories, numbering counters and the audit trail."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from panel1.model_loading import FastLoad
from panel1.tenants.models import hex_color_validator
from tickets.querysets import MessageQuerySet, TicketQuerySet


class Status(models.TextChoices):
    OPEN = "OPEN", _("Open")
    IN_PROGRESS = "IN_PROGRESS", _("In progress")
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER", _("Waiting on customer")
    ON_HOLD = "ON_HOLD", _("On hold")
    RESOLVED = "RESOLVED", _("Resolved")
    CLOSED = "CLOSED", _("Closed")


OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER, Status.ON_HOLD)
PAUSED_STATUSES = (Status.WAITING_ON_CUSTOMER, Status.ON_HOLD)


class Priority(models.TextChoices):
    LOW = "LOW", _("Low")
    MEDIUM = "MEDIUM", _("Medium")
    HIGH = "HIGH", _("High")
    URGENT = "URGENT", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3, Priority.URGENT: 4}


def priority_rank() -> models.Case:
    """The priority as a number (URGENT highest): the `priority` ordering and its index."""
    return models.Case(
        *[models.When(priority=p, then=models.Value(rank)) for p, rank in PRIORITY_RANK.items()],
        output_field=models.IntegerField(),
    )


class Channel(models.TextChoices):
    WEB = "WEB", _("Web (desk)")
    EMAIL = "EMAIL", _("Email")
    API = "API", _("API")
    PORTAL = "PORTAL", _("Portal")
    PHONE = "PHONE", _("Phone")
    WALK_IN = "WALK_IN", _("Walk-in")
    CHAT = "CHAT", _("Chat")


class MessageType(models.TextChoices):
    CUSTOMER_REPLY = "CUSTOMER_REPLY", _("Customer reply")
    STAFF_REPLY = "STAFF_REPLY", _("Staff reply")
    INTERNAL_NOTE = "INTERNAL_NOTE", _("Internal note")
    SYSTEM = "SYSTEM", _("System")


class Category(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    color = models.CharField(max_length=7, default="#64748b", validators=[hex_color_validator])
    icon = models.CharField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Ticket(FastLoad, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(max_length=64, unique=True)
    subject = models.CharField(max_length=255)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    cc = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="cc_tickets")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_staff_message_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(
        max_length=10,
        null=True,
        blank=True,
        help_text=_("A LANGUAGES code, detected or preferred."),
    )
    routing_reason = models.TextField(
        null=True, blank=True, help_text=_("Why routing assigned the ticket (or could not).")
    )
    search_vector = models.GeneratedField(
        expression=SearchVector(Coalesce("subject", models.Value("")), config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # Grows by one with every change (fields, status, assignee, tags, CCs, messages): the
    # ETag of the API and the desk's conflict check (If-Match / the version a form was
    # rendered from).
    version = models.PositiveIntegerField(default=1)
    # The SLA clock's answers the queues filter and sort by, kept here, where the open
    # tickets' indexes can order them (a join to every open ticket's SLA row could not): the
    # nearest due time still pending, whether a target is breached, whether one is at risk
    # and not breached. Written only by the database, in the statement that changes the
    # ticket's SLA row (the `sla` app's trigger, see sla/migrations/0003): ticket services
    # never name them in their UPDATEs, so they cannot write a stale copy back.
    sla_next_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_breached = models.BooleanField(default=False, editable=False)
    sla_at_risk = models.BooleanField(default=False, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Queues and API lists filter by one of these and sort by recency.
            models.Index(fields=["status", "-updated_at"], name="ticket_status_updated_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
            models.Index(fields=["category", "status"], name="ticket_category_status_idx"),
            models.Index(fields=["priority", "status"], name="ticket_priority_status_idx"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_idx"),
            # One per ordering the lists offer (scanned either way): the id is the tie-breaker
            # that keyset pages (`?cursor=`) compare.
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_id_idx"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created_id_idx"),
            models.Index(
                priority_rank(),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="ticket_priority_rank_idx",
            ),
            # The desk's open queues by recency (deep pages walk open tickets only) and by
            # priority, either way (the id descending breaks ties in every queue order).
            models.Index(
                models.F("updated_at").desc(),
                models.F("id").desc(),
                condition=models.Q(status__in=OPEN_STATUSES),
                name="ticket_open_updated_idx",
            ),
            models.Index(
                priority_rank().desc(),
                models.F("id").desc(),
                condition=models.Q(status__in=OPEN_STATUSES),
                name="ticket_open_priority_desc_idx",
            ),
            models.Index(
                priority_rank().asc(),
                models.F("id").desc(),
                condition=models.Q(status__in=OPEN_STATUSES),
                name="ticket_open_priority_idx",
            ),
            # The SLA queues (`desk.queues`): open tickets by next due time, either way, and
            # the breached / at-risk ones among them.
            models.Index(
                models.F("sla_next_due_at").asc(nulls_last=True),
                models.F("id").desc(),
                condition=models.Q(status__in=OPEN_STATUSES),
                name="ticket_open_sla_due_idx",
            ),
            models.Index(
                models.F("sla_next_due_at").desc(nulls_last=True),
                models.F("id").desc(),
                condition=models.Q(status__in=OPEN_STATUSES),
                name="ticket_open_sla_due_desc_idx",
            ),
            models.Index(
                models.F("sla_next_due_at").asc(nulls_last=True),
                models.F("id").desc(),
                condition=models.Q(status__in=OPEN_STATUSES)
                & (models.Q(sla_breached=True) | models.Q(sla_at_risk=True)),
                name="ticket_open_sla_flagged_idx",
            ),
            # Routing's load per agent: an index-only scan over open assigned tickets.
            models.Index(
                fields=["assignee"],
                include=["priority"],
                condition=models.Q(status__in=OPEN_STATUSES, assignee__isnull=False),
                name="ticket_open_load_idx",
            ),
            GinIndex(fields=["tags"], name="ticket_tags_gin"),
            GinIndex(fields=["search_vector"], name="ticket_search_gin"),
        ]
        permissions = [("work_tickets", "Can work tickets in the desk")]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Message(FastLoad, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_messages",
    )
    author_label = models.CharField(max_length=200, blank=True)
    message_type = models.CharField(max_length=16, choices=MessageType.choices)
    content = models.TextField()
    time_spent = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(60 * 24 * 7)]
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    is_auto_response = models.BooleanField(default=False)
    email_message_id = models.CharField(max_length=998, blank=True, db_index=True)
    moved_from = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("content", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_created_idx"),
            GinIndex(fields=["search_vector"], name="message_search_gin"),
        ]

    def __str__(self):
        return f"{self.get_message_type_display()} on {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.message_type in (MessageType.CUSTOMER_REPLY, MessageType.STAFF_REPLY)


def attachment_upload_to(instance, filename):
    # The storage adds tenants/<schema>/; the random part keeps names unguessable and unique.
    return f"attachments/{instance.message.ticket_id}/{uuid.uuid4().hex}/{filename}"


class ScanStatus(models.TextChoices):
    """What the malware scanner said about a stored file (tickets.scanning)."""

    CLEAN = "clean", _("Clean")
    # Stored unscanned (scanner down, or scanning asynchronously): rescanned by a job and not
    # downloadable by customers (nor by staff unless ATTACHMENT_SCAN_FAIL_OPEN) until clean.
    PENDING = "pending", _("Pending malware scan")
    # Found infected by a later scan: the file is deleted from storage, the row names it.
    INFECTED = "infected", _("Quarantined")


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=500)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    inline = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    scan_status = models.CharField(
        max_length=16, choices=ScanStatus.choices, default=ScanStatus.CLEAN
    )
    scan_signature = models.CharField(max_length=200, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The rescan job only ever looks at files waiting for a verdict.
            models.Index(
                fields=["created_at"],
                name="attachment_pending_scan_idx",
                condition=models.Q(scan_status="pending"),
            ),
        ]

    def __str__(self):
        return self.filename


class TicketEvent(FastLoad, models.Model):
    """The audit trail: who changed what, when, from what to what, and why."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    event = models.CharField(max_length=64)
    field = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketevent_ticket_idx")]

    def __str__(self):
        return f"{self.event} {self.field} on {self.ticket_id}"


class TicketCounter(models.Model):
    """The last number handed out per period (a year, or 0 when the year is not in numbers)."""

    period = models.PositiveIntegerField(primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.period}: {self.value}"
