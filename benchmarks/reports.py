"""Report timings on one tenant with N tickets spread over two years.

DATABASE_URL=... .venv/bin/python benchmarks/reports.py [N] [RUNS]

Provisions a throw-away tenant schema (bench_reports, or $BENCH_SCHEMA), seeds N tickets
with bulk SQL (two messages each, their SLA rows, a rating on every fifth resolved; two in
seven of the last two weeks' tickets still open; bypassing the services: this measures the
reports, not ticket creation), then prints:
  * the analytics job over everything (facts + daily rollups), and one day's incremental pass;
  * every report for a 90-day range through the API: p50/p95 server time and query count
    (the same count at any N is the point), cold from the day rows only (as before the week
    and four-week blocks) and from the blocks, alternating run by run, then from the cache;
  * the streamed CSV export of every ticket: time and the peak of Python allocations.
Drops the schema at the end.

`--fast` (for 300k-1M tickets): seeds the tickets and ratings as above but no messages or SLA
rows, and writes the report facts straight from the ticket rows with one bulk SQL statement
(synthetic business minutes, next-response waits, reopens and SLA outcomes derived from the
ticket number), then builds the daily rollups from them with the job's own SQL. It measures
the reports' reads at that size, not the job's fact computation (measured without --fast).
`--keep` leaves the schema in place and a later run with `--reuse` measures it again.
"""

import os
import sys
import time
import tracemalloc
from datetime import timedelta

from _setup import django_setup, percentile

django_setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from panel1.accounts.models import Role, User  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402
from reports.figures import REPORTS  # noqa: E402
from reports.models import TicketFact  # noqa: E402
from reports.services import reports_refresh  # noqa: E402
from tickets.models import Category  # noqa: E402

SCHEMA = os.environ.get("BENCH_SCHEMA", "bench_reports")
HOST = f"{SCHEMA.replace('_', '-')}.bench.localhost"
DAYS = 730

SEED_SQL = """
WITH base AS (
    SELECT n,
        %(now)s::timestamptz - make_interval(secs => (n::float / %(count)s) * %(span)s) AS created,
        -- Two in seven of the last two weeks' tickets still open, every older one resolved.
        CASE WHEN n::float / %(count)s * %(span)s < 14 * 86400 THEN n %% 7 ELSE n %% 5 END
            AS shape
    FROM generate_series(1, %(count)s) AS n
)
INSERT INTO tickets_ticket (id, number, subject, status, priority, category_id, tags,
    requester_id, assignee_id, channel, escalation_level, created_at, updated_at,
    first_responded_at, resolved_at, closed_at, last_customer_message_at, last_staff_message_at,
    version)
SELECT md5('t' || n)::uuid, 'BEN-' || lpad(n::text, 9, '0'), 'Bench ticket ' || n,
    CASE WHEN shape < 5 THEN 'RESOLVED' WHEN shape = 5 THEN 'OPEN' ELSE 'IN_PROGRESS' END,
    (ARRAY['LOW','MEDIUM','HIGH','URGENT'])[1 + n %% 4],
    (%(categories)s::uuid[])[1 + n %% %(category_count)s],
    CASE WHEN n %% 3 = 0 THEN ARRAY['printer'] WHEN n %% 3 = 1 THEN ARRAY['vpn', 'vip']
         ELSE ARRAY[]::varchar[] END,
    %(customer)s, (%(agents)s::uuid[])[1 + n %% %(agent_count)s],
    (ARRAY['WEB','EMAIL','API','PORTAL'])[1 + n %% 4], 0, created, created + interval '1 day',
    CASE WHEN shape <> 5 THEN created + make_interval(mins => 5 + n %% 240) END,
    CASE WHEN shape < 5 THEN created + make_interval(mins => 60 + n %% 4000) END,
    NULL, created, CASE WHEN shape <> 5 THEN created + make_interval(mins => 5 + n %% 240) END,
    1
FROM base
"""
MESSAGES_SQL = """
INSERT INTO tickets_message (id, ticket_id, author_id, author_label, message_type, content,
    channel, is_auto_response, email_message_id, created_at, time_spent)
SELECT gen_random_uuid(), t.id, %(customer)s, '', 'CUSTOMER_REPLY', 'Help please', 'WEB',
    false, '', t.created_at, NULL FROM tickets_ticket t
UNION ALL
SELECT gen_random_uuid(), t.id, t.assignee_id, '', 'STAFF_REPLY', 'On it', 'WEB', false, '',
    t.first_responded_at, 10 FROM tickets_ticket t WHERE t.first_responded_at IS NOT NULL
"""
SLA_SQL = """
INSERT INTO sla_ticketsla (ticket_id, profile_id, profile_name, started_at,
    first_response_due_at, first_responded_at, first_response_at_risk, first_response_breached,
    next_response_at_risk, next_response_breached, next_response_breach_count,
    resolution_due_at, resolved_at, resolution_at_risk, resolution_breached, paused,
    paused_reason, paused_business_seconds, pauses, is_closed, active, escalations_applied,
    calculation, log, updated_at)
SELECT t.id, %(profile)s, 'Default', t.created_at, t.created_at + interval '4 hours',
    t.first_responded_at, false,
    coalesce(t.first_responded_at > t.created_at + interval '4 hours', false),
    false, false, 0, t.created_at + interval '2 days', t.resolved_at, false,
    coalesce(t.resolved_at > t.created_at + interval '2 days', false), false, '', 0, '[]',
    false, t.resolved_at IS NULL, '{}', '{}', '[]', t.updated_at
FROM tickets_ticket t
"""
RATINGS_SQL = """
INSERT INTO tickets_satisfactionrating (ticket_id, rating, comment, created_at, updated_at,
    response_time, solution, team, score)
SELECT t.id, 1 + n %% 5, CASE WHEN n %% 35 = 0 THEN 'Comment ' || n ELSE '' END,
    t.resolved_at, t.resolved_at, 1 + n %% 5, 1 + (n / 5) %% 5,
    1 + (n / 25) %% 5, round(((1 + n %% 5) + (1 + (n / 5) %% 5) + (1 + (n / 25) %% 5)) / 3.0, 2)
FROM (SELECT id, resolved_at, row_number() OVER (ORDER BY id) AS n FROM tickets_ticket
      WHERE resolved_at IS NOT NULL) t WHERE n %% 5 = 0
"""


