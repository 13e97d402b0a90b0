"""Messages per second through `manage.py ingest_email` for a 1000-message batch.

DATABASE_URL=... .venv/bin/python benchmarks/email_ingest.py [N] [--limit-set-calls] [--no-pipe]
    [--profile] [--statements]

Builds N varied messages from the parsing corpus (tests/email/email_corpus/): unique
Message-IDs and senders spread over many addresses, ~20 % replies threaded by In-Reply-To,
~2 % exact redeliveries (duplicates), plus the corpus' bounces, auto-replies and broken MIME.
Provisions a throwaway tenant, ingests WARM_UP other mails (a long-running worker's one-time
costs, printed apart), runs `ingest_email --schema <it> <files...>` in-process (the
batch mode: the tenant is set once), then a few `ingest_email < message.eml` subprocesses
(the MTA pipe mode, one process per mail), prints the rates, statements and transactions per
mail and the outcome counts, and drops the tenant. Same-run baselines: parsing alone and
storing alone. `--profile` runs the batch under cProfile and prints the top functions by own
and by cumulative time; `--statements` lists the batch's statements by shape (per mail, their
mean time as the client sees it; "uncached": psycopg converts the text anew each time).
Notifications are queued on the ORM broker as in production (no worker runs here; the queued
tasks are removed afterwards).
"""

import cProfile
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

os.environ.setdefault("Q_SYNC", "false")  # notifications queued, not sent inline
# Production settings: no query log (DEBUG on keeps every statement, about 0.3 ms a mail).
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("HTTPS", "false")

from _setup import ROOT, django_setup, percentile

django_setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_q.models import OrmQ  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402
from tickets.email.parsing import parse_message  # noqa: E402
from tickets.email.storage import inbound_store  # noqa: E402
from tickets.models import InboundEmail  # noqa: E402

SCHEMA = "bench_email"
CORPUS = ROOT / "tests" / "email" / "email_corpus"
SENDER_SPREAD = 300
PIPE_RUNS = 10
WARM_UP = 30
PROFILE_FILE = Path(tempfile.gettempdir()) / "email_ingest.prof"
_MID_RE = re.compile(rb"^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*", re.IGNORECASE | re.MULTILINE)
_FROM_ADDR_RE = re.compile(rb"^(From:[^\r\n]*?)([A-Za-z0-9._%+-]+)@", re.IGNORECASE | re.MULTILINE)


def _variant(raw: bytes, n: int) -> bytes:
    """The corpus mail with a unique Message-ID and one of SENDER_SPREAD sender addresses."""
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    mid = f"Message-ID: <bench-{n}@bench.example>".encode()
    head = _MID_RE.sub(mid, head, count=1) if _MID_RE.search(head) else head + b"\n" + mid
    head = _FROM_ADDR_RE.sub(
        lambda m: m.group(1) + m.group(2) + f"+s{n % SENDER_SPREAD}".encode() + b"@", head, count=1
    )
    return head + sep + body


