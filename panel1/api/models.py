import uuid

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a creating POST with an `Idempotency-Key`, replayed for 24 hours."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "path"], name="api_idempotency_unique_key"
            )
        ]

    def __str__(self):
        return f"{self.key} {self.path}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 hash is stored: the token itself is shown once,
    when it is created. Named, optionally read-only (GET/HEAD/OPTIONS only) and expiring."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so a person can tell their tokens apart; not enough to use one.
    prefix = models.CharField(max_length=8)
    read_only = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="api_token_user_idx")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ApiRateCounter(models.Model):
    """Hits of one caller in the current rate-limit window (the database-cache fallback of
    `panel1.api.throttling`; with Redis the counters live there)."""

    key = models.CharField(max_length=200, primary_key=True)
    window = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.hits}"
