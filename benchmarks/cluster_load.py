"""Mixed load through the loopback cluster (scripts/cluster) with exactly-once and isolation
checks, and the throughput of one web node against two with the same total of workers.

DATABASE_URL=... .venv/bin/python benchmarks/cluster_load.py [--seconds 15] [--clients 6]
    [--workers 4] [--pool-mode session|transaction]

For each topology (1 node x W workers, then 2 nodes x W/2 workers; HAProxy, PgBouncer, two
qcluster processes on the Redis broker, Redis cache) it measures requests/s of /healthz and
of an authenticated API list. On the two-node cluster it then drives mixed load on two
tenants at once: API creates (some retried with the same Idempotency-Key), inbound mail
webhooks (some delivered twice; processed by the job clusters), ticket lists, portal and KB
pages; then SLA ticks enqueued many times to both clusters. It checks: one ticket per create
and per mail, gap-free numbers, one breach event per ticket, every notification mail written
once, and no row or API answer of one tenant in the other. Exit status 1 if a check fails.
On a 2-core machine this measures correctness and overhead, not capacity.
"""

import argparse
import concurrent.futures
import email
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from _setup import ROOT, percentile

LB_PORT = int(os.environ.get("CLUSTER_PORT", "8100"))
RUN_DIR = Path(os.environ.get("CLUSTER_DIR", f"/tmp/panel1-cluster-{LB_PORT}"))
BROKER = f"{os.environ.get('REDIS_HOST_URL', 'redis://127.0.0.1:6379')}/" + os.environ.get(
    "CLUSTER_REDIS_BROKER_DB", "11"
)
WEBHOOK_SECRET = "cluster-esp:" + uuid.uuid4().hex
MAIL_DIR = RUN_DIR / "mail"
# The driver enqueues SLA ticks on the cluster's broker and checks the database directly.
os.environ["Q_BROKER"] = BROKER
os.environ["Q_SYNC"] = "false"
os.environ.setdefault("DEBUG", "false")

from _setup import django_setup  # noqa: E402

django_setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

TENANTS = {"demo": "demo.localhost", "cluster_b": "clusterb.localhost"}
failures: list[str] = []


def check(condition: bool, message: str) -> None:
    print(f"  {'ok  ' if condition else 'FAIL'} {message}", flush=True)
    if not condition:
        failures.append(message)


def cluster(*args: str) -> None:
    env = {
        **os.environ,
        "ANYMAIL_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "EMAIL_FILE_PATH": str(MAIL_DIR),
    }
    env.pop("Q_SYNC")
    subprocess.run([str(ROOT / "scripts" / "cluster"), *args], cwd=ROOT, env=env, check=True)


# --- HTTP ------------------------------------------------------------------------------------

_local = threading.local()


def request(method: str, host: str, path: str, *, body=None, headers=None) -> tuple[int, bytes]:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = http.client.HTTPConnection("127.0.0.1", LB_PORT, timeout=60)
    headers = {"Host": f"{host}:{LB_PORT}", **(headers or {})}
    payload = json.dumps(body).encode() if isinstance(body, dict) else body
    if isinstance(body, dict):
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=payload, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read()
    except (http.client.HTTPException, OSError):
        _local.conn = None
        conn.close()
        raise


def throughput(label: str, calls, *, seconds: float, clients: int) -> dict:
    stop = time.monotonic() + seconds
    timings: list[float] = []
    errors = 0

    def loop():
        nonlocal errors
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _ = random.choice(calls)()
            timings.append(time.perf_counter() - started)
            errors += status != 200

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(loop) for _ in range(clients)]:
            future.result()
    result = {
        "label": label,
        "rps": len(timings) / seconds,
        "p50_ms": percentile(timings, 50) * 1000,
        "p95_ms": percentile(timings, 95) * 1000,
        "errors": errors,
    }
    print(
        f"  {label:32} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:6.1f} ms"
        f"  p95 {result['p95_ms']:6.1f} ms  errors {errors}",
        flush=True,
    )
    return result


# --- setup -----------------------------------------------------------------------------------


def tenant_tokens() -> dict[str, str]:
    from rest_framework.authtoken.models import Token

    from panel1.accounts.models import User
    from panel1.tenants.services import tenant_provision

    connection.set_schema_to_public()
    tenant_provision(
        schema_name="cluster_b",
        domain=TENANTS["cluster_b"],
        name="Cluster B",
        admin_email="admin@clusterb.test",
    )
    tokens = {}
    for schema in TENANTS:
        with schema_context(schema):
            admin = User.objects.filter(role="ADMIN").order_by("date_joined").first()
            tokens[schema] = Token.objects.get_or_create(user=admin)[0].key
    return tokens


