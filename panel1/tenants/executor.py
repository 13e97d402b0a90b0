"""`migrate_schemas` at a thousand tenants: skip the schemas that are already current.

django-tenants runs Django's `migrate` once per tenant schema, which costs a migration-graph
load and a state render even when nothing is pending (minutes for a no-op at 1,000 tenants).
Settings point `GET_EXECUTOR_FUNCTION` here; the executor asks PostgreSQL once, in one query
over every tenant schema's django_migrations, which schemas miss a migration on disk, and runs
`migrate` only for those. A failing tenant stops the run with a message naming the tenant, the
schemas already migrated and the ones not attempted.
"""

from __future__ import annotations

import functools
import sys

from django.core.management.base import CommandError
from django.db import connection
from django_tenants.migration_executors import base as tenants_base
from django_tenants.migration_executors import get_executor as tenants_get_executor

from panel1.tenants import replay
from panel1.tenants.clone import qn

# Options under which a schema with every migration recorded has nothing to do.
_ALTERING_OPTIONS = ("app_label", "migration_name", "fake", "fake_initial", "plan", "prune")


@functools.cache
def migration_nodes() -> frozenset[tuple[str, str]]:
    """(app, name) of every migration on disk; read once per process."""
    from django.db.migrations.loader import MigrationLoader

    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def schemas_needing_migration(schemas: list[str]) -> list[str]:
    """The schemas (in the given order) that lack a migration on disk, in one query."""
    if not schemas:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "AND c.relname = 'django_migrations' AND c.relkind = 'r' "
            "WHERE n.nspname = ANY(%s)",
            [list(schemas)],
        )
        recorded = {name for (name,) in cursor.fetchall()}
        lagging = set(schemas) - recorded
        if recorded:
            lagging |= _schemas_missing_nodes(cursor, sorted(recorded))
    return [schema for schema in schemas if schema in lagging]


def _schemas_missing_nodes(cursor, schemas: list[str]) -> set[str]:
    expected = sorted(migration_nodes())
    values = ", ".join(["(%s, %s)"] * len(expected))
    counts = " UNION ALL ".join(
        f"SELECT %s AS schema, count(*) AS found FROM {qn(schema)}.django_migrations m "
        "JOIN expected e ON e.app = m.app AND e.name = m.name"
        for schema in schemas
    )
    params = [part for node in expected for part in node] + list(schemas)
    cursor.execute(
        f"WITH expected(app, name) AS (VALUES {values}) "
        f"SELECT schema FROM ({counts}) AS per_schema WHERE found < %s",
        [*params, len(expected)],
    )
    return {schema for (schema,) in cursor.fetchall()}


class SkipCurrentSchemasMixin:
    """Mixed into django-tenants' executors (standard, multiprocessing, subprocess)."""

    def _pending(self, schemas: list[str]) -> list[str]:
        if any(self.options.get(option) for option in _ALTERING_OPTIONS):
            return schemas
        pending = schemas_needing_migration(schemas)
        skipped = len(schemas) - len(pending)
        if skipped and int(self.options.get("verbosity", 1)) >= 1:
            sys.stdout.write(f"{skipped} tenant schemas already current, skipped.\n")
        return pending

    def run_migrations(self, tenants=None):
        tenants = list(tenants or [])
        public = [name for name in tenants if name == self.PUBLIC_SCHEMA_NAME]
        others = self._pending([name for name in tenants if name != self.PUBLIC_SCHEMA_NAME])
        if self.codename != "standard":
            return super().run_migrations(tenants=public + others)
        for name in public:
            tenants_base.run_migrations(self.args, self.options, self.codename, name)
        done: list[str] = []
        if any(self.options.get(option) for option in _ALTERING_OPTIONS):
            for schema in others:
                self._migrate_one(schema, done, others)
            return None
        for group in replay.groups_by_recorded_state(others) if others else []:
            self._migrate_group(group, done, others)
        return None

    def _migrate_group(self, group: list[str], done: list[str], others: list[str]) -> None:
        """Migrate schemas at the same recorded state: replay the first one's statements on
        the others when the plan allows it (panel1.tenants.replay), else one by one."""
        plan = replay.replayable_plan(group[0]) if len(group) > 1 else None
        connection.set_schema_to_public()
        if plan is None:
            for schema in group:
                self._migrate_one(schema, done, others)
            return
        with replay.recording_schema_editor() as recording:
            self._migrate_one(group[0], done, others)
        recording.migrations = [(m.app_label, m.name) for m in plan]
        try:
            replay.replay(recording, group[1:])
        except replay.ReplayError as failure:
            done.extend(failure.done)
            raise CommandError(
                _failure_message(failure.schema, others, done, failure.cause, replayed=True)
            ) from failure
        done.extend(group[1:])
        if int(self.options.get("verbosity", 1)) >= 1:
            sys.stdout.write(
                f"{len(plan)} migration(s) of {group[0]!r} ({len(recording.statements)} "
                f"statements) replayed in {len(group) - 1} more tenant schemas.\n"
            )

    def _migrate_one(self, schema: str, done: list[str], others: list[str]) -> None:
        try:
            tenants_base.run_migrations(
                self.args,
                self.options,
                self.codename,
                schema,
                idx=len(done),
                count=len(others),
            )
        except Exception as exc:
            raise CommandError(_failure_message(schema, others, done, exc)) from exc
        done.append(schema)

    def run_multi_type_migrations(self, tenants):
        tenants = list(tenants or [])
        pending = set(self._pending([schema for schema, _ in tenants]))
        return super().run_multi_type_migrations([t for t in tenants if t[0] in pending])


def _failure_message(
    schema: str, schemas: list[str], done: list[str], exc: Exception, *, replayed: bool = False
) -> str:
    finished = set(done)
    rest = [name for name in schemas if name not in finished and name != schema]
    shown = ", ".join(rest[:20]) + (" ..." if len(rest) > 20 else "")
    state = (
        "its replayed statements were rolled back, so it is untouched"
        if replayed
        else "stopped at the failing migration (earlier ones in it are applied, each "
        "migration is atomic)"
    )
    return (
        f"Migrating tenant schema {schema!r} failed: {exc}. "
        f"{len(done)} tenant schemas were migrated before it; {schema!r} {state}; "
        f"{len(rest)} were not attempted{': ' + shown if rest else ''}. "
        "Fix the cause and run migrate_schemas again: finished schemas are skipped."
    )


@functools.cache
def get_executor(codename=None):
    """`GET_EXECUTOR_FUNCTION`: django-tenants' executor, skipping current schemas."""
    executor = tenants_get_executor(codename)
    return type(f"SkipCurrent{executor.__name__}", (SkipCurrentSchemasMixin, executor), {})
