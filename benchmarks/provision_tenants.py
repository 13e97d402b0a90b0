"""Provision N tenants (default 100) in-process by cloning the template schema; print the
timings per block of 100 (mean, p50, p95, max), then drop them.

Beside each block it prints the load average and a same-run baseline: the time of a fixed DDL
probe (20 tables with a key and an index, in a schema that is rolled back) taken right after
the block, so blocks taken at different machine load can be compared by their ratio.

DATABASE_URL=... .venv/bin/python benchmarks/provision_tenants.py [N] [--keep] [--start K]

`--keep` leaves the tenants in place (e.g. to measure migrations or job ticks over them);
`benchmarks/provision_tenants.py --drop` removes tenants left by an earlier `--keep`;
`--start K` numbers the new tenants from K (to add tenants to those an earlier run kept).
"""

import os
import statistics
import sys
import time

from _setup import django_setup, percentile

django_setup()

from django.db import connection, transaction  # noqa: E402

from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import ensure_template_schema, tenant_provision  # noqa: E402

PREFIX = "bench_"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def drop_bench_tenants() -> None:
    connection.set_schema_to_public()
    started = time.perf_counter()
    tenants = list(Tenant.objects.filter(schema_name__startswith=PREFIX))
    for tenant in tenants:
        tenant.delete(force_drop=True)
    print(f"dropped {len(tenants)} tenants in {time.perf_counter() - started:.1f}s")


def provision(schema: str) -> float:
    host = schema.replace("_", "-")
    started = time.perf_counter()
    tenant_provision(
        schema_name=schema,
        domain=f"{host}.bench.localhost",
        name=f"Bench {schema}",
        admin_email=f"admin@{host}.bench.test",
    )
    return time.perf_counter() - started


def ddl_probe() -> float:
    """Seconds for a fixed piece of catalog work (rolled back): the machine's speed right now."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        statements = ["CREATE SCHEMA bench_probe", "SET LOCAL search_path = bench_probe"]
        for i in range(20):
            statements.append(f"CREATE TABLE t{i} (id bigint PRIMARY KEY, name text)")
            statements.append(f"CREATE INDEX t{i}_name ON t{i} (name)")
        statements.append("SET LOCAL search_path = public")
        cursor.execute(";\n".join(statements))
        transaction.set_rollback(True)
    return time.perf_counter() - started


def report_block(index: int, timings: list[float], baseline: float) -> None:
    probe = ddl_probe()
    print(
        f"tenants {index - len(timings) + 1:5d}-{index:5d}: mean {statistics.mean(timings):.3f}s"
        f"  p50 {percentile(timings, 50):.3f}s  p95 {percentile(timings, 95):.3f}s"
        f"  max {max(timings):.3f}s  | DDL probe {probe * 1000:.0f} ms"
        f" ({probe / baseline:.2f}x the first)  ({load()})",
        flush=True,
    )


def main() -> None:
    if "--drop" in sys.argv:
        drop_bench_tenants()
        return
    numbers = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    count = int(numbers[0]) if numbers else 100
    # `--start K`: name the tenants from bench_K on, to add tenants to those a --keep left.
    start = int(numbers[1]) if "--start" in sys.argv and len(numbers) > 1 else 0
    block = 100 if count >= 200 else max(1, count // 10)
    ensure_template_schema()
    existing = Tenant.objects.exclude(schema_name="public").count()
    baseline = ddl_probe()
    print(
        f"{existing} tenants before the run; {os.cpu_count()} CPUs; DDL probe"
        f" {baseline * 1000:.0f} ms; {load()}",
        flush=True,
    )
    timings: list[float] = []
    try:
        for i in range(count):
            timings.append(provision(f"{PREFIX}{start + i:05d}"))
            if len(timings) % block == 0:
                report_block(len(timings), timings[-block:], baseline)
    finally:
        if "--keep" not in sys.argv:
            drop_bench_tenants()
    print(
        f"provisioned {len(timings)} tenants: mean {statistics.mean(timings):.3f}s"
        f"  p50 {percentile(timings, 50):.3f}s  p95 {percentile(timings, 95):.3f}s"
        f"  max {max(timings):.3f}s  (target p95 <= 1.5 s at 1,000 tenants)"
    )


if __name__ == "__main__":
    main()
