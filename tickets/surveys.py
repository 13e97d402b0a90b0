"""The satisfaction survey mail: sent a while after resolution, reminded once, never twice.

A resolution schedules the ticket's invitation (in the resolving transaction); the
`surveys.dispatch` job (every 5 minutes per tenant) sends the due ones and the reminders.
Each send is claimed first with a conditional UPDATE, so a rerun or a second worker sends
nothing twice. A ticket that was rated, reopened or merged meanwhile gets no mail.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panel1.events import bus, names
from tickets.models import Status, SurveyInvite, Ticket
from tickets.satisfaction import survey_path, survey_settings

DONE = (Status.RESOLVED, Status.CLOSED)
BATCH = 500


def connect() -> None:
    bus.subscribe(
        names.TICKET_RESOLVED, key="tickets.survey", handler=on_ticket_resolved, in_transaction=True
    )


def on_ticket_resolved(event: bus.Event) -> None:
    """In the resolving transaction: (re)schedule the ticket's survey unless it was rated."""
    ticket_id = event.ticket_id
    if not ticket_id:
        return
    survey_invite_schedule(ticket_id=ticket_id, now=timezone.now())


def survey_invite_schedule(*, ticket_id, now: dt.datetime) -> SurveyInvite | None:
    """Schedule the survey `delay_minutes` from now; a resolution after a reopen sends again."""
    options = survey_settings()
    if (
        not options.enabled
        or Ticket.objects.filter(pk=ticket_id, satisfaction__isnull=False).exists()
    ):
        return None
    invite, _unused = SurveyInvite.objects.update_or_create(
        ticket_id=ticket_id,
        defaults={
            "due_at": now + dt.timedelta(minutes=options.delay_minutes),
            "sent_at": None,
            "reminded_at": None,
        },
    )
    return invite


def _still_wanted() -> Q:
    return Q(
        ticket__status__in=DONE, ticket__satisfaction__isnull=True, ticket__merged_into__isnull=True
    )


def survey_dispatch(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the due surveys and the due reminders; answer how many of each."""
    now = now or timezone.now()
    options = survey_settings()
    if not options.enabled:
        return {"sent": 0, "reminded": 0}
    due = SurveyInvite.objects.filter(_still_wanted(), sent_at__isnull=True, due_at__lte=now)
    sent = sum(_claim_and_send(invite, "sent_at", now, reminder=False) for invite in due[:BATCH])
    reminded = 0
    if options.reminder_after_hours:
        cutoff = now - dt.timedelta(hours=options.reminder_after_hours)
        late = SurveyInvite.objects.filter(
            _still_wanted(), sent_at__lte=cutoff, reminded_at__isnull=True
        )
        reminded = sum(_claim_and_send(i, "reminded_at", now, reminder=True) for i in late[:BATCH])
    return {"sent": sent, "reminded": reminded}


def survey_dispatch_task() -> dict[str, int]:
    return survey_dispatch()


def _claim_and_send(invite: SurveyInvite, field: str, now: dt.datetime, *, reminder: bool) -> int:
    claimed = SurveyInvite.objects.filter(pk=invite.pk, **{f"{field}__isnull": True}).update(
        **{field: now}
    )
    if not claimed:
        return 0
    ticket = Ticket.objects.select_related("requester").get(pk=invite.ticket_id)
    return _send(ticket, reminder=reminder)


def survey_mail_text(ticket: Ticket, *, base_url: str, reminder: bool) -> tuple[str, str]:
    """Subject and body: the three questions and one-click links (1 to 5) for the answer,
    in the requester's language."""
    from panel1.i18n.languages import mail_language

    language = mail_language(ticket.requester, ticket=ticket)
    texts = survey_settings().question_texts(language)
    with translation.override(language):
        values = {"number": ticket.number}
        lead = (
            _("A reminder: we would love to hear how we handled your request %(number)s.")
            if reminder
            else _("We would love to hear how we handled your request %(number)s.")
        ) % values
        subject = (
            _("[%(number)s] How did we do? %(subject)s") % {**values, "subject": ticket.subject}
        )[:200]
        lines = [
            lead,
            "",
            *[f"- {text}" for text in texts.values()],
            "",
            _("Answer in one click (1 = poor, 5 = excellent):"),
            *[f"{n}: {base_url}{survey_path(ticket, rating=n)}" for n in range(1, 6)],
            "",
            _("Or answer each question: %(url)s") % {"url": f"{base_url}{survey_path(ticket)}"},
        ]
    return subject, "\n".join(lines)


def _send(ticket: Ticket, *, reminder: bool) -> int:
    requester = ticket.requester
    if not settings.ENABLE_EMAIL_SENDING or not requester.is_active or not requester.email:
        return 0
    from panel1.tenants.services import current_tenant
    from tickets.email.addresses import site_base_url

    subject, body = survey_mail_text(
        ticket, base_url=site_base_url(current_tenant()), reminder=reminder
    )
    return send_mail(subject, body, settings.SUPPORT_FROM_EMAIL, [requester.email])
