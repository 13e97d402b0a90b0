"""API throughput through gunicorn as production runs it: create, list and reply.

DATABASE_URL=... .venv/bin/python benchmarks/api_throughput.py [--seconds 10] [--clients 8]
    [--workers 3] [--compare /work/main] [--redis redis://127.0.0.1:6379/0] [--n 200]
    [--in-process-only]

Starts `gunicorn panel1.wsgi -k sync -w 3` with DEBUG=false (Q_SYNC off: jobs are queued,
not run) against a tenant `bench_api`, then drives it with `--clients` concurrent HTTP
clients (threads, a new connection per request, as sync workers close them) for `--seconds`
per phase: `GET /healthz` (the baseline of the same run: the same server, clients and
machine with no application work), `POST /api/v1/tickets/`, `GET /api/v1/tickets/?status=
OPEN&limit=50` and `POST /api/v1/tickets/{id}/messages/`. Prints requests/s, p50 and p95 per
phase and each rate as a share of the /healthz rate. `--compare DIR` first runs the same
phases against the code checked out in DIR (e.g. main, the "before") on the same database.
`--redis URL` sets REDIS_URL for the server (cache: throttling, cached lookups).

Also prints the SQL statements of one request of each kind, measured in process, and the
in-process timings: `--n` requests of each kind (after a warm-up) through Django's test
client with token authentication and jobs queued, not run (no server, no network), median
and p95 next to the issue's targets, with `/healthz` as the same run's baseline.
`--in-process-only` skips the gunicorn phases.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("ALLOWED_HOSTS", "*")
os.environ["Q_SYNC"] = "false"
# The rate limit still runs on every request (its cost is measured) but must not answer 429
# to a benchmark that sends thousands of requests a minute as one user.
os.environ.setdefault("API_THROTTLE_USER", "10000000/min")

from _setup import ROOT, django_setup, percentile

SCHEMA = "bench_api"
DOMAIN = "bench-api.localhost"
LIST = "/api/v1/tickets/?status=OPEN&limit=50"
# The in-process medians (ms); /healthz is the baseline, not a target.
IN_PROCESS_TARGETS = {"create": 12, "list": 10, "reply": 10}
CREATE = {
    "subject": "Printer on floor 3 is jammed",
    "content": "It shows error E-42 and will not print anything since this morning.",
    "priority": "HIGH",
    "requester_email": "customer@bench-api.test",
}


def prepare() -> str:
    """Provision the tenant (once) and answer a fresh API token of an agent."""
    django_setup()
    from django.db import connection
    from django_tenants.utils import schema_context

    from panel1.accounts.models import Role, User
    from panel1.api.tokens import api_token_create
    from panel1.tenants.models import Tenant
    from panel1.tenants.services import tenant_provision

    if not Tenant.objects.filter(schema_name=SCHEMA).exists():
        tenant_provision(
            schema_name=SCHEMA,
            domain=DOMAIN,
            name="Bench API",
            admin_email="admin@bench-api.test",
            admin_password="bench-pass-2026",
        )
    with schema_context(SCHEMA):
        admin = User.objects.get(email="admin@bench-api.test")
        agent, _ = User.objects.get_or_create(
            email="agent@bench-api.test", defaults={"role": Role.AGENT, "name": "Bench Agent"}
        )
        _, key = api_token_create(actor=admin, user=agent, name="benchmark")
    analyze(SCHEMA)
    connection.close()
    return key


def analyze(schema: str) -> None:
    """Planner statistics for the tenant's tables as autovacuum keeps them in production: a
    server running without autovacuum (a test machine) plans the list of 50 from an empty
    table's estimates and sorts every open ticket."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        for (table,) in cursor.fetchall():
            cursor.execute(f'ANALYZE "{schema}"."{table}"')


def statements(key: str) -> dict[str, int]:
    """SQL statements of one create, list and reply (Django's test client, in process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=DOMAIN, HTTP_AUTHORIZATION=f"Token {key}")
    counts = {}
    for _warm in range(2):
        with CaptureQueriesContext(connection) as create:
            answer = client.post("/api/v1/tickets/", CREATE, content_type="application/json")
    counts["create"] = len(create.captured_queries)
    counts["create commits"] = sum(q["sql"] == "COMMIT" for q in create.captured_queries)
    with CaptureQueriesContext(connection) as listing:
        client.get(LIST)
    counts["list"] = len(listing.captured_queries)
    path = f"/api/v1/tickets/{answer.json()['id']}/messages/"
    client.post(path, {"content": "Looking."}, content_type="application/json")
    with CaptureQueriesContext(connection) as reply:
        client.post(path, {"content": "On it."}, content_type="application/json")
    counts["reply"] = len(reply.captured_queries)
    connection.close()
    return counts


def in_process(key: str, n: int) -> dict[str, dict]:
    """Median and p95 of `n` requests of each kind through Django's test client, after 20 of
    each to warm up: the application's own cost, without server and network."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST=DOMAIN, HTTP_AUTHORIZATION=f"Token {key}")
    json_body = {"content_type": "application/json"}
    seed = client.post("/api/v1/tickets/", CREATE, **json_body)
    reply_path = f"/api/v1/tickets/{seed.json()['id']}/messages/"
    kinds = {
        "healthz": (lambda: client.get("/healthz"), 200),
        "create": (lambda: client.post("/api/v1/tickets/", CREATE, **json_body), 201),
        "list": (lambda: client.get(LIST), 200),
        "reply": (lambda: client.post(reply_path, {"content": "On it."}, **json_body), 201),
    }
    results = {}
    for name, (call, expected) in kinds.items():
        for _warm in range(20):
            call()
        times, cpu = [], []
        for _ in range(n):
            started, cpu_started = time.perf_counter(), time.process_time()
            code = call().status_code
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            if code != expected:
                raise SystemExit(f"in process: {name} answered {code}, expected {expected}")
        results[name] = {
            "p50": percentile(times, 50) * 1000,
            "p95": percentile(times, 95) * 1000,
            "cpu": percentile(cpu, 50) * 1000,
        }
    connection.close()
    return results


