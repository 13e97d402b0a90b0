"""A real migration over many tenant schemas: Django's `migrate` runs in one schema of each
group at the same state, and its statements are replayed in the others (panel1.tenants.replay).

The schemas are lean clones of the template taken back before a real migration (reports 0008,
two AddField), so the test migrates what a deployment would.
"""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.migration_executors import base as tenants_base

from panel1.tenants import clone, executor, replay
from panel1.tenants.services import ensure_template_schema
from tests.core.test_clone import assert_same, catalog_snapshot

pytestmark = pytest.mark.slow

APP, MIGRATION = "reports", "0008_blocks_state"


@pytest.fixture
def schemas(session_tenants, django_db_blocker):
    """Names of schemas the test creates; dropped afterwards."""
    created: list[str] = []
    with django_db_blocker.unblock():
        yield created
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            for schema in created:
                cursor.execute(f"DROP SCHEMA IF EXISTS {clone.qn(schema)} CASCADE")


@pytest.fixture
def migrate_runs(monkeypatch):
    """The schemas Django's `migrate` ran in (it still runs)."""
    runs: list[str] = []
    original = tenants_base.run_migrations

    def recording(args, options, codename, schema_name, *rest, **kwargs):
        runs.append(schema_name)
        return original(args, options, codename, schema_name, *rest, **kwargs)

    monkeypatch.setattr(tenants_base, "run_migrations", recording)
    return runs


def _behind(schemas: list[str], names: list[str], monkeypatch) -> None:
    """Clone `names`, take them back before the migration, and make them the pending ones."""
    ensure_template_schema()
    schemas += names
    for name in names:
        clone.clone_template_schema(template=settings.TENANT_BASE_SCHEMA, schema_name=name)
    assert replay.unapply(names, APP, MIGRATION) == 2  # the two columns dropped
    monkeypatch.setattr(executor, "schemas_needing_migration", lambda found: list(names))


def _has_migration(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {clone.qn(schema)}.django_migrations "
            "WHERE app = %s AND name = %s",
            [APP, MIGRATION],
        )
        return cursor.fetchone()[0] == 1


def test_replayed_schemas_equal_the_one_django_migrated(schemas, monkeypatch, migrate_runs, capsys):
    _behind(schemas, ["t_rp_first", "t_rp_second", "t_rp_third"], monkeypatch)

    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1)

    connection.set_schema_to_public()
    assert migrate_runs == ["t_rp_first"]  # Django's migrate ran once, in the first schema
    assert "replayed in 2 more tenant schemas" in capsys.readouterr().out
    migrated = catalog_snapshot("t_rp_first")
    assert any("blocks_ready" in repr(row) for row in migrated["columns"])
    for schema in ("t_rp_second", "t_rp_third"):
        assert_same(catalog_snapshot(schema), migrated)
    # and the same as the template, migrated by setup_platform without any of this
    template = catalog_snapshot(settings.TENANT_BASE_SCHEMA, reference_rows=False)
    migrated.pop("migrations"), migrated.pop("content types"), migrated.pop("permissions")
    assert_same(
        {key: value for key, value in migrated.items() if key != "sequences"},
        {key: value for key, value in template.items() if key != "sequences"},
    )


def test_a_failing_schema_is_named_untouched_and_the_rest_not_attempted(
    schemas, monkeypatch, migrate_runs
):
    names = ["t_rp_ok", "t_rp_done", "t_rp_broken", "t_rp_later"]
    _behind(schemas, names, monkeypatch)
    with connection.cursor() as cursor:  # makes the replayed ADD COLUMN fail there
        cursor.execute("ALTER TABLE t_rp_broken.reports_rollupstate ADD COLUMN blocks_cursor date")

    with pytest.raises(CommandError) as failure:
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)

    connection.set_schema_to_public()
    message = str(failure.value)
    assert "Migrating tenant schema 't_rp_broken' failed" in message
    assert "already exists" in message
    assert "2 tenant schemas were migrated before it" in message
    assert "rolled back, so it is untouched" in message
    assert "1 were not attempted: t_rp_later" in message
    assert migrate_runs == ["t_rp_ok"]
    assert [_has_migration(name) for name in names] == [True, True, False, False]
    with connection.cursor() as cursor:  # nothing of the replay stayed in the broken schema
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 't_rp_broken' "
            "AND table_name = 'reports_rollupstate' AND column_name = 'blocks_ready'"
        )
        assert cursor.fetchone()[0] == 0


def test_a_plan_that_runs_python_is_migrated_schema_by_schema(schemas, monkeypatch, migrate_runs):
    names = ["t_rp_py_one", "t_rp_py_two"]
    _behind(schemas, names, monkeypatch)
    monkeypatch.setattr(replay, "_blocks_replay", lambda operation: True)

    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)

    connection.set_schema_to_public()
    assert migrate_runs == names
    assert all(_has_migration(name) for name in names)
