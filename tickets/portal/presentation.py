"""How tickets and messages look to customers (labels and rendered text)."""

from __future__ import annotations

from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from knowledgebase.rendering import render_markdown
from tickets.models import Channel, Message, Status

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


def message_html(message: Message) -> SafeString:
    """Markdown-lite for text written in the portal, desk or API (sanitized by the KB renderer);
    mail keeps its line breaks as plain, escaped text (mail is not Markdown)."""
    if message.channel == Channel.EMAIL:
        return linebreaks_filter(message.content, autoescape=True)
    return mark_safe(render_markdown(message.content))
