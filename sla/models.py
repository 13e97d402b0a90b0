"""SLA profiles and each ticket's SLA state (due times, pauses, outcomes, escalations)."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panel1.model_loading import FastLoad
from tickets.models import Category, Priority, Ticket


class SlaProfile(models.Model):
    """Targets in business minutes on a business calendar, and whom they apply to.

    Validation lives in `sla.services` (the API, the admin and provisioning call it); the one
    rule the database keeps on its own is "at most one default".
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    first_response_time = models.PositiveIntegerField(help_text=_("Business minutes"))
    next_response_time = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Business minutes after each customer reply; empty = off"),
    )
    resolution_time = models.PositiveIntegerField(help_text=_("Business minutes"))
    is_default = models.BooleanField(default=False)
    business_hours = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            '{"timezone": "Europe/Berlin", "monday": {"start": "09:00", "end": "17:00", '
            '"enabled": true}, ...}; empty = around the clock'
        ),
    )
    holidays = ArrayField(models.DateField(), default=list, blank=True)
    recurring_holidays = ArrayField(
        models.CharField(max_length=5),
        default=list,
        blank=True,
        help_text=_('Holidays that repeat every year, as "MM-DD" (e.g. "12-25")'),
    )
    priorities = ArrayField(
        models.CharField(max_length=8, choices=Priority.choices), default=list, blank=True
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="sla_profiles")
    escalation_rules = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA profile")
        verbose_name_plural = _("SLA profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_one_default_profile"
            )
        ]

    def __str__(self):
        return self.name


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class TicketSLA(FastLoad, models.Model):
    """The SLA clock of one ticket.

    The facts (start, pauses, responses, resolution) are kept here so that due times can be
    re-derived from them at any time; the outcomes (breached, at risk, escalations applied)
    are recorded once and never re-derived. `active` is false while the clock stands still
    (paused, resolved or closed); the monitor only looks at active rows, through partial
    indexes on the due and at-risk instants, so its cost follows the rows that are due.
    """

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="sla_state"
    )
    profile = models.ForeignKey(
        SlaProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket_states"
    )
    profile_name = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField()

    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_risk_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    first_response_at_risk = models.BooleanField(default=False)
    first_response_breached = models.BooleanField(default=False)

    next_response_started_at = models.DateTimeField(
        null=True, blank=True, help_text=_("The oldest customer reply still waiting for staff")
    )
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_risk_at = models.DateTimeField(null=True, blank=True)
    next_response_at_risk = models.BooleanField(default=False)
    next_response_breached = models.BooleanField(default=False)
    next_response_breach_count = models.PositiveIntegerField(default=0)

    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_risk_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_at_risk = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)

    paused = models.BooleanField(default=False, help_text=_("Waiting on customer or on hold"))
    paused_since = models.DateTimeField(
        null=True, blank=True, help_text=_("Start of the current stop (a pause or resolved)")
    )
    paused_reason = models.CharField(max_length=24, blank=True)
    paused_business_seconds = models.PositiveBigIntegerField(
        default=0, help_text=_("Business time of the finished stops, in the profile's calendar")
    )
    pauses = models.JSONField(default=list, blank=True)
    is_closed = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    next_escalation_at = models.DateTimeField(null=True, blank=True)
    escalations_applied = ArrayField(models.CharField(max_length=64), default=list, blank=True)

    calculation = models.JSONField(default=dict, blank=True)
    log = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")
        indexes = [
            # One partial index per monitor query: only running, unflagged rows are in them,
            # so each monitor pass reads the rows that are due and nothing else.
            models.Index(
                fields=["first_response_due_at"],
                name="sla_fr_due_idx",
                condition=Q(
                    active=True, first_responded_at__isnull=True, first_response_breached=False
                ),
            ),
            models.Index(
                fields=["first_response_risk_at"],
                name="sla_fr_risk_idx",
                condition=Q(
                    active=True,
                    first_responded_at__isnull=True,
                    first_response_breached=False,
                    first_response_at_risk=False,
                ),
            ),
            models.Index(
                fields=["next_response_due_at"],
                name="sla_nr_due_idx",
                condition=Q(
                    active=True,
                    next_response_due_at__isnull=False,
                    next_response_breached=False,
                ),
            ),
            models.Index(
                fields=["next_response_risk_at"],
                name="sla_nr_risk_idx",
                condition=Q(
                    active=True,
                    next_response_due_at__isnull=False,
                    next_response_breached=False,
                    next_response_at_risk=False,
                ),
            ),
            models.Index(
                fields=["resolution_due_at"],
                name="sla_res_due_idx",
                condition=Q(active=True, resolved_at__isnull=True, resolution_breached=False),
            ),
            models.Index(
                fields=["resolution_risk_at"],
                name="sla_res_risk_idx",
                condition=Q(
                    active=True,
                    resolved_at__isnull=True,
                    resolution_breached=False,
                    resolution_at_risk=False,
                ),
            ),
            models.Index(
                fields=["next_escalation_at"],
                name="sla_escalation_idx",
                condition=Q(active=True, next_escalation_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"SLA of {self.ticket_id}"

    def as_api_block(self, ticket: Ticket) -> dict:
        """The ticket's `sla` object exactly as API.md names it."""
        return {
            "profile": self.profile_id,
            "first_response_due_at": self.first_response_due_at,
            "next_response_due_at": self.next_response_due_at,
            "resolution_due_at": self.resolution_due_at,
            "first_responded_at": self.first_responded_at,
            "resolved_at": self.resolved_at,
            "first_response_breached": self.first_response_breached,
            "next_response_breached": self.next_response_breached,
            "resolution_breached": self.resolution_breached,
            "paused": self.paused,
        }
