"""Automation rules, their execution log, auto-response templates and webhook deliveries."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from panel1.events import names

# Events a rule may be triggered by: every DESIGN.md event about a ticket (mentions, splits
# and links included), and a new customer or organization (those rules may only send a
# webhook: automation.subjects). A KB article publication, a plugin switched on or an agent's
# availability are no triggers.
NOT_TRIGGERS = (
    names.KB_ARTICLE_PUBLISHED,
    names.PLUGIN_ENABLED,
    names.PLUGIN_DISABLED,
    names.AGENT_AVAILABILITY_CHANGED,
)
TRIGGER_EVENTS: tuple[str, ...] = tuple(
    name for name in names.ALL_EVENTS if name not in NOT_TRIGGERS
)
MAX_IDLE_HOURS = 24 * 365


class Rule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    trigger_event = models.CharField(
        max_length=64, choices=[(name, name) for name in TRIGGER_EVENTS]
    )
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0, help_text=_("Lower runs first."))
    stop_processing = models.BooleanField(
        default=False, help_text=_("When this rule matches, later rules of the event do not run.")
    )
    idle_hours = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_IDLE_HOURS)],
        help_text=_("ticket.idle rules only: hours without any update to the ticket."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [
            # The engine's one query per event: active rules of a trigger in order.
            models.Index(
                fields=["trigger_event", "position"],
                name="rule_trigger_active_idx",
                condition=models.Q(is_active=True),
            ),
        ]

    def __str__(self):
        return self.name


class RuleRun(models.Model):
    """One evaluation of a rule for an event (or a dry run): matched or not, what it did."""

    id = models.BigAutoField(primary_key=True)
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    event_name = models.CharField(max_length=64)
    event_id = models.UUIDField(null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_number = models.CharField(max_length=64, blank=True)
    matched = models.BooleanField()
    actions_applied = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    dry_run = models.BooleanField(default=False)
    chain = models.JSONField(default=list, blank=True)
    duration_ms = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["rule", "-created_at"], name="rulerun_rule_created_idx")]

    def __str__(self):
        return f"{self.rule_id} on {self.event_name} ({'matched' if self.matched else 'no match'})"


class IdleFiring(models.Model):
    """That an idle rule fired for a ticket, and the ticket's `updated_at` once its effects
    settled: the rule fires again only after someone else touches the ticket."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="idle_firings")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    idle_since = models.DateTimeField()
    settled_at = models.DateTimeField()
    fired_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket"], name="idlefiring_rule_ticket_uniq")
        ]

    def __str__(self):
        return f"{self.rule_id} idle on {self.ticket_id}"


class AutoResponseTemplate(models.Model):
    name = models.SlugField(max_length=100, unique=True, help_text=_("Rules refer to this name."))
    description = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=255, blank=True, help_text=_("Subject of the email."))
    body = models.TextField(help_text=_("Plain text with placeholders such as {{ticket_number}}."))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AutoResponseTranslation(models.Model):
    """A template's text in one more language. The template's own subject and body are the
    tenant's default language; a reply in a language without a translation uses them."""

    template = models.ForeignKey(
        AutoResponseTemplate, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(max_length=10)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["template", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "language"], name="autoresponse_translation_language"
            )
        ]

    def __str__(self):
        return f"{self.template_id} ({self.language})"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    SUCCEEDED = "SUCCEEDED", _("Succeeded")
    FAILED = "FAILED", _("Failed")
    REFUSED = "REFUSED", _("Refused (address not allowed)")


class WebhookDelivery(models.Model):
    """One webhook a rule sent (or tries to send); each HTTP attempt is a WebhookAttempt."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    rule_name = models.CharField(max_length=200, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_name = models.CharField(max_length=64)
    event_id = models.UUIDField(null=True, blank=True)
    url = models.URLField(max_length=2000)
    # Encrypted at rest (panel1.crypto): longer than the secret itself.
    secret = models.TextField(blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The retry job looks only at pending deliveries that are due.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_pending_idx",
                condition=models.Q(status="PENDING"),
            ),
        ]

    def __str__(self):
        return f"{self.event_name} -> {self.url} ({self.status})"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery_id}"


# Routing keeps its models in its own package; they belong to this app.
from automation.routing.models import (  # noqa: E402, F401
    CategoryRouting,
    RoutingSettings,
    RoutingState,
)
