"""Automation engine throughput with 50 active rules; prints rules evaluated per second.

DATABASE_URL=... .venv/bin/python benchmarks/automation_rules.py [EVENTS]

Provisions a throw-away tenant, creates 50 active `ticket.updated` rules with varied
conditions (nested groups, regexes, lists, numbers), then measures:
  1. conditions only: evaluating the 50 rules against a prepared context (pure Python);
  2. the engine per event: load the rules, load the ticket, build the context, evaluate
     all 50 rules and write 50 run-log rows (what every event costs when nothing matches);
  3. the same with 5 of the 50 rules matching and applying an action (add a tag).
The tenant (and everything in it) is dropped at the end.
"""

import sys
import time
import uuid

from _setup import django_setup, percentile

django_setup()

from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from automation import context as ctx  # noqa: E402
from automation import engine, services  # noqa: E402
from automation.conditions import evaluate_conditions  # noqa: E402
from panel1.accounts.models import Role, User  # noqa: E402
from panel1.events.bus import Event  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402
from tickets import services as ticket_services  # noqa: E402

SCHEMA = "bench_automation"
RULES = 50


def cond(field, operator, value=None):
    leaf = {"field": field, "operator": operator}
    if operator not in ("is_set", "is_not_set"):
        leaf["value"] = value
    return leaf


def conditions_for(i: int) -> list:
    shapes = [
        [cond("priority", "in", ["HIGH", "URGENT"]), cond("subject", "matches", r"\binv-\d{3}\b")],
        [
            {
                "any": [
                    cond("tags", "contains", f"tag{i}"),
                    {
                        "all": [
                            cond("requester_domain", "equals", f"corp{i}.test"),
                            cond("hours_since_created", "gt", 48),
                        ]
                    },
                ]
            }
        ],
        [
            cond("status", "equals", "WAITING_ON_CUSTOMER"),
            cond("message_content", "contains", f"kw{i}"),
        ],
        [cond("category", "is_set"), cond("escalation_level", "gte", 2)],
        [
            cond("business_hours_now", "equals", False),
            cond("channel", "in", ["EMAIL", "API"]),
            cond("subject", "not_contains", "test"),
        ],
    ]
    return shapes[i % len(shapes)]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}"


def measure_events(ticket, events: int) -> list[float]:
    timings = []
    for _ in range(events):
        event = Event(
            id=str(uuid.uuid4()),
            name="ticket.updated",
            schema_name=SCHEMA,
            actor="bench",
            payload={"ticket_id": str(ticket.pk), "ticket_number": ticket.number},
        )
        started = time.perf_counter()
        with transaction.atomic():  # as the event bus runs each subscriber
            engine.handle_event(event)
        timings.append(time.perf_counter() - started)
    return timings


def report(title: str, timings: list[float]) -> None:
    total = sum(timings)
    print(
        f"{title}: {rate(len(timings), total)} events/s = {rate(len(timings) * RULES, total)} "
        f"rules evaluated/s  (per event p50 {percentile(timings, 50) * 1000:.2f} ms, "
        f"p95 {percentile(timings, 95) * 1000:.2f} ms)"
    )


def run(events: int) -> None:
    agent = User.objects.create_user("bench-agent@bench.test", role=Role.AGENT)
    customer = User.objects.create_user("bench-customer@bench.test", role=Role.CUSTOMER)
    ticket = ticket_services.ticket_create(
        actor=customer, requester=customer, subject="Printer jammed", content="Error E-42"
    )
    rules = [
        services.rule_create(
            actor=agent,
            name=f"bench rule {i}",
            trigger_event="ticket.updated",
            conditions=conditions_for(i),
            actions=[{"type": "add_tags", "parameters": {"tags": [f"t{i}"]}}],
        )
        for i in range(RULES)
    ]
    context = ctx.event_context(ticket, event_name="ticket.updated", payload={})

    rounds = 400
    started = time.perf_counter()
    for _ in range(rounds):
        for rule in rules:
            evaluate_conditions(rule.conditions, context)
    elapsed = time.perf_counter() - started
    print(f"1. conditions only: {rate(rounds * RULES, elapsed)} rules evaluated/s")

    report("2. engine, no rule matches", measure_events(ticket, events))

    for rule in rules[:5]:
        services.rule_update(
            rule=rule, actor=None, conditions=[cond("subject", "contains", "printer")]
        )
    # Each event re-adds tags that are already there after the first: the actions run
    # (lock, compare, skip), which is the steady-state cost of a matching rule.
    report("3. engine, 5 of 50 rules match", measure_events(ticket, events))


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    tenant_provision(
        schema_name=SCHEMA,
        domain="bench-automation.bench.localhost",
        name="Bench automation",
        admin_email="admin@bench-automation.test",
    )
    try:
        with schema_context(SCHEMA):
            print(f"{RULES} active rules on ticket.updated, {events} events per measurement")
            run(events)
    finally:
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(schema_name=SCHEMA):
            tenant.delete(force_drop=True)


if __name__ == "__main__":
    main()
