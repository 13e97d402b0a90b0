"""Triggers for the desk's newer events: mentions, splits and links (ticket rules), and new
customers and organizations (webhook-only rules without a ticket)."""

import pytest

from automation.models import TRIGGER_EVENTS, RuleRun, WebhookDelivery
from desk.admin_area.automation_labels import trigger_choices
from panel1.events import names
from panel1.exceptions import DomainError
from tests.factories import AgentFactory, TicketFactory
from tests.factories.automation import RuleFactory, act, cond
from tickets import services
from tickets.models import MessageType
from tickets.services.customers import customer_create, organization_create

pytestmark = pytest.mark.django_db

NEW = (
    names.TICKET_MENTIONED,
    names.TICKET_SPLIT,
    names.TICKET_LINKED,
    names.CUSTOMER_CREATED,
    names.ORGANIZATION_CREATED,
)


@pytest.fixture
def no_deliveries(monkeypatch):
    monkeypatch.setattr("automation.tasks.webhook_deliver_task", lambda delivery_id: None)


def test_the_new_events_are_triggers_with_labels_in_the_builder():
    labels = dict(trigger_choices())
    for name in NEW:
        assert name in TRIGGER_EVENTS
        assert labels[name] != name
    assert names.KB_ARTICLE_PUBLISHED not in TRIGGER_EVENTS


def test_a_mention_runs_its_rules_on_the_ticket(tenant, run_on_commit):
    RuleFactory(trigger_event=names.TICKET_MENTIONED, actions=[act("add_tags", tags=["mentioned"])])
    agent = AgentFactory(name="Alice")
    AgentFactory(name="Bob Mention")
    ticket = TicketFactory()

    with run_on_commit():
        services.message_add(
            ticket=ticket,
            actor=agent,
            content="@Bob Mention please look",
            message_type=MessageType.INTERNAL_NOTE,
        )

    ticket.refresh_from_db()
    assert "mentioned" in ticket.tags
    assert RuleRun.objects.get(event_name=names.TICKET_MENTIONED).matched


def test_a_link_runs_its_rules(tenant, run_on_commit):
    RuleFactory(trigger_event=names.TICKET_LINKED, actions=[act("add_tags", tags=["linked"])])
    agent = AgentFactory()
    first, second = TicketFactory(), TicketFactory()

    with run_on_commit():
        services.ticket_link(ticket=first, other=second, kind="related", actor=agent)

    first.refresh_from_db()
    assert "linked" in first.tags
    assert RuleRun.objects.get(event_name=names.TICKET_LINKED).ticket == first


def test_a_new_customer_sends_the_webhook_of_a_matching_rule(tenant, run_on_commit, no_deliveries):
    RuleFactory(
        trigger_event=names.CUSTOMER_CREATED,
        conditions=[cond("requester_domain", "equals", "bigclient.example")],
        actions=[act("send_webhook", url="https://hooks.example.com/crm")],
    )
    agent = AgentFactory()

    with run_on_commit():
        dora = customer_create(actor=agent, email="dora@bigclient.example", name="Dora")
        customer_create(actor=agent, email="eve@elsewhere.example", name="Eve")

    delivery = WebhookDelivery.objects.get()
    assert delivery.ticket is None and delivery.event_name == names.CUSTOMER_CREATED
    assert delivery.payload["customer"] == {
        "id": str(dora.pk),
        "email": "dora@bigclient.example",
        "name": "Dora",
    }
    runs = RuleRun.objects.filter(event_name=names.CUSTOMER_CREATED)
    assert sorted(run.matched for run in runs) == [False, True]


def test_a_new_organization_sends_its_webhook(tenant, run_on_commit, no_deliveries):
    RuleFactory(
        trigger_event=names.ORGANIZATION_CREATED,
        actions=[act("send_webhook", url="https://hooks.example.com/orgs")],
    )

    with run_on_commit():
        organization_create(actor=AgentFactory(), name="Initrode", domains=["initrode.example"])

    payload = WebhookDelivery.objects.get().payload
    assert payload["organization"]["name"] == "Initrode"
    assert payload["event"] == names.ORGANIZATION_CREATED


def test_customer_rules_may_not_use_ticket_actions_or_fields(tenant):
    with pytest.raises(DomainError) as exc:
        RuleFactory(
            trigger_event=names.CUSTOMER_CREATED,
            conditions=[cond("priority", "equals", "HIGH")],
            actions=[act("add_tags", tags=["x"])],
        )
    assert "actions[0].type" in exc.value.errors
    assert "conditions[0].field" in exc.value.errors
