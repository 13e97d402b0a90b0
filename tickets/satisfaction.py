"""Satisfaction ratings: one per resolved ticket, by the requester, changeable for 7 days.

A signed token (no login needed) lets the resolution email carry one-click rating links.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.actors import Actor
from panel1.events import names
from panel1.exceptions import DomainError, PermissionDenied
from tickets.models import MessageType, SatisfactionRating, Status, SurveySettings, Ticket
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
        raise DomainError({"token": [_("This rating link is invalid or has expired.")]}) from exc
    if data.get("s") != connection.schema_name:
        raise DomainError({"token": [_("This rating link is invalid or has expired.")]})
    ticket = Ticket.objects.filter(pk=data.get("t")).first()
    if ticket is None:
        raise DomainError({"token": [_("This rating link is invalid or has expired.")]})
    return ticket


def survey_path(ticket: Ticket, *, rating: int | None = None) -> str:
    path = f"/satisfaction/{survey_token_make(ticket)}/"
    return f"{path}?rating={rating}" if rating else path


QUESTIONS = ("response_time", "solution", "team")


def survey_settings() -> SurveySettings:
    """This tenant's survey settings (the defaults until an admin changes them)."""
    found = SurveySettings.objects.filter(pk=1).first()
    return found if found is not None else SurveySettings(pk=1)


def mean_score(scores: dict[str, int | None]) -> float | None:
    answered = [value for value in scores.values() if value is not None]
    return round(sum(answered) / len(answered), 2) if answered else None


def _check_scores(scores: dict[str, int | None]) -> None:
    errors = {
        name: ["Give a score from 1 to 5."]
        for name, value in scores.items()
        if value is not None
        and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
        )  # fmt: skip
    }
    if errors:
        raise DomainError(errors)
    if all(value is None for value in scores.values()):
        raise DomainError({"non_field_errors": [_("Answer at least one question.")]})


@transaction.atomic
def satisfaction_answer(
    *,
    ticket: Ticket,
    actor,
    response_time: int | None = None,
    solution: int | None = None,
    team: int | None = None,
    comment: str = "",
    via_token: bool = False,
) -> tuple[SatisfactionRating, bool]:
    """Record (or, within 7 days, replace) the requester's survey answer; answer (it, created).

    Locks the ticket's rating row. Emits `survey.completed` with the three scores and their
    mean; a score at or below the tenant's low-score threshold adds an internal note and
    notifies the supervisors (once per answer that turns low).
    """
    actor = Actor.of(actor)
    if not via_token and (actor.user is None or actor.user.pk != ticket.requester_id):
        raise PermissionDenied(_("Only the requester can rate this ticket."))
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise DomainError({"non_field_errors": [_("Tickets can be rated once they are resolved.")]})
    scores = {"response_time": response_time, "solution": solution, "team": team}
    _check_scores(scores)
    existing = SatisfactionRating.objects.select_for_update().filter(ticket=ticket).first()
    if existing and timezone.now() - existing.created_at > CHANGE_WINDOW:
        raise DomainError({"non_field_errors": [_("Ratings can only be changed for 7 days.")]})
    settings_ = survey_settings()
    was_low = existing is not None and _is_low(_scores_of(existing), settings_)
    score = mean_score(scores)
    values = {**scores, "score": score, "rating": round(score), "comment": _clean(comment)}
    before = _scores_of(existing) if existing else None
    rated, created = SatisfactionRating.objects.update_or_create(ticket=ticket, defaults=values)
    audit(ticket, actor, names.SURVEY_COMPLETED, field="satisfaction", before=before,
          after={**scores, "score": score})  # fmt: skip
    emit(names.SURVEY_COMPLETED, ticket, actor, rating=rated.rating, score=score,
         comment=rated.comment, replaced=not created, **scores)  # fmt: skip
    if _is_low(scores, settings_) and not was_low:
        _low_score_follow_up(ticket=ticket, rating=rated, threshold=settings_.low_score_threshold)
    return rated, created