FACTS_SQL = """
INSERT INTO reports_ticketfact (ticket_id, created_on, resolved_on, status, priority, channel,
    category_id, assignee_id, tags, is_merged, first_response_minutes,
    first_response_business_minutes, next_response_minutes, next_response_business_minutes,
    resolution_minutes, resolution_business_minutes, replies, reopens, time_spent,
    first_response_met, first_response_breached, resolution_met, resolution_breached,
    rated_on, rating_response_time, rating_solution, rating_team, rating_score, computed_at)
SELECT t.id, (t.created_at AT TIME ZONE %(zone)s)::date,
    (t.resolved_at AT TIME ZONE %(zone)s)::date, t.status, t.priority, t.channel,
    t.category_id, t.assignee_id, t.tags, false, fr.m, fr.m / 3,
    CASE WHEN n %% 3 = 0 AND fr.m IS NOT NULL THEN ARRAY[(n %% 180)::int] ELSE '{}' END,
    CASE WHEN n %% 3 = 0 AND fr.m IS NOT NULL THEN ARRAY[(n %% 180 / 3)::int] ELSE '{}' END,
    res.m, res.m / 3, (fr.m IS NOT NULL)::int, (n %% 20 = 0)::int,
    CASE WHEN fr.m IS NOT NULL THEN 10 ELSE 0 END,
    coalesce(fr.m <= 240, false), coalesce(fr.m > 240, false),
    coalesce(res.m <= 2880, false), coalesce(res.m > 2880, false),
    (r.updated_at AT TIME ZONE %(zone)s)::date, r.response_time, r.solution, r.team, r.score,
    now()
FROM (SELECT *, substr(number, 5)::int AS n FROM tickets_ticket) t
LEFT JOIN tickets_satisfactionrating r ON r.ticket_id = t.id
CROSS JOIN LATERAL (SELECT floor(extract(epoch FROM t.first_responded_at - t.created_at) / 60)::int
    AS m) fr
CROSS JOIN LATERAL (SELECT floor(extract(epoch FROM t.resolved_at - t.created_at) / 60)::int
    AS m) res
"""
AGENT_DAYS_SQL = """
INSERT INTO reports_agentday (day, agent_id, replies, time_spent)
SELECT (first_responded_at AT TIME ZONE %(zone)s)::date, assignee_id, count(*), 10 * count(*)
FROM tickets_ticket WHERE first_responded_at IS NOT NULL GROUP BY 1, 2
"""


