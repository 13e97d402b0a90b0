import uuid

from django.db import models


class EventRecord(models.Model):
    """One emitted domain event, written in the transaction of the change (an outbox row)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    actor = models.CharField(max_length=200, blank=True)
    chain = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The sweeper only ever looks at unprocessed rows.
            models.Index(
                fields=["created_at"],
                name="events_unprocessed_idx",
                condition=models.Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.id}"
