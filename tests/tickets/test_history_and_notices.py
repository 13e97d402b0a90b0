"""What tickets offers other apps: bulk history rows and the staff-notice registry."""

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panel1.actors import Actor
from tests.factories import AgentFactory, SupervisorFactory, TicketFactory
from tickets import notifiers
from tickets.models import EmailTemplateKey, OutboundEmail, OutboundStatus, TicketEvent
from tickets.notifiers import StaffNotice
from tickets.services.audit import HistoryEntry, ticket_history_record_bulk


def test_history_rows_for_many_tickets_in_one_insert(tenant):
    first, second = TicketFactory(), TicketFactory()
    entries = [
        HistoryEntry(ticket_id=first.pk, event="sla.breach", field="resolution", after="x"),
        HistoryEntry(ticket_id=second.pk, event="sla.due_times", before={"a": 1}, reason="r"),
    ]

    with CaptureQueriesContext(connection) as captured:
        assert ticket_history_record_bulk(actor=Actor.system(), entries=entries) == 2

    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1

    row = TicketEvent.objects.get(ticket=second, event="sla.due_times", reason="r")
    assert (row.actor_id, row.actor_label) == (None, "system")
    assert (row.before, row.reason) == ({"a": 1}, "r")


def notice(ticket, users, **kwargs):
    return StaffNotice(
        ticket_id=str(ticket.pk),
        ticket_number=ticket.number,
        ticket_subject=ticket.subject,
        user_ids=tuple(str(u.pk) for u in users),
        message="Please look at this one.",
        title=f"SLA escalation: {ticket.subject}",
        **kwargs,
    )


def test_staff_notices_are_stored_outbound_mails_from_the_tenant(tenant, settings, run_on_commit):
    settings.ENABLE_EMAIL_SENDING = True
    ticket = TicketFactory()
    sam, quiet = SupervisorFactory(), AgentFactory(notify_by_email=False)

    with run_on_commit():
        notifiers.staff_notify(notice(ticket, [sam, quiet]))

    rows = {row.to_email: row for row in OutboundEmail.objects.filter(ticket=ticket)}
    assert rows[sam.email].kind == EmailTemplateKey.STAFF_NOTICE
    assert rows[sam.email].status == OutboundStatus.SENT
    assert rows[quiet.email].status == OutboundStatus.SKIPPED
    (sent,) = [m for m in mail.outbox if m.to == [sam.email]]
    assert sent.subject == f"[{ticket.number}] SLA escalation: {ticket.subject}"
    assert "Please look at this one." in sent.body


def test_a_redelivered_notice_sends_nothing_twice(tenant, settings):
    from tickets.email.staff import staff_notice_send

    settings.ENABLE_EMAIL_SENDING = True
    ticket, sam = TicketFactory(), SupervisorFactory()
    once = notice(ticket, [sam])

    assert staff_notice_send(once) == 1
    assert staff_notice_send(once) == 0
    assert OutboundEmail.objects.filter(to_email=sam.email).count() == 1


def test_channels_plug_in_by_key(tenant, monkeypatch):
    received = []
    monkeypatch.setitem(notifiers._notifiers, "email", lambda n: None)
    notifiers.register_notifier("chat", received.append)
    try:
        notifiers.staff_notify(notice(TicketFactory(), [SupervisorFactory()]))
        notifiers.staff_notify(notice(TicketFactory(), []))  # nobody to tell: nothing
    finally:
        notifiers.unregister_notifier("chat")

    assert [n.message for n in received] == ["Please look at this one."]
