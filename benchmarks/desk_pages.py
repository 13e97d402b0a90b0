"""Desk page server times with 100k tickets in one tenant; prints p50/p95 and query counts.

DATABASE_URL=... .venv/bin/python benchmarks/desk_pages.py [--tickets 100000] [--runs 30] [--drop]

The first run loads the data into a tenant `bench_desk` (a few minutes; bulk inserts, not the
services) and keeps it for later runs; `--drop` removes it afterwards. Times are measured in
process through the whole Django stack (middleware, session, ORM, templates) with Django's
test client, i.e. server time without the network.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import timedelta

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("HTTPS", "false")

from _setup import django_setup, percentile

django_setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from panel1.accounts.models import Role, User  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402

SCHEMA = "bench_desk"
DOMAIN = "bench-desk.localhost"
STATUS_WEIGHTS = {
    "OPEN": 4,
    "IN_PROGRESS": 3,
    "WAITING_ON_CUSTOMER": 2,
    "ON_HOLD": 1,
    "RESOLVED": 20,
    "CLOSED": 70,
}
DOMAIN_WORDS = [
    "printer",
    "invoice",
    "login",
    "password",
    "refund",
    "export",
    "dashboard",
    "slow",
    "error",
    "outage",
    "api",
    "certificate",
    "billing",
    "account",
    "upgrade",
    "plan",
    "email",
    "delivery",
    "sync",
    "mobile",
    "app",
    "crash",
    "report",
    "timeout",
    "payment",
    "card",
    "vat",
    "address",
    "shipping",
    "order",
    "tracking",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "te",
    "vo",
    "pi",
    "da",
    "fe",
    "gu",
    "ho",
    "ji",
    "ze",
    "ba",
]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """5,000 words with Zipf-like frequencies (like real text: a few common words, a long
    tail); the domain words sit between rank 40 and 400, so a search hits a few percent."""
    words = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(6000)})
    words = words[:5000]
    for i, word in enumerate(DOMAIN_WORDS):
        words[40 + i * 12] = word
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1 / (rank + 1)
        cumulative.append(total)
    return words, cumulative


def _text(rng: random.Random, vocab, n: int) -> str:
    words, cumulative = vocab
    return " ".join(rng.choices(words, cum_weights=cumulative, k=n))


def _subject(rng: random.Random) -> str:
    return " ".join(rng.sample(DOMAIN_WORDS, rng.randint(2, 4))).capitalize()


def load(count: int) -> None:
    """Bulk-load `count` tickets with 1-3 messages each (fast path, not the services)."""
    from tickets.models import Category, Message, MessageType, Ticket

    rng = random.Random(42)
    vocab = _vocabulary(rng)
    existing = Ticket.objects.count()
    if existing >= count:
        print(f"data: {existing} tickets present")
        return
    started = time.perf_counter()
    agents = [
        User.objects.get_or_create(
            email=f"agent{i}@bench.test", defaults={"role": Role.AGENT, "name": f"Agent {i}"}
        )[0]
        for i in range(20)
    ]
    customers = list(User.objects.filter(role=Role.CUSTOMER)[:2000])
    if len(customers) < 2000:
        User.objects.bulk_create(
            [
                User(email=f"customer{i}@bench.test", name=f"Customer {i}", role=Role.CUSTOMER)
                for i in range(len(customers), 2000)
            ],
            ignore_conflicts=True,
        )
        customers = list(User.objects.filter(role=Role.CUSTOMER)[:2000])
    categories = list(Category.objects.all())
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    batch = 5000
    for start in range(existing, count, batch):
        tickets = []
        for i in range(start, min(count, start + batch)):
            status = rng.choices(statuses, weights)[0]
            tickets.append(
                Ticket(
                    number=f"BENCH-{i:08d}",
                    subject=_subject(rng),
                    status=status,
                    priority=rng.choice(["LOW", "MEDIUM", "MEDIUM", "HIGH", "URGENT"]),
                    category=rng.choice(categories),
                    tags=rng.sample(DOMAIN_WORDS, rng.randint(0, 2)),
                    requester=rng.choice(customers),
                    assignee=(
                        None if status == "OPEN" and rng.random() < 0.5 else rng.choice(agents)
                    ),
                )
            )
        Ticket.objects.bulk_create(tickets)
        messages = []
        for t in tickets:
            messages.append(
                Message(
                    ticket=t,
                    author=t.requester,
                    message_type=MessageType.CUSTOMER_REPLY,
                    content=f"{t.subject}. {_text(rng, vocab, 60)}",
                )
            )
            if rng.random() < 0.6:
                messages.append(
                    Message(
                        ticket=t,
                        author=t.assignee or agents[0],
                        message_type=MessageType.STAFF_REPLY,
                        content=f"Thanks, we are looking into it. {_text(rng, vocab, 30)}",
                    )
                )
        Message.objects.bulk_create(messages)
        print(f"  loaded {start + len(tickets)} tickets", flush=True)
    _sla_states()
    with connection.cursor() as cursor:
        # Spread the history over two years (bulk_create stamps "now" on auto_now fields).
        cursor.execute(
            "UPDATE tickets_ticket SET created_at = now() - random() * CASE WHEN status IN "
            "('RESOLVED', 'CLOSED') THEN interval '730 days' ELSE interval '30 days' END "
            "WHERE number LIKE 'BENCH-%%'"
        )
        cursor.execute(
            # Distinct times (capped a little before now), as real activity would leave.
            "UPDATE tickets_ticket SET updated_at = LEAST(now() - random() * interval '2 hours',"
            " created_at + random() * interval '20 days') WHERE number LIKE 'BENCH-%%'"
        )
        # The updates left a dead copy of every row behind: compact, as a live table would be.
        cursor.execute("VACUUM FULL ANALYZE tickets_ticket")
        # VACUUM FULL leaves the visibility map empty (no index-only scans, e.g. of the
        # agents' open-ticket counts); a live table's autovacuum keeps it set.
        cursor.execute("VACUUM tickets_ticket")
        cursor.execute("VACUUM ANALYZE tickets_message")
        cursor.execute("ANALYZE")  # users, SLA clocks: fresh statistics for the planner
    print(f"data: loaded {count - existing} tickets in {time.perf_counter() - started:.0f}s")


def _sla_states() -> None:
    """SLA clocks for the loaded tickets (the services would have made them): due 4 h / 48 h
    after creation, 3% breached, 3% at risk. The trigger of sla/migrations/0003 copies each
    row's next due time and flags onto its ticket, as for every SLA row written."""
    from sla.models import TicketSLA
    from tickets.models import Ticket

    rng = random.Random(7)
    missing = Ticket.objects.filter(sla_state__isnull=True).values_list(
        "pk", "created_at", "status"
    )
    batch = []
    for pk, created, status in missing.iterator(chunk_size=5000):
        running = status not in ("RESOLVED", "CLOSED")
        roll = rng.random()
        batch.append(
            TicketSLA(
                ticket_id=pk,
                profile_name="Standard",
                started_at=created,
                first_response_due_at=created + timedelta(hours=4),
                resolution_due_at=created + timedelta(hours=48),
                first_response_breached=roll < 0.03,
                resolution_at_risk=0.03 <= roll < 0.06,
                paused=status in ("WAITING_ON_CUSTOMER", "ON_HOLD"),
                active=running,
                is_closed=not running,
            )
        )
        if len(batch) == 5000:
            TicketSLA.objects.bulk_create(batch)
            batch = []
    TicketSLA.objects.bulk_create(batch)


