"""Routing settings (one row per tenant schema), per-category strategies and the routing state.

The state row is locked (SELECT ... FOR UPDATE) by every routing decision: decisions of one
tenant run one at a time, so capacity holds and round robin stays fair under parallel
ticket creation.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from automation.routing.selection import STRATEGIES

SINGLETON = 1
STRATEGY_CHOICES = [(name, name) for name in STRATEGIES]


class RoutingSettings(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    strategy = models.CharField(max_length=16, choices=STRATEGY_CHOICES, default="manual")
    previous_agent = models.BooleanField(
        default=False, help_text=_("Prefer the agent of the requester's last ticket.")
    )
    priority_first = models.BooleanField(
        default=False, help_text=_("URGENT and HIGH tickets go to the most spare capacity first.")
    )
    reroute_when_offline = models.BooleanField(
        default=False,
        help_text=_("When an agent goes offline or away, return their untouched tickets."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")

    def __str__(self):
        return f"Routing: {self.strategy}"


class CategoryRouting(models.Model):
    """A category's own strategy (a deleted category takes its override with it)."""

    settings = models.ForeignKey(
        RoutingSettings, on_delete=models.CASCADE, related_name="category_strategies"
    )
    category = models.OneToOneField(
        "tickets.Category", on_delete=models.CASCADE, related_name="routing"
    )
    strategy = models.CharField(max_length=16, choices=STRATEGY_CHOICES)

    class Meta:
        ordering = ["category__name"]
        verbose_name = _("category strategy")

    def __str__(self):
        return f"{self.category}: {self.strategy}"


class RoutingState(models.Model):
    """The lock of routing decisions and the round-robin sequence (who got what when is
    `RoutingAgentLast`, one row per agent)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    sequence = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"Routing state at {self.sequence}"


class RoutingAgentLast(models.Model):
    """The routing sequence number of an agent's last routed ticket (no row: never). Written
    with the decision that routes to them (under the state lock), read with the pool."""

    agent = models.OneToOneField(
        "accounts.User", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    sequence = models.PositiveBigIntegerField()

    def __str__(self):
        return f"{self.agent_id} last routed at {self.sequence}"
