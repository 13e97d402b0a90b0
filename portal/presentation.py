"""How tickets look to customers (labels). Message text is rendered by `tickets.presentation`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tickets.models import Status

# Customer-facing wording: what the status means for them, not for the agent.
STATUS_LABELS = {
    Status.OPEN: _("Open"),
    Status.IN_PROGRESS: _("In progress"),
    Status.WAITING_ON_CUSTOMER: _("Awaiting your reply"),
    Status.ON_HOLD: _("On hold"),
    Status.RESOLVED: _("Resolved"),
    Status.CLOSED: _("Closed"),
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


# What each score means, read after the number by screen readers ("1, very poor").
SCORE_WORDS = {
    1: _("very poor"),
    2: _("poor"),
    3: _("okay"),
    4: _("good"),
    5: _("excellent"),
}


def score_word(score) -> str:
    try:
        return str(SCORE_WORDS.get(int(score), ""))
    except (TypeError, ValueError):
        return ""
