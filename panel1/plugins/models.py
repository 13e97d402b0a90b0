"""Per-tenant plugin state (one row per plugin a tenant has touched) and plugin data."""

from django.db import models


class PluginState(models.Model):
    """Whether a plugin is on for this tenant, its settings, and its failures."""

    plugin = models.CharField(max_length=50, unique=True)
    enabled = models.BooleanField(default=False)
    settings = models.JSONField(default=dict, blank=True)
    installed_at = models.DateTimeField(null=True, blank=True)  # the `install` hook ran
    enabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    failure_count = models.PositiveIntegerField(default=0)  # since the last enable
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plugin"]

    def __str__(self):
        return f"{self.plugin} ({'on' if self.enabled else 'off'})"


class PluginDatum(models.Model):
    """A plugin's own key/value data in this tenant (`ctx.data`)."""

    plugin = models.CharField(max_length=50)
    key = models.CharField(max_length=200)
    value = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plugin", "key"], name="plugins_datum_unique_key")
        ]

    def __str__(self):
        return f"{self.plugin}:{self.key}"


class PluginDelivery(models.Model):
    """An event delivered to a plugin's event hook: claimed before the hook runs, so a
    redelivered task never runs a plugin's hook twice for one event."""

    event_id = models.UUIDField()
    plugin = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "plugin"], name="plugins_delivery_once")
        ]

    def __str__(self):
        return f"{self.plugin} {self.event_id}"
