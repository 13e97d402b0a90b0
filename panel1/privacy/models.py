"""Privacy requests of one tenant: data exports and erasures, each a row a job works off."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ErasureStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Source(models.TextChoices):
    API = "api", _("API")
    DESK = "desk", _("Desk")
    ADMIN = "admin", _("Django admin")
    PORTAL = "portal", _("Portal (the person themself)")
    COMMAND = "command", _("Management command")


def export_upload_to(instance, filename):
    # Under the tenant's media prefix; the random part keeps the name unguessable.
    return f"privacy/exports/{instance.pk}/{uuid.uuid4().hex}.zip"


class DataExport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    file = models.FileField(upload_to=export_upload_to, blank=True, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export {self.pk} ({self.status})"


class Erasure(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    status = models.CharField(
        max_length=20, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    counts = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open erasure per person: a second request while one waits or runs is a 409.
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(status__in=["awaiting_approval", "pending", "running"]),
                name="privacy_one_open_erasure",
            )
        ]

    def __str__(self):
        return f"Erasure {self.pk} ({self.status})"


class ClosedTicketAction(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonymise (keep numbers, dates, statuses, SLA outcomes)")
    DELETE = "delete", _("Delete")


class RetentionPolicy(models.Model):
    """One row per tenant: days each kind of data is kept (0 = forever)."""

    closed_tickets = models.PositiveIntegerField(
        default=0, help_text=_("Days after closing; 0 = keep closed tickets forever.")
    )
    closed_ticket_action = models.CharField(
        max_length=10, choices=ClosedTicketAction.choices, default=ClosedTicketAction.ANONYMISE
    )
    inbound_mail = models.PositiveIntegerField(
        default=90, help_text=_("Raw inbound mail (processed, ignored, duplicate, bounces).")
    )
    idempotency_records = models.PositiveIntegerField(default=2)
    processed_events = models.PositiveIntegerField(default=30)
    automation_runs = models.PositiveIntegerField(default=30)
    expired_exports = models.PositiveIntegerField(
        default=1, help_text=_("Days after a data export's link expired.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    DAY_FIELDS = (
        "closed_tickets",
        "inbound_mail",
        "idempotency_records",
        "processed_events",
        "automation_runs",
        "expired_exports",
    )

    def __str__(self):
        return "Retention policy"

    @classmethod
    def get(cls) -> "RetentionPolicy":
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls()
