"""Every action type, executed by the engine through the ticket services."""

from django.core import mail

from automation.actions import ACTION_TYPES
from automation.executors import EXECUTORS
from automation.models import AutoResponseTemplate, RuleRun
from tests.factories import AgentFactory, CustomerFactory, SupervisorFactory, TicketFactory
from tests.factories.automation import RuleFactory, act, cond
from tickets import notifiers as notifications
from tickets.models import Message, MessageType, Status, TicketEvent


def run_rule(run_on_commit, *actions, **ticket_kwargs):
    rule = RuleFactory(name="Under test", actions=list(actions))
    with run_on_commit():
        ticket = TicketFactory(**ticket_kwargs)
    ticket.refresh_from_db()
    return rule, ticket, RuleRun.objects.get(rule=rule, event_name="ticket.created")


def test_every_action_type_has_an_executor():
    assert set(EXECUTORS) == set(ACTION_TYPES)


def test_assign_ticket(tenant, run_on_commit, events):
    agent = AgentFactory()

    _, ticket, run = run_rule(run_on_commit, act("assign_ticket", assigned_to_id=str(agent.pk)))

    assert ticket.assignee == agent
    assert run.actions_applied[0]["result"] == "applied"
    assigned = [e for e in events if e.name == "ticket.assigned"]
    assert assigned[0].actor == "automation:Under test"
    assert len(assigned[0].chain) == 1


def test_assign_to_a_user_who_is_no_longer_staff_is_an_error(tenant, run_on_commit):
    agent = AgentFactory()
    rule = RuleFactory(actions=[act("assign_ticket", assigned_to_id=str(agent.pk))])
    agent.role = "CUSTOMER"
    agent.save()

    with run_on_commit():
        ticket = TicketFactory()

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert "not an active staff user" in RuleRun.objects.get(rule=rule).errors[0]


def test_change_status_writes_the_audit_trail_with_a_reason(tenant, run_on_commit):
    _, ticket, _ = run_rule(run_on_commit, act("change_status", status="WAITING_ON_CUSTOMER"))

    assert ticket.status == Status.WAITING_ON_CUSTOMER
    row = TicketEvent.objects.get(ticket=ticket, field="status")
    assert row.actor_label == "automation: Under test"
    assert "Under test" in row.reason


def test_change_priority(tenant, run_on_commit):
    _, ticket, _ = run_rule(
        run_on_commit, act("change_priority", priority="URGENT"), priority="LOW"
    )

    assert ticket.priority == "URGENT"


def test_change_to_the_current_value_is_skipped_not_an_error(tenant, run_on_commit):
    _, ticket, run = run_rule(run_on_commit, act("change_priority", priority="LOW"), priority="LOW")

    assert run.actions_applied == [
        {"type": "change_priority", "result": "skipped", "detail": "priority is already LOW"}
    ]
    assert run.errors == []


def test_add_tags_keeps_existing_tags(tenant, run_on_commit):
    _, ticket, _ = run_rule(
        run_on_commit, act("add_tags", tags=["VIP", "billing"]), tags=["billing", "old"]
    )

    assert ticket.tags == ["billing", "old", "vip"]


def test_add_internal_note_is_staff_only(tenant, run_on_commit):
    _, ticket, _ = run_rule(
        run_on_commit, act("add_internal_note", content="Check contract for {{ticket_number}}")
    )

    note = ticket.messages.get(message_type=MessageType.INTERNAL_NOTE)
    assert note.content == f"Check contract for {ticket.number}"
    assert note.author is None and note.author_label == "automation: Under test"
    assert not Message.objects.visible_to(ticket.requester).filter(pk=note.pk).exists()


def test_send_auto_response_is_a_real_public_reply(tenant, run_on_commit):
    customer = CustomerFactory(name="Carol Customer")

    _, ticket, run = run_rule(
        run_on_commit, act("send_auto_response", template="acknowledgment"), requester=customer
    )

    reply = ticket.messages.get(message_type=MessageType.STAFF_REPLY)
    assert reply.is_auto_response
    assert reply.content.startswith("Hello Carol Customer,")
    assert ticket.number in reply.content
    assert tenant.brand_name in reply.content
    assert "{{" not in reply.content
    assert Message.objects.visible_to(customer).filter(pk=reply.pk).exists()
    # An auto-response is not a first response and does not start work on the ticket.
    assert ticket.first_responded_at is None
    assert ticket.status == Status.OPEN
    assert run.actions_applied[0]["result"] == "applied"


