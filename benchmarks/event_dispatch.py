"""Per-operation cost of the hot paths and of their after-commit event dispatch.

DATABASE_URL=... .venv/bin/python benchmarks/event_dispatch.py [N] [--profile OP] [--sql OP]
    [--redis URL]

Provisions a throw-away tenant (bench_events), then runs N of each operation in real
transactions (after-commit work runs as in production; jobs are queued, not run):

- create: `POST /api/v1/tickets/` with a token (routing off), and `create_routed` (routing
  `load_balanced`, five agents online);
- reply: `POST /api/v1/tickets/{id}/messages/` by an agent;
- flag: the SLA monitor flags a due ticket (first response breached);
- escalate: the SLA monitor applies one escalation rule (priority up, notify);
- mail: `inbound_receive` of a new-ticket mail (the tenant set once, as the batch command).

For each it prints statements per operation (SET search_path separately), commits, Python CPU
ms (p50 and mean) and wall ms, and the CPU spent in the after-commit dispatch
(`bus.dispatch_many`). `--profile OP` also prints the cProfile top functions of OP, `--sql
OP` the statements of one more OP (for flag and escalate: a pass with one due ticket;
BENCH_TRACE=1 adds where each comes from). Compare before/after by running the script in
each checkout in the same minutes (the numbers depend on the machine's load, printed first).
"Commits" counts explicit commits only (a lone autocommit statement is not counted).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from collections import Counter
from email.message import EmailMessage
from email.utils import make_msgid

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("Q_SYNC", "false")  # tasks queued as in production
if "--redis" in sys.argv:
    os.environ["REDIS_URL"] = sys.argv[sys.argv.index("--redis") + 1]

from _setup import django_setup, percentile

django_setup()

import logging  # noqa: E402

logging.getLogger("django-q").setLevel(logging.WARNING)
logging.getLogger("panel1.jobs").setLevel(logging.WARNING)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_q.models import OrmQ  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from panel1.accounts.models import Role, User  # noqa: E402
from panel1.events import bus  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402

SCHEMA = "bench_events"
DOMAIN = "bench-events.localhost"
BODY = {
    "subject": "Printer on floor 3",
    "content": "It is jammed again, error E-42.",
    "priority": "HIGH",
    "requester_email": "someone@customer.test",
}


class Meter:
    """Counts statements and commits, Python CPU of the operation and of the dispatch."""

    def __init__(self):
        self.statements: Counter = Counter()
        self.commits = 0
        self.dispatch_cpu = 0.0
        self.sqls: list[str] = []
        self.keep_sql = False

    def __enter__(self):
        meter = self
        self._wrapper = connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        self._commit = connection.commit
        self._dispatch = bus.dispatch_many

        def commit(*args, **kwargs):
            meter.commits += 1
            return meter._commit(*args, **kwargs)

        def dispatch_many(*args, **kwargs):
            started = time.process_time()
            try:
                return meter._dispatch(*args, **kwargs)
            finally:
                meter.dispatch_cpu += time.process_time() - started

        connection.commit = commit
        bus.dispatch_many = dispatch_many
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
        del connection.commit
        bus.dispatch_many = self._dispatch

    def _count(self, execute, sql, params, many, context):
        kind = "SET" if sql.startswith("SET ") else "other"
        self.statements[kind] += 1
        if self.keep_sql:
            self.sqls.append(sql[:160])
            if os.environ.get("BENCH_TRACE"):
                import traceback

                here = [
                    f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}"
                    for f in traceback.extract_stack()[:-1]
                    if ".venv" not in f.filename and "benchmarks" not in f.filename
                ]
                self.sqls.append("      <- " + " < ".join(reversed(here[-5:])))
        return execute(sql, params, many, context)


def measure(name: str, operations, *, per: int = 1, profile: str | None = None) -> dict:
    """Run each callable of `operations`; print the per-operation costs."""
    cpu, wall = [], []
    meter = Meter()
    profiler = cProfile.Profile() if profile and name.split()[0] == profile else None
    with meter:
        for op in operations:
            started, started_cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            op()
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - started_cpu) * 1000 / per)
            wall.append((time.perf_counter() - started) * 1000 / per)
    n = len(operations) * per
    result = {
        "statements": (meter.statements["SET"] + meter.statements["other"]) / n,
        "sets": meter.statements["SET"] / n,
        "commits": meter.commits / n,
        "cpu_p50": percentile(cpu, 50),
        "cpu_mean": sum(cpu) / len(cpu),
        "wall_p50": percentile(wall, 50),
        "dispatch_cpu": meter.dispatch_cpu * 1000 / n,
    }
    print(
        f"{name:14s} {result['statements']:6.1f} statements ({result['sets']:.1f} SET) "
        f"{result['commits']:4.1f} commits | cpu p50 {result['cpu_p50']:6.2f} ms "
        f"mean {result['cpu_mean']:6.2f} ms | wall p50 {result['wall_p50']:6.2f} ms | "
        f"dispatch cpu {result['dispatch_cpu']:5.2f} ms"
    )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(
            os.environ.get("BENCH_SORT", "cumulative")
        ).print_stats(45)
        print(out.getvalue())
    return result


def show_statements(name: str, op) -> None:
    meter = Meter()
    meter.keep_sql = True
    with meter:
        op()
    print(f"--- statements of one {name} ({len(meter.sqls)}) ---")
    for sql in meter.sqls:
        print("  ", sql.replace("\n", " "))


def setup():
    from panel1.api.tokens import api_token_create
    from tickets.models import AgentProfile

    admin = User.objects.get(email="admin@bench-events.test")
    agent = User.objects.create(email="agent@bench-events.test", name="Agent", role=Role.AGENT)
    agents = [agent] + [
        User.objects.create(email=f"agent{i}@bench-events.test", name=f"A{i}", role=Role.AGENT)
        for i in range(4)
    ]
    for user in agents:
        AgentProfile.objects.update_or_create(
            user=user, defaults={"status": "online", "capacity": 100000}
        )
    _, key = api_token_create(actor=admin, user=agent, name="bench")
    return agent, key


def ops_create(client, n):
    def create():
        answer = client.post("/api/v1/tickets/", BODY, content_type="application/json")
        assert answer.status_code == 201, answer.content[:300]
        return answer.json()["id"]

    return create, [create] * n


def ops_reply(client, ticket_id, n):
    path = f"/api/v1/tickets/{ticket_id}/messages/"

    def reply():
        answer = client.post(path, {"content": "Checked."}, content_type="application/json")
        assert answer.status_code == 201, answer.content[:300]

    return reply, [reply] * n


def _due_tickets(client, n, *, escalate: bool):
    """n new tickets whose first response is overdue (and escalation due)."""
    from sla.models import TicketSLA

    ids = [
        client.post("/api/v1/tickets/", BODY, content_type="application/json").json()["id"]
        for _ in range(n)
    ]
    past = timezone.now() - timezone.timedelta(hours=6)
    updates = {"first_response_due_at": past, "first_response_risk_at": past}
    if escalate:
        updates = {
            "first_response_breached": True,
            "first_response_at_risk": True,
            "next_escalation_at": past,
            "started_at": timezone.now() - timezone.timedelta(days=30),
        }
    TicketSLA.objects.filter(ticket_id__in=ids).update(**updates)
    return ids


def sla_setup():
    from panel1.actors import Actor
    from sla import services
    from sla.models import SlaProfile

    agent = User.objects.get(email="agent@bench-events.test")
    for profile in SlaProfile.objects.all():
        services.sla_profile_update(
            profile=profile,
            actor=Actor.system(),
            escalation_rules=[
                {"after_minutes": 1, "change_priority": "URGENT", "notify_user_ids": [agent.pk]}
            ],
        )


def mail_messages(n):
    out = []
    for i in range(n):
        msg = EmailMessage()
        msg["From"] = f"Sender {i} <sender{i % 50}@mail-customer.test>"
        msg["To"] = "support@bench-events.test"
        msg["Subject"] = f"Cannot log in ({i})"
        msg["Message-ID"] = make_msgid(domain="mail-customer.test")
        msg["Date"] = "Sun, 06 Dec 2026 10:00:00 +0000"
        msg.set_content(f"Hello,\n\nI cannot log in since this morning, case {i}.\n\nThanks\n")
        out.append(msg.as_bytes())
    return out


def run(n: int, profile: str | None, sql: str | None) -> None:
    from automation.routing.services import routing_settings_update
    from panel1.plugins.state import memo_scope
    from sla.monitor import sla_monitor_run
    from tickets.email.ingest import inbound_receive

    agent, key = setup()
    client = Client(HTTP_HOST=DOMAIN, HTTP_AUTHORIZATION=f"Token {key}")
    create, creates = ops_create(client, n)
    for _ in range(5):
        create()  # warm up
    results = {}
    results["create"] = measure("create", creates, profile=profile)
    if sql == "create":
        show_statements("create", create)
    routing_settings_update(actor=None, strategy="load_balanced")
    create()
    results["create_routed"] = measure("create_routed", creates, profile=profile)
    if sql == "create_routed":
        show_statements("create_routed", create)
    routing_settings_update(actor=None, strategy="manual")
    ticket_id = create()
    reply, replies = ops_reply(client, ticket_id, n)
    reply()
    results["reply"] = measure("reply", replies, profile=profile)
    if sql == "reply":
        show_statements("reply", reply)

    sla_setup()
    batch = max(10, n // 2)
    _due_tickets(client, 3, escalate=False)
    sla_monitor_run()  # warm
    flags, escalations = [], []

    def flag_round():
        flags.append(sla_monitor_run(now=timezone.now()).breached)

    def escalate_round():
        escalations.append(sla_monitor_run(now=timezone.now()).escalations)

    # The setup of each round (its due tickets) runs outside the measurement.
    for _ in range(2):
        _due_tickets(client, batch, escalate=False)
        results["flag"] = measure("flag (1 ticket)", [flag_round], per=batch, profile=profile)
    for _ in range(2):
        _due_tickets(client, batch, escalate=True)
        results["escalate"] = measure("escalate (1)", [escalate_round], per=batch, profile=profile)
    print(f"   (flagged {flags}, escalated {escalations} per round of {batch})")
    if sql in ("flag", "escalate"):
        _due_tickets(client, 1, escalate=sql == "escalate")
        show_statements(sql, lambda: sla_monitor_run(now=timezone.now()))

    messages = mail_messages(n + 6)
    for raw in messages[:5]:
        inbound_receive(raw=raw, source="bench")
    mails = [lambda raw=raw: inbound_receive(raw=raw, source="bench") for raw in messages[5:-1]]
    with memo_scope():  # as `manage.py ingest_email` does for a batch
        results["mail"] = measure("mail", mails, profile=profile)
    if sql == "mail":
        show_statements("mail", lambda: inbound_receive(raw=messages[-1], source="bench"))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--redis" in sys.argv:
        args.remove(sys.argv[sys.argv.index("--redis") + 1])
    n = int(args[0]) if args else 40
    profile = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else None
    sql = sys.argv[sys.argv.index("--sql") + 1] if "--sql" in sys.argv else None
    for option in (profile, sql):
        if option in args:
            args.remove(option)
    call_command("setup_platform", verbosity=0)
    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(schema_name=SCHEMA):
        tenant.delete(force_drop=True)
    queued_before = OrmQ.objects.order_by("-id").values_list("id", flat=True).first() or 0
    tenant_provision(
        schema_name=SCHEMA,
        domain=DOMAIN,
        name="Bench Events",
        admin_email="admin@bench-events.test",
    )
    Tenant.objects.filter(schema_name=SCHEMA).update(support_email="support@bench-events.test")
    cache = os.environ.get("REDIS_URL") and "redis" or "database"
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; cache: {cache}")
    try:
        tenant = Tenant.objects.get(schema_name=SCHEMA)
        with schema_context(SCHEMA):
            connection.set_tenant(tenant)
            run(n, profile, sql)
    finally:
        connection.set_schema_to_public()
        OrmQ.objects.filter(id__gt=queued_before).delete()
        for tenant in Tenant.objects.filter(schema_name=SCHEMA):
            tenant.delete(force_drop=True)


if __name__ == "__main__":
    main()
