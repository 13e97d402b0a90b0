"""Outbound notifications, sent through a real SMTP server on loopback and read back."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from panel1.events import bus, names
from tests.factories import AgentFactory, CustomerFactory, SupervisorFactory, TicketFactory
from tickets.email import tasks
from tickets.email.outbound import outbound_retry_failed
from tickets.models import (
    BouncedAddress,
    EmailReplyToken,
    EmailTemplate,
    MessageType,
    OutboundEmail,
    Status,
    Ticket,
)
from tickets.satisfaction import survey_token_ticket
from tickets.services import message_add, ticket_assign, ticket_cc_add, ticket_status_change

from .conftest import free_port

pytestmark = pytest.mark.django_db


def _ticket(run_on_commit, **kwargs):
    with run_on_commit():
        return TicketFactory(**kwargs)


def test_ticket_created_acknowledgement_carries_stored_message_id_token_and_number(
    tenant, smtp, run_on_commit, support_address
):
    customer = CustomerFactory(name="Carol Customer")

    ticket = _ticket(run_on_commit, requester=customer)

    [mail] = smtp.to(customer.email)
    row = OutboundEmail.objects.get(ticket=ticket, kind="ticket_created")
    token = EmailReplyToken.objects.get(ticket=ticket, user=customer).token
    assert row.status == "sent"
    assert mail["Message-ID"] == f"<{row.message_id}>"
    assert mail["Subject"] == f"[{ticket.number}] Received: {ticket.subject}"
    assert mail["Reply-To"] == f"support+{token}@acme.example"
    assert token == token.lower() and row.reply_token == token
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["From"] == "Alpha Corp <support@acme.example>"
    assert mail["References"] == f"<ticket-{ticket.pk}@acme.example>"
    assert "Carol Customer" in mail.text and ticket.number in mail.text
    assert "Alpha Corp" in mail.html and tenant.primary_color in mail.html
    assert f"http://alpha.test.localhost/tickets/{ticket.number}/" in mail.text


def test_staff_reply_reaches_requester_and_ccs_but_internal_notes_never_do(
    tenant, smtp, run_on_commit
):
    customer, follower, agent = CustomerFactory(), CustomerFactory(), AgentFactory()
    ticket = _ticket(run_on_commit, requester=customer)
    ack = OutboundEmail.objects.get(ticket=ticket, to_email=customer.email)
    smtp.received.clear()

    with run_on_commit():
        ticket_cc_add(ticket=ticket, actor=agent, user=follower)
        message_add(ticket=ticket, actor=agent, content="Secret: the customer is difficult",
                    message_type=MessageType.INTERNAL_NOTE)  # fmt: skip
        message_add(ticket=ticket, actor=agent, content="Please restart the printer.")

    assert {tuple(r.rcpt_tos) for r in smtp.received} == {(customer.email,), (follower.email,)}
    for mail in smtp.received:
        assert "Please restart the printer." in mail.text
        assert "Please restart the printer." in mail.html
        assert "Secret" not in mail.data.decode()
        assert mail["Auto-Submitted"] is None  # a person's reply, relayed
    [to_customer] = smtp.to(customer.email)
    [to_follower] = smtp.to(follower.email)
    assert to_customer["Reply-To"] != to_follower["Reply-To"]  # one token per recipient
    assert to_customer["In-Reply-To"] == f"<{ack.message_id}>"
    assert f"<{ack.message_id}>" in to_customer["References"]
    assert not smtp.to(agent.email)


def test_resolved_mail_carries_absolute_one_click_rating_links(tenant, smtp, run_on_commit):
    customer, agent = CustomerFactory(), AgentFactory()
    ticket = _ticket(run_on_commit, requester=customer)
    smtp.received.clear()

    with run_on_commit():
        ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)

    [mail] = smtp.to(customer.email)
    links = re.findall(
        r"http://alpha\.test\.localhost/satisfaction/([^/\s]+)/\?rating=(\d)", mail.text
    )
    assert [rating for _token, rating in links] == ["1", "2", "3", "4", "5"]
    assert survey_token_ticket(links[4][0]) == ticket
    assert "rating=5" in mail.html
    assert mail["Subject"].startswith(f"[{ticket.number}] Resolved:")


def test_assignment_mails_the_agent_unless_they_took_it_themselves(tenant, smtp, run_on_commit):
    supervisor, agent = SupervisorFactory(), AgentFactory(name="Alice Agent")
    ticket = _ticket(run_on_commit, requester=CustomerFactory())
    smtp.received.clear()

    with run_on_commit():
        ticket_assign(ticket=ticket, actor=supervisor, assignee=agent)
    with run_on_commit():
        ticket_assign(ticket=ticket, actor=supervisor, assignee=None)
        ticket_assign(ticket=ticket, actor=supervisor, assignee=supervisor)

    [mail] = smtp.received
    assert mail.rcpt_tos == [agent.email]
    assert "Assigned to you" in mail["Subject"]
    assert f"http://alpha.test.localhost/desk/tickets/{ticket.number}/" in mail.text
    assert mail["Reply-To"] == "support@panel1.localhost"  # staff mail carries no reply token


def test_mentions_in_internal_notes_mail_the_named_staff_only(tenant, smtp, run_on_commit):
    author, alice = AgentFactory(name="Nora Note"), AgentFactory(name="Alice Agent")
    bob, carl = AgentFactory(email="bob@helpdesk.test"), AgentFactory(name="Carl")
    customer = CustomerFactory(name="Dana Customer")
    ticket = _ticket(run_on_commit, requester=customer)
    smtp.received.clear()

    with run_on_commit():
        message_add(
            ticket=ticket,
            actor=author,
            message_type=MessageType.INTERNAL_NOTE,
            content="@alice agent and @bob@helpdesk.test: look. Not @Carlos, not @Dana Customer."
            " Also me: @Nora Note.",
        )

    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted([alice.email, bob.email])
    assert not smtp.to(carl.email) and not smtp.to(customer.email)
    assert "@alice agent and" in smtp.received[0].text


def test_customer_reply_mails_the_assignee(tenant, smtp, run_on_commit):
    customer, agent = CustomerFactory(), AgentFactory()
    ticket = _ticket(run_on_commit, requester=customer)
    with run_on_commit():
        ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    smtp.received.clear()

    with run_on_commit():
        message_add(ticket=ticket, actor=customer, content="Still broken.")

    [mail] = smtp.received
    assert mail.rcpt_tos == [agent.email] and "Still broken." in mail.text


def test_escalation_and_sla_breach_mail_the_users_the_rule_names(tenant, smtp, run_on_commit):
    from tickets.services import ticket_escalate

    agent, lead1, lead2 = AgentFactory(), SupervisorFactory(), SupervisorFactory()
    customer = CustomerFactory()
    ticket = _ticket(run_on_commit, requester=customer)
    with run_on_commit():
        ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    smtp.received.clear()

    with run_on_commit():
        ticket_escalate(ticket=ticket, actor=agent, reason="No answer for 4 hours")
    with run_on_commit(), transaction.atomic():
        bus.emit(
            names.SLA_BREACH,
            payload={
                "ticket_id": str(ticket.pk),
                "notify_user_ids": [str(lead1.pk), str(lead2.pk), str(customer.pk)],
                "reason": "First response overdue",
            },
        )

    escalated, *breach = smtp.received
    assert escalated.rcpt_tos == [agent.email] and "Escalated (level 1)" in escalated["Subject"]
    assert sorted(r.rcpt_tos[0] for r in breach) == sorted([lead1.email, lead2.email])
    assert all("First response overdue" in r.text for r in breach)


def test_opted_out_inactive_and_bounced_recipients_get_nothing(tenant, smtp, run_on_commit):
    opted_out = CustomerFactory(notify_by_email=False)
    inactive = CustomerFactory(is_active=False)
    bounced = CustomerFactory()
    BouncedAddress.objects.create(email=bounced.email, last_bounced_at="2026-01-01T00:00:00Z")

    tickets = [_ticket(run_on_commit, requester=user) for user in (opted_out, inactive, bounced)]

    assert smtp.received == []
    reasons = set(OutboundEmail.objects.filter(ticket__in=tickets).values_list("error", flat=True))
    assert reasons == {
        "the user turned email notifications off",
        "inactive user",
        "the address bounced",
    }


def test_nothing_is_sent_when_email_sending_is_disabled(tenant, smtp, settings, run_on_commit):
    settings.ENABLE_EMAIL_SENDING = False

    _ticket(run_on_commit, requester=CustomerFactory())

    assert smtp.received == [] and not OutboundEmail.objects.exists()


def test_mail_leaves_only_after_commit(tenant, smtp):
    customer = CustomerFactory()

    TicketFactory(requester=customer)  # the test transaction never commits

    assert smtp.received == []


def test_settings_addresses_are_used_and_the_tenant_address_overrides_them(
    tenant, smtp, settings, run_on_commit
):
    settings.SUPPORT_FROM_EMAIL = "noreply@platform.test"
    settings.SUPPORT_REPLY_TO_EMAIL = "replies@platform.test"
    customer = CustomerFactory()

    ticket = _ticket(run_on_commit, requester=customer)

    [mail] = smtp.received
    token = EmailReplyToken.objects.get(ticket=ticket).token
    assert mail["From"] == "Alpha Corp <noreply@platform.test>"
    assert mail["Reply-To"] == f"replies+{token}@platform.test"
    assert mail.mail_from == "noreply@platform.test"

    smtp.received.clear()
    tenant.support_email = "help@alpha.example"
    tenant.save(update_fields=["support_email"])  # rolled back with the test
    try:
        _ticket(run_on_commit, requester=customer)
    finally:
        tenant.support_email = ""
    [mail] = smtp.received
    assert mail["From"] == "Alpha Corp <help@alpha.example>"
    assert mail["Reply-To"].startswith("help+") and mail["Reply-To"].endswith("@alpha.example")


def test_cr_lf_in_user_values_never_reaches_a_header(tenant, smtp, run_on_commit):
    customer = CustomerFactory(name="Eve\r\nBcc: victim@evil.test")
    agent = AgentFactory()
    ticket = _ticket(run_on_commit, requester=customer)
    Ticket.objects.filter(pk=ticket.pk).update(subject="Hi\r\nBcc: victim@evil.test\r\n\r\nbody")
    tenant.display_name = "Alpha\r\nBcc: victim@evil.test"
    tenant.save(update_fields=["display_name"])  # rolled back with the test
    smtp.received.clear()
    try:
        with run_on_commit():
            message_add(ticket=ticket, actor=agent, content="Reply\r\nBcc: x@evil.test")
    finally:
        tenant.display_name = "Alpha Corp"

    [mail] = smtp.received
    assert mail.rcpt_tos == [customer.email]
    assert mail["Bcc"] is None
    assert "\n" not in mail["Subject"] and "Bcc: victim" in mail["Subject"]
    assert mail["From"] == '"Alpha Bcc: victim@evil.test" <support@panel1.localhost>'
    assert OutboundEmail.objects.get(ticket=ticket, kind="staff_reply").status == "sent"


def test_tenant_template_override_inserts_values_without_evaluating_them(
    tenant, smtp, run_on_commit
):
    EmailTemplate.objects.create(
        key="staff_reply",
        subject="Answer: {{ ticket_subject }} ({{ ticket_number }})",
        body_text="Hi {{ recipient_name }},\n{{ message }}\n-- {{ brand_name }}",
        body_html="<p>Hi {{ recipient_name }}</p><blockquote>{{ message }}</blockquote>",
    )
    customer, agent = CustomerFactory(name="Carol"), AgentFactory()
    ticket = _ticket(run_on_commit, requester=customer, subject="{{ brand_name }} broke")
    smtp.received.clear()
    content = "{{ ticket_number }} {% now 'Y' %} <script>alert(1)</script> C:\\new\\x41 \\\\srv"

    with run_on_commit():
        message_add(ticket=ticket, actor=agent, content=content)

    [mail] = smtp.received
    assert mail["Subject"] == f"[{ticket.number}] Answer: {{{{ brand_name }}}} broke"
    assert f"Hi Carol,\n{content}\n-- Alpha Corp" in mail.text
    assert "{{ ticket_number }} {% now 'Y' %}" in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html and "<script" not in mail.html
    assert "C:\\new\\x41 \\\\srv" in mail.html


def test_a_redelivered_notification_task_sends_nothing_twice(tenant, smtp, run_on_commit):
    customer = CustomerFactory()
    ticket = _ticket(run_on_commit, requester=customer)
    row = OutboundEmail.objects.get(ticket=ticket)
    event_id = row.dedup_key.split(":", 1)[0]

    again = tasks.event_notify_task(
        event_id, names.TICKET_CREATED, {"ticket_id": str(ticket.pk)}, "system"
    )

    assert again == 0
    assert len(smtp.received) == 1 and OutboundEmail.objects.filter(ticket=ticket).count() == 1


def test_one_events_mails_failing_keep_none_of_the_others_back(tenant, monkeypatch):
    """A merged mail job (the events of one dispatch): an event whose mails fail is logged
    and raised after the others were sent (the job is retried; sent mails are not sent
    twice, as above)."""
    from tickets.email import notifications

    done = []

    def notify(*, event_id, name, payload, actor):
        if event_id == "bad":
            raise RuntimeError("template broken")
        done.append(event_id)
        return 1

    monkeypatch.setattr(notifications, "notify_for_event", notify)
    events = [(key, names.TICKET_CREATED, {}, "system") for key in ("bad", "good")]
    with pytest.raises(RuntimeError, match="template broken"):
        tasks.events_notify_task(events)
    assert done == ["good"]
    assert tasks.events_notify_task([("good", names.TICKET_ASSIGNED, {}, "system")]) == 1


def test_a_failed_send_is_recorded_and_retried_later(tenant, smtp, settings, run_on_commit):
    customer = CustomerFactory()
    live_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there

    ticket = _ticket(run_on_commit, requester=customer)

    row = OutboundEmail.objects.get(ticket=ticket)
    assert row.status == "failed" and "Connection refused" in row.error and row.attempts == 1
    settings.EMAIL_PORT = live_port
    assert outbound_retry_failed() == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2
    [mail] = smtp.received
    assert mail["Message-ID"] == f"<{row.message_id}>"
