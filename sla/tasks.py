"""django-q2 entry points of the sla app (they run inside the tenant's schema)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from panel1.accounts.models import STAFF_ROLES, User
from tickets.models import Ticket


def escalation_email_task(ticket_id: str, user_ids: list[str], text: str) -> int:
    """Email an escalation notice to each active staff user who takes email; answer how many.

    The email channel mails mentions in notes written by people, not by the system, so the
    escalation's own notice is mailed here (one message per recipient: staff addresses are
    not disclosed to each other).
    """
    if not settings.ENABLE_EMAIL_SENDING:
        return 0
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    recipients = User.objects.filter(
        pk__in=user_ids, is_active=True, role__in=STAFF_ROLES, notify_by_email=True
    ).values_list("email", flat=True)
    subject = f"[{ticket.number}] SLA escalation: {ticket.subject}"[:200]
    body = f"{text}\n\nTicket {ticket.number}: {ticket.subject}\n"
    sent = 0
    for email in recipients:
        sent += send_mail(subject, body, settings.SUPPORT_FROM_EMAIL, [email])
    return sent


def profile_rederive_task(profile_id: str, fields: list[str]) -> int:
    """Re-derive the open tickets of an edited profile (see sla_profile_update)."""
    from sla.models import SlaProfile
    from sla.services.profiles import sla_profile_rederive

    profile = SlaProfile.objects.filter(pk=profile_id).first()
    if profile is None:
        return 0
    return sla_profile_rederive(profile=profile, now=timezone.now(), fields=fields)
