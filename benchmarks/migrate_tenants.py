"""A real migration over N tenant schemas (default 100): Django's `migrate` per schema (the
same-run baseline, on a few) against the replay executor (all the others).

DATABASE_URL=... .venv/bin/python benchmarks/migrate_tenants.py [N] [--baseline K] [--keep]
DATABASE_URL=... .venv/bin/python benchmarks/migrate_tenants.py --existing [--baseline K]

`--existing` uses the tenants left by `provision_tenants.py N --keep` (schemas `bench_*`,
real provisioned tenants) instead of cloning, leaves them in place, and first times the
no-op runs over every tenant: `migrate_schemas` (the one-query skip check) and
`setup_platform`.

Clones N schemas from the template and registers them as tenants (rows only), takes them
back before a real migration (reports 0008, a leaf of the graph: two AddField), then:
1. `migrate_schemas --schema` on K of them, one by one: Django's `migrate` per schema;
2. `migrate_schemas --tenant` for the rest: the skip check finds the N-K pending schemas,
   Django migrates the first, its statements are replayed in the others.
Prints seconds per schema for both, the extrapolation to 1,000 tenants (said as such), the
load average, and checks every schema recorded the migration. Drops the schemas after.
"""

import os
import sys
import time

from _setup import django_setup

django_setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from panel1.tenants import clone, replay  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import ensure_template_schema  # noqa: E402

PREFIX = "bench_mig_"
APP, MIGRATION = "reports", "0008_blocks_state"  # a leaf: two AddField


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def drop() -> None:
    connection.set_schema_to_public()
    schemas = list(
        Tenant.objects.filter(schema_name__startswith=PREFIX).values_list("schema_name", flat=True)
    )
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f"DROP SCHEMA IF EXISTS {clone.qn(schema)} CASCADE")
    Tenant.objects.filter(schema_name__startswith=PREFIX).delete()


def main() -> None:
    args = sys.argv[1:]
    count = int(args[0]) if args and args[0].isdigit() else 100
    baseline = int(args[args.index("--baseline") + 1]) if "--baseline" in args else 5
    call_command("setup_platform", verbosity=0)
    ensure_template_schema()
    if "--existing" in args:
        existing(baseline)
        return
    drop()
    schemas = [f"{PREFIX}{index:04d}" for index in range(count)]
    started = time.perf_counter()
    for schema in schemas:
        clone.clone_template_schema(template=settings.TENANT_BASE_SCHEMA, schema_name=schema)
    Tenant.objects.bulk_create([Tenant(schema_name=s, name=s) for s in schemas])
    print(f"{count} schemas cloned in {time.perf_counter() - started:.0f}s ({load()})")
    try:
        run(schemas, baseline)
    finally:
        if "--keep" not in args:
            drop()


def existing(baseline: int) -> None:
    """No-op runs over every tenant, then the real migration over the provisioned bench_*."""
    connection.set_schema_to_public()
    tenants = Tenant.objects.exclude(schema_name="public").count()
    schemas = list(
        Tenant.objects.filter(schema_name__startswith="bench_")
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    print(f"{tenants} tenants, {len(schemas)} of them bench_* ({load()})", flush=True)
    for label, command, options in (
        ("no-op migrate_schemas", "migrate_schemas", {"interactive": False}),
        ("no-op setup_platform", "setup_platform", {}),
    ):
        started, cpu = time.perf_counter(), time.process_time()
        call_command(command, verbosity=0, **options)
        print(
            f"{label} over {tenants} tenants: {time.perf_counter() - started:.1f}s wall, "
            f"{time.process_time() - cpu:.1f}s CPU in this process  (target <= 60 s; {load()})",
            flush=True,
        )
    run(schemas, baseline)


def run(schemas: list[str], baseline: int) -> None:
    started = time.perf_counter()
    replay.unapply(schemas, APP, MIGRATION)
    print(
        f"{len(schemas)} schemas taken back before {APP}.{MIGRATION} in "
        f"{time.perf_counter() - started:.1f}s  ({load()})",
        flush=True,
    )

    started = time.perf_counter()
    for schema in schemas[:baseline]:
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
        )
    standard = (time.perf_counter() - started) / max(baseline, 1)
    print(
        f"Django migrate per schema ({baseline} schemas, the same-run baseline): "
        f"{standard:.2f}s each  ({load()})",
        flush=True,
    )

    rest = len(schemas) - baseline
    replays: list[float] = []
    timed_replay = replay.replay

    def timed(recording, group):
        started = time.perf_counter()
        timed_replay(recording, group)
        replays.append((time.perf_counter() - started) / max(len(group), 1))

    replay.replay = timed
    started = time.perf_counter()
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1)
    fast = time.perf_counter() - started
    replay.replay = timed_replay
    connection.set_schema_to_public()
    per_replay = replays[0] if replays else float("nan")
    print(
        f"replay executor, {rest} schemas (skip check, one Django migrate, {rest - 1} replays): "
        f"{fast:.1f}s, {fast / rest * 1000:.0f} ms per schema; the replay alone "
        f"{per_replay * 1000:.0f} ms per schema  ({load()})",
        flush=True,
    )
    missing = [s for s in schemas if not _recorded(s)]
    print(f"schemas without the migration afterwards: {len(missing)}")
    print(
        f"measured: the migration over all {len(schemas)} schemas took "
        f"{standard * baseline + fast:.1f}s ({baseline} by Django migrate one by one, "
        f"{rest} by the replay executor; target <= 5 min at 1,000)"
    )
    print(
        f"extrapolated to 1,000 tenants (linear, from this run): Django migrate "
        f"{standard * 1000 / 60:.0f} min; replay executor {fast / rest * 1000 / 60:.1f} min "
        f"(or {(fast - per_replay * (rest - 1) + per_replay * 999) / 60:.1f} min counting the "
        "fixed part once)"
    )


def _recorded(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {clone.qn(schema)}.django_migrations WHERE app = %s AND name = %s",
            [APP, MIGRATION],
        )
        return cursor.fetchone() is not None


if __name__ == "__main__":
    main()
