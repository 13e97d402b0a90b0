"""The tenant's security and configuration audit log: sign-ins, password and role changes,
API tokens, settings, exports, erasures, Django admin actions, configuration writes.

Ticket changes stay in each ticket's own history (`tickets.TicketEvent`). Rows are
append-only, enforced twice: the model and queryset refuse updates and deletes, and a
database trigger (migration 0002) refuses UPDATE and DELETE statements from anywhere. Rows
keep the actor's user id (never an email address) and, for non-user actors, a label such as
`system`, so the log outlives the users and objects it names; the API shows the user's
current email at read time, which after an erasure is their pseudonym.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only.")

    def delete(self):
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.UUIDField(null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()
    # `save()` only refuses updates: an insert may skip it (panel1.db_writes.insert_one).
    save_adds_nothing = True

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor_id", "created_at"], name="audit_actor_idx"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")
