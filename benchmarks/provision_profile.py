"""Profile one tenant provisioning: wall time, statements grouped by kind with their time,
and the top of a cProfile; then drop the tenants it made.

DATABASE_URL=... .venv/bin/python benchmarks/provision_profile.py [ROWS]

A first provisioning warms the process (clone plan, migration graph); the second is measured.
ROWS (default 25) is how many statement kinds and profile rows to print.
"""

import collections
import cProfile
import os
import pstats
import re
import sys
import time

from _setup import django_setup

django_setup()

from django.db import connection  # noqa: E402

from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import ensure_template_schema, tenant_provision  # noqa: E402

PREFIX = "bench_prof_"


def provision(schema: str):
    host = schema.replace("_", "-")
    return tenant_provision(
        schema_name=schema,
        domain=f"{host}.bench.localhost",
        name=schema,
        admin_email=f"a@{host}.test",
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    ensure_template_schema()
    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, sql))

    try:
        provision(f"{PREFIX}warm")
        profile = cProfile.Profile()
        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            profile.enable()
            result = provision(f"{PREFIX}one")
            profile.disable()
        wall = time.perf_counter() - started
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"one provisioning: {wall:.3f}s wall (load average {load}); {result.changes}")
        print(f"{len(statements)} statements, {sum(t for t, _ in statements):.3f}s in the database")
        counts: collections.Counter = collections.Counter()
        seconds: collections.Counter = collections.Counter()
        for spent, sql in statements:
            kind = re.sub(r"\s+", " ", sql.strip())[:70]
            kind = re.sub(r'"s\d+_x\d+"', '"..."', kind)  # savepoint names
            counts[kind] += 1
            seconds[kind] += spent
        for kind, spent in seconds.most_common(rows):
            print(f"  {spent * 1000:8.1f} ms {counts[kind]:4d}x  {kind}")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(rows)
    finally:
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(schema_name__startswith=PREFIX):
            tenant.delete(force_drop=True)


if __name__ == "__main__":
    main()