def show_in_process(results: dict, n: int) -> None:
    load = os.getloadavg()
    print(f"\nin process (Django test client, {n} each after 20 warm-up; load average "
          f"{load[0]:.2f} {load[1]:.2f})")  # fmt: skip
    # The CPU time of this process (median): the Python side alone, which other load on the
    # machine and waits on PostgreSQL disturb far less than the wall-clock times.
    print(f"  {'':8} {'p50 ms':>8} {'p95 ms':>8} {'target p50':>11} {'CPU p50 ms':>11}")
    for name, r in results.items():
        target = IN_PROCESS_TARGETS.get(name)
        goal = "baseline" if target is None else f"<= {target}"
        print(f"  {name:8} {r['p50']:8.2f} {r['p95']:8.2f} {goal:>11} {r['cpu']:11.2f}")


class Server:
    def __init__(self, app_dir: Path, port: int, workers: int, redis: str | None):
        env = dict(os.environ)
        env["PYTHONPATH"] = str(app_dir)
        env["DJANGO_SETTINGS_MODULE"] = "panel1.settings"
        env["ENV_FILE"] = ""
        if redis:
            env["REDIS_URL"] = redis
        else:
            env.pop("REDIS_URL", None)
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.port = port
        self.process = subprocess.Popen(
            [gunicorn, "panel1.wsgi", "-k", "sync", "-w", str(workers), "-b",
             f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(app_dir)],
            env=env,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def request(port: int, method: str, path: str, *, key: str = "", body=None, host: str = DOMAIN):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": host}
    if key:
        headers["Authorization"] = f"Token {key}"
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def drive(port: int, clients: int, seconds: float, make, *, host: str = DOMAIN) -> dict:
    """Run `make()` -> (method, path, body, key, expected status) from `clients` threads for
    `seconds`, against the tenant of `host`."""
    times: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        mine, bad = [], []
        while time.monotonic() < stop:
            method, path, body, key, expected = make()
            started = time.perf_counter()
            code, _ = request(port, method, path, key=key, body=body, host=host)
            mine.append(time.perf_counter() - started)
            if code != expected:
                bad.append(code)
        with lock:
            times.extend(mine)
            errors.extend(bad)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "rps": len(times) / elapsed,
        "p50": percentile(times, 50) * 1000,
        "p95": percentile(times, 95) * 1000,
        "n": len(times),
        "errors": len(errors),
        "codes": sorted(set(errors)),
    }


def run(app_dir: Path, key: str, args) -> dict:
    server = Server(app_dir, args.port, args.workers, args.redis)
    try:
        seed = request(args.port, "POST", "/api/v1/tickets/", key=key, body=CREATE)
        ticket_id = json.loads(seed[1])["id"]
        reply_path = f"/api/v1/tickets/{ticket_id}/messages/"
        phases = {
            "healthz": lambda: ("GET", "/healthz", None, "", 200),
            "create": lambda: ("POST", "/api/v1/tickets/", CREATE, key, 201),
            "list": lambda: ("GET", "/api/v1/tickets/?status=OPEN&limit=50", None, key, 200),
            "reply": lambda: ("POST", reply_path, {"content": "On it."}, key, 201),
        }
        drive(args.port, args.clients, 2, phases["healthz"])  # warm every worker up
        drive(args.port, args.clients, 2, phases["create"])
        return {name: drive(args.port, args.clients, args.seconds, make)
                for name, make in phases.items()}  # fmt: skip
    finally:
        server.stop()


def show(label: str, results: dict) -> None:
    base = results["healthz"]["rps"]
    print(f"\n{label}")
    print(f"  {'':8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'of healthz':>11} {'errors':>7}")
    for name, r in results.items():
        share = f"{100 * r['rps'] / base:.0f}%" if name != "healthz" else "baseline"
        errors = f"{r['errors']}" + (f" {r['codes']}" if r["errors"] else "")
        print(f"  {name:8} {r['rps']:8.1f} {r['p50']:8.1f} {r['p95']:8.1f} {share:>11} {errors:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--compare", type=Path, help="checkout to measure first (the before)")
    parser.add_argument("--redis", help="REDIS_URL for the server")
    parser.add_argument("--n", type=int, default=200, help="in-process requests of each kind")
    parser.add_argument("--in-process-only", action="store_true", help="skip gunicorn")
    args = parser.parse_args()
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    key = prepare()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print("statements in process (this checkout):", statements(key))
    show_in_process(in_process(key, args.n), args.n)
    if args.in_process_only:
        return
    runs = []
    if args.compare:
        runs.append((f"before: {args.compare}", run(args.compare.resolve(), key, args)))
    runs.append((f"after: {ROOT}", run(ROOT, key, args)))
    for label, results in runs:
        show(label, results)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
