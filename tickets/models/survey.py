"""The satisfaction survey's per-tenant settings and each resolved ticket's invitation."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from panel1.content_language import fallback_chain

__all__ = ["SurveyInvite", "SurveySettings"]

DEFAULT_QUESTIONS = {
    "response_time": "How satisfied are you with our response time?",
    "solution": "How satisfied are you with the solution?",
    "team": "How satisfied are you with our team?",
}


class SurveySettings(models.Model):
    """One row per tenant: when to ask, when to remind, what counts as a low score."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    enabled = models.BooleanField(default=True)
    delay_minutes = models.PositiveIntegerField(
        default=60, help_text=_("Minutes after the ticket is resolved before the survey is sent")
    )
    reminder_after_hours = models.PositiveIntegerField(
        default=72, help_text=_("Hours after the survey before the one reminder; 0 = no reminder")
    )
    low_score_threshold = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("An answer at or below this score creates a follow-up"),
    )
    questions = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            'Question texts per language: {"en": {"response_time": "...", "solution": '
            '"...", "team": "..."}, "de": {...}}; missing texts fall back to the defaults'
        ),
    )

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")

    def __str__(self):
        return "Survey settings"

    def question_texts(self, language: str | None = None) -> dict[str, str]:
        """The three questions in `language` (default: the current language); a question
        without a text there has the tenant default language's, else the built-in one."""
        texts = dict(DEFAULT_QUESTIONS)
        stored = self.questions if isinstance(self.questions, dict) else {}
        for code in reversed(fallback_chain(language or None)):
            given = stored.get(code)
            if isinstance(given, dict):
                texts.update({k: v for k, v in given.items() if k in texts and v})
        return texts


class SurveyInvite(models.Model):
    """The survey mail of one resolution: due, sent, reminded (each at most once)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="survey_invite"
    )
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                name="survey_invite_due_idx",
                condition=models.Q(sent_at__isnull=True),
            ),
            models.Index(
                fields=["sent_at"],
                name="survey_invite_remind_idx",
                condition=models.Q(sent_at__isnull=False, reminded_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"Survey for {self.ticket_id}"
