"""A new ticket is routed in its creation's transaction when no `ticket.created` rule is
active: the creation's answer carries the assignee and the reason. With such a rule, routing
still runs after commit, after the rules (a ticket a rule assigned is not routed)."""

from automation.routing.models import RoutingAgentLast, RoutingState
from automation.routing.services import ticket_route
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tests.factories.automation import RuleFactory
from tests.factories.routing import AgentProfileFactory, routing_configure
from tickets.models import Ticket, TicketEvent

ROUTING = "automation: routing"


def _routing_ready(**settings):
    """Routing configured and its state row present (the tenant's first decision makes it)."""
    routing_configure(**settings)
    ticket_route(ticket_id=TicketFactory().pk)
    assert RoutingState.objects.exists()


def test_the_create_answer_carries_the_assignee_and_the_reason(tenant, api_client, events):
    agent = AgentProfileFactory(user=AgentFactory(name="Greta Router"), capacity=5).user
    _routing_ready(strategy="load_balanced")
    staff = AgentFactory()

    answer = api_client(staff).post(
        "/api/v1/tickets/",
        {"subject": "Printer", "content": "Jammed.", "requester_email": "r@customer.test"},
        format="json",
    )

    assert answer.status_code == 201
    body = answer.json()
    assert body["assignee"]["id"] == str(agent.pk)
    assert body["routing_reason"].startswith("load balanced: Greta Router")
    history = TicketEvent.objects.get(ticket_id=body["id"], event="ticket.assigned")
    assert history.actor_label == ROUTING and history.reason == body["routing_reason"]
    assert history.after == agent.email
    # one ticket.assigned, dispatched after commit with ticket.created
    assigned = [e for e in events if e.name == "ticket.assigned" and e.ticket_id == body["id"]]
    assert [e.payload["changes"]["assignee"] for e in assigned] == [[None, str(agent.pk)]]
    assert [e.name for e in events if e.ticket_id == body["id"]][:2] == [
        "ticket.created",
        "ticket.assigned",
    ]


def test_routed_in_the_creation_before_commit(tenant):
    agent = AgentProfileFactory(capacity=2).user
    _routing_ready(strategy="round_robin")

    ticket = TicketFactory()  # no after-commit work runs here

    assert ticket.assignee_id == agent.pk and ticket.routing_reason.startswith("round robin")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.assignee_id, stored.routing_reason) == (agent.pk, ticket.routing_reason)
    assert RoutingAgentLast.objects.get(agent=agent).sequence == RoutingState.objects.get().sequence


def test_nobody_eligible_is_recorded_at_creation(tenant):
    AgentProfileFactory(user=AgentFactory(name="Away Ann"), status="away")
    _routing_ready(strategy="load_balanced")

    ticket = TicketFactory()

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.assignee_id is None
    assert stored.routing_reason == "nobody eligible: Away Ann away"
    note = TicketEvent.objects.get(ticket=ticket, event="ticket.routing")
    assert note.reason == stored.routing_reason and note.actor_label == ROUTING


def test_a_rule_on_ticket_created_runs_first_and_its_assignment_is_kept(tenant, api_client, events):
    AgentProfileFactory(user=AgentFactory(name="Router Pick"), capacity=5)
    chosen = AgentFactory(name="Rule Pick")
    _routing_ready(strategy="load_balanced")
    RuleFactory(
        name="VIP to Rule Pick",
        actions=[{"type": "assign_ticket", "parameters": {"assigned_to_id": str(chosen.pk)}}],
    )
    customer = CustomerFactory()

    answer = api_client(customer).post(
        "/api/v1/tickets/", {"subject": "VIP", "content": "Help."}, format="json"
    )

    ticket = Ticket.objects.get(pk=answer.json()["id"])
    assert ticket.assignee_id == chosen.pk
    assert not TicketEvent.objects.filter(ticket=ticket, actor_label=ROUTING).exists()
    assigned = [e for e in events if e.name == "ticket.assigned" and e.ticket_id == str(ticket.pk)]
    assert len(assigned) == 1 and assigned[0].actor.startswith("automation:")


def test_with_a_rule_on_ticket_created_routing_runs_after_the_rules(tenant, api_client):
    agent = AgentProfileFactory(capacity=5).user
    _routing_ready(strategy="load_balanced")
    RuleFactory(name="Tag new", actions=[{"type": "add_tags", "parameters": {"tags": ["triaged"]}}])
    ticket = TicketFactory()  # in the test's transaction: after-commit work does not run
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None  # left to after commit

    answer = api_client(CustomerFactory()).post(
        "/api/v1/tickets/", {"subject": "Printer", "content": "Jammed."}, format="json"
    )

    routed = Ticket.objects.get(pk=answer.json()["id"])
    assert routed.assignee_id == agent.pk and routed.tags == ["triaged"]
    order = list(
        TicketEvent.objects.filter(ticket=routed)
        .exclude(event__in=["ticket.created", "sla.started"])
        .order_by("id")
        .values_list("event", flat=True)
    )
    assert order.index("ticket.updated") < order.index("ticket.assigned")  # the rule, then routing


def test_the_routing_read_goes_out_with_the_ticket_numbers_statement(tenant):
    """One round trip: the counter's upsert and the routing read are sent together (psycopg's
    pipeline), before either answer is read."""
    from django.db import connection
    from psycopg import pq

    agent = AgentProfileFactory(capacity=5).user
    _routing_ready(strategy="load_balanced")
    sent = []

    def spy(execute, sql, params, many, context):
        piped = connection.connection.pgconn.pipeline_status != pq.PipelineStatus.OFF
        sent.append((sql.split(None, 3)[:3], piped))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        ticket = TicketFactory()

    assert ticket.assignee_id == agent.pk and ticket.number
    piped = [words for words, in_pipeline in sent if in_pipeline]
    assert piped == [["INSERT", "INTO", '"tickets_ticketcounter"'], ["WITH", "state", "AS"]]