def _fast_facts() -> None:
    """Facts, rollups and agent days straight from the seeded tickets (bulk SQL)."""
    from reports.services import tenant_zone

    zone = tenant_zone()
    with connection.cursor() as cursor:
        cursor.execute(FACTS_SQL, {"zone": zone.key})
        cursor.execute(AGENT_DAYS_SQL, {"zone": zone.key})
    _rebuild_days()


def _rebuild_days() -> None:
    """The daily rollups, day summaries and histograms of every day, with the job's SQL."""
    from reports.models import RollupState
    from reports.services import rollup_days_rebuild, tenant_zone

    zone = tenant_zone()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT created_on FROM reports_ticketfact UNION SELECT resolved_on FROM "
            "reports_ticketfact UNION SELECT rated_on FROM reports_ticketfact"
        )
        days = {row[0] for row in cursor.fetchall() if row[0]}
    started = time.perf_counter()
    rollup_days_rebuild(days=days, zone=zone)
    elapsed = time.perf_counter() - started
    print(
        f"rollups + day summaries + histograms of all {len(days)} days: {elapsed:.1f}s "
        f"({elapsed / len(days) * 1000:.0f} ms a day; {_load()})"
    )
    now = timezone.now()
    RollupState.objects.update_or_create(
        pk=1,
        defaults={"timezone": zone.key, "watermark": now, "last_run_at": now,
                  "backfill_pending": False, "summaries_ready": True, "blocks_ready": True},
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _drop() -> None:
    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(schema_name=SCHEMA):
        tenant.delete(force_drop=True)


def _seed(count: int, *, fast: bool = False) -> User:
    from sla.models import SlaProfile

    categories = [str(c.pk) for c in Category.objects.all()] or [
        str(Category.objects.create(name="General").pk)
    ]
    agents = [
        str(User.objects.create(email=f"agent{n}@bench.test", role=Role.AGENT).pk)
        for n in range(20)
    ]
    customer = User.objects.create(email="customer@bench.test", role=Role.CUSTOMER)
    params = {
        "now": timezone.now(),
        "count": count,
        "span": DAYS * 86400,
        "categories": categories,
        "category_count": len(categories),
        "agents": agents,
        "agent_count": len(agents),
        "customer": customer.pk,
        "profile": SlaProfile.objects.get(is_default=True).pk,
    }
    with connection.cursor() as cursor:
        for sql in (
            (SEED_SQL, RATINGS_SQL) if fast else (SEED_SQL, MESSAGES_SQL, SLA_SQL, RATINGS_SQL)
        ):
            cursor.execute(sql, params)
        # Provisioning just wrote the profile: age it, or the job's first incremental pass
        # would (rightly) recompute every open ticket of an "edited" profile.
        cursor.execute("UPDATE sla_slaprofile SET updated_at = now() - interval '1 day'")
        cursor.execute("ANALYZE")
    return User.objects.create(email="supervisor@bench.test", role=Role.SUPERVISOR)


def _round_trip_ms() -> float:
    """One `SELECT 1` through Django (with the tenant's SET search_path): the floor of every
    query on this machine right now, to read the report times against."""
    timings = []
    with schema_context(SCHEMA):
        for _ in range(50):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            timings.append((time.perf_counter() - started) * 1000)
    return percentile(timings, 50)


def _time_reports(client: APIClient, runs: int) -> None:
    print(f"database round trip now: {_round_trip_ms():.2f} ms (p50 of 50 SELECT 1)")
    end = timezone.now().date()
    query = {"start": str(end - timedelta(days=89)), "end": str(end)}
    print(f"reports for {query['start']}..{query['end']} (90 days), {runs} runs each:")
    for name in REPORTS:
        # Cold: computed every time (the cache off), from the day rows only (as before the
        # blocks) and from the blocks, alternating run by run so both see the same load; warm:
        # answered from the cache, as every read after the first until the job's next run.
        settings.REPORTS_CACHE_SECONDS = 0
        days, cold, queries = [], [], 0
        for _ in range(runs):
            settings.REPORTS_SUMMARY_BLOCKS = False
            days += _timings(client, name, query, 1)[0]
            settings.REPORTS_SUMMARY_BLOCKS = True
            timing, queries = _timings(client, name, query, 1)
            cold += timing
        settings.REPORTS_CACHE_SECONDS = 600
        _timings(client, name, query, 1)
        warm, warm_queries = _timings(client, name, query, runs)
        print(
            f"  {name:15s} cold, day rows only p50 {percentile(days, 50):6.1f} ms "
            f"p95 {percentile(days, 95):6.1f} ms  |  cold p50 {percentile(cold, 50):6.1f} ms  "
            f"p95 {percentile(cold, 95):6.1f} ms  queries {queries:2d}  |  cached p50 "
            f"{percentile(warm, 50):5.1f} ms  p95 {percentile(warm, 95):5.1f} ms  "
            f"queries {warm_queries}  ({_load()})"
        )
        filtered = client.get(f"/api/v1/reports/{name}/", {**query, "tag": "printer"})
        assert filtered.status_code == 200


def _timings(client: APIClient, name: str, query: dict, runs: int) -> tuple[list, int]:
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(f"/api/v1/reports/{name}/", query)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        queries = len(captured.captured_queries)
    return timings, queries


def _export(client: APIClient) -> tuple[float, int, int]:
    started = time.perf_counter()
    response = client.get("/api/v1/tickets/export/")
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    return time.perf_counter() - started, lines - 1, size


def _time_export(client: APIClient) -> None:
    elapsed, rows, size = _export(client)
    tracemalloc.start()
    _export(client)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"export of {rows} tickets ({size / 1e6:.0f} MB CSV): {elapsed:.1f}s "
        f"({rows / elapsed:.0f} rows/s); peak Python allocations while streaming "
        f"{peak / 1e6:.1f} MB"
    )


