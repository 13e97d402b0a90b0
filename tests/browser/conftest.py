"""Shared fixtures of the Chromium tests (Playwright driving Debian's /usr/bin/chromium).

Live-server tests are transactional: pytest-django flushes the public tables after each one,
so the tenant and domain rows are restored here (the schemas stay), and the tenant schema's
tables are snapshotted before each test and put back after it, so nothing leaks into other
tests.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction

from panel1.tenants.models import Domain, Tenant
from panel1.tenants.services import ensure_public_tenant
from tests.conftest import TENANT_A, TENANT_B

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SNAPSHOT_SCHEMA = "browser_test_snapshot"

# --- Fixtures: public rows back after each flush, tenant tables back after each test ---


def _public_rows(session_tenants) -> tuple[list[dict], list[dict]]:
    """The tenant and domain rows as stored (not the session's Tenant objects, which earlier
    tests may have changed in memory)."""
    connection.set_schema_to_public()
    ensure_public_tenant()
    for tenant, spec in zip(session_tenants, (TENANT_A, TENANT_B), strict=True):
        if not Tenant.objects.filter(pk=tenant.pk).exists():  # flushed by an earlier module
            Tenant.objects.bulk_create([tenant])
            Domain.objects.create(domain=spec["domain"], tenant=tenant, is_primary=True)
    return list(Tenant.objects.values()), list(Domain.objects.values())


def _restore_public_rows(rows) -> None:
    """Put back the public rows the flush removed, with their primary keys (other tests'
    objects carry them). bulk_create skips Tenant.save(), which would create the schema."""
    tenants, domains = rows
    connection.set_schema_to_public()
    present = set(Tenant.objects.values_list("pk", flat=True))
    Tenant.objects.bulk_create([Tenant(**row) for row in tenants if row["id"] not in present])
    present = set(Domain.objects.values_list("pk", flat=True))
    Domain.objects.bulk_create([Domain(**row) for row in domains if row["id"] not in present])


def _tables(cursor, schema: str) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
        [schema],
    )
    return [row[0] for row in cursor.fetchall()]


def _columns(cursor, schema: str, table: str) -> str:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
        "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [schema, table],
    )
    return ", ".join(f'"{row[0]}"' for row in cursor.fetchall())


def _snapshot_tenant_tables(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{SNAPSHOT_SCHEMA}" CASCADE')
        cursor.execute(f'CREATE SCHEMA "{SNAPSHOT_SCHEMA}"')
        for table in _tables(cursor, schema):
            cursor.execute(
                f'CREATE TABLE "{SNAPSHOT_SCHEMA}"."{table}" AS TABLE "{schema}"."{table}"'
            )


def _restore_tenant_tables(schema: str) -> None:
    # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: inside one transaction the
    # tables can be refilled in any order.
    with transaction.atomic(), connection.cursor() as cursor:
        tables = _tables(cursor, SNAPSHOT_SCHEMA)
        cursor.execute(
            "TRUNCATE " + ", ".join(f'"{schema}"."{t}"' for t in _tables(cursor, schema))
        )
        for table in tables:
            columns = _columns(cursor, schema, table)
            cursor.execute(
                f'INSERT INTO "{schema}"."{table}" ({columns}) '
                f'SELECT {columns} FROM "{SNAPSHOT_SCHEMA}"."{table}"'
            )
        cursor.execute(f'DROP SCHEMA "{SNAPSHOT_SCHEMA}" CASCADE')


@pytest.fixture(scope="module")
def public_rows(session_tenants, django_db_blocker):
    with django_db_blocker.unblock():
        rows = _public_rows(session_tenants)
    yield rows
    # After this module's last flush: later tests find their tenants again.
    with django_db_blocker.unblock():
        _restore_public_rows(rows)


@pytest.fixture
def live_tenant(public_rows, live_server, session_tenants, monkeypatch):
    """Tenant A served by the live server at http://alpha.test.localhost:<port>."""
    _restore_public_rows(public_rows)
    tenant = session_tenants[0]
    # Playwright's sync API runs an event loop in this thread; the ORM calls between browser
    # steps are ordinary blocking calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _snapshot_tenant_tables(tenant.schema_name)
    cache.clear()
    mail.outbox = []
    ARTIFACTS.mkdir(exist_ok=True)
    port = urlsplit(live_server.url).port
    yield SimpleNamespace(tenant=tenant, url=f"http://alpha.test.localhost:{port}")
    connection.set_schema_to_public()
    _restore_tenant_tables(tenant.schema_name)
    cache.clear()


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
