"""A real migration over many tenant schemas: migrate one schema, replay its DDL on the rest.

Django's `migrate` per tenant loads the migration graph and renders the project state again
for every schema (about 2.5 s per tenant on a busy 2-core machine: 45 minutes for 1,000).
Tenant schemas that recorded the same migrations are at the same point and need the same
statements, so the executor (panel1.tenants.executor):

1. groups the pending schemas by their recorded migrations (one query for all schemas);
2. per group, computes the plan once and checks that it can be replayed: every operation
   only changes the database through the schema editor (no RunPython), no model is created,
   deleted or renamed and no model options change (those make `post_migrate` create content
   types and permissions), and every migration is atomic;
3. migrates the group's first schema with Django's `migrate`, recording each statement the
   schema editor executes (SQL and parameters, in order);
4. replays those statements in each other schema of the group, with its `search_path`, and
   records the same rows in its django_migrations, all in one transaction per schema: a
   schema is either fully migrated or untouched.

A plan that cannot be replayed runs Django's `migrate` in every schema, as before. A failing
schema stops the run with a message that names it, says which schemas were migrated and that
it was left untouched (rolled back), and lists the schemas not attempted.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations import operations as ops
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from panel1.tenants.clone import qn

# Operations whose effect `post_migrate` follows up per schema (content types, permissions),
# or that run Python: a plan with any of them is migrated schema by schema.
NOT_REPLAYABLE = (
    ops.RunPython,
    ops.CreateModel,
    ops.DeleteModel,
    ops.RenameModel,
    ops.AlterModelOptions,
)
SCHEMAS_PER_QUERY = 500


class ReplayError(Exception):
    """A schema failed while its recorded statements were replayed (it was rolled back)."""

    def __init__(self, schema: str, done: list[str], rest: list[str], cause: Exception):
        super().__init__(f"{schema}: {cause}")
        self.schema, self.done, self.rest, self.cause = schema, done, rest, cause


@dataclass
class Recording:
    """What migrating one schema did: the migrations applied and the statements executed."""

    migrations: list[tuple[str, str]] = field(default_factory=list)
    statements: list[tuple[str, object]] = field(default_factory=list)


def groups_by_recorded_state(schemas: list[str]) -> list[list[str]]:
    """The schemas grouped by the exact set of migrations each recorded (order kept).

    A schema without a django_migrations table is a group of its own.
    """
    digests: dict[str, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "AND c.relname = 'django_migrations' AND c.relkind = 'r' WHERE n.nspname = ANY(%s)",
            [list(schemas)],
        )
        recorded = sorted(name for (name,) in cursor.fetchall())
        for start in range(0, len(recorded), SCHEMAS_PER_QUERY):
            chunk = recorded[start : start + SCHEMAS_PER_QUERY]
            union = " UNION ALL ".join(
                "SELECT %s, md5(coalesce(string_agg(app || '.' || name, ',' "
                f"ORDER BY app, name), '')) FROM {qn(schema)}.django_migrations"
                for schema in chunk
            )
            cursor.execute(union, chunk)
            digests.update(dict(cursor.fetchall()))
    groups: dict[str, list[str]] = {}
    for schema in schemas:
        groups.setdefault(digests.get(schema, f"none:{schema}"), []).append(schema)
    return list(groups.values())


def replayable_plan(schema: str) -> list | None:
    """The forward plan of `schema` (migrations), or None when it cannot be replayed."""
    connection.set_schema(schema)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan or any(backwards for _migration, backwards in plan):
        return None
    migrations = [migration for migration, _backwards in plan]
    for migration in migrations:
        if not migration.atomic or any(_blocks_replay(op) for op in migration.operations):
            return None
    return migrations


def _blocks_replay(operation) -> bool:
    if isinstance(operation, ops.SeparateDatabaseAndState):
        return any(_blocks_replay(op) for op in operation.database_operations)
    return isinstance(operation, NOT_REPLAYABLE)


@contextlib.contextmanager
def recording_schema_editor():
    """Record every statement the schema editor executes (the DDL of the migrations)."""
    recording = Recording()
    original = BaseDatabaseSchemaEditor.execute

    def execute(editor, sql, params=()):
        recording.statements.append((str(sql), None if params is None else list(params)))
        return original(editor, sql, params)

    BaseDatabaseSchemaEditor.execute = execute
    try:
        yield recording
    finally:
        BaseDatabaseSchemaEditor.execute = original


def replay(recording: Recording, schemas: list[str]) -> None:
    """Run the recorded statements and record the migrations in each schema, one
    transaction per schema; raise ReplayError naming the first schema that fails."""
    connection.set_schema_to_public()
    rows = [(app, name) for app, name in recording.migrations]
    for index, schema in enumerate(schemas):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL search_path = {qn(schema)}, public")
                for sql, params in recording.statements:
                    cursor.execute(sql, params)
                now = timezone.now()
                cursor.executemany(
                    f"INSERT INTO {qn(schema)}.django_migrations (app, name, applied) "
                    "VALUES (%s, %s, %s)",
                    [(app, name, now) for app, name in rows],
                )
        except Exception as exc:
            raise ReplayError(schema, schemas[:index], schemas[index + 1 :], exc) from exc
    connection.set_schema_to_public()


def unapply(schemas: list[str], app_label: str, name: str) -> int:
    """Take `schemas` back before migration `app_label.name` (its backwards SQL, rendered once
    in the first schema; used by the migration benchmark and tests); returns the statements
    run per schema."""
    connection.set_schema(schemas[0])
    executor = MigrationExecutor(connection)
    migration = executor.loader.get_migration(app_label, name)
    statements = executor.loader.collect_sql([(migration, True)])
    statements = [sql for sql in statements if not sql.lstrip().startswith("--")]
    connection.set_schema_to_public()
    for schema in schemas:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL search_path = {qn(schema)}, public")
            for sql in statements:
                cursor.execute(sql)
            cursor.execute(
                f"DELETE FROM {qn(schema)}.django_migrations WHERE app = %s AND name = %s",
                [app_label, name],
            )
    return len(statements)
