"""The tenant's security policy: whether staff must use a second factor."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityPolicy(models.Model):
    require_2fa_staff = models.BooleanField(
        default=False, help_text=_("Agents and supervisors must set up two-factor sign-in.")
    )
    require_2fa_admins = models.BooleanField(
        default=False, help_text=_("Admins must set up two-factor sign-in.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return "Security policy"

    @classmethod
    def get(cls) -> "SecurityPolicy":
        return cls.objects.order_by("pk").first() or cls()
