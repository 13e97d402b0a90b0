"""The people around tickets: agent profiles (skills, capacity, availability) and ratings."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.tickets import Category, Ticket


class AgentStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentProfile(models.Model):
    """A staff user's part in routing: having a profile is what puts an agent in the pool.

    `working_hours` has the shape of an SLA profile's `business_hours` (in the agent's own
    time zone); `out_of_office` is a list of ``{"start": iso, "end": iso}`` periods (UTC).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="agents",
        help_text=_("Categories the agent may work; none = all categories."),
    )
    status = models.CharField(
        max_length=8, choices=AgentStatus.choices, default=AgentStatus.OFFLINE
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveIntegerField(
        default=0,
        help_text=_("Most open tickets routing gives the agent; 0 = no limit."),
        validators=[MinValueValidator(0)],
    )
    skills = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    languages = ArrayField(models.CharField(max_length=10), default=list, blank=True)
    working_hours = models.JSONField(
        null=True, blank=True, help_text=_("As an SLA profile's business hours; empty = any time.")
    )
    out_of_office = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="agentprofile_status_idx")]

    def __str__(self):
        return f"Agent profile of {self.user}"

    @property
    def is_available(self) -> bool:
        """Online by status (working hours and absences are the router's to judge)."""
        return self.status == AgentStatus.ONLINE


class SatisfactionRating(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The three survey questions (1-5 each; an unanswered one is null). `rating` is their
    # rounded mean and `score` the exact one; an earlier single rating became all three.
    response_time = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    solution = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    team = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    score = models.FloatField(null=True, blank=True)

    def __str__(self):
        return f"{self.rating}/5 for {self.ticket_id}"


class AgentLoadDelta(models.Model):
    """A change of an agent's open tickets and their priority-weighted load, written by the
    database trigger `ticket_open_load_delta` with every ticket write that changes them
    (insert only: no row is updated in place, so writers never wait on each other); an
    agent's open tickets and load are the sums of their rows (routing's pool reads them:
    a few rows per agent, not their tickets). `agent_load_compact()` folds the rows into one
    per agent now and then (`compacted`)."""

    id = models.BigAutoField(primary_key=True)
    agent_id = models.UUIDField()
    tickets = models.IntegerField()
    load = models.IntegerField()
    compacted = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], name="agentload_fresh_idx", condition=models.Q(compacted=False)
            ),
            # One agent's rows (routing's previous agent: their load without the pool's).
            models.Index(
                fields=["agent_id"], include=["tickets", "load"], name="agentload_agent_idx"
            ),
        ]

    def __str__(self):
        return f"{self.agent_id}: {self.tickets:+d} tickets, {self.load:+d} load"
