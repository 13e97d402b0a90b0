"""Satisfaction ratings: one per resolved ticket, by the requester, changeable for 7 days.

A signed token (no login needed) lets the resolution email carry one-click rating links.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from panel1.actors import Actor
from panel1.events import names
from panel1.exceptions import DomainError, PermissionDenied
from tickets.models import SatisfactionRating, Status, Ticket
from tickets.services.audit import audit, emit

CHANGE_WINDOW = timedelta(days=7)
_SALT = "tickets.satisfaction"


def survey_token_make(ticket: Ticket) -> str:
    """A token naming the tenant schema and ticket; valid for the change window."""
    from django.db import connection

    return signing.dumps({"s": connection.schema_name, "t": str(ticket.pk)}, salt=_SALT)


def survey_token_ticket(token: str) -> Ticket:
    """The ticket a token names, if valid for THIS tenant; raises DomainError otherwise."""
    from django.db import connection

    try:
        data = signing.loads(token, salt=_SALT, max_age=CHANGE_WINDOW + timedelta(days=30))
    except signing.BadSignature as exc:
        raise DomainError({"token": ["This rating link is invalid or has expired."]}) from exc
    if data.get("s") != connection.schema_name:
        raise DomainError({"token": ["This rating link is invalid or has expired."]})
    ticket = Ticket.objects.filter(pk=data.get("t")).first()
    if ticket is None:
        raise DomainError({"token": ["This rating link is invalid or has expired."]})
    return ticket


def survey_path(ticket: Ticket, *, rating: int | None = None) -> str:
    path = f"/satisfaction/{survey_token_make(ticket)}/"
    return f"{path}?rating={rating}" if rating else path


@transaction.atomic
def satisfaction_submit(
    *, ticket: Ticket, actor, rating: int, comment: str = "", via_token: bool = False
) -> SatisfactionRating:
    """Record (or, within 7 days, change) the requester's rating; emits `survey.completed`."""
    actor = Actor.of(actor)
    if not via_token and (actor.user is None or actor.user.pk != ticket.requester_id):
        raise PermissionDenied("Only the requester can rate this ticket.")
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise DomainError({"rating": ["Tickets can be rated once they are resolved."]})
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError({"rating": ["Give a rating from 1 to 5."]})
    comment = (comment or "").strip()[:5000]
    existing = SatisfactionRating.objects.select_for_update().filter(ticket=ticket).first()
    if existing and timezone.now() - existing.created_at > CHANGE_WINDOW:
        raise DomainError({"rating": ["Ratings can only be changed for 7 days."]})
    before = existing.rating if existing else None
    rated, _ = SatisfactionRating.objects.update_or_create(
        ticket=ticket, defaults={"rating": rating, "comment": comment}
    )
    audit(ticket, actor, names.SURVEY_COMPLETED, field="satisfaction", before=before, after=rating)
    emit(names.SURVEY_COMPLETED, ticket, actor, rating=rating)
    return rated
