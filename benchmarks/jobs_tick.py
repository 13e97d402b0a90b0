"""One tick of the frequent per-tenant schedules over every tenant in the database.

DATABASE_URL=... .venv/bin/python benchmarks/jobs_tick.py [SAMPLE]

The fan-out asks all tenant schemas at once which have work (one query per schedule) and
enqueues tasks only for those. For comparison, the old fan-out (one task per tenant) is
measured by running each task in SAMPLE tenants (default 100) in-process and extrapolating
to all tenants. Run it with many tenants, e.g. after `provision_tenants.py 1000 --keep`.
"""

import os
import sys
import time

from _setup import django_setup

django_setup()

import django_q.tasks  # noqa: E402

from panel1 import jobs  # noqa: E402


def main() -> None:
    sample_size = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    enqueued: list[tuple] = []
    django_q.tasks.async_task = lambda *args, **kwargs: enqueued.append(args)
    schemas = jobs.tenant_schema_names()
    specs = [s for s in jobs.registered_schedules() if s.per_tenant and s.due and s.minutes <= 5]
    print(f"{len(schemas)} tenants; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
    # The first tick of a fresh database session also loads every schema's table metadata
    # into that backend's cache; a worker's next ticks on the same connection do not.
    for label in ("first tick (cold connection)", "next tick (same connection)"):
        tick = 0.0
        for spec in specs:
            started = time.perf_counter()
            count = jobs.fan_out(spec.func)
            elapsed = time.perf_counter() - started
            tick += elapsed
            print(f"  {spec.name:28} due check + fan-out {elapsed * 1000:7.1f} ms, {count} tasks")
        print(f"{label}, {len(specs)} schedules: {tick:.2f}s (target <= 5 s at 1,000 tenants)")
    sample = schemas[:sample_size]
    old = 0.0
    for spec in specs:
        started = time.perf_counter()
        for schema in sample:
            jobs.run_in_schema(schema, spec.func)
        per_tenant = (time.perf_counter() - started) / max(1, len(sample))
        old += per_tenant * len(schemas)
        print(f"  {spec.name:28} a task per tenant: {per_tenant * 1000:6.1f} ms each")
    print(
        f"one tick as one task per tenant (extrapolated from {len(sample)}): {old:.1f}s of "
        f"worker time, plus {len(specs) * len(schemas)} broker round trips"
    )


if __name__ == "__main__":
    main()
