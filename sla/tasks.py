"""django-q2 entry points of the sla app (they run inside the tenant's schema)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail

from panel1.accounts.models import User
from tickets.models import Ticket


def escalation_email_task(ticket_id: str, user_ids: list[str], text: str) -> int:
    """Email an escalation notice to each user who takes email; returns how many were sent."""
    if not settings.ENABLE_EMAIL_SENDING:
        return 0
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    users = User.objects.filter(pk__in=user_ids, is_active=True, notify_by_email=True)
    subject = f"[{ticket.number}] SLA escalation: {ticket.subject}"[:200]
    body = f"{text}\n\nTicket {ticket.number}: {ticket.subject}\n"
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]) for user in users]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def profile_rederive_task(profile_id: str, fields: list[str]) -> int:
    """Re-derive the open tickets of an edited profile (see sla_profile_update)."""
    from django.utils import timezone

    from sla.models import SlaProfile
    from sla.services.profiles import sla_profile_rederive

    profile = SlaProfile.objects.filter(pk=profile_id).first()
    if profile is None:
        return 0
    return sla_profile_rederive(profile=profile, now=timezone.now(), fields=fields)
