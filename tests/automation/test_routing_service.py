"""The router through its public surface: ticket creation, rules, unassignment, reopening,
availability changes, capacity and the reasons it writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from automation.routing.services import PREVIOUS_LOOKBACK, ticket_route, waiting_tickets
from panel1.events import names
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, TicketFactory
from tests.factories.automation import RuleFactory
from tests.factories.routing import AgentProfileFactory, routing_configure
from tickets.models import Ticket, TicketEvent
from tickets.services import message_add, ticket_assign, ticket_status_change
from tickets.services.agents import agent_update


def _agent(name, **kwargs):
    return AgentProfileFactory(user=AgentFactory(name=name), **kwargs).user


def _create(run_on_commit, **kwargs):
    with run_on_commit():
        ticket = TicketFactory(**kwargs)
    return Ticket.objects.get(pk=ticket.pk)


def test_load_balanced_assigns_the_least_loaded_agent_and_says_why(tenant, run_on_commit):
    routing_configure(strategy="load_balanced")
    alice, bob = _agent("Alice", capacity=10), _agent("Bob", capacity=10)
    for _ in range(2):
        ticket = TicketFactory()
        ticket_assign(ticket=ticket, actor=None, assignee=bob)

    ticket = _create(run_on_commit)

    assert ticket.assignee == alice
    assert ticket.routing_reason == "load balanced: Alice 0 open of 10, Bob 2 open of 10"
    entry = TicketEvent.objects.filter(ticket=ticket, event=names.TICKET_ASSIGNED).get()
    assert entry.reason == ticket.routing_reason and entry.actor_label == "automation: routing"


def test_manual_routing_leaves_tickets_alone(tenant, run_on_commit):
    _agent("Alice")
    ticket = _create(run_on_commit)
    assert ticket.assignee is None and ticket.routing_reason is None


def test_nobody_eligible_stays_unassigned_with_the_reason(tenant, run_on_commit):
    routing_configure(strategy="round_robin")
    _agent("Alice", status="away")
    full = _agent("Bob", capacity=1)
    ticket_assign(ticket=TicketFactory(), actor=None, assignee=full)

    ticket = _create(run_on_commit)

    assert ticket.assignee is None
    assert ticket.routing_reason == "nobody eligible: Alice away, Bob at capacity (1 of 1)"
    assert TicketEvent.objects.filter(ticket=ticket, event="ticket.routing").count() == 1


def test_a_ticket_a_rule_assigned_is_not_routed(tenant, run_on_commit):
    routing_configure(strategy="load_balanced")
    _agent("Alice")
    chosen = AgentFactory(name="Ruled")
    RuleFactory(
        trigger_event=names.TICKET_CREATED,
        actions=[{"type": "assign_ticket", "parameters": {"assigned_to_id": str(chosen.pk)}}],
    )
    ticket = _create(run_on_commit)
    assert ticket.assignee == chosen and ticket.routing_reason is None


def test_auto_assign_action_routes_a_subset_with_its_own_strategy(tenant, run_on_commit):
    # Routing is manual for everyone; a rule routes VIP mail round robin.
    alice = _agent("Alice")
    RuleFactory(
        trigger_event=names.TICKET_CREATED,
        conditions=[{"field": "priority", "operator": "equals", "value": "URGENT"}],
        actions=[{"type": "auto_assign", "parameters": {"strategy": "round_robin"}}],
    )
    urgent = _create(run_on_commit, priority="URGENT")
    normal = _create(run_on_commit)
    assert urgent.assignee == alice and urgent.routing_reason.startswith("round robin: Alice")
    assert normal.assignee is None


def test_unassigned_ticket_goes_to_someone_else(tenant, run_on_commit):
    routing_configure(strategy="round_robin")
    alice, bob = _agent("Alice"), _agent("Bob")
    ticket = _create(run_on_commit)
    first = ticket.assignee
    with run_on_commit():
        ticket_assign(ticket=ticket, actor=first, assignee=None)
    ticket.refresh_from_db()
    assert ticket.assignee == (bob if first == alice else alice)


def test_reopened_ticket_of_an_unavailable_agent_is_routed_again(tenant, run_on_commit):
    routing_configure(strategy="load_balanced")
    alice, bob = _agent("Alice"), _agent("Bob", status="offline")
    ticket = TicketFactory()
    ticket_assign(ticket=ticket, actor=None, assignee=bob)
    ticket_status_change(ticket=ticket, actor=bob, status="RESOLVED")
    with run_on_commit():
        ticket_status_change(ticket=ticket, actor=ticket.requester, status="OPEN")
    ticket.refresh_from_db()
    assert ticket.assignee == alice


def test_agent_coming_online_gets_waiting_tickets_by_due_time_then_priority(tenant, run_on_commit):
    routing_configure(strategy="load_balanced")
    alice = _agent("Alice", status="offline", capacity=2)
    low = _create(run_on_commit, priority="LOW")
    urgent = _create(run_on_commit, priority="URGENT")
    medium = _create(run_on_commit, priority="MEDIUM")
    order = list(waiting_tickets().filter(pk__in=[low.pk, urgent.pk, medium.pk]))
    keys = [(ticket.next_due, -ticket.rank, ticket.created_at) for ticket in order]
    assert keys == sorted(keys) and all(key[0] is not None for key in keys)

    with run_on_commit():
        agent_update(actor=alice, agent=alice, status="online")

    assigned = list(Ticket.objects.filter(assignee=alice).values_list("pk", flat=True))
    assert sorted(assigned) == sorted(ticket.pk for ticket in order[:2])  # capacity 2


def test_offline_agent_returns_untouched_tickets_when_enabled(tenant, run_on_commit):
    routing_configure(strategy="load_balanced", reroute_when_offline=True)
    alice, bob = _agent("Alice"), _agent("Bob")
    untouched, answered = TicketFactory(), TicketFactory()
    for ticket in (untouched, answered):
        ticket_assign(ticket=ticket, actor=None, assignee=alice)
    message_add(ticket=answered, actor=alice, content="On it", message_type="STAFF_REPLY")

    with run_on_commit():
        agent_update(actor=alice, agent=alice, status="offline")

    untouched.refresh_from_db()
    answered.refresh_from_db()
    assert untouched.assignee == bob and answered.assignee == alice


def test_deactivated_agent_is_never_chosen(tenant, run_on_commit):
    routing_configure(strategy="round_robin")
    gone = _agent("Gone")
    gone.is_active = False
    gone.save()
    ticket = _create(run_on_commit)
    assert ticket.assignee is None and "no agent" in ticket.routing_reason


def test_out_of_office_and_working_hours_make_agents_unavailable(tenant, run_on_commit):
    routing_configure(strategy="round_robin")
    now = timezone.now()
    period = {"start": (now - timedelta(hours=1)).isoformat(), "end": (now + timedelta(hours=1))}
    period["end"] = period["end"].isoformat()
    _agent("Away", out_of_office=[period])
    closed_day = {day: {"enabled": False} for day in ("monday", "tuesday", "wednesday")}
    closed_day |= {day: {"enabled": False} for day in ("thursday", "friday", "saturday", "sunday")}
    closed_day["monday"] = {"start": "00:00", "end": "00:01", "enabled": True}
    _agent("Night", working_hours={"timezone": "UTC", **closed_day})
    ticket = _create(run_on_commit)
    assert ticket.assignee is None
    assert "Away out of office" in ticket.routing_reason


def test_skills_strategy_matches_skill_language_and_category(tenant, run_on_commit, settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    routing_configure(strategy="skills")
    billing = CategoryFactory(name="Billing")
    _agent("Generalist", languages=["en", "de"])
    _agent("Anglo", skills=["billing"], languages=["en"])
    german = _agent("Greta", skills=["billing"], languages=["de"])
    ticket = _create(
        run_on_commit,
        category=billing,
        tags=["billing"],
        content="Meine Rechnung ist falsch, bitte korrigieren Sie den Betrag sofort.",
        subject="Rechnung",
    )
    assert ticket.language == "de"
    assert ticket.assignee == german
    assert ticket.routing_reason == (
        "skills: load balanced: Greta 0 open of no limit; skill: billing; language: de"
    )


def test_previous_agent_keeps_the_requester_with_their_agent(tenant, run_on_commit):
    routing_configure(strategy="round_robin", previous_agent=True)
    _agent("Alice")
    bob = _agent("Bob")
    customer = CustomerFactory()
    earlier = TicketFactory(requester=customer)
    ticket_assign(ticket=earlier, actor=None, assignee=bob)
    ticket = _create(run_on_commit, requester=customer)
    assert ticket.assignee == bob and ticket.routing_reason.startswith("previous agent: Bob")


def test_previous_agent_walks_past_the_requesters_unassigned_tickets(tenant, run_on_commit):
    # Given: the requester's newest tickets unassigned, two of them created at the same
    # moment as Carol's, and Bob's older.
    routing_configure(strategy="round_robin", previous_agent=True)
    _agent("Alice")
    bob, carol = _agent("Bob"), _agent("Carol")
    customer = CustomerFactory()
    now = timezone.now()
    for age, assignee in ((3, bob), (1, None), (1, None), (0, None)):
        ticket = TicketFactory(requester=customer)
        Ticket.objects.filter(pk=ticket.pk).update(
            assignee=assignee, created_at=now - timedelta(hours=age)
        )
    tied = TicketFactory(requester=customer)
    Ticket.objects.filter(pk=tied.pk).update(assignee=carol, created_at=now - timedelta(hours=1))

    # When: a new ticket of theirs is routed, and an older unassigned one is.
    ticket = _create(run_on_commit, requester=customer)
    waiting = Ticket.objects.filter(requester=customer, assignee=None).exclude(pk=ticket.pk)
    ticket_route(ticket_id=waiting.first().pk)

    # Then: both go to the assignee of the newest assigned ticket, Carol, not Bob.
    assert ticket.assignee == carol and ticket.routing_reason.startswith("previous agent: Carol")
    assert Ticket.objects.filter(requester=customer, assignee=carol).count() == 3


@pytest.mark.parametrize(
    "unassigned, found", [(PREVIOUS_LOOKBACK - 1, True), (PREVIOUS_LOOKBACK, False)]
)
def test_previous_agent_looks_back_a_bounded_number_of_tickets(
    tenant, run_on_commit, unassigned, found
):
    """The walk reads at most `PREVIOUS_LOOKBACK` of the requester's tickets: a requester who
    filed many while routing was off costs the next decision no more than that."""
    routing_configure(strategy="round_robin", previous_agent=True)
    alice, bob = _agent("Alice"), _agent("Bob")
    ticket_assign(ticket=TicketFactory(requester=alice), actor=None, assignee=bob)  # Bob busier
    customer = CustomerFactory()
    now = timezone.now()
    earlier = TicketFactory(requester=customer)
    Ticket.objects.filter(pk=earlier.pk).update(assignee=bob, created_at=now - timedelta(days=1))
    for age in range(unassigned):
        ticket = TicketFactory(requester=customer)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(minutes=age + 1))

    ticket = _create(run_on_commit, requester=customer)

    assert (ticket.assignee == bob) is found
    assert ticket.routing_reason.startswith("previous agent: Bob") is found


def test_an_excluded_value_that_is_no_user_excludes_nobody(tenant):
    """`exclude` comes from event payloads (the agent who gave a ticket back): a value that
    is no user id is ignored, not cast in the pool statement (which would fail the
    decision)."""
    routing_configure(strategy="load_balanced")
    alice = _agent("Alice")
    ticket = TicketFactory()
    decision = ticket_route(ticket_id=ticket.pk, exclude=["automation: routing", None])
    assert decision.agent_id == str(alice.pk)


def test_load_deltas_are_folded_every_so_many_decisions(tenant, run_on_commit, monkeypatch):
    """Every `COMPACT_EVERY` decisions the agents' load-delta rows are folded after commit,
    so a decision sums a few rows per agent, not every ticket write since the last
    per-tenant job; the sums stay what counting the tickets gives."""
    from automation.routing import services
    from automation.routing.models import RoutingState
    from tickets.models import AgentLoadDelta

    monkeypatch.setattr(services, "COMPACT_EVERY", 3)
    routing_configure(strategy="load_balanced")
    alice, bob = _agent("Alice"), _agent("Bob")
    folded = 0
    for _ in range(6):
        _create(run_on_commit)
        sequence = RoutingState.objects.get().sequence
        fresh = AgentLoadDelta.objects.filter(compacted=False).count()
        assert (fresh == 0) is (sequence % 3 == 0), (sequence, fresh)
        folded += fresh == 0
    assert folded == 2
    counted = {agent.pk: Ticket.objects.filter(assignee=agent).count() for agent in (alice, bob)}
    sums = {
        agent.pk: sum(
            AgentLoadDelta.objects.filter(agent_id=agent.pk).values_list("tickets", flat=True)
        )
        for agent in (alice, bob)
    }
    assert sums == counted == {alice.pk: 3, bob.pk: 3}


def test_force_reroutes_and_without_force_an_assigned_ticket_stays(tenant):
    routing_configure(strategy="load_balanced")
    alice = _agent("Alice")
    other = AgentFactory()
    ticket = TicketFactory()
    ticket_assign(ticket=ticket, actor=None, assignee=other)
    assert ticket_route(ticket_id=ticket.pk) is None
    decision = ticket_route(ticket_id=ticket.pk, force=True)
    ticket.refresh_from_db()
    assert decision.agent_id == str(alice.pk) and ticket.assignee == alice


@pytest.mark.parametrize("status", ["RESOLVED", "CLOSED"])
def test_closed_tickets_are_not_routed(tenant, status):
    routing_configure(strategy="load_balanced")
    _agent("Alice")
    ticket = TicketFactory()
    ticket_status_change(ticket=ticket, actor=None, status=status)
    assert ticket_route(ticket_id=ticket.pk) is None


def test_category_limited_agents_get_only_their_categories(tenant, run_on_commit):
    routing_configure(strategy="load_balanced")
    billing, other = CategoryFactory(name="Billing"), CategoryFactory(name="Other")
    biller = _agent("Biller", categories=[billing])
    in_billing = _create(run_on_commit, category=billing)
    elsewhere = _create(run_on_commit, category=other)
    assert in_billing.assignee == biller
    assert elsewhere.assignee is None
    assert elsewhere.routing_reason == "nobody eligible: Biller does not work category Other"
