"""Time-based rules: `ticket.idle` after N hours without an update, once per idle stretch."""

from datetime import timedelta

import pytest
from django.utils import timezone

from automation.idle import idle_rules_run
from automation.models import IdleFiring, RuleRun
from panel1 import jobs
from tests.factories import AgentFactory, TicketFactory
from tests.factories.automation import RuleFactory, act, cond
from tickets import services
from tickets.models import MessageType, Status, Ticket


def idle_rule(**kwargs):
    defaults = {
        "name": "Close stale waiting tickets",
        "trigger_event": "ticket.idle",
        "idle_hours": 72,
        "conditions": [cond("status", "equals", "WAITING_ON_CUSTOMER")],
        "actions": [
            act("add_internal_note", content="Closed after 72 hours without an answer."),
            act("change_status", status="CLOSED"),
        ],
    }
    return RuleFactory(**{**defaults, **kwargs})


def waiting_ticket(hours_ago):
    ticket = TicketFactory()
    services.ticket_status_change(
        ticket=ticket, actor=AgentFactory(), status=Status.WAITING_ON_CUSTOMER
    )
    age_by(ticket, hours_ago)
    return ticket


def age_by(ticket, hours):
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now() - timedelta(hours=hours))


def run_idle(run_on_commit, **kwargs):
    with run_on_commit():
        return idle_rules_run(**kwargs)


def test_the_idle_schedule_is_registered_per_tenant():
    specs = {spec.name: spec for spec in jobs.registered_schedules()}
    assert specs["automation.idle_rules"].per_tenant
    assert specs["automation.webhook_retries"].per_tenant


def test_a_ticket_waiting_72_hours_is_closed_with_a_note(tenant, run_on_commit, events):
    rule = idle_rule()
    stale = waiting_ticket(hours_ago=73)
    fresh = waiting_ticket(hours_ago=71)

    assert run_idle(run_on_commit) == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Status.CLOSED
    note = stale.messages.get(message_type=MessageType.INTERNAL_NOTE)
    assert note.author_label == f"automation: {rule.name}"
    assert fresh.status == Status.WAITING_ON_CUSTOMER
    idle_events = [e for e in events if e.name == "ticket.idle"]
    assert [e.payload["ticket_id"] for e in idle_events] == [str(stale.pk)]
    assert idle_events[0].payload["rule_id"] == str(rule.pk)
    run = RuleRun.objects.get(rule=rule)
    assert (run.event_name, run.matched, run.ticket_id) == ("ticket.idle", True, stale.pk)


def test_the_status_condition_limits_idle_rules(tenant, run_on_commit):
    idle_rule()
    ticket = TicketFactory()  # OPEN
    age_by(ticket, 100)

    assert run_idle(run_on_commit) == 0

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert not IdleFiring.objects.exists()  # it may still fire once it waits on the customer


def test_idle_rules_fire_once_per_ticket_and_idle_stretch(tenant, run_on_commit):
    rule = idle_rule(
        conditions=[cond("status", "equals", "WAITING_ON_CUSTOMER")],
        actions=[act("add_internal_note", content="Still waiting.")],
    )
    ticket = waiting_ticket(hours_ago=80)

    assert run_idle(run_on_commit) == 1
    ticket.refresh_from_db()
    firing = IdleFiring.objects.get(rule=rule, ticket=ticket)
    assert firing.settled_at == ticket.updated_at  # the rule's own note does not count
    assert run_idle(run_on_commit) == 0
    assert run_idle(run_on_commit, now=timezone.now() + timedelta(days=30)) == 0
    assert ticket.messages.filter(content="Still waiting.").count() == 1

    # Someone else touches the ticket: a new idle stretch starts, and it fires again later.
    services.message_add(
        ticket=ticket, actor=AgentFactory(), content="Ping", message_type=MessageType.INTERNAL_NOTE
    )
    assert run_idle(run_on_commit) == 0  # not idle yet
    assert run_idle(run_on_commit, now=timezone.now() + timedelta(hours=73)) == 1
    assert ticket.messages.filter(content="Still waiting.").count() == 2


def test_running_the_idle_job_twice_changes_nothing_the_second_time(tenant, run_on_commit):
    idle_rule(actions=[act("add_tags", tags=["stale"])])
    ticket = waiting_ticket(hours_ago=90)

    assert run_idle(run_on_commit) == 1
    assert run_idle(run_on_commit) == 0
    assert run_idle(run_on_commit, now=timezone.now() + timedelta(hours=100)) == 0

    ticket.refresh_from_db()
    assert ticket.tags == ["stale"]
    assert RuleRun.objects.filter(event_name="ticket.idle").count() == 1


def test_each_idle_rule_uses_its_own_hours(tenant, run_on_commit):
    idle_rule(name="24h", idle_hours=24, actions=[act("add_tags", tags=["24h"])])
    idle_rule(name="48h", idle_hours=48, actions=[act("add_tags", tags=["48h"])])
    ticket = waiting_ticket(hours_ago=30)

    assert run_idle(run_on_commit) == 1

    ticket.refresh_from_db()
    assert ticket.tags == ["24h"]


@pytest.mark.parametrize("hours", [None, 0, 24 * 366])
def test_idle_rules_need_valid_hours(tenant, hours):
    from panel1.exceptions import DomainError

    with pytest.raises(DomainError) as excinfo:
        idle_rule(idle_hours=hours)

    assert list(excinfo.value.errors) == ["idle_hours"]