@transaction.atomic
def satisfaction_submit(
    *, ticket: Ticket, actor, rating: int, comment: str = "", via_token: bool = False
) -> SatisfactionRating:
    """Record a single overall rating: it answers all three questions alike."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError({"rating": [_("Give a rating from 1 to 5.")]})
    try:
        rated, _unused = satisfaction_answer(
            ticket=ticket, actor=actor, response_time=rating, solution=rating, team=rating,
            comment=comment, via_token=via_token,
        )  # fmt: skip
    except DomainError as exc:
        # The single-rating forms show one field: name it.
        raise DomainError({"rating": [m for ms in exc.errors.values() for m in ms]}) from exc
    return rated


def _clean(comment: str | None) -> str:
    return (comment or "").strip()[:5000]


def _scores_of(rating: SatisfactionRating) -> dict[str, int | None]:
    return {name: getattr(rating, name) for name in QUESTIONS}


def _is_low(scores: dict[str, int | None], settings_: SurveySettings) -> bool:
    return any(v is not None and v <= settings_.low_score_threshold for v in scores.values())


def _low_score_follow_up(*, ticket: Ticket, rating: SatisfactionRating, threshold: int) -> None:
    """An internal note on the ticket and a notification to the supervisors (after commit)."""
    from panel1 import jobs
    from tickets.services.messages import message_add

    lines = [f"Low satisfaction score (at or below {threshold}):"]
    lines += [f"- {name.replace('_', ' ')}: {getattr(rating, name) or '-'}" for name in QUESTIONS]
    if rating.comment:
        lines.append(f"Comment: {rating.comment}")
    message_add(
        ticket=ticket,
        actor=Actor.system(),
        content="\n".join(lines),
        message_type=MessageType.INTERNAL_NOTE,
    )
    jobs.enqueue("tickets.satisfaction.low_score_notify_task", str(ticket.pk))


def low_score_notify_task(ticket_id: str) -> int:
    """Mail the supervisors (and admins when there is no supervisor) about a low score."""
    from django.conf import settings

    from panel1.accounts.models import Role, User
    from panel1.tenants.services import current_tenant
    from panel1.tenants.site import absolute_url

    if not settings.ENABLE_EMAIL_SENDING:
        return 0
    ticket = Ticket.objects.filter(pk=ticket_id).select_related("satisfaction").first()
    rating = getattr(ticket, "satisfaction", None) if ticket else None
    if rating is None:
        return 0
    from django.utils import translation

    from panel1.i18n.languages import mail_language

    people = User.objects.filter(is_active=True, notify_by_email=True)
    recipients = list(people.filter(role=Role.SUPERVISOR))
    recipients = recipients or list(people.filter(role=Role.ADMIN))
    link = absolute_url(current_tenant(), f"/desk/tickets/{ticket.number}/")
    sent = 0
    for person in recipients:
        with translation.override(mail_language(person)):
            subject, body = _low_score_mail(ticket, rating, link)
        sent += send_mail(subject, body, settings.SUPPORT_FROM_EMAIL, [person.email])
    return sent


def _low_score_mail(ticket: Ticket, rating: SatisfactionRating, link: str) -> tuple[str, str]:
    labels = {
        "response_time": _("Response time"),
        "solution": _("Solution"),
        "team": _("Team"),
    }
    subject = _("[%(number)s] Low satisfaction score: %(subject)s") % {
        "number": ticket.number,
        "subject": ticket.subject,
    }
    lines = [f"{labels[name]}: {getattr(rating, name) or '-'}" for name in QUESTIONS]
    if rating.comment:
        lines.append(_("Comment: %(comment)s") % {"comment": rating.comment})
    lines += [_("Ticket %(number)s") % {"number": ticket.number}, link]
    return subject[:200], "\n".join(lines)
