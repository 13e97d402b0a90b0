"""migrate_schemas skips current tenant schemas and names the tenant whose migration failed."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.migration_executors import base as tenants_base

from panel1.tenants import executor

pytestmark = pytest.mark.slow


@pytest.fixture
def migrate_calls(session_tenants, django_db_blocker, monkeypatch):
    """Record the schemas django-tenants would run `migrate` in (without running it)."""
    calls: list[str] = []

    def fake_run(args, options, codename, schema_name, *rest, **kwargs):
        if schema_name == "t_fails":
            raise RuntimeError("column already exists")
        calls.append(schema_name)

    monkeypatch.setattr(tenants_base, "run_migrations", fake_run)
    with django_db_blocker.unblock():
        yield calls
        connection.set_schema_to_public()


def test_current_schemas_need_nothing_and_a_missing_migration_is_found(tenant, other_tenant):
    schemas = ["t_alpha", "t_beta", "tenant_template"]
    assert executor.schemas_needing_migration(schemas) == []
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM t_beta.django_migrations WHERE app = 'tickets'")
        cursor.execute("CREATE SCHEMA t_empty")
    assert executor.schemas_needing_migration([*schemas, "t_empty"]) == ["t_beta", "t_empty"]


def test_noop_migrate_schemas_runs_migrate_in_no_tenant_schema(migrate_calls, capsys):
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1)
    assert migrate_calls == []
    assert "tenant schemas already current, skipped" in capsys.readouterr().out


def test_shared_migrate_still_runs_in_public(migrate_calls):
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    assert migrate_calls == ["public"]


def test_explicit_targets_are_not_skipped(migrate_calls):
    call_command(
        "migrate_schemas", "tickets", tenant=True, schema_name="t_alpha", interactive=False
    )
    assert migrate_calls == ["t_alpha"]


def test_failing_tenant_is_named_with_what_was_and_was_not_migrated(migrate_calls, monkeypatch):
    monkeypatch.setattr(
        executor, "schemas_needing_migration", lambda schemas: ["t_a", "t_fails", "t_z"]
    )
    with pytest.raises(CommandError) as failure:
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
    message = str(failure.value)
    assert "'t_fails' failed: column already exists" in message
    assert "1 tenant schemas were migrated before it" in message
    assert "1 were not attempted: t_z" in message
    assert migrate_calls == ["t_a"]