def measure(label: str, tokens: dict, args) -> list[dict]:
    print(f"== {label} (load {os.getloadavg()[0]:.2f})", flush=True)

    def api_list(schema):
        auth = {"Authorization": f"Token {tokens[schema]}"}
        return lambda: request("GET", TENANTS[schema], "/api/v1/tickets/?limit=10", headers=auth)

    health = [lambda: request("GET", "demo.localhost", "/healthz")]
    lists = [api_list(schema) for schema in TENANTS]
    # Warm every worker (imports, first queries, connections) before measuring.
    throughput(f"{label}: warm-up", health + lists, seconds=5, clients=args.clients)
    return [
        throughput(f"{label}: /healthz", health, seconds=args.seconds, clients=args.clients),
        throughput(f"{label}: API ticket list", lists, seconds=args.seconds, clients=args.clients),
    ]


# --- mixed load ------------------------------------------------------------------------------


def mail(schema: str, i: int, run: str) -> tuple[str, bytes]:
    message_id = f"{run}-{schema}-{i}@customer.test"
    raw = (
        f"From: Pat Customer <pat{i}@customer.test>\r\nTo: support@{TENANTS[schema]}\r\n"
        f"Subject: [{schema}] mail {run} {i}\r\nMessage-ID: <{message_id}>\r\n"
        f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\nThe printer in room {i} is jammed.\r\n"
    )
    return message_id, json.dumps({"RawEmail": raw}).encode()


def mixed_calls(tokens: dict, run: str, creates: int, mails: int) -> list:
    import base64

    basic = "Basic " + base64.b64encode(WEBHOOK_SECRET.encode()).decode()
    calls = []
    for schema, host in TENANTS.items():
        auth = {"Authorization": f"Token {tokens[schema]}"}
        for i in range(creates):
            body = {
                "subject": f"[{schema}] api {run} {i}",
                "content": "Load test ticket",
                "priority": random.choice(["LOW", "MEDIUM", "HIGH"]),
                "requester_email": f"load{i}@customer.test",
            }
            key = {**auth, "Idempotency-Key": f"{run}-{schema}-{i}"}
            copies = 2 if i % 4 == 0 else 1  # a client retrying the same create
            calls += [("create", schema, ("POST", host, "/api/v1/tickets/", body, key))] * copies
        for i in range(mails):
            _, payload = mail(schema, i, run)
            headers = {"Authorization": basic, "Content-Type": "application/json"}
            copies = 2 if i % 3 == 0 else 1  # the provider redelivering a webhook
            post = ("POST", host, "/mail/inbound/postmark/", payload, headers)
            calls += [("mail", schema, post)] * copies
        for _ in range(creates):
            calls.append(("list", schema, ("GET", host, "/api/v1/tickets/?limit=50", None, auth)))
            calls.append(("page", schema, ("GET", host, "/kb/", None, {})))
            calls.append(("page", schema, ("GET", host, "/desk/login/", None, {})))
    random.shuffle(calls)
    return calls


def run_call(call) -> tuple[str, str, int, bytes]:
    kind, schema, (method, host, path, body, headers) = call
    status, content = request(method, host, path, body=body, headers=headers)
    return kind, schema, status, content


def drive_mixed(tokens: dict, run: str, args) -> None:
    calls = mixed_calls(tokens, run, args.creates, args.mails)
    print(f"== mixed load: {len(calls)} requests on two tenants, {args.clients} clients")
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
        results = list(pool.map(run_call, calls))
    elapsed = time.perf_counter() - started
    print(f"  {len(calls) / elapsed:.1f} req/s mixed over {elapsed:.1f}s")
    bad = [(kind, status) for kind, _, status, _ in results if status >= 400]
    check(not bad, f"no request failed ({len(bad)} failed: {bad[:5]})")
    leaks = 0
    for kind, schema, status, content in results:
        if kind == "list" and status == 200:
            subjects = [t["subject"] for t in json.loads(content)["results"]]
            leaks += sum(
                1 for s in subjects if s.startswith("[") and not s.startswith(f"[{schema}]")
            )
    check(leaks == 0, f"no API answer of one tenant lists the other's tickets ({leaks} found)")


def wait_for_jobs(seconds: float = 180) -> None:
    from django_q.brokers import get_broker

    from tickets.models import InboundEmail, InboundStatus

    broker = get_broker()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pending = broker.queue_size()
        for schema in TENANTS:
            with schema_context(schema):
                pending += InboundEmail.objects.filter(status=InboundStatus.RECEIVED).count()
        if not pending:
            time.sleep(3)  # tasks popped but still running
            if not broker.queue_size():
                return
        time.sleep(1)
    print("  (jobs still pending after the wait)")


def sla_ticks(run: str, ticks: int) -> None:
    from django_q.tasks import async_task

    from sla.models import TicketSLA

    past = timezone.now() - timezone.timedelta(hours=2)
    for schema in TENANTS:
        with schema_context(schema):
            TicketSLA.objects.filter(ticket__subject__contains=run, active=True).update(
                first_response_due_at=past, first_response_risk_at=past
            )
    # Both clusters' workers pop these concurrently, as two schedulers' ticks would.
    for _ in range(ticks):
        async_task("panel1.jobs.fan_out", "sla.monitor.sla_monitor_task")
        for schema in TENANTS:
            async_task("panel1.jobs.run_in_schema", schema, "sla.monitor.sla_monitor_task")


