"""Routing: decision time and queries with 200 agents and 100k open tickets; API ticket
creation throughput with routing on and off, in the same run.

DATABASE_URL=... .venv/bin/python benchmarks/routing.py [--agents 200] [--tickets 100000]
    [--decisions 300] [--creates 150] [--parts 0] [--http 4] [--keep]

Creation alternates routing on and off every two creates (the configuration switched and
reloaded, untimed, in between); besides the rates it prints the median request time and
Python CPU per create of each mode. `--parts N` times, in N more creates, the steps routing
changes (the routing read, the decision, the ticket INSERT, the assignment, the write batch,
COMMIT, the after-commit dispatch): where a routed create's extra time goes.

Loads a throw-away tenant `bench_routing` with bulk SQL (not the services), compacts the
agents' load-delta rows as the per-tenant job does every 10 minutes, and drops the tenant at
the end unless --keep. A decision is one `ticket_route` call (lock the routing state, lock
the ticket, read the pool and its load, choose, assign with history and event), timed on
its own (it then reads the tenant's configuration version too) and inside a
`tenant_cache.scope()`, as requests, jobs and event dispatches run it (the version read
once for the scope). Creation
goes through the whole stack (Django test client, session auth, API view, services, routing
in the creation's transaction (the bench tenant has no `ticket.created` rule), after-commit
dispatch incl. the automation engine and the assignment's subscribers; tasks are queued).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import random
import time

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("HTTPS", "false")
# Tasks (assignment mail, webhooks) go to the queue as in production, not inline.
os.environ.setdefault("Q_SYNC", "false")

from _setup import ROOT, django_setup, percentile

django_setup()

import logging  # noqa: E402

# One "Enqueued" line per assignment (django-q), per transaction's jobs (panel1.jobs).
logging.getLogger("django-q").setLevel(logging.WARNING)
logging.getLogger("panel1.jobs").setLevel(logging.WARNING)

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from panel1 import tenant_cache  # noqa: E402
from panel1.accounts.models import Role, User  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402
from tickets.services.routing import agent_load_compact  # noqa: E402

SCHEMA = "bench_routing"
DOMAIN = "bench-routing.localhost"
SKILLS = ["billing", "hardware", "network", "vip", "refunds", "api", "mobile", "security"]


def load(agents: int, tickets: int) -> None:
    from tickets.models import AgentProfile, Ticket

    existing = Ticket.objects.count()
    if existing >= tickets:
        print(f"data: {existing} tickets present")
        return
    started = time.perf_counter()
    rng = random.Random(20)
    User.objects.bulk_create(
        [
            User(email=f"agent{i}@bench.test", name=f"Agent {i:03d}", role=Role.AGENT)
            for i in range(agents)
        ],
        ignore_conflicts=True,
    )
    User.objects.bulk_create(
        [User(email=f"c{i}@bench.test", role=Role.CUSTOMER) for i in range(2000)],
        ignore_conflicts=True,
    )
    staff = list(User.objects.filter(email__startswith="agent", role=Role.AGENT))
    AgentProfile.objects.bulk_create(
        [
            AgentProfile(
                user=user,
                status="online" if rng.random() < 0.8 else rng.choice(["away", "offline"]),
                capacity=rng.choice([0, 20, 30, 40, 60]),
                skills=rng.sample(SKILLS, rng.randint(0, 3)),
                languages=["en"],
            )
            for user in staff
        ],
        ignore_conflicts=True,
    )
    with connection.cursor() as cursor:
        # 100k open tickets: ~25 per agent assigned (about their capacity), the rest waiting.
        cursor.execute(
            """
            WITH agents AS (SELECT array_agg(id) AS ids FROM accounts_user WHERE role = 'AGENT'),
                 customers AS (
                     SELECT array_agg(id) AS ids FROM accounts_user WHERE role = 'CUSTOMER')
            INSERT INTO tickets_ticket (
                id, number, subject, status, priority, tags, requester_id, assignee_id, channel,
                escalation_level, version, created_at, updated_at)
            SELECT gen_random_uuid(), 'RB-' || lpad(g::text, 8, '0'), 'Routing bench ' || g,
                   (ARRAY['OPEN','OPEN','OPEN','IN_PROGRESS'])[1 + g %% 4],
                   (ARRAY['LOW','MEDIUM','MEDIUM','HIGH','URGENT'])[1 + g %% 5],
                   ARRAY[(ARRAY['billing','hardware','vip','other'])[1 + g %% 4]],
                   customers.ids[1 + g %% array_length(customers.ids, 1)],
                   CASE WHEN g %% 20 = 0
                        THEN agents.ids[1 + (g / 20) %% array_length(agents.ids, 1)] END,
                   'API', 0, 1, now() - (g || ' seconds')::interval, now()
            FROM generate_series(%s, %s) AS g, agents, customers
            """,
            [existing + 1, tickets],
        )
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("ANALYZE")
    print(f"data: {agents} agents, {tickets} open tickets in {time.perf_counter() - started:.0f}s")


def decisions(count: int) -> None:
    from automation.routing.services import routing_settings_update, ticket_route
    from tickets.models import Ticket

    routing_settings_update(actor=None, strategy="load_balanced", previous_agent=True)
    ids = list(
        Ticket.objects.filter(assignee__isnull=True, status="OPEN")
        .order_by("?")
        .values_list("pk", flat=True)[: 2 * count + 20]
    )
    for ticket_id in ids[:20]:  # warm caches (calendars, plans)
        ticket_route(ticket_id=ticket_id)
    # Each decision on its own (it reads the tenant's configuration version itself), then as
    # every caller in the product runs them: inside a request, a job or an event dispatch,
    # whose scope reads the version once (`panel1.tenant_cache.scope`, at most 2 s old).
    _decisions_timed(ids[20 : 20 + count], scope=contextlib.nullcontext, label="decision")
    _decisions_timed(
        ids[20 + count :], scope=tenant_cache.scope, label="decision in a request/job scope"
    )
    # The same decision with a pool of 10 agents: the query count must not change.
    with transaction.atomic():
        User.objects.filter(email__startswith="agent").exclude(
            email__in=[f"agent{i}@bench.test" for i in range(10)]
        ).update(is_active=False)
        ticket_id = Ticket.objects.filter(assignee__isnull=True, status="OPEN").first().pk
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            ticket_route(ticket_id=ticket_id)
        small = sum(1 for q in ctx.captured_queries if not q["sql"].startswith("SET "))
        transaction.set_rollback(True)
    print(f"decision with 10 agents instead: {small} queries")


def _decisions_timed(ids, *, scope, label: str) -> None:
    from automation.routing.services import ticket_route

    timings, cpu, queries = [], [], []
    with scope():
        for ticket_id in ids:
            reset_queries()
            # The decision is its transaction; the after-commit subscribers of the assignment
            # it causes (rules, notifications) run at the outer commit, outside the timing.
            with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
                started, started_cpu = time.perf_counter(), time.process_time()
                ticket_route(ticket_id=ticket_id)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            queries.append(sum(1 for q in ctx.captured_queries if not q["sql"].startswith("SET ")))
    print(
        f"{label} ({len(timings)} runs): wall p50 {percentile(timings, 50):.2f} ms, "
        f"p95 {percentile(timings, 95):.2f} ms; python cpu p50 {percentile(cpu, 50):.2f} ms, "
        f"p95 {percentile(cpu, 95):.2f} ms; queries {min(queries)}-{max(queries)} "
        "(SET search_path not counted)"
    )


def _creation_client():
    customer = User.objects.get(email="c1@bench.test")
    client = Client(HTTP_HOST=DOMAIN)
    client.force_login(customer)
    return client


CREATE_BODY = {
    "subject": "Printer jammed",
    "content": "It shows error E-42 and will not print, please help.",
}


def _create(client) -> None:
    answer = client.post("/api/v1/tickets/", CREATE_BODY, content_type="application/json")
    assert answer.status_code == 201, answer.content[:300]


# Creates per block of one mode. Blocks of 20 (ten blocks a run) left the ratio at the
# machine's drift: 82-87 % in three runs of the same code against 88-89 % in blocks of 2.
BLOCK = 2


def _alternating(client, count: int, *, before_block=None):
    """`count` API creates, routing on and off alternating every `BLOCK` (the machine's
    drift hits both alike; each switch is followed by an untimed create that reloads the
    configuration): per mode its seconds and count, and each create's wall and Python CPU
    (ms). `before_block(mode)` runs before each timed block, `before_block(None)` before the
    switch and its untimed create."""
    from automation.routing.services import routing_settings_update

    totals = {"on": [0.0, 0], "off": [0.0, 0]}
    walls: dict[str, list[float]] = {"on": [], "off": []}
    cpus: dict[str, list[float]] = {"on": [], "off": []}
    block = BLOCK
    for round_ in range(max(2, count // block)):
        mode = "on" if round_ % 2 == 0 else "off"
        if before_block is not None:
            before_block(None)
        routing_settings_update(actor=None, strategy="load_balanced" if mode == "on" else "manual")
        _create(client)  # the first request after a configuration change reloads it
        if before_block is not None:
            before_block(mode)
        started = time.perf_counter()
        for _ in range(block):
            one, one_cpu = time.perf_counter(), time.process_time()
            _create(client)
            walls[mode].append((time.perf_counter() - one) * 1000)
            cpus[mode].append((time.process_time() - one_cpu) * 1000)
        totals[mode][0] += time.perf_counter() - started
        totals[mode][1] += block
    return totals, walls, cpus


def creation(count: int) -> None:
    """Tickets per second through the API, routing on and off alternating."""
    from automation.routing.services import routing_settings_update

    client = _creation_client()
    _create(client)  # warm up
    totals, walls, cpus = _alternating(client, count)
    rate = {mode: n / seconds for mode, (seconds, n) in totals.items()}
    per_create = {}
    for mode, strategy in (("on", "load_balanced"), ("off", "manual")):
        routing_settings_update(actor=None, strategy=strategy)
        _create(client)  # the first request after a configuration change reloads it
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            _create(client)
        per_create[mode] = sum(1 for q in ctx.captured_queries if not q["sql"].startswith("SET "))
    print(f"queries per API create: routing on {per_create['on']}, off {per_create['off']}")
    print(
        f"API create: routing on {rate['on']:.1f}/s, off {rate['off']:.1f}/s "
        f"(on = {100 * rate['on'] / rate['off']:.0f}% of off, {totals['on'][1]} tickets each)"
    )
    wall = {mode: percentile(values, 50) for mode, values in walls.items()}
    cpu = {mode: percentile(values, 50) for mode, values in cpus.items()}
    print(
        f"API create p50: routing on {wall['on']:.1f} ms, off {wall['off']:.1f} ms "
        f"(on = {100 * wall['off'] / wall['on']:.0f}% of off's rate); python cpu p50 "
        f"on {cpu['on']:.1f} ms, off {cpu['off']:.1f} ms"
    )


def _parts():
    """(label, owner, attribute) of the steps of an API create that routing changes, timed by
    `creation_parts` where the code calls them."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    import automation.routing.services as routing_services
    import tickets.api.views as ticket_views
    import tickets.services as ticket_services
    import tickets.services.lifecycle as lifecycle
    from panel1.events import bus

    return [
        ("ticket_create (the service, commit and dispatch)", ticket_services, "ticket_create"),
        ("routing read with the number's upsert, and decision", lifecycle, "creation_route"),
        ("  of it: the decision (Python)", routing_services, "_new_ticket_decide"),
        ("ticket INSERT", lifecycle, "insert_one"),
        (
            "assignment: history, ticket.assigned, in-app entry",
            routing_services,
            "ticket_route_assign",
        ),
        ("write batch (events, history, message rows...)", bus, "_flush"),
        ("COMMITs (the creation's and the dispatch's)", BaseDatabaseWrapper, "_commit"),
        ("after-commit dispatch", bus, "dispatch_many"),
        ("the answer (read and serialized)", ticket_views, "_ticket_answer"),
    ]


