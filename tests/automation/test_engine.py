"""The engine: rules run on events in order, honour stop_processing and never loop."""

import pytest

from automation.models import RuleRun
from panel1.events.bus import MAX_CHAIN_DEPTH
from panel1.events.models import EventRecord
from tests.factories import AgentFactory, TicketFactory
from tests.factories.automation import RuleFactory, act, cond
from tickets import services
from tickets.models import Status, TicketEvent


@pytest.fixture
def agent(tenant):
    return AgentFactory()


def test_matching_rule_acts_on_ticket_created_as_automation(tenant, run_on_commit):
    RuleFactory(
        name="Tag VIPs",
        conditions=[cond("subject", "contains", "vip")],
        actions=[act("add_tags", tags=["vip"])],
    )

    with run_on_commit():
        ticket = TicketFactory(subject="VIP customer cannot log in")

    ticket.refresh_from_db()
    assert ticket.tags == ["vip"]
    row = TicketEvent.objects.get(ticket=ticket, field="tags")
    assert row.actor_label == "automation: Tag VIPs"
    assert row.actor is None


def test_non_matching_rule_is_logged_but_does_nothing(tenant, run_on_commit):
    rule = RuleFactory(conditions=[cond("priority", "equals", "URGENT")])

    with run_on_commit():
        ticket = TicketFactory(priority="LOW")

    ticket.refresh_from_db()
    assert ticket.tags == []
    run = RuleRun.objects.get(rule=rule)
    assert (run.matched, run.event_name, run.ticket_id) == (False, "ticket.created", ticket.pk)
    assert run.actions_applied == [] and run.errors == [] and run.dry_run is False


def test_nothing_runs_before_commit(tenant, run_on_commit):
    RuleFactory()

    with run_on_commit():
        ticket = TicketFactory()
        assert not RuleRun.objects.exists()
    assert RuleRun.objects.filter(ticket=ticket).exists()


def test_inactive_rules_and_other_triggers_do_not_run(tenant, run_on_commit):
    RuleFactory(is_active=False)
    RuleFactory(trigger_event="ticket.assigned")

    with run_on_commit():
        ticket = TicketFactory()

    ticket.refresh_from_db()
    assert ticket.tags == []
    assert not RuleRun.objects.exists()


def test_rules_run_in_position_order_and_see_earlier_changes(tenant, run_on_commit):
    RuleFactory(
        name="second",
        position=5,
        conditions=[cond("tags", "contains", "first")],
        actions=[act("add_tags", tags=["second"])],
    )
    RuleFactory(name="first", position=1, actions=[act("add_tags", tags=["first"])])

    with run_on_commit():
        ticket = TicketFactory()

    ticket.refresh_from_db()
    assert ticket.tags == ["first", "second"]
    assert [run.rule.name for run in RuleRun.objects.order_by("id")] == ["first", "second"]


def test_stop_processing_stops_later_rules_only_when_it_matches(tenant, run_on_commit):
    RuleFactory(
        position=1,
        stop_processing=True,
        conditions=[cond("priority", "equals", "HIGH")],
        actions=[act("add_tags", tags=["stopper"])],
    )
    RuleFactory(position=2, actions=[act("add_tags", tags=["later"])])

    with run_on_commit():
        high = TicketFactory(priority="HIGH")
        low = TicketFactory(priority="LOW")

    high.refresh_from_db()
    low.refresh_from_db()
    assert high.tags == ["stopper"]
    assert low.tags == ["later"]


def test_ping_pong_rules_end(tenant, run_on_commit, agent):
    """Two rules that flip the status back and forth stop once each ran in the chain."""
    RuleFactory(
        name="ping",
        trigger_event="ticket.status.changed",
        conditions=[cond("status", "equals", "IN_PROGRESS")],
        actions=[act("change_status", status="ON_HOLD")],
    )
    RuleFactory(
        name="pong",
        trigger_event="ticket.status.changed",
        conditions=[cond("status", "equals", "ON_HOLD")],
        actions=[act("change_status", status="IN_PROGRESS")],
    )
    ticket = TicketFactory()

    with run_on_commit():
        services.ticket_status_change(ticket=ticket, actor=agent, status=Status.IN_PROGRESS)

    ticket.refresh_from_db()
    changes = list(
        TicketEvent.objects.filter(ticket=ticket, field="status").values_list(
            "actor_label", "after"
        )
    )
    # The agent's change runs ping, then pong (which sees ping's ON_HOLD); ping's own event
    # (chain [ping]) finds IN_PROGRESS, so pong does not match; pong's event (chain [pong])
    # runs ping once more; its event (chain [pong, ping]) has no rule left to run.
    assert changes == [
        (agent.get_full_name(), "IN_PROGRESS"),
        ("automation: ping", "ON_HOLD"),
        ("automation: pong", "IN_PROGRESS"),
        ("automation: ping", "ON_HOLD"),
    ]
    assert ticket.status == Status.ON_HOLD
    chains = EventRecord.objects.filter(payload__ticket_id=str(ticket.pk)).values_list(
        "chain", flat=True
    )
    assert all(len(chain) == len(set(chain)) for chain in chains)
    pending = EventRecord.objects.filter(
        name="ticket.status.changed", payload__ticket_id=str(ticket.pk), processed_at=None
    )
    assert not pending.exists()


