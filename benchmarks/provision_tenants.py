"""Provision N tenants (default 100) by cloning the template schema; print timings, then drop them.

DATABASE_URL=... .venv/bin/python benchmarks/provision_tenants.py [N]
"""

import statistics
import sys
import time

from _setup import django_setup, percentile

django_setup()

from django.db import connection  # noqa: E402

from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import ensure_template_schema, tenant_provision  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    ensure_template_schema()
    timings = []
    schemas = [f"bench_{i:04d}" for i in range(count)]
    try:
        for schema in schemas:
            started = time.perf_counter()
            tenant_provision(
                schema_name=schema,
                domain=f"{schema.replace('_', '-')}.bench.localhost",
                name=f"Bench {schema}",
                admin_email=f"admin@{schema.replace('_', '-')}.bench.test",
            )
            timings.append(time.perf_counter() - started)
    finally:
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(schema_name__in=schemas):
            tenant.delete(force_drop=True)
    print(f"provisioned {len(timings)} tenants")
    print(
        f"per tenant: mean {statistics.mean(timings):.3f}s  p50 {percentile(timings, 50):.3f}s"
        f"  p95 {percentile(timings, 95):.3f}s  max {max(timings):.3f}s  (target < 2 s)"
    )
    print(f"total {sum(timings):.1f}s")
    # Cloning reads the catalog, which grows with every schema: show the trend.
    step = max(1, len(timings) // 10)
    trend = [statistics.mean(timings[i : i + step]) for i in range(0, len(timings), step)]
    print("mean per block of", step, "tenants:", " ".join(f"{t:.2f}" for t in trend))


if __name__ == "__main__":
    main()