def _reply(parent_id: str, sender: str, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@bench-email.example"
    msg["Subject"] = "Re: your ticket"
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = f"<bench-reply-{n}@bench.example>"
    msg["In-Reply-To"] = f"<{parent_id}>"
    msg.set_content(
        f"Thanks, reply number {n}.\n\nOn Mon, 2 Mar 2026 at 10:00, Support wrote:\n> earlier\n"
    )
    return msg.as_bytes()


def build_messages(count: int) -> list[bytes]:
    corpus = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    messages: list[bytes] = []
    repliable: list[tuple[str, str]] = []
    duplicates = max(count // 50, 1)
    n = 0
    while len(messages) < count - duplicates:
        if n % 5 == 4 and repliable:
            parent_id, sender = repliable[(n * 7) % len(repliable)]
            messages.append(_reply(parent_id, sender, n))
        else:
            raw = _variant(corpus[n % len(corpus)], n)
            parsed = parse_message(raw)
            if parsed.from_email and not parsed.auto_submitted_reason and not parsed.is_bounce:
                repliable.append((parsed.message_id, parsed.from_email))
            messages.append(raw)
        n += 1
    step = max(len(messages) // duplicates, 1)
    messages += [messages[i * step] for i in range(duplicates)]  # redeliveries
    return messages[:count]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 1000
    if "--limit-set-calls" in sys.argv:
        # django-tenants then sets search_path once per schema switch, not per cursor.
        settings.TENANT_LIMIT_SET_CALLS = True
        print("TENANT_LIMIT_SET_CALLS = True")
    call_command("setup_platform", verbosity=0)
    connection.set_schema_to_public()
    tenant_provision(
        schema_name=SCHEMA,
        domain="bench-email.localhost",
        name="Bench Email",
        admin_email="admin@bench-email.example",
    )
    Tenant.objects.filter(schema_name=SCHEMA).update(support_email="support@bench-email.example")
    queued_before = OrmQ.objects.order_by("-id").values_list("id", flat=True).first() or 0
    messages = build_messages(count)
    try:
        with tempfile.TemporaryDirectory() as folder:
            files = []
            for index, raw in enumerate(messages):
                path = Path(folder) / f"{index:05d}.eml"
                path.write_bytes(raw)
                files.append(str(path))
            baseline(messages)
            warm_up(folder)
            batch(files)
            corpus = sorted(CORPUS.glob("*.eml"))
            fresh = []
            for index in range(PIPE_RUNS):  # new mails: a repeat would only test dedup
                path = Path(folder) / f"pipe-{index}.eml"
                path.write_bytes(_variant(corpus[index].read_bytes(), 1_000_000 + index))
                fresh.append(str(path))
            if "--no-pipe" not in sys.argv:
                pipe(fresh)
    finally:
        connection.set_schema_to_public()
        OrmQ.objects.filter(id__gt=queued_before).delete()
        for tenant in Tenant.objects.filter(schema_name=SCHEMA):
            tenant.delete(force_drop=True)


class _Lines:
    def __init__(self):
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.extend(line for line in text.splitlines() if line.strip())

    def flush(self) -> None:
        pass


def _transactions() -> int:
    """Committed transactions of this database so far (autocommit statements count one each),
    from PostgreSQL's statistics: nothing else uses the benchmark's database."""
    time.sleep(1.2)  # statistics are flushed about once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def baseline(messages: list[bytes]) -> None:
    """Same-run yardsticks: parsing alone (Python), and storing alone (one INSERT and the raw
    bytes per mail, no decision), over the same messages."""
    started = time.perf_counter()
    for raw in messages:
        parse_message(raw)
    parse_rate = len(messages) / (time.perf_counter() - started)
    stored = []
    with schema_context(SCHEMA):
        started = time.perf_counter()
        for raw in messages:
            stored.append(inbound_store(raw=raw, source="bench").pk)
        store_rate = len(messages) / (time.perf_counter() - started)
        InboundEmail.objects.filter(pk__in=stored).delete()
    print(
        f"baseline: parse_message alone {parse_rate:.0f} messages/s; "
        f"inbound_store alone (raw row, no decision) {store_rate:.0f} messages/s"
    )


def warm_up(folder: str) -> None:
    """A worker ingests mail for hours: what a process does once (loading the language
    detector's model, ~0.5 s; the first compiles of each query shape) is paid here, by
    WARM_UP other new mails, and printed, not counted in the batch's rate."""
    corpus = sorted(CORPUS.glob("*.eml"))
    files = []
    for index in range(WARM_UP):
        path = Path(folder) / f"warm-{index}.eml"
        path.write_bytes(_variant(corpus[index % len(corpus)].read_bytes(), 2_000_000 + index))
        files.append(str(path))
    started = time.perf_counter()
    call_command("ingest_email", *files, schema=SCHEMA, stdout=_Lines())
    elapsed = time.perf_counter() - started
    print(f"warm-up: {WARM_UP} other mails first, {elapsed:.2f}s (a new process's one-time costs)")


def batch(files: list[str]) -> None:
    out = _Lines()
    statements: Counter = Counter()

    shapes: Counter = Counter()
    shape_time: Counter = Counter()

    def count(execute, sql, params, many, context):
        statements["SET search_path" if sql.startswith("SET search_path") else "other"] += 1
        if "--statements" not in sys.argv:
            return execute(sql, params, many, context)
        shape = re.sub(r"\s+", " ", sql)[:150]
        if len(sql) > 4096 or len(params or ()) > 50:
            shape = f"[uncached {len(sql)} chars {len(params)} params] {shape}"
        shapes[shape] += 1
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape_time[shape] += time.perf_counter() - began

    transactions = _transactions()
    started, cpu_started = time.perf_counter(), time.process_time()
    # Wall time (a CPU-time timer costs a system call per event and skews the profile):
    # waiting on PostgreSQL shows as psycopg's `wait`.
    profiler = cProfile.Profile() if "--profile" in sys.argv else None
    with connection.execute_wrapper(count):
        if profiler:
            profiler.enable()
        call_command("ingest_email", *files, schema=SCHEMA, stdout=out)
        if profiler:
            profiler.disable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    transactions = _transactions() - transactions
    outcomes = Counter(" ".join(line.split()[1:3]) for line in out.lines)
    total = sum(statements.values())
    print(f"ingest_email batch: {len(files)} messages in {elapsed:.1f}s")
    print(
        f"  {len(files) / elapsed:.1f} messages/s  ({elapsed / len(files) * 1000:.1f} ms/message)"
    )
    print(
        f"  Python CPU {cpu / len(files) * 1000:.1f} ms/message (the rest: waiting on PostgreSQL)"
    )
    per_mail = statements["SET search_path"] / len(files)
    print(
        f"  {total / len(files):.1f} statements/mail ({per_mail:.2f} of them SET search_path),"
        f" {transactions / len(files):.1f} transactions/mail "
        "(after-commit subscribers included; notification tasks queued, not run)"
    )
    print("  outcomes: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    for shape, number in shapes.most_common():
        took = shape_time[shape] / number * 1000
        print(f"  {number / len(files):5.2f}/mail {took:6.2f} ms  {shape}")
    if profiler:
        profiler.dump_stats(PROFILE_FILE)
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler).sort_stats(order).print_stats(45)
        print(f"profile saved in {PROFILE_FILE}")


def pipe(files: list[str]) -> None:
    timings = []
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "panel1.settings"}
    for path in files:
        with open(path, "rb") as handle:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "ingest_email", "--schema", SCHEMA],
                stdin=handle,
                env=env,
                check=False,
                capture_output=True,
            )
            timings.append(time.perf_counter() - started)
    print(
        f"ingest_email pipe mode (one process per mail, {len(files)} runs): "
        f"p50 {percentile(timings, 50):.2f}s  max {max(timings):.2f}s per message"
        f"  (~{1 / percentile(timings, 50):.1f} messages/s per process)"
    )


if __name__ == "__main__":
    main()
