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
