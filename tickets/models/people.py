"""The people around tickets: agent profiles (skills, capacity, availability) and ratings."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from tickets.models.tickets import Category, Ticket


class AgentProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="agents",
        help_text="Categories the agent may work; none = all categories.",
    )
    languages = ArrayField(models.CharField(max_length=10), default=list, blank=True)
    max_open_tickets = models.PositiveIntegerField(
        default=0, help_text="0 = no limit", validators=[MinValueValidator(0)]
    )
    is_available = models.BooleanField(default=True)

    def __str__(self):
        return f"Agent profile of {self.user}"


class SatisfactionRating(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The three survey questions (1-5 each; an unanswered one is null). `rating` is their
    # rounded mean and `score` the exact one; an earlier single rating became all three.
    response_time = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    solution = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    team = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    score = models.FloatField(null=True, blank=True)

    def __str__(self):
        return f"{self.rating}/5 for {self.ticket_id}"
