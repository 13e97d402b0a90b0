"""django-q2 entry points of the email channel (run by panel1.jobs inside the tenant schema)."""

from __future__ import annotations

import logging

from tickets.models import InboundEmail, InboundStatus

logger = logging.getLogger(__name__)


def event_notify_task(event_id: str, name: str, payload: dict, actor: str) -> int:
    """Send the notification mails of one event (jobs queued before `events_notify_task`)."""
    from tickets.email.notifications import notify_for_event

    return notify_for_event(event_id=event_id, name=name, payload=payload, actor=actor)


def events_notify_task(events: list) -> int:
    """Send the notification mails of several events, each `(event_id, name, payload,
    actor)`: one failing does not keep the others' mails back; the first failure is raised
    at the end (the job is retried, and mails already sent are not sent twice: each has its
    event's dedup key)."""
    from tickets.email.notifications import notify_for_event

    sent, failed = 0, None
    for event_id, name, payload, actor in events:
        try:
            sent += notify_for_event(event_id=event_id, name=name, payload=payload, actor=actor)
        except Exception as exc:  # the others still go; raised below
            logger.exception("Mails of event %s (%s) failed", event_id, name)
            failed = failed or exc
    if failed is not None:
        raise failed
    return sent


def imap_poll_due(now):
    """Fan-out due check of `imap_poll_task`: tenants with an active IMAP mailbox."""
    from tickets.models import ImapMailbox

    return ImapMailbox.objects.filter(is_active=True)


def staff_notice_task(notice: dict) -> int:
    """Mail one staff notice (SLA escalation, automation notify_users) to the staff it names."""
    from tickets.email.staff import staff_notice_send
    from tickets.notifiers import StaffNotice

    return staff_notice_send(StaffNotice(**{**notice, "user_ids": tuple(notice["user_ids"])}))


def inbound_process_task(inbound_id: str) -> str:
    """Process a stored inbound mail (webhooks store first and queue this)."""
    from tickets.email.ingest import inbound_process

    inbound = InboundEmail.objects.filter(pk=inbound_id).first()
    if inbound is None or inbound.status != InboundStatus.RECEIVED:
        return "nothing to do"  # already processed: a redelivered task changes nothing
    return inbound_process(inbound=inbound).status


def imap_poll_task() -> int:
    """Scheduled per tenant: fetch new mail from every active mailbox."""
    from tickets.email.imap import imap_poll_all

    return imap_poll_all()


def outbound_retry_task() -> int:
    """Scheduled per tenant: resend failed notification mails with attempts left."""
    from tickets.email.outbound import outbound_retry_failed

    return outbound_retry_failed()


def inbound_retry_stuck_task() -> int:
    """Scheduled per tenant: process mails stored but never processed (a crash between)."""
    from datetime import timedelta

    from django.utils import timezone

    from tickets.email.ingest import inbound_process

    cutoff = timezone.now() - timedelta(minutes=10)
    stuck = InboundEmail.objects.filter(status=InboundStatus.RECEIVED, received_at__lt=cutoff)
    count = 0
    for inbound in stuck.order_by("received_at")[:100]:
        inbound_process(inbound=inbound)
        count += 1
    return count