def test_a_rule_never_runs_for_its_own_change(tenant, run_on_commit, agent):
    """A rule on ticket.escalated that escalates would feed itself forever."""
    rule = RuleFactory(trigger_event="ticket.escalated", actions=[act("escalate_ticket")])
    ticket = TicketFactory()

    with run_on_commit():
        services.ticket_escalate(ticket=ticket, actor=agent)

    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    assert RuleRun.objects.filter(rule=rule).count() == 1


def test_chains_stop_at_the_maximum_depth(tenant, run_on_commit):
    """Rule i adds tag t{i} once t{i-1} is there; the chain stops at MAX_CHAIN_DEPTH.

    Later steps come first in position order, so each event lets exactly one step match.
    """
    steps = MAX_CHAIN_DEPTH + 2
    for i in range(1, steps + 1):
        RuleFactory(
            name=f"step {i}",
            position=steps - i,
            trigger_event="ticket.updated",
            conditions=[
                cond("tags", "contains", f"t{i - 1}"),
                cond("tags", "not_contains", f"t{i}"),
            ],
            actions=[act("add_tags", tags=[f"t{i}"])],
        )
    ticket = TicketFactory()

    with run_on_commit():
        services.ticket_update(ticket=ticket, actor=AgentFactory(), tags=["t0"])

    ticket.refresh_from_db()
    assert ticket.tags == [f"t{i}" for i in range(MAX_CHAIN_DEPTH + 1)]


def test_a_failing_action_is_logged_and_the_others_still_run(tenant, run_on_commit, agent):
    rule = RuleFactory(
        actions=[
            act("change_status", status="CLOSED"),
            act("change_status", status="OPEN"),  # CLOSED -> OPEN is not allowed
            act("add_tags", tags=["after"]),
        ],
    )

    with run_on_commit():
        ticket = TicketFactory()

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.tags == ["after"]
    run = RuleRun.objects.get(rule=rule)
    assert run.matched
    assert [a["type"] for a in run.actions_applied] == ["change_status", "add_tags"]
    assert len(run.errors) == 1 and run.errors[0].startswith("actions[1] change_status")


def test_rules_of_one_tenant_never_fire_in_another(tenant, other_tenant, run_on_commit):
    from tests.conftest import in_schema

    RuleFactory(actions=[act("add_tags", tags=["from-a"])])

    with in_schema(other_tenant):
        with run_on_commit():
            ticket_b = TicketFactory()
        ticket_b.refresh_from_db()
        assert ticket_b.tags == []
        assert not RuleRun.objects.exists()
    with run_on_commit():
        ticket_a = TicketFactory()
    ticket_a.refresh_from_db()
    assert ticket_a.tags == ["from-a"]


def test_rules_run_on_events_of_other_apps_such_as_sla_breach(tenant, run_on_commit):
    from panel1.events import bus

    RuleFactory(
        trigger_event="sla.breach",
        conditions=[cond("priority", "gte", "HIGH")],
        actions=[act("escalate_ticket")],
    )
    ticket = TicketFactory(priority="URGENT")

    with run_on_commit():
        bus.emit(
            "sla.breach",
            payload={"ticket_id": str(ticket.pk), "ticket_number": ticket.number},
            actor="system",
        )

    ticket.refresh_from_db()
    assert ticket.escalation_level == 1


def test_events_about_missing_tickets_are_ignored(tenant, run_on_commit):
    from panel1.events import bus

    RuleFactory(trigger_event="sla.breach")

    with run_on_commit():
        bus.emit("sla.breach", payload={"ticket_id": "not-a-uuid"})
        bus.emit("sla.breach", payload={"ticket_id": "5a1f0c7e-3b1d-4c59-9a57-0d6b8a1d2e3f"})

    assert not RuleRun.objects.exists()


def test_a_stored_rule_that_no_longer_validates_never_matches(tenant, run_on_commit):
    from automation.models import Rule

    rule = RuleFactory()
    Rule.objects.filter(pk=rule.pk).update(conditions=[{"field": "gone", "operator": "equals"}])

    with run_on_commit():
        ticket = TicketFactory()

    ticket.refresh_from_db()
    assert ticket.tags == []
    run = RuleRun.objects.get(rule=rule)
    assert run.matched is False and run.errors[0].startswith("Invalid conditions")


def test_old_runs_are_pruned(tenant, run_on_commit):
    from datetime import timedelta

    from django.utils import timezone

    from automation.tasks import rule_runs_prune_task

    RuleFactory()
    with run_on_commit():
        TicketFactory()
        TicketFactory()
    old = RuleRun.objects.order_by("id").first()
    RuleRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    assert rule_runs_prune_task() == 1
    assert RuleRun.objects.count() == 1