def conversation_ticket(agent: User):
    """A realistic ticket for the ticket page: 12 messages, notes, status changes."""
    from tickets import services
    from tickets.models import Category, MessageType, Ticket

    ticket = Ticket.objects.filter(subject="Benchmark: a long conversation").first()
    if ticket is not None:
        return ticket
    customer = User.objects.filter(role=Role.CUSTOMER).first()
    ticket = services.ticket_create(
        actor=customer,
        requester=customer,
        subject="Benchmark: a long conversation",
        content="The export fails with **error 500** since this morning.\n\n- step 1\n- step 2",
        category=Category.objects.first(),
    )
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    for i in range(5):
        services.message_add(
            ticket=ticket, actor=agent, content=f"Reply {i}: please try `again`.", time_spent=5
        )
        services.message_add(
            ticket=ticket,
            actor=agent,
            content=f"Note {i}",
            message_type=MessageType.INTERNAL_NOTE,
        )
        services.message_add(ticket=ticket, actor=customer, content=f"Customer answer {i}")
    return ticket


def measure(client: Client, url: str, runs: int) -> tuple[list[float], list[float], int, int]:
    """Wall time and this process's CPU time (the Python side, immune to other processes
    competing for the cores) per request, the status and the number of SQL statements."""
    for _ in range(3):
        client.get(url)
    timings, cpu = [], []
    status = 0
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        status = response.status_code
        queries = sum(1 for q in ctx.captured_queries if not q["sql"].startswith("SET "))
    return timings, cpu, status, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--drop", action="store_true", help="drop the bench tenant at the end")
    args = parser.parse_args()
    # Every schema up to date (a no-op when it is), then the bench tenant (idempotent).
    call_command("migrate_schemas", interactive=False, verbosity=0)
    tenant_provision(
        schema_name=SCHEMA, domain=DOMAIN, name="Desk bench", admin_email="admin@bench.test"
    )
    try:
        run(args)
    finally:
        if args.drop:
            connection.set_schema_to_public()
            Tenant.objects.get(schema_name=SCHEMA).delete(force_drop=True)
            print("dropped the bench tenant")


