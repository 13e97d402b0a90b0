"""Desk models: saved queue views, canned responses, reply drafts and presence.

Agent tooling only; the ticket domain stays in `tickets`. The tables keep the names they had
while these models lived in the tickets app (`db_table`), so upgrades keep every row.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CannedResponse",
    "DeskSettings",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "PresenceState",
    "ReplyDraft",
    "SavedView",
    "TicketFollow",
    "TicketPresence",
]

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
        default=False, help_text=_("Shared views appear in every staff member's sidebar.")
    )
    filters = models.JSONField(
        default=dict, blank=True, help_text=_("Normalized queue filters (see desk.queues).")
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
        max_length=40, blank=True, help_text=_("Type it in the canned-response search to find it.")
    )
    content = models.TextField(help_text=PLACEHOLDER_HELP)
    category = models.ForeignKey(
        "tickets.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="canned_responses",
        help_text=_("Listed first on tickets of this category."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="desk_canned_responses",
        help_text=_("Empty: shared with the whole team. Set: only this agent sees it."),
    )
    actions = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            _(
                "Macro actions applied with the reply: status, priority, category (id), tags "
                "(added), assignee ('me', 'none' or an id), cc (emails), note (internal note)."
            )
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


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mentioned in a note")
    ASSIGNMENT = "assignment", _("Assigned to me")
    CUSTOMER_REPLY = "customer_reply", _("Customer replied on my or a followed ticket")
    SLA = "sla", _("SLA warning on my ticket")


class Notification(models.Model):
    """One entry of an agent's notification centre (the bell)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=300)
    event_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notif_user_idx")]
        constraints = [
            # One entry per person and event: a redelivered event adds nothing.
            models.UniqueConstraint(
                fields=["user", "event_id"],
                condition=~models.Q(event_id=""),
                name="notif_user_event_uniq",
            )
        ]

    def __str__(self):
        return f"{self.kind} for {self.user_id}: {self.text}"


class TicketFollow(models.Model):
    """An agent follows a ticket: customer replies on it reach their notification centre."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="follow_ticket_user_uniq")
        ]

    def __str__(self):
        return f"{self.user_id} follows {self.ticket_id}"


def default_notification_channels() -> dict:
    return {kind: {"in_app": True, "email": True} for kind in NotificationKind.values}


class NotificationPreference(models.Model):
    """Per agent and kind: in the notification centre, by email, or both."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="desk_notification_preference",
    )
    channels = models.JSONField(default=default_notification_channels)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Notification preferences of {self.user_id}"

    def wants(self, kind: str, channel: str) -> bool:
        return bool((self.channels or {}).get(kind, {}).get(channel, True))


class DeskSettings(models.Model):
    """The tenant's desk options (one row)."""

    assign_on_reply = models.BooleanField(
        default=True,
        help_text=_("Replying to an unassigned ticket assigns it to the agent who replied."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")

    def __str__(self):
        return "Desk settings"