def creation_parts(count: int) -> None:
    """Where a routed create's extra time goes: the mean wall and Python CPU per create of
    each step routing changes, routing on and off, alternating as `creation` does (the
    timers add ~2 us per step)."""
    spent: dict[tuple[str, str], list[float]] = {}
    current: dict[str, str | None] = {"mode": None}
    originals = []

    def timed(label, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                if current["mode"] is not None:
                    sums = spent.setdefault((label, current["mode"]), [0.0, 0.0])
                    sums[0] += time.perf_counter() - wall
                    sums[1] += time.process_time() - cpu

        return wrapper

    for label, owner, name in _parts():
        original = getattr(owner, name)
        originals.append((owner, name, original))
        setattr(owner, name, timed(label, original))
    try:
        client = _creation_client()
        _create(client)  # warm up (untimed: no mode yet)

        def before_block(mode):
            current["mode"] = mode

        totals, walls, cpus = _alternating(client, count, before_block=before_block)
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    per = {mode: totals[mode][1] for mode in totals}
    rows = [("whole request", {m: (sum(walls[m]), sum(cpus[m])) for m in per})]
    for label, *_ in _parts():
        rows.append(
            (label, {m: tuple(1000 * v for v in spent.get((label, m), [0.0, 0.0])) for m in per})
        )
    print(f"API create, where routing's time goes (mean ms per create, {per['on']} each):")
    print(f"  {'step':54} {'wall on':>8} {'off':>6} {'+':>6}   {'cpu on':>7} {'off':>6} {'+':>6}")
    for label, sums in rows:
        on, off = (tuple(v / per[m] for v in sums[m]) for m in ("on", "off"))
        print(
            f"  {label:54} {on[0]:8.3f} {off[0]:6.3f} {on[0] - off[0]:6.3f}   "
            f"{on[1]:7.3f} {off[1]:6.3f} {on[1] - off[1]:6.3f}"
        )


def creation_http(seconds: float, *, clients: int, workers: int, port: int) -> None:
    """Tickets per second through gunicorn, as production serves the API (`api_throughput`'s
    server: sync workers, DEBUG off, jobs queued), routing on and off in six alternating
    blocks of `seconds`: `clients` concurrent HTTP clients (a new connection per request)
    file tickets for the bench customer with an admin's API token. Concurrent creations
    queue on the ticket counter's row; a creation that finds the routing state held by
    another is routed after its commit instead (`new_ticket_route`)."""
    from api_throughput import Server, drive

    from automation.routing.services import routing_settings_update
    from panel1.api.tokens import api_token_create, api_token_revoke

    admin = User.objects.get(email="admin@bench.test")
    token, key = api_token_create(actor=admin, user=admin, name="routing bench")
    os.environ.setdefault("ALLOWED_HOSTS", "*")
    os.environ.setdefault("API_THROTTLE_USER", "10000000/min")  # measured, never a 429
    body = {
        "subject": "Printer jammed",
        "content": "It shows error E-42 and will not print, please help.",
        "requester_email": "c1@bench.test",
    }

    def make():
        return ("POST", "/api/v1/tickets/", body, key, 201)

    server = Server(ROOT, port, workers, None)
    try:
        # Untimed, both ways: every worker loads what a process loads once (the language
        # detector's model, ~2 s) and prepares its statements; else the first block, routing
        # on, would carry a worker's start.
        for strategy in ("load_balanced", "manual"):
            routing_settings_update(actor=None, strategy=strategy)
            drive(port, clients, 3, make, host=DOMAIN)
        done = {"on": [0, 0.0, []], "off": [0, 0.0, []]}
        for round_ in range(6):
            mode = "on" if round_ % 2 == 0 else "off"
            routing_settings_update(
                actor=None, strategy="load_balanced" if mode == "on" else "manual"
            )
            drive(port, clients, 1, make, host=DOMAIN)  # every worker reads the new settings
            result = drive(port, clients, seconds, make, host=DOMAIN)
            if result["errors"]:
                raise SystemExit(f"HTTP create answered {result['codes']}")
            done[mode][0] += result["n"]
            done[mode][1] += result["n"] / result["rps"]
            done[mode][2].append(result["p50"])
    finally:
        server.stop()
        api_token_revoke(actor=admin, token=token)  # a kept tenant collects no live keys
    rate = {mode: n / elapsed for mode, (n, elapsed, _p50) in done.items()}
    p50 = {mode: sorted(values)[1] for mode, (_n, _e, values) in done.items()}
    print(
        f"HTTP create ({clients} clients, {workers} workers): routing on {rate['on']:.1f}/s, "
        f"off {rate['off']:.1f}/s (on = {100 * rate['on'] / rate['off']:.0f}% of off); "
        f"p50 of the blocks' medians on {p50['on']:.1f} ms, off {p50['off']:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--creates", type=int, default=150)
    parser.add_argument(
        "--http", type=float, default=4, help="seconds per HTTP block (0: no HTTP phase)"
    )
    parser.add_argument(
        "--parts", type=int, default=0, help="creates for the per-step breakdown (0: none)"
    )
    parser.add_argument("--http-clients", type=int, default=8)
    parser.add_argument("--http-workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8732)
    parser.add_argument("--keep", action="store_true", help="keep the bench tenant")
    args = parser.parse_args()
    if args.http and args.http < 1:
        parser.error("--http: seconds per block, 0 (no HTTP phase) or at least 1")
    if args.parts < 0 or args.creates < 2 or args.decisions < 1:
        parser.error("--creates takes 2 or more, --decisions 1 or more, --parts 0 or more")
    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # the API's throttles use the DB cache
    tenant_provision(
        schema_name=SCHEMA, domain=DOMAIN, name="Routing bench", admin_email="admin@bench.test"
    )
    try:
        with schema_context(SCHEMA):
            load(args.agents, args.tickets)
            # What the per-tenant job `tickets.agent_load_compact` does every 10 minutes: the
            # load-delta rows of the bulk load (and of earlier runs on a kept tenant) folded
            # into one row per agent, as a live tenant's table would be.
            print(f"load-delta rows compacted: {agent_load_compact()} agents")
            print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            decisions(args.decisions)
            creation(args.creates)
            if args.parts:
                creation_parts(args.parts)
            if args.http:
                creation_http(
                    args.http, clients=args.http_clients, workers=args.http_workers, port=args.port
                )
    finally:
        if not args.keep:
            connection.set_schema_to_public()
            Tenant.objects.get(schema_name=SCHEMA).delete(force_drop=True)
            print("dropped the bench tenant")


if __name__ == "__main__":
    main()
