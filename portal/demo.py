"""Demo data for the portal: satisfaction ratings on the demo tenant's finished tickets."""

from __future__ import annotations

from tickets.models import SatisfactionRating, Status, Ticket
from tickets.satisfaction import satisfaction_submit

DEMO_RATINGS = [
    ("Cannot log in after password reset", 5, "Quick fix, thank you!"),
    ("VAT number missing on invoices", 4, ""),
]


def demo_satisfaction_create(*, tenant, people) -> bool:
    created = False
    for subject, rating, comment in DEMO_RATINGS:
        ticket = Ticket.objects.filter(
            subject=subject, status__in=[Status.RESOLVED, Status.CLOSED]
        ).first()
        if ticket is None or SatisfactionRating.objects.filter(ticket=ticket).exists():
            continue
        satisfaction_submit(ticket=ticket, actor=ticket.requester, rating=rating, comment=comment)
        created = True
    return created