def run(args) -> None:
    from tickets.models import Ticket

    with schema_context(SCHEMA):
        load(args.tickets)
        supervisor, _ = User.objects.get_or_create(
            email="supervisor@bench.test", defaults={"role": Role.SUPERVISOR, "name": "Sup"}
        )
        agent = User.objects.get(email="agent1@bench.test")
        ticket = conversation_ticket(agent)
        total = Ticket.objects.count()
        open_count = Ticket.objects.open().count()
    print(f"tenant {SCHEMA}: {total} tickets, {open_count} open\n")
    sla_pages = [
        ("queue: Breached / at risk", "/desk/queue/sla/"),
        ("queue: All open, sorted by SLA due", "/desk/queue/open/?sort=sla"),
    ]
    pages = [
        ("queue: All open (page 1)", "/desk/queue/open/"),
        ("queue: All open, sorted by priority", "/desk/queue/open/?sort=-priority"),
        ("queue: All open, page 20", "/desk/queue/open/?page=20"),
        ("queue: My open tickets", "/desk/queue/mine/"),
        ("queue: Unassigned", "/desk/queue/unassigned/"),
        ("queue: Recently updated", "/desk/queue/recent/"),
        ("queue: Waiting on customer", "/desk/queue/waiting/"),
        *sla_pages,
        ("queue: text search 'invoice refund'", "/desk/search/?filter=1&q=invoice+refund"),
        ("ticket page (15 messages)", f"/desk/tickets/{ticket.number}/"),
        ("search suggestions 'invoice'", "/desk/search/suggest/?q=invoice"),
        ("search suggestions 'invioce' (typo)", "/desk/search/suggest/?q=invioce"),
        ("dashboard, last 365 days", "/desk/?days=365"),
        ("dashboard", "/desk/"),
    ]
    busy = os.getloadavg()[0]
    print(f"load average {busy:.1f} on {os.cpu_count()} cores (wall times include waiting)")
    print(f"{'page':44} {'user':10} {'p50 ms':>8} {'p95 ms':>8} {'py cpu':>7} {'queries':>8}")
    for label, user in (("supervisor", supervisor), ("agent", agent)):
        client = Client(HTTP_HOST=DOMAIN)
        with schema_context(SCHEMA):
            client.force_login(user)
        for name, url in pages:
            timings, cpu, status, queries = measure(client, url, args.runs)
            assert status == 200, (url, status)
            print(
                f"{name:44} {label:10} {percentile(timings, 50):8.1f} "
                f"{percentile(timings, 95):8.1f} {percentile(cpu, 50):7.1f} {queries:8d}"
            )
        _polls(client, ticket, label, args.runs)
        print()


def _polls(client: Client, ticket, label: str, runs: int) -> None:
    """Conditional polls: the client sends the ETag it holds (refreshed when the minute
    turns and the answer is a 200 again)."""
    for name, url in (
        ("poll: ticket live, unchanged -> 304", f"/desk/tickets/{ticket.number}/live/"),
        ("poll: queue rows, unchanged -> 304", "/desk/queue/open/rows/"),
        ("poll: sidebar counts, unchanged -> 304", "/desk/counts/"),
    ):
        etag = client.get(url)["ETag"]
        timings, not_modified, queries = [], 0, 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, HTTP_IF_NONE_MATCH=etag)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code == 304:
                timings.append(elapsed)
                not_modified += 1
                queries = sum(1 for q in ctx.captured_queries if not q["sql"].startswith("SET "))
            etag = response["ETag"]
        print(
            f"{name:44} {label:10} {percentile(timings, 50):8.1f} "
            f"{percentile(timings, 95):8.1f} {'':7} {queries:8d}  ({not_modified}/{runs} were 304)"
        )


if __name__ == "__main__":
    main()
