"""Texts a tenant writes once per language (the portal's welcome text), with the default
language's version as the fallback (tickets.services.texts.text_for)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["LocalizedText", "TextKey"]


class TextKey(models.TextChoices):
    PORTAL_WELCOME = "portal_welcome", _("Portal welcome text")


class LocalizedText(models.Model):
    key = models.CharField(max_length=64, choices=TextKey.choices)
    language = models.CharField(max_length=10)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="localized_text_key_language")
        ]

    def __str__(self):
        return f"{self.key} ({self.language})"
