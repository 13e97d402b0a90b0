"""Staff notices by mail: the "email" channel of `tickets.notifiers`, through outbound_send.

Each notice becomes one stored OutboundEmail per recipient (keyed by notice id + user, so a
redelivered task sends nothing twice), with the tenant's From address and the retry schedule
of every other notification.
"""

from __future__ import annotations

from django.conf import settings

from panel1 import jobs
from panel1.accounts.models import STAFF_ROLES, User
from tickets.email.outbound import MailSpec, outbound_send
from tickets.models import EmailTemplateKey, Message, Ticket
from tickets.notifiers import StaffNotice


def email_notifier(notice: StaffNotice) -> None:
    """Queue the mails of a notice (runs after commit)."""
    if not settings.ENABLE_EMAIL_SENDING:
        return
    jobs.enqueue("tickets.email.tasks.staff_notice_task", notice.as_dict())


def staff_notice_specs(notice: StaffNotice) -> list[MailSpec]:
    ticket = Ticket.objects.select_related("requester", "assignee").filter(pk=notice.ticket_id)
    ticket = ticket.first()
    if ticket is None:
        return []
    note = (
        Message.objects.filter(pk=notice.note_id, ticket=ticket).first() if notice.note_id else None
    )
    users = User.objects.filter(pk__in=notice.user_ids, role__in=STAFF_ROLES).order_by("email")
    values = {
        "message": notice.message,
        "notice_title": notice.title,
        "notice_source": notice.source,
    }
    return [
        MailSpec(
            kind=EmailTemplateKey.STAFF_NOTICE,
            ticket=ticket,
            recipient=user,
            dedup_key=f"notice:{notice.id}:{user.pk}",
            values=values,
            message=note,
        )
        for user in users
    ]


def staff_notice_send(notice: StaffNotice) -> int:
    """Mail the notice to each staff user it names (one message each: staff addresses are not
    disclosed to each other); answers how many were sent."""
    return sum(outbound_send(spec).sent for spec in staff_notice_specs(notice))


def staff_notice_retry_values(row) -> dict[str, str]:
    """What a failed notice mail is resent with: its stored subject and its note's text."""
    note = row.ticket_message
    return {
        "notice_title": row.subject,
        "message": note.content if note is not None else "",
        "notice_source": "",
    }
