"""The per-tenant attachment policy: which file types customers and agents may not upload."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["DEFAULT_BLOCKED_EXTENSIONS", "AttachmentPolicy"]

# Executables, installers and scripts that run when opened on Windows, macOS or Linux.
DEFAULT_BLOCKED_EXTENSIONS = (
    "app", "appx", "bat", "bin", "cmd", "com", "cpl", "dll", "dmg", "elf", "exe", "gadget",
    "hta", "inf", "ins", "iso", "jar", "js", "jse", "lnk", "msc", "msi", "msix", "msp", "pif",
    "ps1", "psm1", "reg", "scr", "sct", "sh", "shb", "so", "sys", "vb", "vbe", "vbs", "ws",
    "wsc", "wsf", "wsh",
)  # fmt: skip


def default_blocked_extensions() -> list[str]:
    return list(DEFAULT_BLOCKED_EXTENSIONS)


class AttachmentPolicy(models.Model):
    """One row per tenant (created on first use with the defaults)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    blocked_extensions = ArrayField(
        models.CharField(max_length=20),
        default=default_blocked_extensions,
        blank=True,
        help_text=_(
            "File name extensions (without the dot) refused in the desk, the portal, "
            "the API and incoming mail; executables are also recognised by their bytes."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attachment policy")
        verbose_name_plural = _("attachment policies")

    def __str__(self):
        return "Attachment policy"
