"""Desk models: saved queue views, canned responses, reply drafts and presence.

Agent tooling only; the ticket domain stays in `tickets`. The tables keep the names they had
while these models lived in the tickets app (`db_table`), so upgrades keep every row.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CannedResponse", "PresenceState", "ReplyDraft", "SavedView", "TicketPresence"]

PLACEHOLDER_HELP = (
    "Markdown. Placeholders: {{requester.name}}, {{requester.first_name}}, {{requester.email}}, "
    "{{ticket.number}}, {{ticket.subject}}, {{ticket.status}}, {{agent.name}}, "
    "{{agent.first_name}}, {{company.name}}."
)


class SavedView(models.Model):
    """A queue an agent saved from a filter combination; personal, or shared with all staff."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_saved_views"
    )
    is_shared = models.BooleanField(
        default=False, help_text="Shared views appear in every staff member's sidebar."
    )
    filters = models.JSONField(
        default=dict, blank=True, help_text="Normalized queue filters (see desk.queues)."
    )
    ordering = models.CharField(max_length=32, blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tickets_savedview"
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name_uniq")
        ]
        indexes = [models.Index(fields=["is_shared"], name="savedview_shared_idx")]

    def __str__(self):
        return self.name


class CannedResponse(models.Model):
    """A saved reply of the tenant (or one agent's own) with placeholders."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=120)
    shortcut = models.SlugField(
        max_length=40, blank=True, help_text="Type it in the canned-response search to find it."
    )
    content = models.TextField(help_text=PLACEHOLDER_HELP)
    category = models.ForeignKey(
        "tickets.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="canned_responses",
        help_text="Listed first on tickets of this category.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="desk_canned_responses",
        help_text="Empty: shared with the whole team. Set: only this agent sees it.",
    )
    actions = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "Macro actions applied with the reply: status, priority, category (id), tags "
            "(added), assignee ('me', 'none' or an id), cc (emails), note (internal note)."
        ),
    )
    is_active = models.BooleanField(default=True)
    usage_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tickets_cannedresponse"
        ordering = ["title"]
        indexes = [models.Index(fields=["is_active", "title"], name="canned_active_title_idx")]

    def __str__(self):
        return self.title


class ReplyDraft(models.Model):
    """The reply an agent is writing, autosaved so a reload or a crash loses nothing."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content = models.TextField(blank=True)
    is_internal = models.BooleanField(default=False)
    status_after = models.CharField(max_length=24, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tickets_replydraft"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="replydraft_ticket_user_uniq")
        ]

    def __str__(self):
        return f"Draft of {self.user_id} on {self.ticket_id}"


class PresenceState(models.TextChoices):
    VIEWING = "VIEWING", _("viewing")
    TYPING = "TYPING", _("typing")


class TicketPresence(models.Model):
    """Who has a ticket open right now (a heartbeat refreshes `expires_at`)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=8, choices=PresenceState.choices, default=PresenceState.VIEWING
    )
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "tickets_ticketpresence"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="presence_ticket_user_uniq")
        ]
        indexes = [models.Index(fields=["ticket", "expires_at"], name="presence_ticket_exp_idx")]

    def __str__(self):
        return f"{self.user_id} {self.state} {self.ticket_id}"
