"""Platform-level plugin policy, in the public schema: plugins forbidden for a tenant."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PluginForbid(models.Model):
    """The platform forbids `plugin` for `tenant`: the tenant's admins cannot enable it."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="forbidden_plugins"
    )
    plugin = models.CharField(max_length=50)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plugin"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "plugin"], name="plugins_forbid_unique")
        ]
        verbose_name = _("forbidden plugin")

    def __str__(self):
        return f"{self.plugin} forbidden for {self.tenant}"