def test_auto_response_placeholders_do_not_execute_customer_data(tenant, run_on_commit):
    AutoResponseTemplate.objects.create(name="echo", body="Re: {{ticket_subject}} {{unknown}}")

    _, ticket, _ = run_rule(
        run_on_commit,
        act("send_auto_response", template="echo"),
        subject="{{company_name}} {% load x %}{{ 7|add:1 }}",
    )

    reply = ticket.messages.get(message_type=MessageType.STAFF_REPLY)
    assert reply.content == "Re: {{company_name}} {% load x %}{{ 7|add:1 }} {{unknown}}"


def test_auto_responses_can_be_turned_off(tenant, run_on_commit, settings):
    settings.ENABLE_AUTO_RESPONSES = False

    _, ticket, run = run_rule(run_on_commit, act("send_auto_response", template="acknowledgment"))

    assert not ticket.messages.filter(message_type=MessageType.STAFF_REPLY).exists()
    assert run.actions_applied[0]["result"] == "skipped"
    assert "ENABLE_AUTO_RESPONSES" in run.actions_applied[0]["detail"]


def test_escalate_ticket(tenant, run_on_commit, events):
    _, ticket, _ = run_rule(run_on_commit, act("escalate_ticket"))

    assert ticket.escalation_level == 1
    assert "ticket.escalated" in [e.name for e in events]


def test_notify_users_mentions_them_in_a_note_and_emails_them(tenant, run_on_commit):
    alice = AgentFactory(name="Alice Agent")
    sam = SupervisorFactory(name="Sam Super", notify_by_email=False)

    _, ticket, run = run_rule(
        run_on_commit,
        act("notify_users", user_ids=[str(alice.pk), str(sam.pk)], message="VIP {{ticket_number}}"),
    )

    note = ticket.messages.get(message_type=MessageType.INTERNAL_NOTE)
    assert "@Alice Agent" in note.content and "@Sam Super" in note.content
    assert f"VIP {ticket.number}" in note.content
    # The requester's "ticket created" acknowledgement (tickets.email) is not this action's.
    staff_mails = [m for m in mail.outbox if m.to != [ticket.requester.email]]
    assert [m.to for m in staff_mails] == [[alice.email]]  # Sam opted out of email
    assert ticket.number in staff_mails[0].subject
    assert run.errors == []


def test_notify_users_channels_are_pluggable(tenant, run_on_commit):
    agent = AgentFactory()
    received = []
    notifications.register_notifier("test", received.append)
    try:
        run_rule(run_on_commit, act("notify_users", user_ids=[str(agent.pk)], message="hi"))
    finally:
        notifications.unregister_notifier("test")

    assert [(n.user_ids, n.message) for n in received] == [((str(agent.pk),), "hi")]


def test_send_webhook_queues_a_delivery(tenant, run_on_commit, monkeypatch):
    from automation import deliveries
    from automation.models import WebhookDelivery

    sent = []
    monkeypatch.setattr(deliveries, "delivery_attempt", lambda **kw: sent.append(kw["delivery_id"]))
    monkeypatch.setattr(
        "automation.tasks.webhook_deliver_task",
        lambda delivery_id: deliveries.delivery_attempt(delivery_id=delivery_id),
    )

    _, ticket, run = run_rule(run_on_commit, act("send_webhook", url="https://hooks.example.com/x"))

    delivery = WebhookDelivery.objects.get()
    assert sent == [str(delivery.pk)]
    assert delivery.payload["ticket"]["number"] == ticket.number
    assert delivery.payload["event"] == "ticket.created"
    assert run.actions_applied[0]["result"] == "applied"


def test_conditions_on_the_triggering_message(tenant, run_on_commit):
    RuleFactory(
        trigger_event="message.added",
        conditions=[
            cond("message_type", "equals", "CUSTOMER_REPLY"),
            cond("message_content", "matches", r"\brefund\b"),
        ],
        actions=[act("add_tags", tags=["refund"])],
    )
    ticket = TicketFactory()
    from tickets import services

    with run_on_commit():
        services.message_add(ticket=ticket, actor=ticket.requester, content="I want a refund now")
        services.message_add(
            ticket=ticket,
            actor=AgentFactory(),
            content="refund noted",
            message_type=MessageType.INTERNAL_NOTE,
        )

    ticket.refresh_from_db()
    assert ticket.tags == ["refund"]
    assert RuleRun.objects.filter(matched=True).count() == 1


def test_no_notification_email_when_email_sending_is_off(tenant, run_on_commit, settings):
    settings.ENABLE_EMAIL_SENDING = False
    agent = AgentFactory()

    _, ticket, _ = run_rule(
        run_on_commit, act("notify_users", user_ids=[str(agent.pk)], message="Look")
    )

    assert mail.outbox == []
    assert ticket.messages.filter(message_type=MessageType.INTERNAL_NOTE).exists()
