"""The SLA monitor's pass time with 100k open tickets in one tenant, 1 % of them due.

DATABASE_URL=... .venv/bin/python benchmarks/sla_monitor.py [N] [DUE_PERCENT] [RULE]

Provisions its own tenant schema (bench_sla), bulk-inserts N open tickets with their SLA rows
(bypassing the services: this measures the monitor, not ticket creation), makes DUE_PERCENT
of them past their first-response due time and first escalation rule, times the passes, then
drops the schema. RULE is what the escalation rule does: `flag` (default: raise the
escalation level only) or `full` (also raise the priority to URGENT, assign the ticket to an
agent and notify them with an internal note). The monitor reads due rows through partial
indexes, so its time should follow the number of due tickets, not N.
"""

import sys
import time
from datetime import timedelta

from _setup import django_setup

django_setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from panel1.accounts.models import Role, User  # noqa: E402
from panel1.actors import Actor  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402
from sla import services  # noqa: E402
from sla.models import SlaProfile, TicketSLA  # noqa: E402
from sla.monitor import _flag_sql, sla_monitor_run  # noqa: E402
from tickets.models import Ticket  # noqa: E402

SCHEMA = "bench_sla"
BATCH = 5000


def _drop() -> None:
    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(schema_name=SCHEMA):
        tenant.delete(force_drop=True)


def _rule(kind: str) -> dict:
    if kind == "flag":
        return {"after_minutes": 120}
    agent = User.objects.create(email="agent@bench-sla.test", role=Role.AGENT, name="Bench Agent")
    return {
        "after_minutes": 120,
        "change_priority": "URGENT",
        "assign_to_id": str(agent.pk),
        "notify_user_ids": [str(agent.pk)],
    }


def _load(count: int, due_every: int, rule: str) -> SlaProfile:
    profile = SlaProfile.objects.get(is_default=True)
    profile = services.sla_profile_update(
        profile=profile, actor=Actor.system(), escalation_rules=[_rule(rule)]
    )
    customer = User.objects.create(email="bench@customer.test", role=Role.CUSTOMER)
    now = timezone.now()
    for offset in range(0, count, BATCH):
        numbers = range(offset, min(offset + BATCH, count))
        tickets = Ticket.objects.bulk_create(
            Ticket(number=f"BEN-{n:08d}", subject=f"Bench ticket {n}", requester=customer)
            for n in numbers
        )
        states = []
        for n, ticket in zip(numbers, tickets, strict=True):
            # Due ones started 5 hours ago (4 h first response, escalation after 2 h);
            # the rest a minute ago.
            started = now - (timedelta(hours=5) if n % due_every == 0 else timedelta(minutes=1))
            states.append(
                TicketSLA(
                    ticket=ticket,
                    profile=profile,
                    profile_name=profile.name,
                    started_at=started,
                    first_response_due_at=started + timedelta(minutes=240),
                    first_response_risk_at=started + timedelta(minutes=192),
                    resolution_due_at=started + timedelta(minutes=2880),
                    resolution_risk_at=started + timedelta(minutes=2304),
                    next_escalation_at=started + timedelta(minutes=120),
                )
            )
        TicketSLA.objects.bulk_create(states)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return profile


def _plan() -> str:
    sql = _flag_sql("first_response", breach=True).replace("UPDATE", "EXPLAIN UPDATE", 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": timezone.now(), "stamp": timezone.now(), "limit": 500})
        lines = [row[0] for row in cursor.fetchall()]
    return next((line.strip() for line in lines if "Index" in line), lines[0].strip())


def _latency_ms(sql: str, params=()) -> float:
    """Mean time of `sql` run 200 times in autocommit (each one its own transaction)."""
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for _ in range(200):
            cursor.execute(sql, params)
        return (time.perf_counter() - started) / 200 * 1000


def _timed(**overrides) -> tuple[float, dict]:
    for key, value in overrides.items():
        setattr(settings, key, value)
    started = time.perf_counter()
    result = sla_monitor_run().as_dict()
    return time.perf_counter() - started, result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    due_percent = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    due_every = max(1, round(100 / due_percent))
    rule = sys.argv[3] if len(sys.argv) > 3 else "flag"
    settings.ENABLE_EMAIL_SENDING = False
    settings.DEBUG = False  # no query log: it costs time and memory at this volume
    _drop()
    try:
        tenant = tenant_provision(
            schema_name=SCHEMA,
            domain="bench-sla.bench.localhost",
            name="SLA bench",
            admin_email="admin@bench-sla.test",
        ).tenant
        with schema_context(tenant.schema_name):
            started = time.perf_counter()
            _load(count, due_every, rule)
            due = TicketSLA.objects.filter(first_response_due_at__lt=timezone.now()).count()
            print(
                f"loaded {count} open tickets ({due} due) in {time.perf_counter() - started:.1f}s"
            )
            print(f"breach query plan: {_plan()}")
            round_trip = _latency_ms("SELECT 1")
            commit = _latency_ms(
                f'UPDATE "{SlaProfile._meta.db_table}" SET "description" = "description"'
            )
            print(f"database: round trip {round_trip:.2f} ms, write + commit {commit:.2f} ms")
            flags, result = _timed(ENABLE_ESCALATIONS=False)
            print(f"pass 1, flags only:        {flags * 1000:8.0f} ms  {result}")
            print(f"  per flagged ticket: {flags / max(result['breached'], 1) * 1000:.2f} ms")
            escalations, result = _timed(ENABLE_ESCALATIONS=True)
            print(f"pass 2, escalations ({rule}): {escalations * 1000:8.0f} ms  {result}")
            escalated = max(result["escalations"], 1)
            print(f"  per escalated ticket: {escalations / escalated * 1000:.2f} ms")
            idle, result = _timed()
            print(f"pass 3, nothing due:       {idle * 1000:8.0f} ms  {result}")
            print(
                f"full pass for {due} due of {count}: {(flags + escalations) * 1000:.0f} ms "
                f"({(flags + escalations) / max(due, 1) * 1000:.2f} ms per due ticket)"
            )
            profile = SlaProfile.objects.get(is_default=True)
            started = time.perf_counter()
            services.sla_profile_update(profile=profile, actor=Actor.system(), resolution_time=3000)
            edit = time.perf_counter() - started
            print(
                f"profile edit re-deriving {count} open tickets: {edit:.1f}s "
                f"({edit / count * 1e6:.0f} us per ticket)"
            )
    finally:
        _drop()


if __name__ == "__main__":
    main()
