"""Auto-response templates: placeholders and their safe rendering.

Templates are plain text with ``{{placeholder}}`` slots. Rendering substitutes known
placeholders with plain values and nothing else: no Django template engine runs, so neither
a template author nor the customer data inserted into it can execute tags or filters.
"""

from __future__ import annotations

from collections.abc import Mapping

import regex
from django.conf import settings

from panel1.content_language import default_language, fallback_chain
from panel1.tenants.services import current_tenant
from tickets.models import Ticket

PLACEHOLDER_RE = regex.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

PLACEHOLDERS: dict[str, str] = {
    "ticket_number": "The ticket's number, e.g. SUP-2026-00000042.",
    "ticket_subject": "The ticket's subject.",
    "ticket_status": "The ticket's status, e.g. Open.",
    "ticket_priority": "The ticket's priority, e.g. High.",
    "company_name": "Your helpdesk's brand name.",
    "customer_name": "The requester's name (or email address when no name is known).",
    "customer_email": "The requester's email address.",
    "assignee_name": "The assigned agent's name, or 'our team' when unassigned.",
    "category_name": "The ticket's category, or empty.",
    "support_email": "Your support address.",
}

DEFAULT_TEMPLATES: dict[str, tuple[str, str, str]] = {
    # name: (description, subject, body)
    "acknowledgment": (
        "Confirms that a request was received.",
        "[{{ticket_number}}] We received your request",
        "Hello {{customer_name}},\n\n"
        "Thank you for contacting {{company_name}}. We received your request "
        '"{{ticket_subject}}" and filed it as {{ticket_number}}. '
        "We will get back to you as soon as possible.\n\n"
        "Please keep the ticket number in the subject when you write to us about it.\n\n"
        "{{company_name}} Support",
    ),
    "business_hours": (
        "Sent outside business hours.",
        "[{{ticket_number}}] We received your request outside business hours",
        "Hello {{customer_name}},\n\n"
        "Thank you for contacting {{company_name}}. Our team is currently outside business "
        "hours; we will answer your request {{ticket_number}} on the next business day.\n\n"
        "{{company_name}} Support",
    ),
    "escalation": (
        "Tells the customer a ticket was escalated.",
        "[{{ticket_number}}] Your request has been escalated",
        "Hello {{customer_name}},\n\n"
        "Your request {{ticket_number}} has been escalated to our senior team, who will "
        "follow up shortly.\n\n"
        "{{company_name}} Support",
    ),
}


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in `text` that rendering would not fill, in order of appearance."""
    found: list[str] = []
    for name in PLACEHOLDER_RE.findall(text or ""):
        if name not in PLACEHOLDERS and name not in found:
            found.append(name)
    return found


def placeholder_values(ticket: Ticket) -> dict[str, str]:
    tenant = current_tenant()
    requester = ticket.requester
    assignee = ticket.assignee
    return {
        "ticket_number": ticket.number,
        "ticket_subject": ticket.subject,
        "ticket_status": ticket.get_status_display(),
        "ticket_priority": ticket.get_priority_display(),
        "company_name": tenant.brand_name,
        "customer_name": requester.get_full_name() if requester else "",
        "customer_email": requester.email if requester else "",
        "assignee_name": assignee.get_full_name() if assignee else "our team",
        "category_name": ticket.category.name if ticket.category_id else "",
        "support_email": tenant.support_email or settings.SUPPORT_FROM_EMAIL,
    }


def render_text(text: str, values: Mapping[str, str]) -> str:
    """Fill known placeholders once (inserted values are never re-scanned); leave the rest."""

    def replace(match: regex.Match) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return PLACEHOLDER_RE.sub(replace, text or "")


def template_text(template, language: str | None = None) -> tuple[str, str]:
    """(subject, body) of `template` in `language` (default: the current language), else in
    the tenant's default language (the template's own text)."""
    for code in fallback_chain(language):
        if code == default_language():
            break
        found = template.translations.filter(language=code).first()
        if found is not None:
            return found.subject or template.subject, found.body
    return template.subject, template.body
