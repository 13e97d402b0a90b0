"""Provisioning commits real schemas, so these tests run outside the per-test transaction."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from panel1.accounts.models import Role, User
from panel1.tenants import provisioning
from panel1.tenants.models import Domain, Tenant
from panel1.tenants.services import ProvisioningError, tenant_provision

pytestmark = pytest.mark.slow


@pytest.fixture
def cleanup(session_tenants, django_db_blocker):
    created: list[str] = []
    with django_db_blocker.unblock():
        yield created
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(schema_name__in=created):
            tenant.delete(force_drop=True)


def _provision(schema="t_prov", domain="prov.test.localhost", **extra):
    return tenant_provision(
        schema_name=schema, domain=domain, name="Prov Ltd", admin_email="boss@prov.test", **extra
    )


def test_provision_creates_everything_and_twice_changes_nothing(cleanup):
    cleanup.append("t_prov")
    first = _provision(admin_password="s3cret-pass")
    assert first.created and first.admin_created
    assert Domain.objects.get(domain="prov.test.localhost").tenant == first.tenant
    with schema_context("t_prov"):
        admin = User.objects.get(email="boss@prov.test")
        assert admin.role == Role.ADMIN and admin.check_password("s3cret-pass")
    second = _provision()
    assert not second.created and second.changes == []


def test_command_output_and_second_run(cleanup, capsys):
    cleanup.append("t_cmd")
    args = ["--schema", "t_cmd", "--domain", "cmd.test.localhost", "--name", "Cmd"]
    call_command("create_helpdesk_tenant", *args, "--admin-email", "a@cmd.test")
    call_command("create_helpdesk_tenant", *args, "--admin-email", "a@cmd.test")
    out = capsys.readouterr().out
    assert "tenant schema created" in out
    assert "nothing changed" in out


@pytest.mark.parametrize("schema", ["Bad", "public", "1abc", "a-b", "pg_x", "tenant_template"])
def test_bad_schema_name_is_refused(cleanup, schema):
    with pytest.raises(ProvisioningError) as exc:
        _provision(schema=schema)
    assert "schema" in exc.value.errors
    assert schema == "public" or not Tenant.objects.filter(schema_name=schema).exists()


def test_taken_domain_is_refused(cleanup):
    with pytest.raises(ProvisioningError) as exc:
        _provision(schema="t_other", domain="alpha.test.localhost")
    assert "already belongs to tenant t_alpha" in exc.value.errors["domain"][0]
    assert not schema_exists("t_other")


def test_command_reports_errors_without_traceback(cleanup):
    with pytest.raises(CommandError, match="domain"):
        call_command(
            "create_helpdesk_tenant",
            "--schema",
            "t_x",
            "--domain",
            "bad domain!",
            "--name",
            "X",
            "--admin-email",
            "a@x.test",
        )


def test_failed_provisioning_leaves_nothing_behind(cleanup):
    def broken_step(*, tenant):
        raise RuntimeError("step failed")

    provisioning.register_step("tests.broken", broken_step)
    try:
        with pytest.raises(RuntimeError):
            _provision(schema="t_broken", domain="broken.test.localhost")
    finally:
        provisioning._steps.pop("tests.broken")
    assert not Tenant.objects.filter(schema_name="t_broken").exists()
    assert not Domain.objects.filter(domain="broken.test.localhost").exists()
    assert not schema_exists("t_broken")


def test_create_api_token_prints_token_last(session_tenants, django_db_blocker, capsys):
    with django_db_blocker.unblock():
        call_command("create_api_token", "--schema", "t_alpha", "admin@alpha.test.localhost")
        first = capsys.readouterr().out.strip().splitlines()[-1]
        call_command("create_api_token", "--schema", "t_alpha", "admin@alpha.test.localhost")
        second = capsys.readouterr().out.strip().splitlines()[-1]
        with pytest.raises(CommandError, match="No tenant"):
            call_command("create_api_token", "--schema", "nope", "x@y.test")
        with pytest.raises(CommandError, match="No user"):
            call_command("create_api_token", "--schema", "t_alpha", "ghost@alpha.test")
    # Only hashes are stored: every run creates (and prints) a new token.
    assert len(first) == 40 and len(second) == 40 and first != second