def _wait_for_outbound(run: str, seconds: float = 60) -> None:
    from tickets.models import OutboundEmail, OutboundStatus

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = 0
        for schema in TENANTS:
            with schema_context(schema):
                busy += OutboundEmail.objects.filter(
                    ticket__subject__contains=run,
                    status__in=[OutboundStatus.QUEUED, OutboundStatus.SENDING],
                ).count()
        if not busy:
            return
        time.sleep(1)


def verify(run: str, args) -> None:
    from django.db.models import Count

    from tickets.models import (
        InboundEmail,
        InboundStatus,
        OutboundEmail,
        OutboundStatus,
        Ticket,
        TicketEvent,
    )

    _wait_for_outbound(run)
    print("== checks")
    sent_ids = []
    for schema in TENANTS:
        other = next(s for s in TENANTS if s != schema)
        with schema_context(schema):
            api = Ticket.objects.filter(subject__startswith=f"[{schema}] api {run} ")
            check(api.count() == args.creates, f"{schema}: {args.creates} API creates -> "
                  f"{api.count()} tickets (retries with the same key made none)")  # fmt: skip
            mails = Ticket.objects.filter(subject__startswith=f"[{schema}] mail {run} ")
            check(mails.count() == args.mails, f"{schema}: {args.mails} distinct mails -> "
                  f"{mails.count()} tickets (redeliveries made none)")  # fmt: skip
            stored = InboundEmail.objects.filter(message_id__contains=f"{run}-{schema}-")
            check(
                not stored.exclude(
                    status__in=[InboundStatus.PROCESSED, InboundStatus.DUPLICATE]
                ).exists(),
                f"{schema}: every inbound mail processed by the job clusters",
            )
            foreign = Ticket.objects.filter(subject__startswith=f"[{other}]").count()
            check(foreign == 0, f"{schema}: no ticket of {other} in this schema ({foreign})")
            numbers = sorted(Ticket.objects.values_list("number", flat=True))
            check(len(numbers) == len(set(numbers)), f"{schema}: ticket numbers unique")
            ours = api | mails
            breaches = (
                TicketEvent.objects.filter(ticket__in=ours, event="sla.breach")
                .filter(field="first_response")
                .values("ticket")
                .annotate(n=Count("id"))
            )
            counts = [row["n"] for row in breaches]
            check(
                len(counts) == ours.count() and set(counts) == {1},
                f"{schema}: one first-response breach per ticket over {args.ticks} ticks x 2 "
                f"(tickets {ours.count()}, breached {len(counts)}, max {max(counts or [0])})",
            )
            sent_ids += list(
                OutboundEmail.objects.filter(
                    ticket__in=ours, status=OutboundStatus.SENT
                ).values_list("message_id", flat=True)
            )
    written = Counter()
    for path in MAIL_DIR.glob("*.log"):  # the file backend: messages split by a dashed line
        for chunk in path.read_text(errors="replace").split("-" * 79 + "\n"):
            if chunk.strip():
                message = email.message_from_string(chunk)
                written[(message["Message-ID"] or "").strip().strip("<>")] += 1
    twice = [m for m in sent_ids if written[m] != 1]
    check(not twice, f"each of {len(sent_ids)} notification mails written exactly once "
          f"({len(twice)} not)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers in total")
    parser.add_argument("--creates", type=int, default=40, help="API creates per tenant")
    parser.add_argument("--mails", type=int, default=20, help="inbound mails per tenant")
    parser.add_argument("--ticks", type=int, default=5, help="SLA ticks enqueued")
    parser.add_argument("--pool-mode", default="session", choices=["session", "transaction"])
    parser.add_argument("--skip-setup", action="store_true", help="schemas already migrated")
    args = parser.parse_args()
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    run = uuid.uuid4().hex[:8]
    cpu = f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    print(f"cluster load run {run}: {cpu}, PgBouncer {args.pool_mode} mode", flush=True)
    results = []
    common = ["--pool-mode", args.pool_mode, "--detach"]
    first = ["--skip-setup"] if args.skip_setup else []
    cluster("up", "--nodes", "1", "--web-workers", str(args.workers), *first, *common)
    try:
        tokens = tenant_tokens()
        results += measure(f"1 node x {args.workers}", tokens, args)
    finally:
        cluster("down")
    half = str(max(1, args.workers // 2))
    cluster("up", "--nodes", "2", "--web-workers", half, "--skip-setup", *common)
    try:
        results += measure(f"2 nodes x {half}", tokens, args)
        drive_mixed(tokens, run, args)
        wait_for_jobs()
        sla_ticks(run, args.ticks)
        wait_for_jobs()
        verify(run, args)
    finally:
        cluster("down")
    print("== summary (same total workers; the second hop is the difference)")
    for row in results:
        print(f"  {row['label']:32} {row['rps']:7.1f} req/s  p95 {row['p95_ms']:6.1f} ms")
    print(f"load after: {os.getloadavg()[0]:.2f}; {len(failures)} checks failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
