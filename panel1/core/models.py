from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobHeartbeat(models.Model):
    """A single row (public schema) the job cluster touches every minute."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_seen = models.DateTimeField()

    class Meta:
        verbose_name = _("job cluster heartbeat")

    def __str__(self):
        return f"heartbeat {self.last_seen:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls) -> None:
        cls.objects.update_or_create(id=1, defaults={"last_seen": timezone.now()})