def _job(count: int) -> None:
    started = time.perf_counter()
    if "--profile" in sys.argv:
        import cProfile
        import pstats

        profile_path = "/tmp/reports-facts.prof"
        cProfile.runctx("reports_refresh(full=True)", globals(), locals(), profile_path)
        pstats.Stats(profile_path).sort_stats("cumulative").print_stats(25)
    else:
        reports_refresh(full=True)
    elapsed = time.perf_counter() - started
    print(
        f"analytics job, everything: {elapsed:.1f}s "
        f"({elapsed / count * 1e6:.0f} us per ticket, {TicketFact.objects.count()} facts)"
    )


def _one_day_pass() -> None:
    day = timezone.now() - timedelta(days=45)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_ticket SET updated_at = now() WHERE created_at >= %s "
            "AND created_at < %s",
            [day, day + timedelta(days=1)],
        )
        touched = cursor.rowcount
    started = time.perf_counter()
    reports_refresh()
    print(
        f"analytics job, one day changed ({touched} tickets): "
        f"{time.perf_counter() - started:.2f}s ({_load()})"
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 100_000
    runs = int(args[1]) if len(args) > 1 else 20
    fast, reuse = "--fast" in sys.argv, "--reuse" in sys.argv
    settings.DEBUG = False
    settings.ENABLE_EMAIL_SENDING = False
    settings.ALLOWED_HOSTS = ["*"]
    print(f"start: {_load()}")
    if not reuse:
        _drop()
    try:
        if reuse:
            connection.set_schema_to_public()
            tenant = Tenant.objects.get(schema_name=SCHEMA)
        else:
            tenant = tenant_provision(
                schema_name=SCHEMA,
                domain=HOST,
                name="Reports bench",
                admin_email="admin@bench.test",
            ).tenant
        with schema_context(tenant.schema_name):
            if reuse:
                supervisor = User.objects.get(email="supervisor@bench.test")
                count = TicketFact.objects.count()
                print(f"reusing {count} tickets' facts")
                if "--rebuild" in sys.argv:
                    _rebuild_days()
            else:
                started = time.perf_counter()
                supervisor = _seed(count, fast=fast)
                print(
                    f"seeded {count} tickets over {DAYS} days in "
                    f"{time.perf_counter() - started:.1f}s ({_load()})"
                )
                started = time.perf_counter()
                if fast:
                    _fast_facts()
                    print(
                        f"facts and rollups by bulk SQL: {time.perf_counter() - started:.1f}s "
                        f"({TicketFact.objects.count()} facts)"
                    )
                else:
                    _job(count)
            _one_day_pass()
        client = APIClient(HTTP_HOST=HOST)
        client.force_authenticate(supervisor)
        _time_reports(client, runs)
        if "--no-export" not in sys.argv:
            _time_export(client)
    finally:
        if "--keep" not in sys.argv:
            _drop()


if __name__ == "__main__":
    main()
